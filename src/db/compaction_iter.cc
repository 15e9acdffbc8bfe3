#include "db/compaction_iter.h"

namespace flowdb {

CompactionIterator::CompactionIterator(Iterator* input, const DropPolicy& policy)
    : input_(input), policy_(policy) {}

void CompactionIterator::SeekToFirst() {
  has_current_ = false;
  status_ = Status::OK();
  input_->SeekToFirst();
  FindNextKept();
}

void CompactionIterator::Next() {
  input_->Next();
  FindNextKept();
}

void CompactionIterator::FindNextKept() {
  valid_ = false;
  for (; input_->Valid(); input_->Next()) {
    std::string_view ikey = input_->key();
    ParsedInternalKey p;
    if (!ParseInternalKey(ikey, &p)) {
      status_ = Status::Corruption("compaction input: malformed internal key");
      return;
    }
    counts_.input_entries++;
    if ((counts_.input_entries & 4095) == 0 && policy_.cancel != nullptr &&
        policy_.cancel->load(std::memory_order_relaxed)) {
      status_ = Status::Closed();
      return;
    }
    std::string_view id = ExtractRecordId(ikey);
    bool hidden = false;
    if (!has_current_ || id != std::string_view(current_id_)) {
      current_id_.assign(id);
      has_current_ = true;
    } else {
      hidden = last_seq_ <= policy_.smallest_snapshot;
    }
    last_seq_ = p.sequence;
    if (hidden) {
      counts_.overwritten++;
      continue;
    }
    if (policy_.range_dels != nullptr &&
        policy_.range_dels->MaxCoveringSeq(p.user_key, policy_.smallest_snapshot) > p.sequence) {
      counts_.range_deleted++;
      continue;
    }
    bool expired = false;
    if (p.type == kTypeValueExpiring) {
      std::string_view v;
      int64_t exp;
      if (!DecodeEntryValue(p.type, input_->value(), &v, &exp)) {
        status_ = Status::Corruption("compaction input: expiring value without expiry");
        return;
      }
      expired = exp <= policy_.now_micros;
    }
    bool droppable = policy_.bottommost && p.sequence <= policy_.smallest_snapshot;
    if (p.type == kTypeDeletion && droppable) {
      counts_.tombstones_dropped++;
      continue;
    }
    if (expired) {
      if (droppable) {
        counts_.expired_dropped++;
        continue;
      }
      // Still needed to hide older versions below the inputs: keep it as a
      // tombstone, which is smaller and never expires back into view.
      counts_.expired_rewritten++;
      rewritten_key_.clear();
      AppendInternalKey(&rewritten_key_, p.user_key, p.ts, p.sequence, kTypeDeletion);
      key_ = rewritten_key_;
      value_ = {};
      valid_ = true;
      return;
    }
    key_ = ikey;
    value_ = input_->value();
    valid_ = true;
    return;
  }
}

}  // namespace flowdb
