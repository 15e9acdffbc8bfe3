#include "doc_cursor.h"

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
              const ReadRangeOptions& options)
      : txn_(txn),
        store_id_(store.id),
        prefix_(IdPrefix(RecordKind::kIndexEntry, index.id)),
        direction_(options.direction),
        keys_only_(options.keys_only),
        scan_(txn->NewScan(ToEngineRange(prefix_, options.range), IsReverse(direction_))),
        empty_(options.range.Empty()) {}

  bool Next() override {
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
  std::string_view key() const override { return key_; }
  std::string_view primary_key() const override { return primary_key_; }
  std::string_view value() const override { return keys_only_ ? std::string_view() : value_; }
  Status status() const override { return status_.ok() ? scan_->status() : status_; }

 private:
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
};

}  // namespace

std::unique_ptr<DocCursor> NewDocCursor(TransactionImpl* txn, const StoreInfo& store,
                                        const IndexInfo* index, const ReadRangeOptions& options) {
  if (index == nullptr) return std::make_unique<StoreCursor>(txn, store, options);
  return std::make_unique<IndexCursor>(txn, store, *index, options);
}

}  // namespace flowdb::doc
