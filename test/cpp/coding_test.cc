#include "util/coding.h"

#include <limits>
#include <vector>

#include "test_util.h"

namespace flowdb {
namespace {

TEST(CodingTest, Fixed32RoundTripAndLayout) {
  std::string s;
  for (uint32_t v = 0; v < 100000; v++) PutFixed32(&s, v * 2654435761u);
  std::string_view in(s);
  for (uint32_t v = 0; v < 100000; v++) {
    uint32_t actual;
    ASSERT_TRUE(GetFixed32(&in, &actual));
    ASSERT_EQ(v * 2654435761u, actual);
  }
  EXPECT_TRUE(in.empty());
  std::string le;
  PutFixed32(&le, 0x04030201u);
  EXPECT_EQ(std::string("\x01\x02\x03\x04", 4), le);
}

TEST(CodingTest, Fixed64RoundTripAndLayout) {
  std::string s;
  std::vector<uint64_t> values;
  for (int power = 0; power <= 63; power++) {
    const uint64_t v = uint64_t{1} << power;
    values.insert(values.end(), {v - 1, v, v + 1});
  }
  for (uint64_t v : values) PutFixed64(&s, v);
  std::string_view in(s);
  for (uint64_t v : values) {
    uint64_t actual;
    ASSERT_TRUE(GetFixed64(&in, &actual));
    ASSERT_EQ(v, actual);
  }
  EXPECT_TRUE(in.empty());
  std::string le;
  PutFixed64(&le, 0x0807060504030201ull);
  EXPECT_EQ(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8), le);
}

TEST(CodingTest, FixedTruncated) {
  std::string_view in("abc");
  uint32_t v32;
  uint64_t v64;
  EXPECT_FALSE(GetFixed32(&in, &v32));
  in = std::string_view("abcdefg");
  EXPECT_FALSE(GetFixed64(&in, &v64));
}

TEST(CodingTest, Varint32RoundTrip) {
  std::string s;
  for (uint32_t i = 0; i < 32 * 32; i++) PutVarint32(&s, (i / 32) << (i % 32));
  std::string_view in(s);
  for (uint32_t i = 0; i < 32 * 32; i++) {
    const uint32_t expected = (i / 32) << (i % 32);
    const size_t before = in.size();
    uint32_t actual;
    ASSERT_TRUE(GetVarint32(&in, &actual));
    ASSERT_EQ(expected, actual);
    ASSERT_EQ(static_cast<size_t>(VarintLength(actual)), before - in.size());
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, Varint64RoundTrip) {
  std::vector<uint64_t> values = {0, 100, ~uint64_t{0}, ~uint64_t{0} - 1};
  for (int k = 0; k < 64; k++) {
    const uint64_t power = uint64_t{1} << k;
    values.insert(values.end(), {power, power - 1, power + 1});
  }
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  std::string_view in(s);
  for (uint64_t v : values) {
    const size_t before = in.size();
    uint64_t actual;
    ASSERT_TRUE(GetVarint64(&in, &actual));
    ASSERT_EQ(v, actual);
    ASSERT_EQ(static_cast<size_t>(VarintLength(actual)), before - in.size());
  }
  EXPECT_TRUE(in.empty());
  char buf[kMaxVarint64Length];
  EXPECT_EQ(kMaxVarint64Length, EncodeVarint64(buf, ~uint64_t{0}) - buf);
}

TEST(CodingTest, Varint32Overflow) {
  // Five bytes encoding 2^35 - 1: too large for 32 bits.
  const std::string input("\xff\xff\xff\xff\x7f", 5);
  uint32_t v;
  EXPECT_EQ(nullptr, GetVarint32Ptr(input.data(), input.data() + input.size(), &v));
  // A continuation bit on the fifth byte: longer than any varint32.
  const std::string too_long("\x81\x82\x83\x84\x85\x11", 6);
  EXPECT_EQ(nullptr, GetVarint32Ptr(too_long.data(), too_long.data() + too_long.size(), &v));
  // The largest value that fits is accepted.
  std::string max;
  PutVarint32(&max, std::numeric_limits<uint32_t>::max());
  std::string_view in(max);
  ASSERT_TRUE(GetVarint32(&in, &v));
  EXPECT_EQ(std::numeric_limits<uint32_t>::max(), v);
}

TEST(CodingTest, Varint64Overflow) {
  // Ten bytes whose last carries more than the 64th bit.
  const std::string input("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
  uint64_t v;
  EXPECT_EQ(nullptr, GetVarint64Ptr(input.data(), input.data() + input.size(), &v));
  // Eleven bytes: never valid.
  const std::string eleven("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 11);
  EXPECT_EQ(nullptr, GetVarint64Ptr(eleven.data(), eleven.data() + eleven.size(), &v));
}

TEST(CodingTest, VarintTruncated) {
  std::string s;
  PutVarint64(&s, uint64_t{1} << 40);
  for (size_t len = 0; len < s.size(); len++) {
    uint64_t v64;
    uint32_t v32;
    EXPECT_EQ(nullptr, GetVarint64Ptr(s.data(), s.data() + len, &v64)) << len;
    EXPECT_EQ(nullptr, GetVarint32Ptr(s.data(), s.data() + len, &v32)) << len;
    std::string_view in(s.data(), len);
    EXPECT_FALSE(GetVarint64(&in, &v64));
  }
  uint64_t v;
  ASSERT_NE(nullptr, GetVarint64Ptr(s.data(), s.data() + s.size(), &v));
  EXPECT_EQ(uint64_t{1} << 40, v);
}

TEST(CodingTest, LengthPrefixed) {
  std::string s;
  PutLengthPrefixed(&s, "");
  PutLengthPrefixed(&s, "foo");
  PutLengthPrefixed(&s, std::string(200, 'x'));
  std::string_view in(s), v;
  ASSERT_TRUE(GetLengthPrefixed(&in, &v));
  EXPECT_EQ("", v);
  ASSERT_TRUE(GetLengthPrefixed(&in, &v));
  EXPECT_EQ("foo", v);
  ASSERT_TRUE(GetLengthPrefixed(&in, &v));
  EXPECT_EQ(std::string(200, 'x'), v);
  EXPECT_TRUE(in.empty());

  // The length claims more bytes than remain.
  std::string bad;
  PutVarint32(&bad, 10);
  bad += "short";
  in = bad;
  EXPECT_FALSE(GetLengthPrefixed(&in, &v));
}

TEST(CodingTest, OrderedInt64PreservesOrder) {
  std::vector<int64_t> values = {std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::min() + 1,
                                 -1000000000000,
                                 -256,
                                 -255,
                                 -1,
                                 0,
                                 1,
                                 255,
                                 256,
                                 1700000000000000,
                                 std::numeric_limits<int64_t>::max() - 1,
                                 std::numeric_limits<int64_t>::max()};
  test::Random rnd(301);
  for (int i = 0; i < 1000; i++) values.push_back(static_cast<int64_t>(rnd.Next()));
  for (int64_t a : values) {
    char ea[8];
    EncodeOrderedInt64(ea, a);
    ASSERT_EQ(a, DecodeOrderedInt64(ea));
    for (int64_t b : values) {
      char eb[8];
      EncodeOrderedInt64(eb, b);
      const int bytes = std::memcmp(ea, eb, 8);
      const int numeric = a < b ? -1 : (a > b ? 1 : 0);
      ASSERT_EQ(numeric, bytes < 0 ? -1 : (bytes > 0 ? 1 : 0)) << a << " vs " << b;
    }
  }
  char e[8];
  EncodeOrderedInt64(e, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(std::string(8, '\0'), std::string(e, 8));
  EncodeOrderedInt64(e, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(std::string(8, '\xff'), std::string(e, 8));
}

}  // namespace
}  // namespace flowdb
