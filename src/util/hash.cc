// Hash64: 8 bytes per step through a folded 64x64→128-bit multiply, then a
// xor-shift-multiply finalizer. Words are read little-endian on every host,
// because bloom filters persist the result.

#include "util/hash.h"

#include <bit>
#include <cstring>

namespace flowdb {

namespace {

// Odd constants with well-mixed bits (golden ratio and splitmix64 multipliers).
constexpr uint64_t kK0 = 0x9e3779b97f4a7c15ull;
constexpr uint64_t kK1 = 0xbf58476d1ce4e5b9ull;
constexpr uint64_t kK2 = 0x94d049bb133111ebull;

inline uint64_t LoadLE64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// Loads 1..7 trailing bytes little-endian into the low bytes of a word.
inline uint64_t LoadTail(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}

// Both halves of the 128-bit product, xor-ed: every output bit depends on
// every input bit of a and b.
inline uint64_t FoldedMultiply(uint64_t a, uint64_t b) {
  unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

inline uint64_t Finalize(uint64_t h) {
  h ^= h >> 31;
  h *= kK1;
  h ^= h >> 29;
  h *= kK2;
  h ^= h >> 32;
  return h;
}

}  // namespace

uint64_t Hash64(const char* data, size_t n, uint64_t seed) {
  // The length enters first so that inputs differing only by trailing zero
  // bytes hash apart.
  uint64_t h = FoldedMultiply(seed ^ kK0, (static_cast<uint64_t>(n) + 1) * kK1);
  while (n >= 8) {
    h = FoldedMultiply(h ^ LoadLE64(data), kK2) + kK0;
    data += 8;
    n -= 8;
  }
  if (n > 0) h = FoldedMultiply(h ^ LoadTail(data, n), kK1) + kK0;
  return Finalize(h);
}

}  // namespace flowdb
