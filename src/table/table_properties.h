// TableProperties: what an SSTable holds, written into its properties block
// by TableBuilder and read back by Table::Open.
//
//   properties := (tag (varint32) | length-prefixed value)*
//
// Counts are varint64, signed numbers fixed64 (two's complement), keys raw
// bytes. Unknown tags are skipped, so later versions can add properties.
//
// Thread safety: a value type.

#ifndef FLOWDB_TABLE_TABLE_PROPERTIES_H_
#define FLOWDB_TABLE_TABLE_PROPERTIES_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "flowdb/record.h"
#include "flowdb/status.h"

namespace flowdb {

// With num_entries == 0 every range below is empty (min > max).
struct TableProperties {
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;    // entries of type kTypeDeletion
  uint64_t raw_key_bytes = 0;    // internal key bytes
  uint64_t raw_value_bytes = 0;  // entry value bytes (including expire_at prefixes)
  uint64_t data_blocks = 0;

  // Internal keys of the first and last entries.
  std::string smallest_key;
  std::string largest_key;

  int64_t min_ts = std::numeric_limits<int64_t>::max();
  int64_t max_ts = std::numeric_limits<int64_t>::min();

  // expire_at over every entry; entries that never expire (including
  // deletions) count as kNoExpiry. So max_expire_at <= now means every entry
  // has expired.
  int64_t min_expire_at = kNoExpiry;
  int64_t max_expire_at = std::numeric_limits<int64_t>::min();

  uint64_t min_seq = std::numeric_limits<uint64_t>::max();
  uint64_t max_seq = 0;

  // The range-deletion block (db/range_del.h encoding): where it is and how
  // many tombstones it holds. A size of 0 means the table has none.
  uint64_t num_range_deletions = 0;
  uint64_t range_del_offset = 0;
  uint64_t range_del_size = 0;

  int32_t bloom_bits_per_key = 0;  // 0: the table has no filter
  uint32_t format_version = 0;

  void EncodeTo(std::string* dst) const;
  // Corruption naming the bad property; properties absent from input keep
  // their current values.
  Status DecodeFrom(std::string_view input);
};

}  // namespace flowdb

#endif  // FLOWDB_TABLE_TABLE_PROPERTIES_H_
