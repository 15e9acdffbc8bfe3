// The inline byte comparisons of internal keys (db/dbformat.h) against the
// memcmp order they replace.

#include "db/dbformat.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace flowdb {
namespace {

int Sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

// The reference: user keys by memcmp then length, then the 8 ts bytes by memcmp.
int ReferenceRecordIdOrder(const std::string& a, const std::string& b) {
  std::string ua = a.substr(0, a.size() - 8), ub = b.substr(0, b.size() - 8);
  int r = Sign(ua.compare(ub));
  if (r != 0) return r;
  return Sign(std::memcmp(a.data() + ua.size(), b.data() + ub.size(), 8));
}

std::string RandomBytes(std::mt19937* rnd, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>((*rnd)() % 4 == 0 ? 0x80 + (*rnd)() % 128 : (*rnd)() % 3);
  return s;
}

TEST(DBFormatTest, CompareBytesIsMemcmpOrder) {
  std::mt19937 rnd(11);
  for (int i = 0; i < 50000; i++) {
    std::string a = RandomBytes(&rnd, rnd() % 40);
    std::string b = a.substr(0, rnd() % (a.size() + 1)) + RandomBytes(&rnd, rnd() % 12);
    if (rnd() % 2) std::swap(a, b);
    ASSERT_EQ(CompareBytes(a, b), Sign(a.compare(b))) << i;
    ASSERT_EQ(CompareBytes(b, a), Sign(b.compare(a))) << i;
    ASSERT_EQ(CompareBytes(a, a), 0);
  }
}

TEST(DBFormatTest, CompareRecordIdOrdersUserKeyThenTs) {
  std::mt19937 rnd(12);
  for (int i = 0; i < 50000; i++) {
    std::string ua = RandomBytes(&rnd, rnd() % 20);
    std::string ub = rnd() % 2 ? ua : ua.substr(0, rnd() % (ua.size() + 1)) + RandomBytes(&rnd, rnd() % 4);
    std::string a = ua + RandomBytes(&rnd, 8), b = ub + RandomBytes(&rnd, 8);
    ASSERT_EQ(CompareRecordId(a, b), ReferenceRecordIdOrder(a, b)) << i;
    ASSERT_EQ(CompareRecordId(b, a), ReferenceRecordIdOrder(b, a)) << i;
  }
}

}  // namespace
}  // namespace flowdb
