#include "db/scan_cursor.h"

#include <limits>
#include <string>

namespace flowdb {

namespace {

constexpr int64_t kMinTs = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTs = std::numeric_limits<int64_t>::max();

class ScanCursorImpl final : public ScanCursor {
 public:
  ScanCursorImpl(RecordIteratorFactory make, const ScanOptions& scan)
      : make_(std::move(make)), scan_(scan) {}

  bool Next() override {
    if (done_) return false;
    if (iter_ == nullptr) {
      iter_ = make_(memory_only_);
      iter_memory_only_ = memory_only_;
      Reposition();
    } else if (reposition_) {
      Reposition();
    } else {
      scan_.reverse ? iter_->Prev() : iter_->Next();
    }
    reposition_ = false;
    bool found = scan_.reverse ? SettleReverse() : SettleForward();
    if (iter_memory_only_ && iter_->status().IsWouldBlock()) {
      // A block or file this record needs is not in memory. The merge may
      // have stepped past the source that failed, so nothing it says now
      // is trusted: go back to the last commit.
      busy_ = true;
      iter_.reset();
      return false;
    }
    busy_ = false;
    if (!found) done_ = true;
    return found;
  }

  std::string_view key() const override { return iter_->key(); }
  int64_t ts() const override { return iter_->ts(); }
  std::string_view value() const override { return iter_->value(); }
  int64_t expire_at() const override { return iter_->expire_at(); }
  Status status() const override {
    if (busy_) return Status::WouldBlock("would block");
    return iter_ == nullptr ? Status::OK() : iter_->status();
  }

  void Seek(std::string_view key) override {
    committed_ = Position::kAtOrPast;
    committed_key_.assign(key);
    done_ = false;
    busy_ = false;
    // A cursor that ended kept its iterator through mode changes.
    if (iter_ != nullptr && iter_memory_only_ != memory_only_) iter_.reset();
    reposition_ = iter_ != nullptr;
  }

  void SetMemoryOnly(bool on) override {
    if (on == memory_only_) return;
    memory_only_ = on;
    if (iter_ == nullptr || done_) return;
    // Iterators fix their mode when built: rebuild at the current record.
    Commit();
    iter_.reset();
  }

  void Commit() override {
    // Without an iterator the cursor already stands at the last commit
    // (not started, or rewound); once done there is nothing to go back to.
    if (iter_ == nullptr || reposition_ || done_ || !iter_->Valid()) return;
    committed_ = Position::kAfter;
    committed_key_.assign(iter_->key());
    committed_ts_ = iter_->ts();
  }

 private:
  // Positions the iterator for the record after the last commit (the
  // first record when there is none, the seek target after a Seek).
  void Reposition() {
    switch (committed_) {
      case Position::kStart:
        scan_.reverse ? StartReverse() : StartForward();
        return;
      case Position::kAtOrPast:
        // A target beyond the near bound starts at the bound; one beyond
        // the far bound is rejected by the Settle that follows.
        if (scan_.reverse) {
          AboveUpper(committed_key_) ? StartReverse()
                                     : iter_->SeekForPrev(committed_key_, kMaxTs);
        } else {
          BelowLower(committed_key_) ? StartForward() : iter_->Seek(committed_key_, kMinTs);
        }
        return;
      case Position::kAfter:
        break;
    }
    // The committed record is still in this view: land on it, step past.
    if (scan_.reverse) {
      iter_->SeekForPrev(committed_key_, committed_ts_);
      if (AtCommitted()) iter_->Prev();
    } else {
      iter_->Seek(committed_key_, committed_ts_);
      if (AtCommitted()) iter_->Next();
    }
  }
  bool AtCommitted() const {
    return iter_->Valid() && iter_->ts() == committed_ts_ && iter_->key() == committed_key_;
  }

  bool EmptyTsRange() const { return scan_.ts_min > scan_.ts_max; }

  void StartForward() {
    if (!scan_.has_lower) {
      iter_->Seek(std::string_view(), scan_.ts_min);
    } else if (scan_.lower_inclusive) {
      iter_->Seek(scan_.lower, scan_.ts_min);
    } else {
      // The smallest key greater than lower is lower + '\0'.
      std::string next(scan_.lower);
      next.push_back('\0');
      iter_->Seek(next, scan_.ts_min);
    }
  }

  void StartReverse() {
    if (!scan_.has_upper) {
      iter_->SeekToLast();
    } else if (scan_.upper_inclusive) {
      iter_->SeekForPrev(scan_.upper, scan_.ts_max);
    } else {
      iter_->SeekForPrev(scan_.upper, kMinTs);
      if (iter_->Valid() && iter_->key() == scan_.upper) iter_->Prev();
    }
  }

  bool AboveUpper(std::string_view key) const {
    if (!scan_.has_upper) return false;
    int c = key.compare(scan_.upper);
    return c > 0 || (c == 0 && !scan_.upper_inclusive);
  }
  bool BelowLower(std::string_view key) const {
    if (!scan_.has_lower) return false;
    int c = key.compare(scan_.lower);
    return c < 0 || (c == 0 && !scan_.lower_inclusive);
  }

  // Moves forward to the first record within bounds; false at the end.
  bool SettleForward() {
    if (EmptyTsRange()) return false;
    while (iter_->Valid()) {
      std::string_view key = iter_->key();
      if (AboveUpper(key)) return false;
      int64_t ts = iter_->ts();
      if (ts < scan_.ts_min) {
        iter_->Seek(std::string(key), scan_.ts_min);
      } else if (ts > scan_.ts_max) {
        std::string next(key);
        next.push_back('\0');
        iter_->Seek(next, scan_.ts_min);
      } else {
        return true;
      }
    }
    return false;
  }

  // Moves backward to the first record within bounds; false at the end.
  bool SettleReverse() {
    if (EmptyTsRange()) return false;
    while (iter_->Valid()) {
      std::string key(iter_->key());
      if (BelowLower(key)) return false;
      int64_t ts = iter_->ts();
      if (ts > scan_.ts_max) {
        iter_->SeekForPrev(key, scan_.ts_max);
      } else if (ts < scan_.ts_min) {
        // Skip the rest of this key: go to the last record of a smaller key.
        iter_->SeekForPrev(key, kMinTs);
        if (iter_->Valid() && iter_->key() == key) iter_->Prev();
      } else {
        return true;
      }
    }
    return false;
  }

  const RecordIteratorFactory make_;
  const ScanOptions scan_;
  std::unique_ptr<RecordIterator> iter_;  // null: build at the next Next()
  bool memory_only_ = false;
  bool iter_memory_only_ = false;
  bool done_ = false;
  bool busy_ = false;  // the last Next() would have blocked
  bool reposition_ = false;  // iter_ is built but the next Next() must Reposition()
  // The last committed position: the start, after the record
  // (committed_key_, committed_ts_), or at the first record at or past
  // committed_key_ in scan order (a Seek).
  enum class Position { kStart, kAfter, kAtOrPast };
  Position committed_ = Position::kStart;
  std::string committed_key_;
  int64_t committed_ts_ = 0;
};

}  // namespace

std::unique_ptr<ScanCursor> NewScanCursor(RecordIteratorFactory make, const ScanOptions& scan) {
  return std::make_unique<ScanCursorImpl>(std::move(make), scan);
}

}  // namespace flowdb
