// CRC-32C (Castagnoli), the checksum of every WAL record, manifest record and
// SSTable block. Uses the SSE4.2 crc32 instruction when the CPU has it.

#ifndef FLOWDB_UTIL_CRC32C_H_
#define FLOWDB_UTIL_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace flowdb::crc32c {

// The crc32c of concat(A, data[0..n-1]) where init_crc is the crc32c of A.
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);

// The two implementations Extend chooses between, exposed for tests: the
// portable slice-by-8 one, and the SSE4.2 one (REQUIRES: UsesSse42()).
uint32_t ExtendPortable(uint32_t init_crc, const char* data, size_t n);
#if defined(__x86_64__)
uint32_t ExtendSse42(uint32_t init_crc, const char* data, size_t n);
#endif
// True if this CPU has the SSE4.2 crc32 instruction and Extend uses it.
bool UsesSse42();

// The crc32c of data[0..n-1].
inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }

// A stored CRC is masked so that the CRC of a string that embeds CRCs stays
// well distributed (the scheme LevelDB uses).
inline constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace flowdb::crc32c

#endif  // FLOWDB_UTIL_CRC32C_H_
