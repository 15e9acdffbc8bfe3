#include "util/crc32c.h"

#include <cstring>
#include <string>

#include "test_util.h"

namespace flowdb::crc32c {

namespace {

// Bit-at-a-time reference, straight from the definition.
uint32_t ReferenceCrc(const char* data, size_t n) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    crc ^= static_cast<uint8_t>(data[i]);
    for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
  }
  return ~crc;
}

TEST(Crc32cTest, StandardVectors) {
  // From RFC 3720 (iSCSI), section B.4.
  char buf[32];
  std::memset(buf, 0, sizeof(buf));
  EXPECT_EQ(0x8a9136aau, Value(buf, sizeof(buf)));
  std::memset(buf, 0xff, sizeof(buf));
  EXPECT_EQ(0x62a8ab43u, Value(buf, sizeof(buf)));
  for (int i = 0; i < 32; i++) buf[i] = static_cast<char>(i);
  EXPECT_EQ(0x46dd794eu, Value(buf, sizeof(buf)));
  for (int i = 0; i < 32; i++) buf[i] = static_cast<char>(31 - i);
  EXPECT_EQ(0x113fdb5cu, Value(buf, sizeof(buf)));

  EXPECT_EQ(0xe3069283u, Value("123456789", 9));
  EXPECT_EQ(0u, Value("", 0));
  // The portable path, whichever one Extend uses here.
  EXPECT_EQ(0xe3069283u, ExtendPortable(0, "123456789", 9));
  EXPECT_EQ(0x113fdb5cu, ExtendPortable(0, buf, sizeof(buf)));
}

TEST(Crc32cTest, DifferentInputsDiffer) {
  EXPECT_NE(Value("a", 1), Value("foo", 3));
  EXPECT_NE(Value("foo", 3), Value("bar", 3));
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  const std::string s = "hello world, this spans several 8-byte words";
  for (size_t split = 0; split <= s.size(); split++) {
    EXPECT_EQ(Value(s.data(), s.size()),
              Extend(Value(s.data(), split), s.data() + split, s.size() - split))
        << split;
  }
}

TEST(Crc32cTest, MaskUnmask) {
  const uint32_t crc = Value("foo", 3);
  EXPECT_NE(crc, Mask(crc));
  EXPECT_NE(crc, Mask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Unmask(Mask(Mask(crc)))));
  test::Random rnd(7);
  for (int i = 0; i < 1000; i++) {
    const auto v = static_cast<uint32_t>(rnd.Next());
    ASSERT_EQ(v, Unmask(Mask(v)));
  }
}

TEST(Crc32cTest, ImplementationsAgreeOnRandomData) {
  RecordProperty("sse42", UsesSse42() ? "yes" : "no");
  test::Random rnd(301);
  const std::string data = test::RandomBytes(&rnd, 4096 + 64);
  for (int i = 0; i < 2000; i++) {
    // Random alignment, length and seed.
    const size_t start = rnd.Uniform(64);
    const size_t len = rnd.OneIn(4) ? rnd.Uniform(16) : rnd.Uniform(4096);
    const auto init = static_cast<uint32_t>(rnd.Next());
    const char* p = data.data() + start;
    const uint32_t portable = ExtendPortable(init, p, len);
    ASSERT_EQ(Extend(init, p, len), portable);
#if defined(__x86_64__)
    if (UsesSse42()) {
      ASSERT_EQ(ExtendSse42(init, p, len), portable);
    }
#endif
    ASSERT_EQ(ReferenceCrc(p, len), ExtendPortable(0, p, len));
  }
}

}  // namespace
}  // namespace flowdb::crc32c
