#include "table/iterator.h"

namespace flowdb {

Iterator::~Iterator() {
  while (!more_pins_.empty()) more_pins_.pop_back();
  first_pin_.reset();
}

void Iterator::SeekForPrev(std::string_view target) {
  Seek(target);
  if (Valid()) {
    if (key() != target) Prev();  // at the first entry > target
  } else if (status().ok()) {
    SeekToLast();  // every entry is < target
  }
}

namespace {

class ErrorIterator final : public Iterator {
 public:
  explicit ErrorIterator(Status s) : status_(std::move(s)) {}
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Seek(std::string_view) override {}
  void SeekForPrev(std::string_view) override {}
  void Next() override {}
  void Prev() override {}
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return {}; }
  Status status() const override { return status_; }

 private:
  Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewErrorIterator(Status status) {
  return std::make_unique<ErrorIterator>(std::move(status));
}

}  // namespace flowdb
