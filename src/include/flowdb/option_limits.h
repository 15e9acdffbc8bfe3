// The one policy for Options values: which values DB::Open accepts.

#ifndef FLOWDB_INCLUDE_OPTION_LIMITS_H_
#define FLOWDB_INCLUDE_OPTION_LIMITS_H_

#include <cstdint>
#include <span>

#include "flowdb/options.h"
#include "flowdb/status.h"

namespace flowdb {

// The accepted values of one numeric Options field: [min, max], inclusive,
// except `excluded` when it is not kNotExcluded. DB::Open refuses any other
// value with InvalidArgument naming the field; the Node binding exports this
// table (constants.optionLimits), so that the JS layer checks the same ranges.
struct OptionLimit {
  static constexpr int64_t kNotExcluded = -1;
  const char* field;  // the Options member, e.g. "memtable_size"
  int64_t min;
  int64_t max;
  int64_t excluded;
};

// The limits of every numeric field, sync_interval_ms to
// wal_retention_bytes, in declaration order.
std::span<const OptionLimit> OptionLimits();

// OK if every field of `options` is within OptionLimits() and every enum
// holds one of its values; otherwise InvalidArgument naming the first field
// that is not (e.g. "memtable_size must be between 65536 and 4294967296,
// got 1024").
Status CheckOptions(const Options& options);

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_OPTION_LIMITS_H_
