#include "util/arena.h"

namespace flowdb {

char* Arena::AllocateNewBlock(size_t bytes) {
  // Large requests get a block of their own so the current block's tail is
  // not wasted.
  if (bytes > kBlockSize / 4) {
    blocks_.emplace_back(new char[bytes]);  // uninitialized: no memset
    memory_usage_.fetch_add(bytes + sizeof(char*), std::memory_order_relaxed);
    return blocks_.back().get();
  }
  blocks_.emplace_back(new char[kBlockSize]);
  memory_usage_.fetch_add(kBlockSize + sizeof(char*), std::memory_order_relaxed);
  ptr_ = blocks_.back().get() + bytes;
  remaining_ = kBlockSize - bytes;
  return blocks_.back().get();
}

}  // namespace flowdb
