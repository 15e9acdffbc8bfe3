// The one policy for Options values: OptionLimits and CheckOptions.

#include <array>
#include <limits>
#include <string>

#include "flowdb/option_limits.h"

namespace flowdb {

namespace {

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;
constexpr int64_t kGiB = 1024 * kMiB;
// Intervals stay below 2^31 ms (about 24.8 days).
constexpr int64_t kMaxIntervalMs = (int64_t{1} << 31) - 1;
// 100 years in µs: keeps now + ttl far from int64 overflow.
constexpr int64_t kMaxTtlUs = int64_t{3155760000} * 1000000;

template <typename T>
constexpr int64_t AsInt64(T v) {
  if constexpr (std::numeric_limits<T>::is_signed) {
    return static_cast<int64_t>(v);
  } else {
    return v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
               ? std::numeric_limits<int64_t>::max()
               : static_cast<int64_t>(v);
  }
}

struct Row {
  OptionLimit limit;
  int64_t (*get)(const Options&);
};

#define FLOWDB_LIMIT(field, min, max, excluded) \
  Row{{#field, min, max, excluded}, [](const Options& o) { return AsInt64(o.field); }}

constexpr Row kRows[] = {
    FLOWDB_LIMIT(sync_interval_ms, 1, kMaxIntervalMs, OptionLimit::kNotExcluded),
    FLOWDB_LIMIT(memtable_size, 64 * kKiB, 4 * kGiB, OptionLimit::kNotExcluded),
    FLOWDB_LIMIT(max_frozen_memtables, 1, 64, OptionLimit::kNotExcluded),
    FLOWDB_LIMIT(block_size, 256, 16 * kMiB, OptionLimit::kNotExcluded),
    FLOWDB_LIMIT(block_restart_interval, 1, 1024, OptionLimit::kNotExcluded),
    FLOWDB_LIMIT(bloom_bits_per_key, 0, 64, OptionLimit::kNotExcluded),
    FLOWDB_LIMIT(block_cache_size, 0, 1024 * kGiB, OptionLimit::kNotExcluded),
    FLOWDB_LIMIT(max_open_files, 16, 1000000, OptionLimit::kNotExcluded),
    FLOWDB_LIMIT(default_ttl_us, 0, kMaxTtlUs, OptionLimit::kNotExcluded),
    FLOWDB_LIMIT(flush_interval_ms, 0, kMaxIntervalMs, OptionLimit::kNotExcluded),
    // 0 turns automatic compaction off; a trigger of 1 would merge one file.
    FLOWDB_LIMIT(compaction_trigger, 0, 1024, 1),
    FLOWDB_LIMIT(compaction_size_ratio, 0, 10000, OptionLimit::kNotExcluded),
    FLOWDB_LIMIT(max_space_amplification, 0, 100000, OptionLimit::kNotExcluded),
    FLOWDB_LIMIT(wal_retention_bytes, 0, 1024 * kGiB, OptionLimit::kNotExcluded),
};

#undef FLOWDB_LIMIT

constexpr size_t kNumRows = sizeof(kRows) / sizeof(kRows[0]);

constexpr std::array<OptionLimit, kNumRows> MakeLimits() {
  std::array<OptionLimit, kNumRows> out{};
  for (size_t i = 0; i < kNumRows; i++) out[i] = kRows[i].limit;
  return out;
}
constexpr std::array<OptionLimit, kNumRows> kLimits = MakeLimits();

}  // namespace

std::span<const OptionLimit> OptionLimits() { return kLimits; }

Status CheckOptions(const Options& o) {
  if (static_cast<uint8_t>(o.sync_mode) > static_cast<uint8_t>(SyncMode::kNone)) {
    return Status::InvalidArgument("sync_mode is not a SyncMode");
  }
  if (static_cast<uint8_t>(o.compression) > static_cast<uint8_t>(Compression::kLZ4)) {
    return Status::InvalidArgument("compression is not a Compression");
  }
  if (static_cast<uint8_t>(o.ttl_basis) > static_cast<uint8_t>(Options::TtlBasis::kRecordTs)) {
    return Status::InvalidArgument("ttl_basis is not a TtlBasis");
  }
  if (static_cast<uint8_t>(o.wal_recovery) > static_cast<uint8_t>(WalRecovery::kSalvage)) {
    return Status::InvalidArgument("wal_recovery is not a WalRecovery");
  }
  for (const Row& row : kRows) {
    const OptionLimit& l = row.limit;
    const int64_t v = row.get(o);
    if (v >= l.min && v <= l.max && v != l.excluded) continue;
    std::string msg = std::string(l.field) + " must be between " + std::to_string(l.min) +
                      " and " + std::to_string(l.max);
    if (l.excluded != OptionLimit::kNotExcluded) msg += " and not " + std::to_string(l.excluded);
    return Status::InvalidArgument(msg + ", got " + std::to_string(v));
  }
  return Status::OK();
}

}  // namespace flowdb
