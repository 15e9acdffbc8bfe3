// CompactionIterator: the entries of a merged internal-key stream that a new
// SSTable must keep, for flushes and compactions alike.
//
// Rules, applied to each entry in InternalKeyComparator order, where
// `smallest_snapshot` is the oldest sequence any reader may still read at
// (an open snapshot, or else the last sequence when the job started):
//   1. an entry hidden by a newer entry of the same (key, ts) whose sequence
//      is ≤ smallest_snapshot is dropped: every reader sees the newer one;
//   2. an entry covered by a range tombstone of the inputs with a larger
//      sequence ≤ smallest_snapshot is dropped;
//   3. a point tombstone, or a value that has expired at `now`, is dropped
//      when the output is bottommost (nothing older lies outside the inputs)
//      and its sequence is ≤ smallest_snapshot; otherwise an expired value
//      is written as a point tombstone (it must still hide older versions).
// Range tombstones are the caller's: see KeepRangeTombstone.
//
// Thread safety: one thread at a time.

#ifndef FLOWDB_DB_COMPACTION_ITER_H_
#define FLOWDB_DB_COMPACTION_ITER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "db/dbformat.h"
#include "db/range_del.h"
#include "table/iterator.h"

namespace flowdb {

// What a flush or compaction may drop.
struct DropPolicy {
  SequenceNumber smallest_snapshot = kMaxSequenceNumber;
  bool bottommost = false;
  int64_t now_micros = 0;            // for expiry, µs since the epoch
  const RangeDelSet* range_dels = nullptr;  // tombstones of the inputs; may be null
  // When set (checked every few thousand entries), the iterator stops with
  // Status::Closed: the DB is closing.
  const std::atomic<bool>* cancel = nullptr;
};

// Counts of what the iterator dropped or rewrote.
struct CompactionCounts {
  uint64_t input_entries = 0;
  uint64_t overwritten = 0;      // rule 1
  uint64_t range_deleted = 0;    // rule 2
  uint64_t tombstones_dropped = 0;
  uint64_t expired_dropped = 0;
  uint64_t expired_rewritten = 0;  // written as point tombstones
};

class CompactionIterator {
 public:
  // input: internal entries in order; not owned, positioned by SeekToFirst.
  CompactionIterator(Iterator* input, const DropPolicy& policy);

  void SeekToFirst();
  bool Valid() const { return valid_; }
  void Next();
  // REQUIRES: Valid(). Views valid until Next().
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  // The input's error, or Corruption for a malformed entry.
  Status status() const { return status_.ok() ? input_->status() : status_; }
  const CompactionCounts& counts() const { return counts_; }

 private:
  // Moves to the first entry at or after the input's position that is kept.
  void FindNextKept();

  Iterator* const input_;
  const DropPolicy policy_;
  bool valid_ = false;
  Status status_;
  std::string current_id_;  // user_key|ts of the record being walked
  bool has_current_ = false;
  SequenceNumber last_seq_ = 0;  // sequence of the previous entry of that record
  std::string_view key_, value_;
  std::string rewritten_key_;    // an expired value turned into a tombstone
  CompactionCounts counts_;
};

// True if a range tombstone of the inputs must be written to the output.
inline bool KeepRangeTombstone(const RangeTombstone& t, const DropPolicy& policy) {
  return !(policy.bottommost && t.seq <= policy.smallest_snapshot);
}

}  // namespace flowdb

#endif  // FLOWDB_DB_COMPACTION_ITER_H_
