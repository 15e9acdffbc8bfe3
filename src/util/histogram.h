// Latency histograms for engine statistics.
//
// Histogram is the recording side: Add is lock-free (one relaxed fetch_add on
// a bucket, one on the sum, and a load of min and max that only turns into a
// compare-exchange when the value is a new extreme), never allocates, and may
// be called from any number of threads at once. HistogramData is a plain
// copy of the counters taken by Snapshot, on which percentiles are computed.
//
// Buckets are log-linear over microseconds:
//
//   [0, 64)              64 buckets of width 1 (exact)
//   [2^e, 2^(e+1))       for e = 6..31: 32 buckets of width 2^(e-5)
//   [2^32, 2^64)         one overflow bucket (2^32 us is about 71.6 minutes)
//
// so there are kNumBuckets = 64 + 26 * 32 + 1 = 897 of them. Below 2^32 a
// bucket [L, L + w) has w <= L / 32: every value in it is within 1/32 of any
// other. Percentile finds the bucket holding the requested rank exactly and
// interpolates linearly inside it, so its result differs from the true
// (nearest-rank) percentile by at most the bucket width: at most 1 us below
// 64 us, at most 3.125% of the true value from 64 us to 2^32 us. Results are
// clamped to [min, max], which are exact. Percentiles that fall in the
// overflow bucket are interpolated between 2^32 and max and have no useful
// error bound.
//
// Thread safety: Histogram::Add, Snapshot, MergeInto and Clear may run
// concurrently. A Snapshot taken while Adds run reads each counter once, so
// count and sum may disagree by the Adds in flight; a Clear that races an Add
// may keep part of it (e.g. its bucket but not its sum). HistogramData is a
// value type: external synchronization for writes.

#ifndef FLOWDB_UTIL_HISTOGRAM_H_
#define FLOWDB_UTIL_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <limits>
#include <string>

namespace flowdb {

// The bucket layout shared by Histogram and HistogramData.
struct HistogramBuckets {
  // Bits of linear resolution per power of two: 2^kSubBits buckets per octave.
  static constexpr int kSubBits = 5;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBits;  // 32
  // Values below this get one bucket each.
  static constexpr uint64_t kExactLimit = 2 * kSubBuckets;  // 64
  // Values at or above this share the overflow bucket (~71.6 minutes in us).
  static constexpr uint64_t kOverflowLimit = uint64_t{1} << 32;
  static constexpr int kNumBuckets =
      static_cast<int>(kExactLimit + (32 - kSubBits - 1) * kSubBuckets + 1);  // 897
  static constexpr int kOverflowBucket = kNumBuckets - 1;

  // The bucket that holds `micros`.
  static int For(uint64_t micros) {
    if (micros < kExactLimit) return static_cast<int>(micros);
    if (micros >= kOverflowLimit) return kOverflowBucket;
    // micros has bit_width b >= 7; keep its top kSubBits + 1 bits.
    int shift = std::bit_width(micros) - 1 - kSubBits;
    return static_cast<int>(static_cast<uint64_t>(shift) * kSubBuckets + (micros >> shift));
  }
  // The smallest and the largest value bucket b holds.
  // REQUIRES: 0 <= b < kNumBuckets.
  static uint64_t Lower(int b);
  static uint64_t Highest(int b);
};

// A plain (non-atomic) copy of a histogram: counts per bucket plus count,
// sum, min and max of the recorded values, in microseconds.
struct HistogramData {
  // Number of values recorded.
  uint64_t count = 0;
  // Sum of the values, modulo 2^64 (wraps only after ~584,000 years of
  // recorded latency, or when huge values are recorded).
  uint64_t sum = 0;
  // Smallest and largest value recorded; both 0 when count == 0.
  uint64_t min = 0;
  uint64_t max = 0;
  std::array<uint64_t, HistogramBuckets::kNumBuckets> buckets{};

  // Resets to the empty histogram.
  void Clear();
  // Records one value (single-threaded; for building data by hand).
  void Add(uint64_t micros);
  // Adds every value recorded in `other` to this one.
  void Merge(const HistogramData& other);

  // The p-th percentile in microseconds, p in [0, 100] (values outside are
  // clamped; NaN counts as 0). Percentile(0) is min, Percentile(100) is max,
  // and an empty histogram returns 0. Error bound: see the top of this file.
  double Percentile(double p) const;
  double Median() const { return Percentile(50); }
  // sum / count, or 0 when empty.
  double Average() const;
  // One line, e.g. "count=10 avg=5.5 min=1 p50=5.0 p90=9.0 p99=10.0 max=10".
  std::string ToString() const;
};

// A histogram that many threads may record into at once. Never allocates:
// the buckets live inside the object (about 7 KiB).
class Histogram {
 public:
  Histogram() { Clear(); }
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Records one latency of `micros` microseconds. Lock-free, wait-free apart
  // from the min/max compare-exchange retried only while `micros` is a new
  // extreme.
  void Add(uint64_t micros) {
    buckets_[HistogramBuckets::For(micros)].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(micros, std::memory_order_relaxed);
    uint64_t cur = min_.load(std::memory_order_relaxed);
    while (micros < cur &&
           !min_.compare_exchange_weak(cur, micros, std::memory_order_relaxed)) {
    }
    cur = max_.load(std::memory_order_relaxed);
    while (micros > cur &&
           !max_.compare_exchange_weak(cur, micros, std::memory_order_relaxed)) {
    }
  }

  // Overwrites *data with the current counters.
  void Snapshot(HistogramData* data) const;
  // Adds the current counters to *data (e.g. to combine several histograms).
  void MergeInto(HistogramData* data) const;
  // Forgets every recorded value.
  void Clear();

 private:
  std::array<std::atomic<uint64_t>, HistogramBuckets::kNumBuckets> buckets_;
  // Kept off the buckets' cache lines: every Add touches these.
  alignas(64) std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> min_{std::numeric_limits<uint64_t>::max()};
  std::atomic<uint64_t> max_{0};
};

}  // namespace flowdb

#endif  // FLOWDB_UTIL_HISTOGRAM_H_
