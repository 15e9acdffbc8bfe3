#include "util/hash.h"

#include <bit>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace flowdb {
namespace {

uint64_t HashOf(const std::string& s, uint64_t seed = 0) {
  return Hash64(s.data(), s.size(), seed);
}

// Bloom filters persist Hash64's output: these values may never change
// without a new filter format.
TEST(HashTest, GoldenValues) {
  EXPECT_EQ(0xa538057512f5fc98ull, HashOf(""));
  EXPECT_EQ(0x0e3b24ca63ac3089ull, HashOf("a"));
  EXPECT_EQ(0x11be0c3de7089c93ull, HashOf("abc"));
  EXPECT_EQ(0x29861c62b93476caull, HashOf("12345678"));
  EXPECT_EQ(0x7afffe13aafc1599ull, HashOf("123456789"));
  EXPECT_EQ(0x2c2cee094c2e33f2ull, HashOf("hello world, FlowDB!"));
  EXPECT_EQ(0x66216048844ea5ebull, HashOf("abc", 1));
}

TEST(HashTest, TrailingZerosAndSeedMatter) {
  std::set<uint64_t> seen;
  std::string s;
  for (int len = 0; len <= 32; len++) {
    EXPECT_TRUE(seen.insert(HashOf(s)).second) << len;
    s.push_back('\0');
  }
  EXPECT_NE(HashOf("key", 0), HashOf("key", 1));
}

TEST(HashTest, NoCollisionsOnSimilarKeys) {
  std::set<uint64_t> seen;
  for (int i = 0; i < 100000; i++) {
    ASSERT_TRUE(seen.insert(HashOf("user:" + std::to_string(i))).second) << i;
  }
}

// Flipping any one input bit flips each output bit with probability ~1/2.
TEST(HashTest, Avalanche) {
  test::Random rnd(301);
  for (size_t len : {1, 3, 8, 13, 16, 40}) {
    SCOPED_TRACE("length " + std::to_string(len));
    std::vector<int> flips(64, 0);
    int trials = 0;
    for (int sample = 0; sample < 200; sample++) {
      std::string input = test::RandomBytes(&rnd, len);
      const uint64_t base = HashOf(input);
      for (size_t bit = 0; bit < len * 8; bit++) {
        input[bit / 8] ^= static_cast<char>(1 << (bit % 8));
        const uint64_t diff = base ^ HashOf(input);
        input[bit / 8] ^= static_cast<char>(1 << (bit % 8));
        for (int out = 0; out < 64; out++) flips[out] += (diff >> out) & 1;
        trials++;
      }
    }
    for (int out = 0; out < 64; out++) {
      const double p = static_cast<double>(flips[out]) / trials;
      EXPECT_GT(p, 0.45) << "output bit " << out;
      EXPECT_LT(p, 0.55) << "output bit " << out;
    }
  }
}

// Low bits, used for bucket and shard selection, spread evenly.
TEST(HashTest, BucketsAreEven) {
  constexpr int kBuckets = 64;
  constexpr int kKeys = 64000;
  std::vector<int> counts(kBuckets, 0);
  for (int i = 0; i < kKeys; i++) counts[HashOf(std::to_string(i)) % kBuckets]++;
  for (int c : counts) {
    EXPECT_GT(c, kKeys / kBuckets * 8 / 10);
    EXPECT_LT(c, kKeys / kBuckets * 12 / 10);
  }
}

}  // namespace
}  // namespace flowdb
