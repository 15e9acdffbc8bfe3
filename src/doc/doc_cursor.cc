#include "doc_cursor.h"

#include <algorithm>
#include <vector>

#include "doc_format.h"
#include "doc_keys.h"
#include "transaction.h"

namespace flowdb::doc {

namespace {

bool IsReverse(CursorDirection d) {
  return d == CursorDirection::kPrev || d == CursorDirection::kPrevUnique;
}
bool IsUnique(CursorDirection d) {
  return d == CursorDirection::kNextUnique || d == CursorDirection::kPrevUnique;
}

class StoreCursor : public DocCursor {
 public:
  StoreCursor(TransactionImpl* txn, const StoreInfo& store, const ReadRangeOptions& options)
      : prefix_(IdPrefix(RecordKind::kDocument, store.id)),
        reverse_(IsReverse(options.direction)),
        keys_only_(options.keys_only),
        scan_(txn->NewScan(ToEngineRange(prefix_, options.range), reverse_)),
        empty_(options.range.Empty()) {}

  bool Next() override {
    if (empty_ || !scan_->Next()) return false;
    key_ = scan_->key().substr(prefix_.size());
    return true;
  }
  Status Seek(std::string_view key, const std::string* primary_key) override {
    if (primary_key != nullptr) return Status::InvalidArgument("a primary key seek needs an index cursor");
    if (scan_->started() && (reverse_ ? key >= key_ : key <= key_)) {
      return Status::InvalidArgument("the key is not past the cursor's position");
    }
    scan_->Seek(prefix_ + std::string(key), true);
    return Status::OK();
  }
  std::string_view key() const override { return key_; }
  std::string_view primary_key() const override { return key_; }
  std::string_view value() const override { return keys_only_ ? std::string_view() : scan_->value(); }
  Status status() const override { return scan_->status(); }

 private:
  std::string prefix_;
  bool reverse_;
  bool keys_only_;
  std::unique_ptr<OverlayScan> scan_;
  bool empty_;
  std::string key_;
};

class IndexCursor : public DocCursor {
 public:
  IndexCursor(TransactionImpl* txn, const StoreInfo& store, const IndexInfo& index,
              const ReadRangeOptions& options, uint64_t read_ahead)
      : read_ahead_(options.keys_only || IsUnique(options.direction) ? 0 : read_ahead),
        doc_prefix_(IdPrefix(RecordKind::kDocument, store.id)),
        txn_(txn),
        store_id_(store.id),
        prefix_(IdPrefix(RecordKind::kIndexEntry, index.id)),
        direction_(options.direction),
        keys_only_(options.keys_only),
        scan_(txn->NewScan(ToEngineRange(prefix_, options.range), IsReverse(direction_))),
        empty_(options.range.Empty()) {}

  bool Next() override {
    if (read_ahead_ > 0) return NextFromBatch();
    if (empty_ || !status_.ok()) return false;
    while (scan_->Next()) {
      std::string_view entry = scan_->key().substr(prefix_.size());
      std::string_view rest = entry;
      status_ = SkipEncodedKey(&rest);
      if (!status_.ok()) return false;
      std::string_view ikey = entry.substr(0, entry.size() - rest.size());
      if (IsUnique(direction_) && has_ && ikey == key_) continue;  // kNextUnique
      key_.assign(ikey);
      primary_key_.assign(rest);
      has_ = true;
      if (direction_ == CursorDirection::kPrevUnique) {
        // The record of this key with the lowest primary key; then go on
        // below the key.
        std::string group = prefix_ + key_;
        auto first = txn_->NewScan({group, PrefixSuccessor(group)}, false);
        if (first->Next()) primary_key_.assign(first->key().substr(group.size()));
        status_ = first->status();
        if (!status_.ok()) return false;
        scan_->Seek(group, false);
      } else if (direction_ == CursorDirection::kNextUnique) {
        scan_->Seek(PrefixSuccessor(prefix_ + key_), true);
      }
      if (!keys_only_) {
        bool found = false;
        status_ = txn_->ReadValue(DocumentKey(store_id_, primary_key_), &value_, &found);
        if (!status_.ok()) return false;
        if (!found) {
          status_ = Status::Corruption("jsondb: an index entry without its document");
          return false;
        }
      }
      return true;
    }
    status_ = scan_->status();
    return false;
  }

  Status Seek(std::string_view key, const std::string* primary_key) override {
    if (read_ahead_ > 0) return Status::InvalidArgument("a read-ahead cursor cannot seek");
    bool reverse = IsReverse(direction_);
    if (primary_key != nullptr && IsUnique(direction_)) {
      return Status::InvalidArgument("a primary key seek needs direction next or prev");
    }
    if (has_) {
      int c = key.compare(key_);
      if (primary_key != nullptr && c == 0) c = primary_key->compare(primary_key_);
      if (reverse ? c >= 0 : c <= 0) {
        return Status::InvalidArgument("the key is not past the cursor's position");
      }
    }
    std::string target = prefix_ + std::string(key);
    if (primary_key != nullptr) {
      target += *primary_key;
      scan_->Seek(target, true);
    } else if (!reverse) {
      scan_->Seek(target, true);
    } else {
      scan_->Seek(PrefixSuccessor(target), false);
    }
    return Status::OK();
  }
  std::string_view key() const override {
    if (read_ahead_ == 0) return key_;
    const size_t begin = cur_ == 0 ? 0 : ikey_ends_[cur_ - 1];
    return std::string_view(batch_ikeys_).substr(begin, ikey_ends_[cur_] - begin);
  }
  std::string_view primary_key() const override {
    if (read_ahead_ == 0) return primary_key_;
    return std::string_view(doc_keys_[cur_]).substr(doc_prefix_.size());
  }
  std::string_view value() const override {
    if (keys_only_) return std::string_view();
    return read_ahead_ == 0 ? std::string_view(value_) : std::string_view(batch_values_[cur_]);
  }
  Status status() const override { return status_.ok() ? scan_->status() : status_; }

 private:
  // Index entries (and so documents) fetched per DB::MultiGet.
  static constexpr size_t kBatch = 128;

  // Next() with read-ahead: the next record of the batch, gathering and
  // fetching a new batch when it is used up.
  bool NextFromBatch() {
    if (pos_ < batch_size_) {
      cur_ = pos_++;
      return true;
    }
    if (empty_ || !status_.ok() || scan_done_) return false;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kBatch, read_ahead_ - gathered_));
    // The vectors only grow: their strings keep their buffers from batch
    // to batch.
    if (doc_keys_.empty()) doc_keys_.reserve(16);  // small first: many index queries match a few documents
    batch_ikeys_.clear();
    ikey_ends_.clear();
    size_t n = 0;
    while (n < want) {
      if (!scan_->Next()) {
        scan_done_ = true;
        break;
      }
      std::string_view entry = scan_->key().substr(prefix_.size());
      std::string_view rest = entry;
      status_ = SkipEncodedKey(&rest);
      if (!status_.ok()) return false;
      if (n == doc_keys_.size()) doc_keys_.emplace_back();
      batch_ikeys_.append(entry.substr(0, entry.size() - rest.size()));
      ikey_ends_.push_back(batch_ikeys_.size());
      doc_keys_[n].assign(doc_prefix_);
      doc_keys_[n].append(rest);
      n++;
    }
    gathered_ += n;
    if (n == 0) return false;
    status_ = txn_->ReadValues(std::span<const std::string>(doc_keys_.data(), n), &batch_values_,
                               &found_, &lookups_);
    if (!status_.ok()) return false;
    for (size_t i = 0; i < n; i++) {
      if (!found_[i]) {
        status_ = Status::Corruption("jsondb: an index entry without its document");
        return false;
      }
    }
    pos_ = 0;
    batch_size_ = n;
    has_ = true;
    return NextFromBatch();
  }

  const uint64_t read_ahead_;  // 0: no read-ahead (see NewDocCursor)
  const std::string doc_prefix_;  // of the store's document keys
  TransactionImpl* txn_;
  uint32_t store_id_;
  std::string prefix_;
  CursorDirection direction_;
  bool keys_only_;
  std::unique_ptr<OverlayScan> scan_;
  bool empty_;
  bool has_ = false;
  std::string key_, primary_key_, value_;
  Status status_;

  // Read-ahead: the current batch — index keys back to back (ikey_ends_[i]
  // just past key i), document keys (prefix + primary key), documents —
  // the record the cursor is on (cur_), the next position, and the index
  // entries gathered so far. The accessors view into the batch.
  std::string batch_ikeys_;
  std::vector<size_t> ikey_ends_;
  std::vector<std::string> batch_values_, doc_keys_;
  size_t cur_ = 0;
  std::vector<bool> found_;
  std::vector<PointLookup> lookups_;
  size_t pos_ = 0, batch_size_ = 0;
  uint64_t gathered_ = 0;
  bool scan_done_ = false;
};

}  // namespace

std::unique_ptr<DocCursor> NewDocCursor(TransactionImpl* txn, const StoreInfo& store,
                                        const IndexInfo* index, const ReadRangeOptions& options,
                                        uint64_t read_ahead) {
  if (index == nullptr) return std::make_unique<StoreCursor>(txn, store, options);
  return std::make_unique<IndexCursor>(txn, store, *index, options, read_ahead);
}

}  // namespace flowdb::doc
