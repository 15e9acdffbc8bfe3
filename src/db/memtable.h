// MemTable: the in-memory, sorted write buffer in front of the SSTables.
//
// Entries are internal keys (db/dbformat.h) with their entry values, kept in
// a skiplist over arena memory:
//   entry := varint32 internal_key_len | internal_key | varint32 value_len | value
//
// Thread safety: Add needs external synchronization (one writer: the group
// commit leader, or recovery); Get, iterators and ApproximateMemoryUsage may
// run concurrently with Add and with each other. Lifetime is shared
// (std::shared_ptr): iterators and reads pin it.

#ifndef FLOWDB_DB_MEMTABLE_H_
#define FLOWDB_DB_MEMTABLE_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "db/dbformat.h"
#include "db/range_del.h"
#include "db/skiplist.h"
#include "table/iterator.h"
#include "util/arena.h"

namespace flowdb {

// Orders memtable entries (length-prefixed internal keys) by
// InternalKeyComparator.
struct MemTableKeyComparator {
  int operator()(const char* a, const char* b) const;
};

class MemTable {
 public:
  using Table = SkipList<const char*, MemTableKeyComparator>;

  // wal_number: the WAL file holding this memtable's writes (0 if none).
  explicit MemTable(uint64_t wal_number = 0);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  // Adds one entry. For kTypeDeletion value and expire_at are ignored.
  void Add(SequenceNumber seq, ValueType type, std::string_view key, int64_t ts,
           std::string_view value, int64_t expire_at);

  // Looks up the newest version of (key, ts) with sequence ≤ snapshot.
  // Returns false if the memtable has none. Otherwise *type is its type and,
  // for a value, *value / *expire_at are filled in (expiry is not checked).
  bool Get(std::string_view key, int64_t ts, SequenceNumber snapshot, ValueType* type,
           std::string* value, int64_t* expire_at, SequenceNumber* seq = nullptr) const;
  // As Get, for a run of lookups in ascending (key, ts) order: the search
  // starts from *finger (empty before the first lookup of the run) and
  // leaves it at this one, so a lookup close to the previous one costs a few
  // comparisons. A finger belongs to one memtable and one reader.
  bool Get(std::string_view key, int64_t ts, SequenceNumber snapshot, ValueType* type,
           std::string* value, int64_t* expire_at, SequenceNumber* seq,
           Table::Finger* finger) const;

  // Adds a range tombstone over [start, end). REQUIRES: start < end; the
  // same external synchronization as Add.
  void AddRangeDeletion(SequenceNumber seq, std::string_view start, std::string_view end);
  // The range tombstones added so far, ready for lookups (null if none).
  // Cheap unless tombstones were added since the last call: then the set is
  // rebuilt, O(n log n) in their number.
  std::shared_ptr<const RangeDelSet> RangeDeletions() const;
  // A copy of the range tombstones as added (for flushing).
  std::vector<RangeTombstone> RangeTombstones() const;
  uint64_t NumRangeDeletions() const { return range_del_count_.load(std::memory_order_acquire); }

  // An iterator over internal keys; the caller keeps the memtable alive.
  std::unique_ptr<Iterator> NewIterator() const;

  // Bytes of entries, index nodes and insertion hints; the flush threshold
  // compares this.
  size_t ApproximateMemoryUsage() const {
    return arena_.AllocatedBytes() + hint_bytes_.load(std::memory_order_relaxed);
  }
  uint64_t NumEntries() const { return entries_.load(std::memory_order_relaxed); }
  bool empty() const { return NumEntries() == 0 && NumRangeDeletions() == 0; }
  uint64_t wal_number() const { return wal_number_; }
  // Wall-clock µs of the first Add (0 if empty): drives interval flushes.
  int64_t first_write_micros() const { return first_write_micros_.load(std::memory_order_relaxed); }
  void set_first_write_micros(int64_t t) { first_write_micros_.store(t, std::memory_order_relaxed); }

 private:
  const uint64_t wal_number_;
  Arena arena_;
  Table table_;
  std::atomic<uint64_t> entries_{0};

  // Insertion hints by user key hash: the skiplist splice left by the key's
  // last insert, so a series appended in ts order inserts in O(1)
  // comparisons. A hash collision only makes a hint useless, never wrong.
  // Bounded: cleared when it reaches kMaxInsertHints keys. Writer-only.
  // Only a key that already has an entry beside its new one (a series) gets
  // a hint; every other key inserts from shared_hint_, the splice of the
  // last such insert: keys written in order (a document batch, a sequential
  // load) insert in O(1) comparisons without a hint each, and a splice that
  // does not bracket the key costs a few comparisons before the usual search.
  static constexpr size_t kMaxInsertHints = 16384;
  std::unordered_map<uint64_t, Table::Splice> hints_;
  Table::Splice shared_hint_;
  std::atomic<size_t> hint_bytes_{0};
  std::atomic<int64_t> first_write_micros_{0};

  // Range tombstones: few, so a plain list under a lock, with the lookup
  // form built on demand.
  mutable std::mutex range_del_mu_;
  std::vector<RangeTombstone> range_dels_;
  mutable std::shared_ptr<const RangeDelSet> range_del_set_;  // null: stale
  std::atomic<uint64_t> range_del_count_{0};
};

}  // namespace flowdb

#endif  // FLOWDB_DB_MEMTABLE_H_
