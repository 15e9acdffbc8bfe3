// Range tombstones: a range delete removes every version of every key in
// [start, end) whose sequence number is smaller than the tombstone's.
//
// RangeTombstone is one such delete as written. RangeDelSet is an immutable,
// query-ready form of many: the tombstones are cut at every start and end
// into non-overlapping fragments, each holding the sequence numbers of the
// tombstones that cover it (largest first). A lookup is a binary search for
// the fragment holding the key, then a walk to the largest sequence number
// visible at the reader's snapshot.
//
// Thread safety: RangeTombstone is a value type; a RangeDelSet is immutable
// after construction and may be shared by any number of threads.

#ifndef FLOWDB_DB_RANGE_DEL_H_
#define FLOWDB_DB_RANGE_DEL_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/dbformat.h"
#include "flowdb/status.h"

namespace flowdb {

struct RangeTombstone {
  std::string start;  // inclusive
  std::string end;    // exclusive; start < end
  SequenceNumber seq = 0;
};

// Encoding of a list of tombstones (the SSTable range-deletion block):
//   list := count (varint32) | (start (length-prefixed) | end (length-prefixed)
//                               | seq (varint64)){count}
void EncodeRangeTombstones(const std::vector<RangeTombstone>& list, std::string* dst);
// Corruption if input is not exactly one encoded list or a tombstone has
// start >= end.
Status DecodeRangeTombstones(std::string_view input, std::vector<RangeTombstone>* list);

class RangeDelSet {
 public:
  // An empty set.
  RangeDelSet() = default;
  explicit RangeDelSet(const std::vector<RangeTombstone>& tombstones);

  bool empty() const { return fragments_.empty(); }

  // The largest sequence number ≤ snapshot of a tombstone covering user_key,
  // or 0 if there is none. An entry with sequence s is deleted for a reader
  // at `snapshot` iff s < MaxCoveringSeq(user_key, snapshot).
  SequenceNumber MaxCoveringSeq(std::string_view user_key, SequenceNumber snapshot) const;

 private:
  struct Fragment {
    std::string start;  // inclusive
    std::string end;    // exclusive
    size_t seq_begin;   // seqs_[seq_begin, seq_end): covering seqs, largest first
    size_t seq_end;
  };
  std::vector<Fragment> fragments_;  // sorted by start, non-overlapping
  std::vector<SequenceNumber> seqs_;
};

// The tombstones of every source a read consults (memtables and SSTables),
// queried together.
//
// Thread safety: immutable once built; the sets it holds are shared.
class RangeDelView {
 public:
  void Add(std::shared_ptr<const RangeDelSet> set) {
    if (set != nullptr && !set->empty()) sets_.push_back(std::move(set));
  }
  bool empty() const { return sets_.empty(); }

  // True if an entry of user_key with sequence seq is hidden from a reader at
  // snapshot by a newer range tombstone.
  bool Covers(std::string_view user_key, SequenceNumber seq, SequenceNumber snapshot) const {
    for (const auto& s : sets_) {
      if (s->MaxCoveringSeq(user_key, snapshot) > seq) return true;
    }
    return false;
  }

 private:
  std::vector<std::shared_ptr<const RangeDelSet>> sets_;
};

}  // namespace flowdb

#endif  // FLOWDB_DB_RANGE_DEL_H_
