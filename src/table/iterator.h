// Iterator: the internal iterator over (internal key, entry value) pairs that
// blocks, SSTables, memtables and merging iterators implement. Keys are
// internal keys (db/dbformat.h) in InternalKeyComparator order.
//
// Thread safety: one thread at a time per iterator.

#ifndef FLOWDB_TABLE_ITERATOR_H_
#define FLOWDB_TABLE_ITERATOR_H_

#include <memory>
#include <string_view>
#include <vector>

#include "flowdb/status.h"

namespace flowdb {

class Iterator {
 public:
  Iterator() = default;
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;
  // Releases what Pin() kept, in reverse order of pinning.
  virtual ~Iterator();

  // True iff positioned at an entry.
  virtual bool Valid() const = 0;
  // Valid() after this call iff the source is not empty.
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first entry with key ≥ target. Valid() after this call
  // iff such an entry exists.
  virtual void Seek(std::string_view target) = 0;
  // Positions at the last entry with key ≤ target. Valid() after this call
  // iff such an entry exists. The default seeks and steps back; iterators
  // that find the entry in one pass override it.
  virtual void SeekForPrev(std::string_view target);
  // REQUIRES: Valid()
  virtual void Next() = 0;
  // REQUIRES: Valid()
  virtual void Prev() = 0;
  // REQUIRES: Valid(). Views stay valid until the iterator is moved.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // Sticky until the next Seek*: OK unless an error occurred.
  virtual Status status() const = 0;

  // Keeps `owner` (a table reader, the memtables and version a read uses)
  // alive until the iterator is destroyed, which releases it after the
  // derived iterator's own members are gone. The first pin needs no
  // allocation: a point read's iterators pin one thing each.
  void Pin(std::shared_ptr<const void> owner) {
    if (first_pin_ == nullptr) {
      first_pin_ = std::move(owner);
    } else {
      more_pins_.push_back(std::move(owner));
    }
  }

 private:
  std::shared_ptr<const void> first_pin_;
  std::vector<std::shared_ptr<const void>> more_pins_;
};

// An empty iterator that carries status (OK or an error).
std::unique_ptr<Iterator> NewErrorIterator(Status status);
inline std::unique_ptr<Iterator> NewEmptyIterator() { return NewErrorIterator(Status::OK()); }

}  // namespace flowdb

#endif  // FLOWDB_TABLE_ITERATOR_H_
