#include "table/bloom.h"

#include <string>
#include <vector>

#include "test_util.h"
#include "util/coding.h"

namespace flowdb {
namespace {

std::string Key(uint32_t i) {
  std::string k;
  PutFixed32(&k, i);
  return k;
}

std::string Build(int bits_per_key, const std::vector<std::string>& keys) {
  BloomFilterBuilder builder(bits_per_key);
  for (const std::string& k : keys) builder.AddKey(k);
  return builder.Finish();
}

TEST(BloomTest, EmptyFilterMatchesNothing) {
  const std::string filter = Build(10, {});
  EXPECT_EQ(8u + 1, filter.size());  // the 64-bit minimum and k
  EXPECT_FALSE(BloomKeyMayMatch("hello", filter));
  EXPECT_FALSE(BloomKeyMayMatch("", filter));
}

TEST(BloomTest, SmallSet) {
  const std::string filter = Build(10, {"hello", "world", ""});
  EXPECT_TRUE(BloomKeyMayMatch("hello", filter));
  EXPECT_TRUE(BloomKeyMayMatch("world", filter));
  EXPECT_TRUE(BloomKeyMayMatch("", filter));
  EXPECT_FALSE(BloomKeyMayMatch("x", filter));
  EXPECT_FALSE(BloomKeyMayMatch("foo", filter));
}

TEST(BloomTest, ProbeCountFromBitsPerKey) {
  // k = round(0.69 * bits) clamped to [1, 30], stored in the last byte.
  const std::pair<int, int> cases[] = {{1, 1}, {2, 1}, {3, 2}, {10, 7}, {16, 11}, {43, 30}, {100, 30}};
  for (auto [bits, k] : cases) {
    EXPECT_EQ(k, Build(bits, {"a"}).back()) << bits;
  }
}

TEST(BloomTest, ConsecutiveDuplicatesCountOnce) {
  BloomFilterBuilder builder(10);
  for (int i = 0; i < 100; i++) {
    for (int version = 0; version < 5; version++) builder.AddKey(Key(i));
  }
  EXPECT_EQ(100u, builder.num_keys());
  const std::string filter = builder.Finish();
  std::vector<std::string> distinct;
  for (int i = 0; i < 100; i++) distinct.push_back(Key(i));
  EXPECT_EQ(Build(10, distinct), filter);
}

TEST(BloomTest, NoFalseNegativesAndLowFalsePositiveRate) {
  for (int n : {1, 10, 100, 1000, 10000}) {
    std::vector<std::string> keys;
    for (int i = 0; i < n; i++) keys.push_back(Key(i));
    const std::string filter = Build(10, keys);
    EXPECT_LE(filter.size(), static_cast<size_t>(n * 10 / 8 + 8 + 1 + 1)) << n;
    for (const std::string& k : keys) ASSERT_TRUE(BloomKeyMayMatch(k, filter)) << n;

    int false_positives = 0;
    constexpr int kProbes = 10000;
    for (int i = 0; i < kProbes; i++) {
      if (BloomKeyMayMatch(Key(i + 1000000000), filter)) false_positives++;
    }
    const double rate = static_cast<double>(false_positives) / kProbes;
    if (n == 10000) {
      EXPECT_LT(rate, 0.02);
    } else {
      EXPECT_LT(rate, 0.05) << n;  // tiny filters round up to 64 bits
    }
  }
}

TEST(BloomTest, RandomKeys) {
  test::Random rnd(301);
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; i++) keys.push_back(test::RandomKey(&rnd, 1 + rnd.Uniform(20)));
  const std::string filter = Build(10, keys);
  for (const std::string& k : keys) ASSERT_TRUE(BloomKeyMayMatch(k, filter));
}

TEST(BloomTest, MalformedFilterMayMatch) {
  EXPECT_TRUE(BloomKeyMayMatch("k", ""));
  EXPECT_TRUE(BloomKeyMayMatch("k", std::string(1, '\x07')));
  // k of 0 or above 30 is reserved: may match.
  EXPECT_TRUE(BloomKeyMayMatch("k", std::string(8, '\0') + '\0'));
  EXPECT_TRUE(BloomKeyMayMatch("k", std::string(8, '\0') + static_cast<char>(31)));
  EXPECT_TRUE(BloomKeyMayMatch("k", std::string(8, '\0') + '\xff'));
  // A well-formed all-zero filter does reject.
  EXPECT_FALSE(BloomKeyMayMatch("k", std::string(8, '\0') + '\x07'));
}

}  // namespace
}  // namespace flowdb
