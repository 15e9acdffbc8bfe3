// A fast non-cryptographic 64-bit hash for bloom filters and cache sharding.
// Its output is part of the SSTable bloom filter format: changing it requires
// a new filter format version.

#ifndef FLOWDB_UTIL_HASH_H_
#define FLOWDB_UTIL_HASH_H_

#include <cstddef>
#include <cstdint>

namespace flowdb {

uint64_t Hash64(const char* data, size_t n, uint64_t seed = 0);

}  // namespace flowdb

#endif  // FLOWDB_UTIL_HASH_H_
