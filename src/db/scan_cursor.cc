#include "db/scan_cursor.h"

#include <limits>
#include <string>

namespace flowdb {

namespace {

constexpr int64_t kMinTs = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTs = std::numeric_limits<int64_t>::max();

class ScanCursorImpl final : public ScanCursor {
 public:
  ScanCursorImpl(std::unique_ptr<RecordIterator> iter, const ScanOptions& scan)
      : iter_(std::move(iter)), scan_(scan) {}

  bool Next() override {
    if (done_) return false;
    if (!started_) {
      started_ = true;
      scan_.reverse ? StartReverse() : StartForward();
    } else {
      scan_.reverse ? iter_->Prev() : iter_->Next();
    }
    bool found = scan_.reverse ? SettleReverse() : SettleForward();
    if (!found) done_ = true;
    return found;
  }

  std::string_view key() const override { return iter_->key(); }
  int64_t ts() const override { return iter_->ts(); }
  std::string_view value() const override { return iter_->value(); }
  int64_t expire_at() const override { return iter_->expire_at(); }
  Status status() const override { return iter_->status(); }

 private:
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

  std::unique_ptr<RecordIterator> iter_;
  const ScanOptions scan_;
  bool started_ = false;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<ScanCursor> NewScanCursor(std::unique_ptr<RecordIterator> iter,
                                          const ScanOptions& scan) {
  return std::make_unique<ScanCursorImpl>(std::move(iter), scan);
}

}  // namespace flowdb
