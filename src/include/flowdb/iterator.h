// RecordIterator: walks the live records of a DB in (key, ts) order.
//
// An iterator reads a fixed snapshot: writes made after it was created are
// not seen. Only live records are returned: the newest version of each
// (key, ts) at the snapshot, unless that version is a tombstone or expired.
//
// Thread safety: one thread at a time per iterator; distinct iterators may be
// used concurrently.

#ifndef FLOWDB_INCLUDE_ITERATOR_H_
#define FLOWDB_INCLUDE_ITERATOR_H_

#include <cstdint>
#include <string_view>

#include "flowdb/status.h"

namespace flowdb {

class RecordIterator {
 public:
  RecordIterator() = default;
  RecordIterator(const RecordIterator&) = delete;
  RecordIterator& operator=(const RecordIterator&) = delete;
  virtual ~RecordIterator() = default;

  // True iff positioned at a record. False at either end or after an error.
  virtual bool Valid() const = 0;

  // Valid() after this call iff the DB view is not empty.
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first record ≥ (key, ts). Valid() after this call iff
  // such a record exists.
  virtual void Seek(std::string_view key, int64_t ts) = 0;
  // Positions at the last record ≤ (key, ts). Valid() after this call iff
  // such a record exists.
  virtual void SeekForPrev(std::string_view key, int64_t ts) = 0;

  // REQUIRES: Valid()
  virtual void Next() = 0;
  // REQUIRES: Valid()
  virtual void Prev() = 0;

  // REQUIRES: Valid(). The returned views stay valid until the iterator moves.
  virtual std::string_view key() const = 0;
  virtual int64_t ts() const = 0;
  virtual std::string_view value() const = 0;
  // Absolute µs since the epoch; kNoExpiry if the record does not expire.
  virtual int64_t expire_at() const = 0;

  // OK unless an error occurred (e.g. a corrupt block); errors are sticky
  // until the next Seek*.
  virtual Status status() const = 0;
};

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_ITERATOR_H_
