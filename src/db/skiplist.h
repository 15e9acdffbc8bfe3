// SkipList: the ordered index of a memtable.
//
// Thread safety: one writer at a time (external synchronization), any number
// of concurrent readers without locks. Nodes are never removed while the list
// lives; a node is published with a release store after it is fully built, so
// a reader that sees a node sees its key.
//
// Key is a trivially copyable handle (the memtable uses const char* into its
// arena); Comparator is a callable returning <0, 0, >0.

#ifndef FLOWDB_DB_SKIPLIST_H_
#define FLOWDB_DB_SKIPLIST_H_

#include <atomic>
#include <cassert>
#include <cstdint>
#include <new>

#include "util/arena.h"

namespace flowdb {

template <typename Key, class Comparator>
class SkipList {
 private:
  struct Node;
  static constexpr int kMaxHeight = 12;
  static constexpr uint32_t kBranching = 4;

 public:
  // Nodes are allocated in *arena, which must outlive the list.
  SkipList(Comparator cmp, Arena* arena);
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // REQUIRES: no entry equal to key is in the list; external synchronization.
  void Insert(const Key& key);

  // An insertion hint: the last node before the previous key inserted
  // through it, per level. A default-constructed Splice is empty. Keys that
  // land next to the previous one (a series appended in ts order) insert in
  // O(1) comparisons instead of O(log n); a key d entries away costs
  // O(log d). Any Splice of this list gives a correct result with any key:
  // a stale or unrelated one only costs comparisons. It belongs to one list
  // and is used under the writer's synchronization.
  struct Splice {
    int height = 0;  // levels of prev[] that are filled in
    Node* prev[kMaxHeight];
  };

  // The keys beside an inserted one: null at either end of the list.
  struct Neighbors {
    const Key* before = nullptr;
    const Key* after = nullptr;
  };
  // Insert(key), starting from *splice and leaving it just after key; sets
  // *near (when not null) to the keys now beside it. REQUIRES: as Insert;
  // splice is empty or was last used with this list.
  void InsertWithSplice(const Key& key, Splice* splice) { SpliceInsert<false>(key, splice, nullptr); }
  void InsertWithSplice(const Key& key, Splice* splice, Neighbors* near) {
    SpliceInsert<true>(key, splice, near);
  }

  // A reader's search hint for a run of ascending targets: the last node
  // before the previous target, per level. Searching from it costs
  // O(log d) comparisons for a target d entries after the previous one,
  // instead of O(log n) from the head. It lives on the reader's stack and is
  // written only by its owner: the list itself is never written, so any
  // number of readers may search, each with its own Finger, concurrently
  // with Insert. A default-constructed Finger is empty.
  struct Finger {
    int height = 0;  // levels of prev[] that are filled in
    Node* prev[kMaxHeight];
  };

  // For tests: true if every level is in strictly ascending order. Reads
  // stay correct as long as level 0 is (searches never step past the
  // target), so a misplaced upper-level link only shows up here.
  // O(n · height); not safe concurrently with Insert.
  bool LevelsAreOrdered() const {
    for (int level = 0; level < GetMaxHeight(); level++) {
      for (Node* x = head_->Next(level); x != nullptr && x->Next(level) != nullptr; x = x->Next(level)) {
        if (compare_(x->key, x->Next(level)->key) >= 0) return false;
      }
    }
    return true;
  }

  // Iterates over the list; valid while the list lives.
  class Iterator {
   public:
    explicit Iterator(const SkipList* list) : list_(list), node_(nullptr) {}
    bool Valid() const { return node_ != nullptr; }
    // REQUIRES: Valid()
    const Key& key() const { return node_->key; }
    // REQUIRES: Valid()
    void Next() { node_ = node_->Next(0); }
    // REQUIRES: Valid(). O(log n): there are no back pointers.
    void Prev() {
      node_ = list_->FindLessThan(node_->key);
      if (node_ == list_->head_) node_ = nullptr;
    }
    // Positions at the first entry ≥ target.
    void Seek(const Key& target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }
    // Seek(target), starting from *finger and leaving it at target.
    // REQUIRES: finger is empty or was last used with this list and a
    // target ≤ this one.
    void Seek(const Key& target, Finger* finger) {
      node_ = list_->FindGreaterOrEqualFrom(target, finger);
    }
    void SeekToFirst() { node_ = list_->head_->Next(0); }
    void SeekToLast() {
      node_ = list_->FindLast();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipList* list_;
    Node* node_;
  };

 private:
  int GetMaxHeight() const { return max_height_.load(std::memory_order_relaxed); }
  Node* NewNode(const Key& key, int height);
  int RandomHeight();
  bool Equal(const Key& a, const Key& b) const { return compare_(a, b) == 0; }
  // The first node ≥ key; fills prev[level] with the last node < key per level.
  Node* FindGreaterOrEqual(const Key& key, Node** prev) const;
  // FindGreaterOrEqual from a finger (see Finger), which it moves to key.
  Node* FindGreaterOrEqualFrom(const Key& key, Finger* finger) const;
  // The last node < key, or head_.
  Node* FindLessThan(const Key& key) const;
  // The last node, or head_.
  Node* FindLast() const;
  // Moves x (< key, or head_) right along level to the last node < key.
  Node* WalkLevel(Node* x, const Key& key, int level) const;
  // Allocates a node of the given height for key and links it after prev[i]
  // at each of its levels; prev must have min(height, GetMaxHeight())
  // entries filled (levels above the list's height start at head_).
  Node* Link(const Key& key, int height, Node** prev);
  // InsertWithSplice; with kNear, also sets *near.
  template <bool kNear>
  void SpliceInsert(const Key& key, Splice* splice, Neighbors* near);

  Comparator const compare_;
  Arena* const arena_;
  Node* const head_;
  std::atomic<int> max_height_;  // written by the writer only
  uint64_t rnd_;                 // writer-only random state
};

template <typename Key, class Comparator>
struct SkipList<Key, Comparator>::Node {
  explicit Node(const Key& k) : key(k) {}
  Key const key;

  Node* Next(int n) const { return next_[n].load(std::memory_order_acquire); }
  void SetNext(int n, Node* x) { next_[n].store(x, std::memory_order_release); }
  Node* NoBarrierNext(int n) const { return next_[n].load(std::memory_order_relaxed); }
  void NoBarrierSetNext(int n, Node* x) { next_[n].store(x, std::memory_order_relaxed); }

 private:
  // Sized at allocation: height entries, next_[0] is the lowest level.
  std::atomic<Node*> next_[1];
};

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::NewNode(const Key& key,
                                                                             int height) {
  char* mem = arena_->Allocate(sizeof(Node) + sizeof(std::atomic<Node*>) * (height - 1));
  return new (mem) Node(key);
}

template <typename Key, class Comparator>
int SkipList<Key, Comparator>::RandomHeight() {
  int height = 1;
  while (height < kMaxHeight) {
    rnd_ ^= rnd_ << 13;  // xorshift64
    rnd_ ^= rnd_ >> 7;
    rnd_ ^= rnd_ << 17;
    if ((rnd_ % kBranching) != 0) break;
    height++;
  }
  return height;
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindGreaterOrEqual(
    const Key& key, Node** prev) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  // The node that stopped the walk one level up: it is known to be ≥ key,
  // and a lower level often reaches it again, so it is not compared twice.
  Node* last_bigger = nullptr;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr && next != last_bigger && compare_(next->key, key) < 0) {
      x = next;
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) return next;
      last_bigger = next;
      level--;
    }
  }
}

// Every prev[i] of a finger is head_ or a node < the previous target, so
// also < key, and prev[i + 1] is at or before prev[i]. The search goes down
// from the top as FindGreaterOrEqual does, but while it has not moved off
// the finger's node of the level above, it starts each level at the
// finger's node of that level, which is at or after it: a jump forward that
// costs no comparison. So it never compares more than a search from the
// head, and a key close to the previous one costs a few comparisons at the
// lowest levels. A concurrent Insert only adds nodes, so the finger's nodes
// stay in the list and stay < key; levels the list gained since the finger
// was filled start at head_.
template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindGreaterOrEqualFrom(
    const Key& key, Finger* finger) const {
  Node** prev = finger->prev;
  const int height = GetMaxHeight();
  for (int i = finger->height; i < height; i++) prev[i] = head_;
  if (finger->height < height) finger->height = height;
  int level = finger->height - 1;
  Node* x = head_;
  bool on_finger = true;        // x is the finger's node of the level above
  Node* last_bigger = nullptr;  // the node known ≥ key that stopped that level
  while (true) {
    if (on_finger) x = prev[level];
    Node* next = x->Next(level);
    while (next != nullptr && next != last_bigger && compare_(next->key, key) < 0) {
      x = next;
      on_finger = false;
      next = x->Next(level);
    }
    prev[level] = x;
    if (level == 0) return next;
    last_bigger = next;
    level--;
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLessThan(
    const Key& key) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  Node* last_bigger = nullptr;  // as in FindGreaterOrEqual: known ≥ key
  while (true) {
    Node* next = x->Next(level);
    if (next == nullptr || next == last_bigger || compare_(next->key, key) >= 0) {
      if (level == 0) return x;
      last_bigger = next;
      level--;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLast() const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next == nullptr) {
      if (level == 0) return x;
      level--;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Comparator>
SkipList<Key, Comparator>::SkipList(Comparator cmp, Arena* arena)
    : compare_(cmp),
      arena_(arena),
      head_(NewNode(Key{}, kMaxHeight)),
      max_height_(1),
      rnd_(0x2545F4914F6CDD1Dull) {
  for (int i = 0; i < kMaxHeight; i++) head_->SetNext(i, nullptr);
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::WalkLevel(
    Node* x, const Key& key, int level) const {
  for (Node* next = x->Next(level); next != nullptr && compare_(next->key, key) < 0;
       next = x->Next(level)) {
    x = next;
  }
  return x;
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::Link(const Key& key,
                                                                          int height,
                                                                          Node** prev) {
  if (height > GetMaxHeight()) {
    for (int i = GetMaxHeight(); i < height; i++) prev[i] = head_;
    // A reader that sees the new height before the node is linked just
    // finds nullptr from head_ at the new levels and moves down.
    max_height_.store(height, std::memory_order_relaxed);
  }
  Node* x = NewNode(key, height);
  for (int i = 0; i < height; i++) {
    x->NoBarrierSetNext(i, prev[i]->NoBarrierNext(i));
    prev[i]->SetNext(i, x);  // publishes x at level i
  }
  return x;
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::Insert(const Key& key) {
  Node* prev[kMaxHeight];
  Node* x = FindGreaterOrEqual(key, prev);
  assert(x == nullptr || !Equal(key, x->key));
  (void)x;
  Link(key, RandomHeight(), prev);
}

// Invariant of a Splice: prev[i + 1] is at or before prev[i] in the list
// (head_ first). It holds after every insert below and is never broken by
// other inserts, which add nodes but reorder none. So once a level brackets
// key, every level above it has prev < key too.
template <typename Key, class Comparator>
template <bool kNear>
void SkipList<Key, Comparator>::SpliceInsert(const Key& key, Splice* splice, Neighbors* near) {
  const int max_height = GetMaxHeight();
  Node** prev = splice->prev;
  for (int i = splice->height; i < max_height; i++) prev[i] = head_;
  splice->height = max_height;
  // The lowest level where prev < key < prev's successor: usually level 0
  // for an append to a series.
  int level = 0;
  for (; level < max_height; level++) {
    Node* p = prev[level];
    if (p != head_ && compare_(p->key, key) >= 0) continue;  // key is before the splice
    Node* next = p->Next(level);
    if (next == nullptr || compare_(next->key, key) > 0) break;
  }
  if (level == max_height) {  // no level brackets key: search from the top
    level = max_height - 1;
    Node* top = prev[level];
    if (top != head_ && compare_(top->key, key) >= 0) top = head_;
    prev[level] = WalkLevel(top, key, level);
  }
  for (int i = level - 1; i >= 0; i--) prev[i] = WalkLevel(prev[i + 1], key, i);
  const int height = RandomHeight();
  // The new node's levels above the bracketing one may have gained nodes
  // since the splice was made: bring them up to date (prev[i] < key
  // already). Higher levels stay as they are: stale but still before key.
  for (int i = level + 1; i < height && i < max_height; i++) prev[i] = WalkLevel(prev[i], key, i);
  Node* before = prev[0];
  Node* x = Link(key, height, prev);
  if constexpr (kNear) {
    near->before = before == head_ ? nullptr : &before->key;
    Node* after = x->NoBarrierNext(0);
    near->after = after == nullptr ? nullptr : &after->key;
  }
  if (height > max_height) splice->height = height;  // Link started the new levels at head_
  for (int i = 0; i < height; i++) prev[i] = x;
}

}  // namespace flowdb

#endif  // FLOWDB_DB_SKIPLIST_H_
