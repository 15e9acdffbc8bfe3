// TableBuilder: writes a sorted run of internal-key entries as an SSTable
// (format in table/format.h).
//
// Thread safety: one thread at a time.

#ifndef FLOWDB_TABLE_TABLE_BUILDER_H_
#define FLOWDB_TABLE_TABLE_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "flowdb/options.h"
#include "flowdb/status.h"
#include "table/block_builder.h"
#include "table/bloom.h"
#include "table/format.h"
#include "table/table_properties.h"

namespace flowdb {

class WritableFile;

// How a table is laid out; Options (flowdb/options.h) carries the same knobs.
struct TableOptions {
  // A data block is cut once its uncompressed size reaches this many bytes.
  size_t block_size = 16 << 10;
  // Entries between restart points of a data block.
  int block_restart_interval = 16;
  // Bits per user key of the bloom filter; 0 writes no filter.
  int bloom_bits_per_key = 10;
  Compression compression = Compression::kLZ4;
};

class TableBuilder {
 public:
  // Writes to file, which must stay open until Finish() or Abandon() returns.
  // The builder neither syncs nor closes it.
  TableBuilder(const TableOptions& options, WritableFile* file);
  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;
  // REQUIRES: Finish() or Abandon() has been called.
  ~TableBuilder();

  // Adds an entry. REQUIRES: internal_key is a valid internal key that sorts
  // after every key added before (InternalKeyComparator), and a
  // kTypeValueExpiring value starts with fixed64 expire_at. A violation sets
  // status() to InvalidArgument; after any error, Add does nothing.
  void Add(std::string_view internal_key, std::string_view value);

  // Stores an encoded list of range tombstones (db/range_del.h) holding
  // `count` tombstones in the table's range-deletion block. Their sequence
  // numbers count towards the table's seq range. Call before Finish().
  void SetRangeDeletions(std::string encoded, uint64_t count, uint64_t min_seq, uint64_t max_seq);

  // Writes the remaining data block, the filter, properties and index blocks
  // and the footer. The first error of any call, or OK.
  // REQUIRES: Finish() or Abandon() has not been called.
  Status Finish();

  // Stops building; the caller deletes the partial file.
  void Abandon();

  // The first error so far, or OK.
  Status status() const { return status_; }

  // Entries added so far.
  uint64_t NumEntries() const { return props_.num_entries; }
  // Bytes written to the file so far: the file size once Finish() succeeded.
  uint64_t FileSize() const { return offset_; }
  // Properties of the entries added so far; complete after Finish().
  const TableProperties& properties() const { return props_; }

 private:
  void FlushDataBlock();
  // Encodes raw as a block, appends it, and returns where it went.
  void WriteBlock(std::string_view raw, Compression compression, BlockHandle* handle);

  const TableOptions options_;
  WritableFile* const file_;
  uint64_t offset_ = 0;
  Status status_;
  bool closed_ = false;  // Finish() or Abandon() was called

  BlockBuilder data_block_;
  BlockBuilder index_block_;
  std::unique_ptr<BloomFilterBuilder> filter_;  // null without a filter
  TableProperties props_;
  std::string last_key_;
  std::string range_dels_;  // encoded range-deletion block, empty if none

  // The data block being built: its ts range.
  int64_t block_min_ts_;
  int64_t block_max_ts_;

  std::string encoded_block_;  // scratch of WriteBlock
};

}  // namespace flowdb

#endif  // FLOWDB_TABLE_TABLE_BUILDER_H_
