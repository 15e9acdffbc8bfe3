#include "util/arena.h"

#include <cstdio>
#include <cstring>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace flowdb {

namespace {

#if defined(__linux__)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels answer EINVAL
#endif

// Whether transparent huge pages can back a region advised MADV_HUGEPAGE
// (the mode is "always" or "madvise", not "never").
bool HugePagesAvailable() {
  static const bool available = [] {
    std::FILE* f = std::fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (f == nullptr) return false;
    char mode[128] = {};
    size_t n = std::fread(mode, 1, sizeof(mode) - 1, f);
    std::fclose(f);
    mode[n] = '\0';
    return std::strstr(mode, "[never]") == nullptr;
  }();
  return available;
}

// size bytes of zeroed memory aligned to size (a power of two, so that a
// huge page can back it); nullptr if the OS refuses. With huge pages the
// first touch faults in all of it at once (about 0.1 ms per 2 MiB measured
// on a VM); pre-faulting such a region with MADV_POPULATE_WRITE stalled
// about 3.5 ms once free huge pages ran out. Without them the region is
// pre-faulted in one call instead of 512 faults (1.5 against 5.5 ms).
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
  if (HugePagesAvailable()) {
    madvise(block, size, MADV_HUGEPAGE);  // a hint
  } else {
    madvise(block, size, MADV_POPULATE_WRITE);  // a hint: faults happen later otherwise
  }
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
