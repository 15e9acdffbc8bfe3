// Endian-neutral encodings: fixed-width little-endian integers, varints, and
// length-prefixed byte strings. Every on-disk format of FlowDB is built from
// these; nothing else in the engine packs integers by hand. Also the byte
// order (memcmp order) that the engine's and the document layer's keys sort
// by, compared 8 bytes at a time.

#ifndef FLOWDB_UTIL_CODING_H_
#define FLOWDB_UTIL_CODING_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace flowdb {

// Maximum encoded length of a varint32 / varint64.
inline constexpr int kMaxVarint32Length = 5;
inline constexpr int kMaxVarint64Length = 10;

inline void EncodeFixed32(char* dst, uint32_t v) {
  for (int i = 0; i < 4; i++) dst[i] = static_cast<char>(v >> (8 * i));
}
inline void EncodeFixed64(char* dst, uint64_t v) {
  for (int i = 0; i < 8; i++) dst[i] = static_cast<char>(v >> (8 * i));
}
inline uint32_t DecodeFixed32(const char* p) {
  const auto* b = reinterpret_cast<const uint8_t*>(p);
  return uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) |
         (uint32_t{b[3]} << 24);
}
inline uint64_t DecodeFixed64(const char* p) {
  return uint64_t{DecodeFixed32(p)} | (uint64_t{DecodeFixed32(p + 4)} << 32);
}

void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);
void PutVarint32(std::string* dst, uint32_t v);
void PutVarint64(std::string* dst, uint64_t v);
// Appends varint32(len) followed by the bytes.
void PutLengthPrefixed(std::string* dst, std::string_view value);

// Writes a varint into dst (which has room for kMaxVarint*Length bytes) and
// returns a pointer just past it.
char* EncodeVarint32(char* dst, uint32_t v);
char* EncodeVarint64(char* dst, uint64_t v);
int VarintLength(uint64_t v);

// Decoders return nullptr on a malformed or truncated input.
const char* GetVarint32PtrSlow(const char* p, const char* limit, uint32_t* v);
inline const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* v) {
  // One or two bytes (values below 16384: key and value lengths, mostly)
  // inline; longer ones out of line.
  if (p < limit) {
    const uint32_t b0 = static_cast<uint8_t>(p[0]);
    if ((b0 & 0x80) == 0) {
      *v = b0;
      return p + 1;
    }
    if (p + 1 < limit) {
      const uint32_t b1 = static_cast<uint8_t>(p[1]);
      if ((b1 & 0x80) == 0) {
        *v = (b0 & 0x7f) | (b1 << 7);
        return p + 2;
      }
    }
  }
  return GetVarint32PtrSlow(p, limit, v);
}
const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* v);

// Consume from the front of *input; return false (input unspecified) on a
// malformed or truncated input.
bool GetFixed32(std::string_view* input, uint32_t* v);
bool GetFixed64(std::string_view* input, uint64_t* v);
bool GetVarint32(std::string_view* input, uint32_t* v);
bool GetVarint64(std::string_view* input, uint64_t* v);
bool GetLengthPrefixed(std::string_view* input, std::string_view* result);

// The 8 bytes at p as a big-endian number: comparing two such numbers is
// comparing the bytes in memcmp order.
inline uint64_t LoadBigEndian64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

// -1, 0 or 1 as a is before, equal to or after b in byte order (memcmp,
// then the shorter first). Inline, 8 bytes at a time: keys are short, and a
// memcmp call per comparison was much of a skiplist search's cost.
inline int CompareBytes(std::string_view a, std::string_view b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x = LoadBigEndian64(a.data() + i), y = LoadBigEndian64(b.data() + i);
    if (x != y) return x < y ? -1 : 1;
  }
  for (; i < n; i++) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

// Big-endian encoding of a signed 64-bit number whose bytes compare (memcmp)
// in the numeric order: the sign bit is flipped.
inline void EncodeOrderedInt64(char* dst, int64_t v) {
  uint64_t u = static_cast<uint64_t>(v) ^ (uint64_t{1} << 63);
  for (int i = 0; i < 8; i++) dst[i] = static_cast<char>(u >> (56 - 8 * i));
}
inline int64_t DecodeOrderedInt64(const char* p) {
  const auto* b = reinterpret_cast<const uint8_t*>(p);
  uint64_t u = 0;
  for (int i = 0; i < 8; i++) u = (u << 8) | b[i];
  return static_cast<int64_t>(u ^ (uint64_t{1} << 63));
}

}  // namespace flowdb

#endif  // FLOWDB_UTIL_CODING_H_
