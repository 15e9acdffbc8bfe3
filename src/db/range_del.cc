#include "db/range_del.h"

#include <algorithm>
#include <functional>

#include "util/coding.h"

namespace flowdb {

void EncodeRangeTombstones(const std::vector<RangeTombstone>& list, std::string* dst) {
  PutVarint32(dst, static_cast<uint32_t>(list.size()));
  for (const RangeTombstone& t : list) {
    PutLengthPrefixed(dst, t.start);
    PutLengthPrefixed(dst, t.end);
    PutVarint64(dst, t.seq);
  }
}

Status DecodeRangeTombstones(std::string_view input, std::vector<RangeTombstone>* list) {
  list->clear();
  uint32_t count;
  if (!GetVarint32(&input, &count)) return Status::Corruption("range tombstones: bad count");
  for (uint32_t i = 0; i < count; i++) {
    std::string_view start, end;
    uint64_t seq;
    if (!GetLengthPrefixed(&input, &start) || !GetLengthPrefixed(&input, &end) ||
        !GetVarint64(&input, &seq)) {
      return Status::Corruption("range tombstones: truncated entry");
    }
    if (!(start < end) || seq > kMaxSequenceNumber) {
      return Status::Corruption("range tombstones: invalid entry");
    }
    list->push_back(RangeTombstone{std::string(start), std::string(end), seq});
  }
  if (!input.empty()) return Status::Corruption("range tombstones: trailing bytes");
  return Status::OK();
}

RangeDelSet::RangeDelSet(const std::vector<RangeTombstone>& tombstones) {
  if (tombstones.empty()) return;
  // Every start and end is a fragment boundary.
  std::vector<std::string_view> bounds;
  bounds.reserve(tombstones.size() * 2);
  for (const auto& t : tombstones) {
    bounds.push_back(t.start);
    bounds.push_back(t.end);
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());

  std::vector<const RangeTombstone*> by_start;
  by_start.reserve(tombstones.size());
  for (const auto& t : tombstones) by_start.push_back(&t);
  std::sort(by_start.begin(), by_start.end(),
            [](const RangeTombstone* a, const RangeTombstone* b) { return a->start < b->start; });

  // Sweep the boundaries left to right, keeping the tombstones that cover
  // the current fragment.
  std::vector<const RangeTombstone*> active;
  size_t next = 0;
  std::vector<SequenceNumber> covering;
  for (size_t i = 0; i + 1 < bounds.size(); i++) {
    std::string_view lo = bounds[i], hi = bounds[i + 1];
    while (next < by_start.size() && by_start[next]->start <= lo) active.push_back(by_start[next++]);
    active.erase(std::remove_if(active.begin(), active.end(),
                                [lo](const RangeTombstone* t) { return t->end <= lo; }),
                 active.end());
    if (active.empty()) continue;
    covering.clear();
    for (const RangeTombstone* t : active) covering.push_back(t->seq);
    std::sort(covering.begin(), covering.end(), std::greater<>());
    covering.erase(std::unique(covering.begin(), covering.end()), covering.end());
    // Adjacent fragments covered by the same tombstones merge into one.
    if (!fragments_.empty() && fragments_.back().end == lo &&
        std::equal(covering.begin(), covering.end(), seqs_.begin() + fragments_.back().seq_begin,
                   seqs_.begin() + fragments_.back().seq_end)) {
      fragments_.back().end.assign(hi);
      continue;
    }
    size_t begin = seqs_.size();
    seqs_.insert(seqs_.end(), covering.begin(), covering.end());
    fragments_.push_back(Fragment{std::string(lo), std::string(hi), begin, seqs_.size()});
  }
}

SequenceNumber RangeDelSet::MaxCoveringSeq(std::string_view user_key,
                                           SequenceNumber snapshot) const {
  // The last fragment whose start is <= user_key.
  auto it = std::upper_bound(fragments_.begin(), fragments_.end(), user_key,
                             [](std::string_view k, const Fragment& f) { return k < f.start; });
  if (it == fragments_.begin()) return 0;
  --it;
  if (user_key >= std::string_view(it->end)) return 0;
  for (size_t i = it->seq_begin; i < it->seq_end; i++) {
    if (seqs_[i] <= snapshot) return seqs_[i];
  }
  return 0;
}

}  // namespace flowdb
