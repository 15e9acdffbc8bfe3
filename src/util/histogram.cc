#include "util/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace flowdb {

namespace {
using B = HistogramBuckets;
}  // namespace

uint64_t HistogramBuckets::Lower(int b) {
  if (b < static_cast<int>(kExactLimit)) return static_cast<uint64_t>(b);
  if (b == kOverflowBucket) return kOverflowLimit;
  // b = shift * kSubBuckets + m with m in [kSubBuckets, 2 * kSubBuckets).
  uint64_t shift = static_cast<uint64_t>(b) / kSubBuckets - 1;
  uint64_t m = static_cast<uint64_t>(b) - shift * kSubBuckets;
  return m << shift;
}

uint64_t HistogramBuckets::Highest(int b) {
  if (b < static_cast<int>(kExactLimit)) return static_cast<uint64_t>(b);
  if (b == kOverflowBucket) return std::numeric_limits<uint64_t>::max();
  uint64_t shift = static_cast<uint64_t>(b) / kSubBuckets - 1;
  return Lower(b) + (uint64_t{1} << shift) - 1;
}

// ---------------------------------------------------------------------------
// HistogramData

void HistogramData::Clear() { *this = HistogramData(); }

void HistogramData::Add(uint64_t micros) {
  buckets[B::For(micros)]++;
  min = count == 0 ? micros : std::min(min, micros);
  max = count == 0 ? micros : std::max(max, micros);
  count++;
  sum += micros;
}

void HistogramData::Merge(const HistogramData& other) {
  if (other.count == 0) return;
  for (int b = 0; b < B::kNumBuckets; b++) buckets[b] += other.buckets[b];
  min = count == 0 ? other.min : std::min(min, other.min);
  max = count == 0 ? other.max : std::max(max, other.max);
  count += other.count;
  sum += other.sum;
}

double HistogramData::Percentile(double p) const {
  if (count == 0) return 0;
  if (!(p > 0)) return static_cast<double>(min);  // also NaN
  if (p >= 100) return static_cast<double>(max);
  const double rank = p / 100.0 * static_cast<double>(count);
  double before = 0;  // values in the buckets below b
  for (int b = 0; b < B::kNumBuckets; b++) {
    const double n = static_cast<double>(buckets[b]);
    if (n == 0) continue;
    if (before + n >= rank) {
      // Spread the bucket's values evenly over [lower, highest + 1).
      const double lower = static_cast<double>(B::Lower(b));
      const double end = b == B::kOverflowBucket ? static_cast<double>(max) + 1
                                                 : static_cast<double>(B::Highest(b)) + 1;
      double v = lower + (end - lower) * (rank - before) / n;
      v = std::max(v, static_cast<double>(min));
      v = std::min(v, static_cast<double>(max));
      return v;
    }
    before += n;
  }
  return static_cast<double>(max);  // count exceeds the buckets' total
}

double HistogramData::Average() const {
  return count == 0 ? 0.0 : static_cast<double>(sum) / static_cast<double>(count);
}

std::string HistogramData::ToString() const {
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "count=%llu avg=%.1f min=%llu p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%llu",
                static_cast<unsigned long long>(count), Average(),
                static_cast<unsigned long long>(min), Percentile(50), Percentile(90),
                Percentile(99), Percentile(99.9), static_cast<unsigned long long>(max));
  return buf;
}

// ---------------------------------------------------------------------------
// Histogram

void Histogram::Snapshot(HistogramData* data) const {
  data->count = 0;
  int first = -1, last = -1;
  for (int b = 0; b < B::kNumBuckets; b++) {
    uint64_t n = buckets_[b].load(std::memory_order_relaxed);
    data->buckets[b] = n;
    if (n == 0) continue;
    data->count += n;
    if (first < 0) first = b;
    last = b;
  }
  data->sum = sum_.load(std::memory_order_relaxed);
  if (data->count == 0) {
    data->min = data->max = 0;
    return;
  }
  // Adds racing this snapshot may have updated min/max but not yet their
  // bucket (or the reverse); keep min and max consistent with the buckets.
  data->min = std::clamp(min_.load(std::memory_order_relaxed), B::Lower(first), B::Highest(first));
  data->max = std::clamp(max_.load(std::memory_order_relaxed), B::Lower(last), B::Highest(last));
}

void Histogram::MergeInto(HistogramData* data) const {
  HistogramData mine;
  Snapshot(&mine);
  data->Merge(mine);
}

void Histogram::Clear() {
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  sum_.store(0, std::memory_order_relaxed);
  min_.store(std::numeric_limits<uint64_t>::max(), std::memory_order_relaxed);
  max_.store(0, std::memory_order_relaxed);
}

}  // namespace flowdb
