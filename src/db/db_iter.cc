#include "db/db_iter.h"

#include <string>

namespace flowdb {

namespace {

// Forward direction: the internal iterator is at the newest visible entry of
// the current record, and key()/value() read through it.
// Reverse direction: the internal iterator is before every entry of the
// current record (at the previous record's last entry, or invalid), and the
// current record is held in saved_*.
class DBIter final : public RecordIterator {
 public:
  DBIter(std::unique_ptr<Iterator> iter, SequenceNumber snapshot, int64_t now,
         std::shared_ptr<const RangeDelView> range_dels)
      : iter_(std::move(iter)),
        snapshot_(snapshot),
        now_(now),
        range_dels_(range_dels != nullptr && !range_dels->empty() ? std::move(range_dels)
                                                                  : nullptr) {}

  bool Valid() const override { return valid_; }
  std::string_view key() const override {
    return direction_ == kForward ? ExtractUserKey(iter_->key())
                                  : std::string_view(saved_id_).substr(0, saved_id_.size() - 8);
  }
  int64_t ts() const override {
    return direction_ == kForward ? ExtractTs(iter_->key())
                                  : DecodeOrderedInt64(saved_id_.data() + saved_id_.size() - 8);
  }
  std::string_view value() const override {
    return direction_ == kForward ? fwd_value_ : std::string_view(saved_value_);
  }
  int64_t expire_at() const override { return expire_at_; }
  Status status() const override { return status_.ok() ? iter_->status() : status_; }

  void SeekToFirst() override {
    Reset(kForward);
    iter_->SeekToFirst();
    FindNextUserEntry();
  }
  void SeekToLast() override {
    Reset(kReverse);
    iter_->SeekToLast();
    FindPrevUserEntry();
  }
  void Seek(std::string_view key, int64_t ts) override {
    Reset(kForward);
    iter_->Seek(SeekKey(key, ts, kMaxSequenceNumber));
    FindNextUserEntry();
  }
  void SeekForPrev(std::string_view key, int64_t ts) override {
    Reset(kReverse);
    // Tag 0 (sequence 0, the smallest type) sorts after every version of
    // (key, ts): the internal iterator lands on the oldest entry of the
    // last record ≤ (key, ts).
    std::string target;
    target.reserve(key.size() + kInternalKeySuffix);
    AppendInternalKey(&target, key, ts, 0, kTypeDeletion);
    iter_->SeekForPrev(target);
    FindPrevUserEntry();
  }

  void Next() override {
    if (direction_ == kReverse) {
      // Move the internal iterator onto the current record's entries.
      direction_ = kForward;
      std::string id = saved_id_;
      iter_->Seek(SeekKey(std::string_view(id).substr(0, id.size() - 8),
                          DecodeOrderedInt64(id.data() + id.size() - 8), kMaxSequenceNumber));
      SkipRecord(id);
    } else {
      skip_id_.assign(ExtractRecordId(iter_->key()));
      SkipRecord(skip_id_);
    }
    FindNextUserEntry();
  }

  void Prev() override {
    if (direction_ == kForward) {
      // Step back over the current record's newer (invisible) entries.
      std::string id(ExtractRecordId(iter_->key()));
      direction_ = kReverse;
      while (iter_->Valid() && ExtractRecordId(iter_->key()) == id) iter_->Prev();
    }
    FindPrevUserEntry();
  }

 private:
  enum Direction { kForward, kReverse };

  void Reset(Direction d) {
    direction_ = d;
    valid_ = false;
    status_ = Status::OK();
  }

  // Advances past every entry of record id (which starts at or after iter_).
  void SkipRecord(const std::string& id) {
    while (iter_->Valid() && ExtractRecordId(iter_->key()) == id) iter_->Next();
  }

  // True if the visible version (type, seq) of record user_key is a live
  // value; then *value and *exp are set.
  bool Live(std::string_view user_key, SequenceNumber seq, ValueType type, std::string_view stored,
            std::string_view* value, int64_t* exp) {
    if (type == kTypeDeletion) return false;
    if (range_dels_ != nullptr && range_dels_->Covers(user_key, seq, snapshot_)) return false;
    if (!DecodeEntryValue(type, stored, value, exp)) {
      status_ = Status::Corruption("entry value too short for its expiry");
      return false;
    }
    return *exp > now_;
  }

  void FindNextUserEntry() {
    valid_ = false;
    while (iter_->Valid()) {
      ParsedInternalKey ikey;
      if (!ParseInternalKey(iter_->key(), &ikey)) {
        status_ = Status::Corruption("malformed internal key");
        return;
      }
      if (ikey.sequence > snapshot_) {
        iter_->Next();
        continue;
      }
      if (Live(ikey.user_key, ikey.sequence, ikey.type, iter_->value(), &fwd_value_,
               &expire_at_)) {
        valid_ = true;
        return;
      }
      if (!status_.ok()) return;
      skip_id_.assign(ExtractRecordId(iter_->key()));
      SkipRecord(skip_id_);
    }
  }

  void FindPrevUserEntry() {
    valid_ = false;
    direction_ = kReverse;
    while (iter_->Valid()) {
      std::string id(ExtractRecordId(iter_->key()));
      bool have = false;
      ValueType type = kTypeDeletion;
      SequenceNumber seq = 0;
      // Walking back, a record's entries come oldest first: the last one
      // seen with seq ≤ snapshot is the visible version.
      while (iter_->Valid() && ExtractRecordId(iter_->key()) == id) {
        ParsedInternalKey ikey;
        if (!ParseInternalKey(iter_->key(), &ikey)) {
          status_ = Status::Corruption("malformed internal key");
          return;
        }
        if (ikey.sequence <= snapshot_) {
          have = true;
          type = ikey.type;
          seq = ikey.sequence;
          saved_value_.assign(iter_->value());
        }
        iter_->Prev();
      }
      if (!iter_->status().ok()) return;
      std::string_view v;
      if (have && Live(std::string_view(id).substr(0, id.size() - 8), seq, type, saved_value_, &v,
                       &expire_at_)) {
        // v is saved_value_ past its expiry prefix, if it had one.
        saved_value_.erase(0, static_cast<size_t>(v.data() - saved_value_.data()));
        saved_id_ = std::move(id);
        valid_ = true;
        return;
      }
      if (!status_.ok()) return;
    }
  }

  std::unique_ptr<Iterator> iter_;
  const SequenceNumber snapshot_;
  const int64_t now_;
  const std::shared_ptr<const RangeDelView> range_dels_;  // null: none
  Direction direction_ = kForward;
  bool valid_ = false;
  Status status_;
  std::string_view fwd_value_;
  std::string saved_id_;     // reverse: user_key | ts of the current record
  std::string saved_value_;  // reverse: its value
  // Forward: the record being stepped over (a member, so that a step
  // reuses its buffer instead of allocating one for a long key).
  std::string skip_id_;
  int64_t expire_at_ = kNoExpiry;
};

}  // namespace

std::unique_ptr<RecordIterator> NewDBIterator(std::unique_ptr<Iterator> internal,
                                              SequenceNumber snapshot, int64_t now_micros,
                                              std::shared_ptr<const RangeDelView> range_dels) {
  return std::make_unique<DBIter>(std::move(internal), snapshot, now_micros,
                                  std::move(range_dels));
}

}  // namespace flowdb
