// Block: a read-only data or index block (format in block_builder.h) whose
// keys are internal keys in InternalKeyComparator order.
//
// Thread safety: a Block is immutable; any number of threads may create and
// use iterators over it concurrently (each iterator by one thread at a time).

#ifndef FLOWDB_TABLE_BLOCK_H_
#define FLOWDB_TABLE_BLOCK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "flowdb/status.h"
#include "table/iterator.h"

namespace flowdb {

class Block {
 public:
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  // Takes the contents of a block. Checks the restart array; on error
  // returns Corruption and leaves *block empty. Entries are checked lazily:
  // a malformed entry surfaces as Corruption in an iterator's status().
  static Status Open(std::string contents, std::unique_ptr<Block>* block);

  // Bytes of block contents.
  size_t size() const { return contents_.size(); }
  // Heap bytes held by this block (its block cache charge).
  size_t ApproximateMemoryUsage() const { return sizeof(Block) + contents_.capacity(); }
  uint32_t num_restarts() const { return num_restarts_; }

  // An iterator over the entries. REQUIRES: the block outlives the iterator.
  // Seek targets must be internal keys (≥ kInternalKeySuffix bytes); a
  // shorter target makes the iterator invalid with InvalidArgument.
  std::unique_ptr<Iterator> NewIterator() const;

  // Point lookup without an iterator: finds the first entry whose key is
  // ≥ target (an internal key) and, if that entry has target's user key and
  // ts, sets *found, *tag to its tag and *value to its value (pointing into
  // this block). Otherwise *found is false. Allocates nothing. Returns
  // InvalidArgument if target is not an internal key, Corruption (naming the
  // entry's offset) for a malformed entry on the way.
  Status Get(std::string_view target, bool* found, uint64_t* tag, std::string_view* value) const;

 private:
  Block(std::string contents, uint32_t restarts_offset, uint32_t num_restarts)
      : contents_(std::move(contents)),
        restarts_offset_(restarts_offset),
        num_restarts_(num_restarts) {}

  const std::string contents_;
  const uint32_t restarts_offset_;  // end of the entries, start of the restart array
  const uint32_t num_restarts_;     // ≥ 1
};

}  // namespace flowdb

#endif  // FLOWDB_TABLE_BLOCK_H_
