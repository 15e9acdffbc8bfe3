#include "table/merging_iterator.h"

#include "db/dbformat.h"

namespace flowdb {

namespace {

// Picks the current child by a linear scan over the children: k is small
// (memtables plus a few tables), and the scan keeps direction switches
// simple. The merged order is (key, child position), a strict total order,
// which makes a direction switch exact even with equal keys across children.
class MergingIterator final : public Iterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<Iterator>> children)
      : children_(std::move(children)) {}

  bool Valid() const override { return current_ != kNone; }

  void SeekToFirst() override {
    for (auto& child : children_) child->SeekToFirst();
    Reposition(kForward);
  }

  void SeekToLast() override {
    for (auto& child : children_) child->SeekToLast();
    Reposition(kReverse);
  }

  void Seek(std::string_view target) override {
    for (auto& child : children_) child->Seek(target);
    Reposition(kForward);
  }

  void SeekForPrev(std::string_view target) override {
    for (auto& child : children_) child->SeekForPrev(target);
    Reposition(kReverse);
  }

  void Next() override {
    if (direction_ != kForward && !SwitchToForward()) return;
    Iterator* child = children_[current_].get();
    child->Next();
    if (!child->Valid() && !ChildOk(child)) return;
    current_ = Smallest();
  }

  void Prev() override {
    if (direction_ != kReverse && !SwitchToReverse()) return;
    Iterator* child = children_[current_].get();
    child->Prev();
    if (!child->Valid() && !ChildOk(child)) return;
    current_ = Largest();
  }

  std::string_view key() const override { return children_[current_]->key(); }
  std::string_view value() const override { return children_[current_]->value(); }
  Status status() const override { return status_; }

 private:
  enum Direction { kForward, kReverse };
  static constexpr size_t kNone = static_cast<size_t>(-1);

  // The valid child with the smallest (key, position), or kNone.
  size_t Smallest() const {
    size_t best = kNone;
    for (size_t i = 0; i < children_.size(); i++) {
      if (!children_[i]->Valid()) continue;
      if (best == kNone ||
          InternalKeyComparator::Compare(children_[i]->key(), children_[best]->key()) < 0) {
        best = i;
      }
    }
    return best;
  }

  // The valid child with the largest (key, position), or kNone.
  size_t Largest() const {
    size_t best = kNone;
    for (size_t i = 0; i < children_.size(); i++) {
      if (!children_[i]->Valid()) continue;
      if (best == kNone ||
          InternalKeyComparator::Compare(children_[i]->key(), children_[best]->key()) >= 0) {
        best = i;
      }
    }
    return best;
  }

  // Records child's error, if any, and turns invalid. Returns true iff OK.
  bool ChildOk(const Iterator* child) {
    Status s = child->status();
    if (s.ok()) return true;
    status_ = std::move(s);
    current_ = kNone;
    return false;
  }

  // After every child was positioned by a Seek*.
  void Reposition(Direction direction) {
    status_ = Status::OK();
    direction_ = direction;
    current_ = kNone;
    for (auto& child : children_) {
      if (!ChildOk(child.get())) return;
    }
    current_ = direction == kForward ? Smallest() : Largest();
  }

  // Places every other child at its first entry after the current one.
  bool SwitchToForward() {
    const std::string_view key = children_[current_]->key();
    for (size_t i = 0; i < children_.size(); i++) {
      if (i == current_) continue;
      Iterator* child = children_[i].get();
      child->Seek(key);
      // (key, i) with i before current_ was already returned.
      if (child->Valid() && i < current_ && InternalKeyComparator::Compare(child->key(), key) == 0) {
        child->Next();
      }
      if (!child->Valid() && !ChildOk(child)) return false;
    }
    direction_ = kForward;
    return true;
  }

  // Places every other child at its last entry before the current one.
  bool SwitchToReverse() {
    const std::string_view key = children_[current_]->key();
    for (size_t i = 0; i < children_.size(); i++) {
      if (i == current_) continue;
      Iterator* child = children_[i].get();
      child->Seek(key);
      if (child->Valid()) {
        // (key, i) with i after current_ comes after the current entry.
        const int r = InternalKeyComparator::Compare(child->key(), key);
        if (r > 0 || (r == 0 && i > current_)) child->Prev();
      } else if (ChildOk(child)) {
        child->SeekToLast();  // every entry of the child is before key
      } else {
        return false;
      }
      if (!child->Valid() && !ChildOk(child)) return false;
    }
    direction_ = kReverse;
    return true;
  }

  std::vector<std::unique_ptr<Iterator>> children_;
  size_t current_ = kNone;
  Direction direction_ = kForward;
  Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewMergingIterator(std::vector<std::unique_ptr<Iterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace flowdb
