#include "util/arena.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace flowdb {

namespace {

#if defined(__linux__)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels answer EINVAL
#endif

// size bytes of zeroed memory aligned to size (a power of two, so a huge
// page can back it), faulted in up front; nullptr if the OS refuses.
char* MapAligned(size_t size) {
  void* p = mmap(nullptr, 2 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  uintptr_t start = reinterpret_cast<uintptr_t>(p);
  uintptr_t aligned = (start + size - 1) & ~(uintptr_t{size} - 1);
  if (aligned > start) munmap(p, aligned - start);
  if (aligned + size < start + 2 * size) {
    munmap(reinterpret_cast<void*>(aligned + size), start + 2 * size - (aligned + size));
  }
  char* block = reinterpret_cast<char*>(aligned);
  madvise(block, size, MADV_HUGEPAGE);        // a hint: THP may be off
  madvise(block, size, MADV_POPULATE_WRITE);  // a hint: faults happen later otherwise
  return block;
}
#endif

}  // namespace

Arena::~Arena() {
  for (const Block& b : blocks_) {
#if defined(__linux__)
    if (b.mapped) {
      munmap(b.data, b.size);
      continue;
    }
#endif
    delete[] b.data;
  }
}

char* Arena::NewBlock(size_t size, bool mappable) {
  blocks_.reserve(blocks_.size() + 1);  // so that push_back cannot throw and leak
  char* data = nullptr;
  bool mapped = false;
#if defined(__linux__)
  if (mappable) {
    data = MapAligned(size);
    mapped = data != nullptr;
  }
#else
  (void)mappable;
#endif
  if (data == nullptr) data = new char[size];  // uninitialized: no memset
  blocks_.push_back(Block{data, size, mapped});
  memory_usage_.fetch_add(size + sizeof(Block), std::memory_order_relaxed);
  return data;
}

char* Arena::AllocateNewBlock(size_t bytes) {
  // Large requests get a block of their own so the current block's tail is
  // not wasted.
  if (bytes > kBlockSize / 4) return NewBlock(bytes, false);
  bool large = MemoryUsage() >= kLargeBlocksAfter;
  size_t size = large ? kLargeBlockSize : kBlockSize;
  char* block = NewBlock(size, large);
  ptr_ = block + bytes;
  remaining_ = size - bytes;
  return block;
}

}  // namespace flowdb
