// Arena: bump allocation for memtable entries; everything is freed at once
// when the arena is destroyed.
//
// Blocks are 64 KiB while the arena is small. Past 1 MiB they are 2 MiB,
// mapped from the OS and backed by a transparent huge page where the kernel
// offers them, else pre-faulted in one call (Linux): a memtable filling
// fresh memory otherwise takes one page fault per 4 KiB, which measured as a
// third of the write path's CPU on a VM. Elsewhere, or if mapping fails,
// blocks come from operator new.
//
// Thread safety: Allocate needs external synchronization (the memtable's
// single writer). MemoryUsage may be read from any thread.

#ifndef FLOWDB_UTIL_ARENA_H_
#define FLOWDB_UTIL_ARENA_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace flowdb {

class Arena {
 public:
  Arena() = default;
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns bytes of uninitialized memory aligned for any scalar type.
  // REQUIRES: bytes > 0
  char* Allocate(size_t bytes);

  // Bytes reserved from the system, including unused block tails.
  size_t MemoryUsage() const { return memory_usage_.load(std::memory_order_relaxed); }
  // Bytes handed out by Allocate (what the contents occupy).
  size_t AllocatedBytes() const { return allocated_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kBlockSize = 64 * 1024;
  static constexpr size_t kLargeBlockSize = 2 << 20;
  static constexpr size_t kLargeBlocksAfter = 1 << 20;  // bytes reserved
  struct Block {
    char* data;
    size_t size;
    bool mapped;  // from MapBlock (else operator new[])
  };
  char* AllocateNewBlock(size_t bytes);
  // A block of `size` bytes: mapped when `mappable` and the OS allows it.
  char* NewBlock(size_t size, bool mappable);

  char* ptr_ = nullptr;
  size_t remaining_ = 0;
  std::vector<Block> blocks_;
  std::atomic<size_t> memory_usage_{0};
  std::atomic<size_t> allocated_{0};
};

inline char* Arena::Allocate(size_t bytes) {
  constexpr size_t kAlign = alignof(std::max_align_t) > 8 ? 8 : alignof(std::max_align_t);
  allocated_.store(allocated_.load(std::memory_order_relaxed) + bytes, std::memory_order_relaxed);
  size_t pad = (kAlign - (reinterpret_cast<uintptr_t>(ptr_) & (kAlign - 1))) & (kAlign - 1);
  if (bytes + pad <= remaining_) {
    char* result = ptr_ + pad;
    ptr_ += bytes + pad;
    remaining_ -= bytes + pad;
    return result;
  }
  return AllocateNewBlock(bytes);
}

}  // namespace flowdb

#endif  // FLOWDB_UTIL_ARENA_H_
