// Record: the unit of data in the engine.

#ifndef FLOWDB_INCLUDE_RECORD_H_
#define FLOWDB_INCLUDE_RECORD_H_

#include <cstdint>
#include <limits>
#include <string>

namespace flowdb {

// expire_at value meaning "never expires".
inline constexpr int64_t kNoExpiry = std::numeric_limits<int64_t>::max();

// A versioned value. Identity is (key, ts): several records may share a key
// with distinct ts; writing the same (key, ts) again overwrites. The engine
// treats ts as an opaque signed 64-bit number (by convention microseconds
// since the Unix epoch); expire_at is absolute microseconds since the epoch,
// kNoExpiry when the record never expires.
struct Record {
  std::string key;
  int64_t ts = 0;
  std::string value;
  int64_t expire_at = kNoExpiry;
};

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_RECORD_H_
