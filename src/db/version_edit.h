// VersionEdit: one change to the set of live files, as recorded in the
// manifest. FileMetaData: what the manifest knows of one SSTable.
//
// Manifest record payload (one edit), a sequence of tagged fields:
//   field := tag: varint32 | data
//   kComparator      length-prefixed name   (checked at recovery)
//   kLogNumber       varint64   WAL files with smaller numbers are obsolete
//   kNextFileNumber  varint64
//   kLastSequence    varint64
//   kNewFile         varint64 number | varint64 file_size | varint64 entries
//                    | smallest ikey (length-prefixed) | largest ikey
//                    | fixed64 min_ts | fixed64 max_ts
//                    | fixed64 min_expire | fixed64 max_expire
//                    | varint64 min_seq | varint64 max_seq
//                    | varint64 num_range_dels
//   kDeletedFile     varint64 number
// Unknown tags are corruption (a newer format must bump the manifest version).

#ifndef FLOWDB_DB_VERSION_EDIT_H_
#define FLOWDB_DB_VERSION_EDIT_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "flowdb/status.h"

namespace flowdb {

struct FileMetaData {
  uint64_t number = 0;
  uint64_t file_size = 0;  // bytes
  uint64_t num_entries = 0;
  // Internal keys bounding the entries and the range tombstones: a range
  // tombstone [start, end) counts as SeekKey(start, INT64_MIN) and
  // SeekKey(end, INT64_MIN), which bound it without being entries.
  std::string smallest;
  std::string largest;
  int64_t min_ts = 0, max_ts = 0;
  int64_t min_expire = kNoExpiry, max_expire = kNoExpiry;
  SequenceNumber min_seq = 0, max_seq = 0;  // over entries and range tombstones
  uint64_t num_range_dels = 0;  // tombstones in the table's range-deletion block
};

class VersionEdit {
 public:
  void SetLogNumber(uint64_t n) { log_number_ = n; }
  void SetNextFileNumber(uint64_t n) { next_file_number_ = n; }
  void SetLastSequence(SequenceNumber s) { last_sequence_ = s; }
  void SetComparatorName(std::string name) { comparator_ = std::move(name); }
  void AddFile(FileMetaData f) { new_files_.push_back(std::move(f)); }
  void RemoveFile(uint64_t number) { deleted_files_.insert(number); }

  const std::optional<uint64_t>& log_number() const { return log_number_; }
  const std::optional<uint64_t>& next_file_number() const { return next_file_number_; }
  const std::optional<SequenceNumber>& last_sequence() const { return last_sequence_; }
  const std::optional<std::string>& comparator() const { return comparator_; }
  const std::vector<FileMetaData>& new_files() const { return new_files_; }
  const std::set<uint64_t>& deleted_files() const { return deleted_files_; }

  void EncodeTo(std::string* dst) const;
  // Corruption on a malformed record.
  Status DecodeFrom(std::string_view src);

 private:
  std::optional<std::string> comparator_;
  std::optional<uint64_t> log_number_;
  std::optional<uint64_t> next_file_number_;
  std::optional<SequenceNumber> last_sequence_;
  std::vector<FileMetaData> new_files_;
  std::set<uint64_t> deleted_files_;
};

}  // namespace flowdb

#endif  // FLOWDB_DB_VERSION_EDIT_H_
