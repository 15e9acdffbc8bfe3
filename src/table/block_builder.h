// BlockBuilder: builds the contents of a data or index block.
//
//   block      := entry* restarts (fixed32 each) num_restarts (fixed32)
//   entry      := shared (varint32) | non_shared (varint32) | value_len (varint32)
//                 | key[shared..] (non_shared bytes) | value (value_len bytes)
//
// Each key is stored as the length of the prefix it shares with the previous
// key plus the rest. Every `restart_interval` entries the prefix chain is
// cut (shared = 0) and the entry's offset is recorded as a restart point, so
// a reader can binary-search restart points and walk backwards. A block
// always has at least one restart point (offset 0), even when empty.
//
// Thread safety: one thread at a time.

#ifndef FLOWDB_TABLE_BLOCK_BUILDER_H_
#define FLOWDB_TABLE_BLOCK_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flowdb {

class BlockBuilder {
 public:
  // REQUIRES: restart_interval >= 1.
  explicit BlockBuilder(int restart_interval);
  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // Starts a new, empty block.
  void Reset();

  // REQUIRES: Finish() has not been called since the last Reset(); key sorts
  // after every key added before (the caller's order, e.g. internal keys).
  void Add(std::string_view key, std::string_view value);

  // Appends the restart array and returns the block contents, valid until
  // the next Reset() or destruction.
  std::string_view Finish();

  // The size of the block Finish() would return now.
  size_t CurrentSizeEstimate() const;

  // True iff no entry was added since the last Reset().
  bool empty() const { return num_entries_ == 0; }
  uint32_t num_entries() const { return num_entries_; }

 private:
  const int restart_interval_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int counter_ = 0;  // entries since the last restart point
  uint32_t num_entries_ = 0;
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace flowdb

#endif  // FLOWDB_TABLE_BLOCK_BUILDER_H_
