// Table: a reader of one SSTable file (format in table/format.h).
//
// Open() reads the footer, the index, filter and properties blocks and
// keeps them in memory; data blocks are read on demand through the block
// cache.
//
// Thread safety: after Open a Table is immutable apart from atomic
// counters; any number of threads may call its methods and use iterators
// over it concurrently (each iterator by one thread at a time).

#ifndef FLOWDB_TABLE_TABLE_H_
#define FLOWDB_TABLE_TABLE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/dbformat.h"
#include "flowdb/options.h"
#include "flowdb/status.h"
#include "table/block.h"
#include "table/format.h"
#include "table/iterator.h"
#include "table/table_properties.h"

namespace flowdb {

class BlockCache;
class RandomAccessFile;

// The entry a Table::Get found.
struct TableGetResult {
  bool found = false;
  // Set only if found: the entry's sequence number, type and stored value
  // (for kTypeValueExpiring still prefixed with expire_at; see
  // DecodeEntryValue). value points into `block`, which keeps it alive.
  SequenceNumber sequence = 0;
  ValueType type = kTypeDeletion;
  std::string_view value;
  std::shared_ptr<const Block> block;
  // The bloom filter ruled the user key out: no block was looked at.
  bool filtered = false;
};

// What one Table::Get passes to the next of a run of lookups in ascending
// target order in one table: the data block it used, so that a lookup
// falling into the same block neither searches the index nor asks the block
// cache again. Default-constructed: empty.
struct TableGetHint {
  size_t block_index = static_cast<size_t>(-1);
  std::shared_ptr<const Block> block;
};

// Options for Table::Open.
struct TableReadOptions {
  // Also read every data block at open and check its checksum, entries,
  // order and count against the index: costs a full read of the file. For
  // verifying a table just written or a suspect file.
  bool paranoid_checks = false;
  // Names the file in the Corruption messages of data block reads (e.g.
  // "sst/000012.sst"); empty: they name the block's offset only.
  std::string file_name;
};

class Table {
 public:
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  ~Table();

  // Opens the table stored in file, whose size is file_size. table_id keys
  // this table's blocks in cache (may be null: no caching) and must name this
  // file alone for the life of the cache (the DB uses the file number). On
  // success *table owns the file; on error *table is left empty and the
  // status is Corruption naming what is wrong (or the file's read error).
  static Status Open(const TableReadOptions& options, std::unique_ptr<RandomAccessFile> file,
                     uint64_t file_size, uint64_t table_id, BlockCache* cache,
                     std::unique_ptr<Table>* table);

  // An iterator over the table's entries in InternalKeyComparator order.
  // REQUIRES: the table outlives the iterator (pin it with Iterator::Pin).
  //
  // options.fill_cache: data blocks read from the file enter the cache.
  // options.memory_only: a data block that is not in the cache is not read;
  //   the iterator becomes invalid with status Busy("would block").
  // options.ts_min/ts_max: data blocks whose [min_ts, max_ts] (from the
  //   index) misses [ts_min, ts_max] are skipped without being read; entries
  //   outside the range in the blocks that are read are still returned.
  // options.snapshot is ignored: the table holds no sequence filter.
  // A corrupt data block makes the iterator invalid with Corruption naming
  // the block's offset.
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) const;

  // Point lookup: the first entry whose internal key is ≥ target, if it has
  // target's user key and ts. With target = SeekKey(user_key, ts, snapshot)
  // that is the newest version of (user_key, ts) visible at snapshot; the
  // caller decides what its type means. Allocates no iterator; the bloom
  // filter and the in-memory index (with each block's ts range) often rule
  // the record out without reading a block, and at most one block is read.
  //
  // On OK, result->found says whether there is such an entry (see
  // TableGetResult). options.fill_cache and options.memory_only apply as for
  // NewIterator (a block not in the cache: Busy("would block")); ts_min,
  // ts_max and snapshot are ignored. Returns InvalidArgument if target is
  // not an internal key, Corruption naming the data block's offset for a
  // damaged block, or the file's read error.
  Status Get(const ReadOptions& options, std::string_view target, TableGetResult* result) const {
    return Get(options, target, result, nullptr);
  }
  // As Get, reusing and updating *hint (may be null). REQUIRES: hint is
  // empty or was last used with this table and a target ≤ this one.
  Status Get(const ReadOptions& options, std::string_view target, TableGetResult* result,
             TableGetHint* hint) const;

  // False only if the table certainly holds no entry for user_key.
  bool KeyMayMatch(std::string_view user_key) const;

  // The encoded range-deletion block (db/range_del.h), read and checked at
  // Open; empty if the table has no range tombstones.
  const std::string& range_deletions() const { return range_dels_; }

  // What the table holds, as written by TableBuilder.
  const TableProperties& properties() const { return properties_; }
  // The values given to Open, and the number of data blocks in the index.
  uint64_t table_id() const { return table_id_; }
  uint64_t file_size() const { return file_size_; }
  size_t num_data_blocks() const { return index_.size(); }

  // Heap bytes held by this reader (index, filter, properties); cached data
  // blocks are charged to the block cache.
  uint64_t ApproximateMemoryUsage() const { return memory_usage_; }

  // Data blocks read from the file since Open (cache misses that did I/O).
  uint64_t data_block_reads() const { return data_block_reads_.load(std::memory_order_relaxed); }

 private:
  friend class TableIterator;

  // One decoded entry of the index block (its key is LastKey(i)).
  struct IndexEntry {
    IndexValue meta;
  };
  // Data block i's largest internal key. The keys are stored end to end in
  // one buffer, so the binary search of FindDataBlock touches few cache
  // lines (a string per key cost a miss per probe).
  std::string_view LastKey(size_t i) const {
    const uint32_t begin = i == 0 ? 0 : index_key_ends_[i - 1];
    return std::string_view(index_keys_).substr(begin, index_key_ends_[i] - begin);
  }

  Table(std::unique_ptr<RandomAccessFile> file, uint64_t file_size, uint64_t table_id,
        BlockCache* cache);

  // Reads a meta block whose handle came from the footer.
  Status ReadMetaBlock(const char* name, const BlockHandle& handle, std::string* contents) const;
  Status LoadIndex(const BlockHandle& handle);
  Status VerifyDataBlocks() const;
  // Position of data block i in the file, for error messages.
  std::string DataBlockName(size_t i) const;
  // The first data block whose last key is ≥ target, which holds the first
  // entry ≥ target; index_.size() if there is none.
  size_t FindDataBlock(std::string_view target) const;
  // Fetches data block i from the cache or (unless options.memory_only) the
  // file.
  Status GetDataBlock(const ReadOptions& options, size_t i,
                      std::shared_ptr<const Block>* block) const;

  const std::unique_ptr<RandomAccessFile> file_;
  const uint64_t file_size_;
  const uint64_t table_id_;
  std::string file_name_;  // TableReadOptions::file_name
  BlockCache* const cache_;

  std::vector<IndexEntry> index_;
  std::string index_keys_;               // LastKey(0) | LastKey(1) | …
  std::vector<uint32_t> index_key_ends_;  // end of LastKey(i) in index_keys_
  std::string filter_;  // empty: no filter
  std::string range_dels_;
  TableProperties properties_;
  uint64_t memory_usage_ = 0;
  mutable std::atomic<uint64_t> data_block_reads_{0};
};

}  // namespace flowdb

#endif  // FLOWDB_TABLE_TABLE_H_
