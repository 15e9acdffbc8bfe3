#include "util/histogram.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "test_util.h"

namespace flowdb {
namespace {

using B = HistogramBuckets;
constexpr uint64_t kMaxU64 = std::numeric_limits<uint64_t>::max();

// The nearest-rank p-th percentile of sorted values: the ceil(p/100 * n)-th
// smallest (rank computed as Percentile computes it).
uint64_t TruePercentile(const std::vector<uint64_t>& sorted, double p) {
  double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  size_t k = std::clamp<size_t>(static_cast<size_t>(rank), 1, sorted.size());
  return sorted[k - 1];
}

// The documented error bound for a true percentile value v.
double Bound(uint64_t v) { return std::max(1.0, static_cast<double>(v) / 32.0); }

// Checks Percentile against the exact percentiles of `values` over a sweep of
// p, and returns the largest relative error seen (for values >= 64).
double CheckPercentiles(const HistogramData& h, std::vector<uint64_t> values) {
  std::sort(values.begin(), values.end());
  double worst = 0;
  for (double p = 0.1; p < 100; p += 0.1) {
    uint64_t want = TruePercentile(values, p);
    double got = h.Percentile(p);
    EXPECT_LE(std::fabs(got - static_cast<double>(want)), Bound(want))
        << "p=" << p << " want=" << want << " got=" << got;
    if (want >= B::kExactLimit) {
      worst = std::max(worst, std::fabs(got - static_cast<double>(want)) / static_cast<double>(want));
    }
  }
  return worst;
}

TEST(HistogramTest, BucketLayout) {
  EXPECT_EQ(897, B::kNumBuckets);
  EXPECT_EQ(0u, B::Lower(0));
  for (int b = 0; b < B::kNumBuckets; b++) {
    SCOPED_TRACE(b);
    uint64_t lo = B::Lower(b), hi = B::Highest(b);
    ASSERT_LE(lo, hi);
    EXPECT_EQ(b, B::For(lo));
    EXPECT_EQ(b, B::For(hi));
    if (b + 1 < B::kNumBuckets) EXPECT_EQ(hi + 1, B::Lower(b + 1));
    if (lo < B::kExactLimit) {
      EXPECT_EQ(lo, hi);
    } else if (b != B::kOverflowBucket) {
      EXPECT_LE(hi - lo + 1, lo / 32);  // width <= 1/32 of the lower bound
      EXPECT_EQ(b, B::For(lo + (hi - lo) / 2));
    }
  }
  EXPECT_EQ(B::kOverflowLimit - 1, B::Highest(B::kOverflowBucket - 1));
  EXPECT_EQ(kMaxU64, B::Highest(B::kOverflowBucket));
  EXPECT_EQ(B::kOverflowBucket, B::For(kMaxU64));
  // One hour is below the overflow bucket.
  EXPECT_LT(B::For(3600ull * 1000 * 1000), B::kOverflowBucket);
}

TEST(HistogramTest, Empty) {
  Histogram h;
  HistogramData d;
  h.Snapshot(&d);
  EXPECT_EQ(0u, d.count);
  EXPECT_EQ(0u, d.sum);
  EXPECT_EQ(0u, d.min);
  EXPECT_EQ(0u, d.max);
  for (double p : {0.0, 1.0, 50.0, 99.0, 100.0}) EXPECT_EQ(0.0, d.Percentile(p)) << p;
  EXPECT_EQ(0.0, d.Average());
  EXPECT_EQ(0.0, HistogramData().Percentile(50));
}

TEST(HistogramTest, SingleValue) {
  for (uint64_t v : {uint64_t{0}, uint64_t{7}, uint64_t{1234}, uint64_t{987654321}}) {
    SCOPED_TRACE(v);
    Histogram h;
    h.Add(v);
    HistogramData d;
    h.Snapshot(&d);
    EXPECT_EQ(1u, d.count);
    EXPECT_EQ(v, d.sum);
    EXPECT_EQ(v, d.min);
    EXPECT_EQ(v, d.max);
    EXPECT_EQ(1u, d.buckets[B::For(v)]);
    // Interpolation is clamped to [min, max]: a single value is exact.
    for (double p : {0.0, 0.5, 50.0, 99.9, 100.0}) {
      EXPECT_EQ(static_cast<double>(v), d.Percentile(p)) << p;
    }
    EXPECT_EQ(static_cast<double>(v), d.Average());
  }
}

TEST(HistogramTest, PercentileArgumentIsClamped) {
  HistogramData d;
  for (uint64_t v = 1; v <= 100; v++) d.Add(v);
  EXPECT_EQ(1.0, d.Percentile(-5));
  EXPECT_EQ(1.0, d.Percentile(std::nan("")));
  EXPECT_EQ(100.0, d.Percentile(250));
  EXPECT_EQ(100.0, d.Percentile(100));
}

TEST(HistogramTest, Uniform1To10000) {
  Histogram h;
  std::vector<uint64_t> values;
  for (uint64_t v = 1; v <= 10000; v++) {
    h.Add(v);
    values.push_back(v);
  }
  HistogramData d;
  h.Snapshot(&d);
  EXPECT_EQ(10000u, d.count);
  EXPECT_EQ(10000u * 10001 / 2, d.sum);
  EXPECT_EQ(1u, d.min);
  EXPECT_EQ(10000u, d.max);
  EXPECT_DOUBLE_EQ(5000.5, d.Average());
  EXPECT_NEAR(5000, d.Percentile(50), Bound(5000));
  EXPECT_NEAR(9000, d.Percentile(90), Bound(9000));
  EXPECT_NEAR(9900, d.Percentile(99), Bound(9900));
  double worst = CheckPercentiles(d, values);
  RecordProperty("max_relative_error_ppm", static_cast<int>(worst * 1e6));
}

// Values spread over 1 us .. 1 hour, log-uniformly: many octaves, sparse
// buckets, so interpolation inside a bucket is far from the truth and the
// bucket width is what bounds the error.
TEST(HistogramTest, LogUniformWithinBound) {
  test::Random rnd(301);
  Histogram h;
  std::vector<uint64_t> values;
  for (int i = 0; i < 20000; i++) {
    double exponent = static_cast<double>(rnd.Uniform(1000000)) / 1e6 * std::log(3.6e9);
    uint64_t v = static_cast<uint64_t>(std::exp(exponent));
    h.Add(v);
    values.push_back(v);
  }
  HistogramData d;
  h.Snapshot(&d);
  double worst = CheckPercentiles(d, values);
  EXPECT_LE(worst, 1.0 / 32);
  RecordProperty("max_relative_error_ppm", static_cast<int>(worst * 1e6));
}

TEST(HistogramTest, HugeValues) {
  Histogram h;
  const uint64_t values[] = {B::kOverflowLimit - 1, B::kOverflowLimit, uint64_t{1} << 40,
                             kMaxU64, 5};
  uint64_t sum = 0;
  for (uint64_t v : values) {
    h.Add(v);
    sum += v;  // wraps, as the histogram's sum does
  }
  HistogramData d;
  h.Snapshot(&d);
  EXPECT_EQ(5u, d.count);
  EXPECT_EQ(sum, d.sum);
  EXPECT_EQ(5u, d.min);
  EXPECT_EQ(kMaxU64, d.max);
  EXPECT_EQ(3u, d.buckets[B::kOverflowBucket]);
  EXPECT_EQ(1u, d.buckets[B::kOverflowBucket - 1]);
  EXPECT_EQ(static_cast<double>(kMaxU64), d.Percentile(100));
  EXPECT_EQ(5.0, d.Percentile(0));
  EXPECT_NEAR(static_cast<double>(B::kOverflowLimit - 1), d.Percentile(40),
              Bound(B::kOverflowLimit - 1));
  // The overflow bucket interpolates between 2^32 and max, monotonically.
  double prev = 0;
  for (double p = 0; p <= 100; p += 0.5) {
    double v = d.Percentile(p);
    EXPECT_GE(v, prev) << p;
    EXPECT_GE(v, 5.0);
    EXPECT_LE(v, static_cast<double>(kMaxU64));
    prev = v;
  }
  EXPECT_GE(d.Percentile(61), static_cast<double>(B::kOverflowLimit));
}

TEST(HistogramTest, ConcurrentAddsAreExact) {
  constexpr int kThreads = 4;
  constexpr uint64_t kPerThread = 250000;
  Histogram h;
  std::atomic<bool> done{false};
  // A reader snapshots while the writers run: the snapshot must stay sane.
  std::thread reader([&] {
    HistogramData d;
    while (!done.load()) {
      h.Snapshot(&d);
      if (d.count == 0) continue;
      ASSERT_LE(d.min, d.max);
      double p50 = d.Percentile(50), p99 = d.Percentile(99);
      ASSERT_LE(static_cast<double>(d.min), p50);
      ASSERT_LE(p50, p99);
      ASSERT_LE(p99, static_cast<double>(d.max));
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; t++) {
    writers.emplace_back([&h, t] {
      for (uint64_t i = 0; i < kPerThread; i++) h.Add(t * 1000000 + i % 5000 + 1);
    });
  }
  for (auto& w : writers) w.join();
  done.store(true);
  reader.join();

  HistogramData d;
  h.Snapshot(&d);
  uint64_t want_sum = 0;
  for (int t = 0; t < kThreads; t++) {
    for (uint64_t i = 0; i < kPerThread; i++) want_sum += t * 1000000 + i % 5000 + 1;
  }
  EXPECT_EQ(kThreads * kPerThread, d.count);
  EXPECT_EQ(want_sum, d.sum);
  EXPECT_EQ(1u, d.min);
  EXPECT_EQ((kThreads - 1) * 1000000u + 5000, d.max);
}

TEST(HistogramTest, MergeEqualsRecordingEverything) {
  test::Random rnd(7);
  Histogram a, b;
  HistogramData all;
  for (int i = 0; i < 5000; i++) {
    uint64_t v = rnd.Uniform(100000);
    (i % 3 == 0 ? a : b).Add(v);
    all.Add(v);
  }
  HistogramData merged;
  a.MergeInto(&merged);
  b.MergeInto(&merged);
  EXPECT_EQ(all.count, merged.count);
  EXPECT_EQ(all.sum, merged.sum);
  EXPECT_EQ(all.min, merged.min);
  EXPECT_EQ(all.max, merged.max);
  EXPECT_TRUE(all.buckets == merged.buckets);
  EXPECT_EQ(all.Percentile(95), merged.Percentile(95));

  // Merging an empty histogram changes nothing; merging into an empty one copies.
  HistogramData empty, copy;
  merged.Merge(empty);
  EXPECT_EQ(all.min, merged.min);
  copy.Merge(merged);
  EXPECT_EQ(merged.min, copy.min);
  EXPECT_EQ(merged.max, copy.max);
  EXPECT_EQ(merged.count, copy.count);
}

TEST(HistogramTest, Clear) {
  Histogram h;
  for (uint64_t v = 100; v < 200; v++) h.Add(v);
  h.Clear();
  HistogramData d;
  h.Snapshot(&d);
  EXPECT_EQ(0u, d.count);
  EXPECT_EQ(0u, d.sum);
  EXPECT_EQ(0.0, d.Percentile(50));
  h.Add(3);
  h.Snapshot(&d);
  EXPECT_EQ(1u, d.count);
  EXPECT_EQ(3u, d.min);
  EXPECT_EQ(3u, d.max);

  d.Clear();
  EXPECT_EQ(0u, d.count);
  EXPECT_EQ(0u, d.buckets[3]);
}

TEST(HistogramTest, ToString) {
  HistogramData d;
  for (uint64_t v = 1; v <= 10; v++) d.Add(v);
  std::string s = d.ToString();
  EXPECT_NE(std::string::npos, s.find("count=10 ")) << s;
  EXPECT_NE(std::string::npos, s.find("avg=5.5 ")) << s;
  EXPECT_NE(std::string::npos, s.find("max=10")) << s;
}

}  // namespace
}  // namespace flowdb
