#include "doc/key_codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "test_util.h"

namespace flowdb::doc {
namespace {

// IndexedDB "compare two keys", written from the spec's steps, independent of
// the codec: returns -1, 0 or 1.
int SpecCompare(const Key& a, const Key& b) {
  if (a.type != b.type) {
    auto rank = [](Key::Type t) {
      switch (t) {
        case Key::Type::kArray: return 4;
        case Key::Type::kBinary: return 3;
        case Key::Type::kString: return 2;
        case Key::Type::kDate: return 1;
        case Key::Type::kNumber: return 0;
      }
      return -1;
    };
    return rank(a.type) > rank(b.type) ? 1 : -1;
  }
  switch (a.type) {
    case Key::Type::kNumber:
    case Key::Type::kDate:
      if (a.number > b.number) return 1;
      if (a.number < b.number) return -1;
      return 0;
    case Key::Type::kString: {
      // "code unit less than": a prefix is less; else the first differing unit decides.
      size_t n = std::min(a.string.size(), b.string.size());
      for (size_t i = 0; i < n; i++) {
        if (a.string[i] != b.string[i]) return a.string[i] < b.string[i] ? -1 : 1;
      }
      if (a.string.size() == b.string.size()) return 0;
      return a.string.size() < b.string.size() ? -1 : 1;
    }
    case Key::Type::kBinary: {
      size_t n = std::min(a.binary.size(), b.binary.size());
      for (size_t i = 0; i < n; i++) {
        auto x = static_cast<uint8_t>(a.binary[i]), y = static_cast<uint8_t>(b.binary[i]);
        if (x != y) return x < y ? -1 : 1;
      }
      if (a.binary.size() == b.binary.size()) return 0;
      return a.binary.size() < b.binary.size() ? -1 : 1;
    }
    case Key::Type::kArray: {
      size_t n = std::min(a.array.size(), b.array.size());
      for (size_t i = 0; i < n; i++) {
        int c = SpecCompare(a.array[i], b.array[i]);
        if (c != 0) return c;
      }
      if (a.array.size() > b.array.size()) return 1;
      if (a.array.size() < b.array.size()) return -1;
      return 0;
    }
  }
  return 0;
}

std::string Enc(const Key& k) {
  std::string out;
  Status s = EncodeKey(k, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

int ByteCompare(const std::string& a, const std::string& b) {
  int c = a.compare(b);  // std::string compares as unsigned char
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

Key Num(double v) { return Key::Number(v); }
Key Str(std::u16string s) { return Key::String(std::move(s)); }
Key Bin(std::string b) { return Key::Binary(std::move(b)); }
Key Arr(std::vector<Key> e) { return Key::Array(std::move(e)); }

// A test-side WTF-8 writer: pairs as 4-byte sequences, lone surrogates as 3.
std::string ToWtf8(const std::u16string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    uint32_t cp = s[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      i++;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

class KeyGen {
 public:
  explicit KeyGen(uint64_t seed) : rnd_(seed) {}

  double Double() {
    static const double kSpecial[] = {
        0.0, -0.0, 1.0, -1.0, 2.5, 30.0, 42.0, 1000.0, -2.5, 0.1, -0.1,
        std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
        std::numeric_limits<double>::min(), -std::numeric_limits<double>::min(),
        std::numeric_limits<double>::denorm_min(), -std::numeric_limits<double>::denorm_min(),
        9007199254740992.0, 9007199254740993.0, -9007199254740992.0, 1e300, -1e-300};
    switch (rnd_.Uniform(4)) {
      case 0: return kSpecial[rnd_.Uniform(sizeof kSpecial / sizeof kSpecial[0])];
      case 1: return static_cast<double>(static_cast<int64_t>(rnd_.Uniform(21)) - 10);
      case 2: {
        double v;
        uint64_t bits = rnd_.Next();
        std::memcpy(&v, &bits, sizeof v);
        return std::isnan(v) ? 7.0 : v;
      }
      default:
        return (static_cast<double>(rnd_.Uniform(2000001)) - 1000000.0) / 64.0;
    }
  }

  char16_t Unit() {
    static const char16_t kUnits[] = {0x0000, 0x0001, u'a', u'b', 0x007F, 0x0080, 0x07FF, 0x0800,
                                      0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFFFE, 0xFFFF};
    if (rnd_.OneIn(4)) return static_cast<char16_t>(rnd_.Uniform(0x10000));
    return kUnits[rnd_.Uniform(sizeof kUnits / sizeof kUnits[0])];
  }

  std::u16string String() {
    std::u16string s;
    size_t n = rnd_.Uniform(6);
    for (size_t i = 0; i < n; i++) {
      if (rnd_.OneIn(5)) {  // a surrogate pair (a code point above U+FFFF)
        s += static_cast<char16_t>(0xD800 + rnd_.Uniform(0x400));
        s += static_cast<char16_t>(0xDC00 + rnd_.Uniform(0x400));
      } else {
        s += Unit();
      }
    }
    return s;
  }

  std::string Bytes() {
    static const char kBytes[] = {'\x00', '\x01', '\x7f', '\x80', '\xfe', '\xff', 'a'};
    std::string b;
    size_t n = rnd_.Uniform(6);
    for (size_t i = 0; i < n; i++) {
      b += rnd_.OneIn(3) ? static_cast<char>(rnd_.Uniform(256)) : kBytes[rnd_.Uniform(sizeof kBytes)];
    }
    return b;
  }

  Key Make(int depth = 0) {
    switch (rnd_.Uniform(depth < 3 ? 5 : 4)) {
      case 0: return Key::Number(Double());
      case 1: return Key::Date(Double());
      case 2: return Key::String(String());
      case 3: return Key::Binary(Bytes());
      default: {
        std::vector<Key> e;
        size_t n = rnd_.Uniform(4);
        for (size_t i = 0; i < n; i++) e.push_back(Make(depth + 1));
        return Key::Array(std::move(e));
      }
    }
  }

  // A key close to k: equal, a prefix or extension, or one part changed, so
  // that pairs often share long prefixes.
  Key Mutate(const Key& k) {
    Key m = k;
    switch (m.type) {
      case Key::Type::kNumber:
      case Key::Type::kDate:
        if (rnd_.OneIn(2)) m.number = std::nextafter(m.number, rnd_.OneIn(2) ? 1e308 : -1e308);
        break;
      case Key::Type::kString:
        if (!m.string.empty() && rnd_.OneIn(2)) m.string.pop_back(); else m.string += Unit();
        break;
      case Key::Type::kBinary:
        if (!m.binary.empty() && rnd_.OneIn(2)) m.binary.pop_back();
        else m.binary += static_cast<char>(rnd_.OneIn(2) ? 0 : rnd_.Uniform(256));
        break;
      case Key::Type::kArray:
        if (!m.array.empty() && rnd_.OneIn(2)) {
          size_t i = rnd_.Uniform(m.array.size());
          m.array[i] = rnd_.OneIn(2) ? Mutate(m.array[i]) : Make(2);
        } else if (!m.array.empty() && rnd_.OneIn(2)) {
          m.array.pop_back();
        } else {
          m.array.push_back(Make(2));
        }
        break;
    }
    return m;
  }

  test::Random* rnd() { return &rnd_; }

 private:
  test::Random rnd_;
};

TEST(KeyCodecTest, BytewiseOrderIsSpecOrderOnRandomKeys) {
  KeyGen gen(20261205);
  for (int i = 0; i < 200000; i++) {
    Key a = gen.Make();
    Key b = gen.rnd()->OneIn(2) ? gen.Mutate(a) : gen.Make();
    int want = SpecCompare(a, b);
    int got = ByteCompare(Enc(a), Enc(b));
    ASSERT_EQ(want, got) << "pair " << i;
    ASSERT_EQ(-want, ByteCompare(Enc(b), Enc(a))) << "pair " << i;
  }
}

TEST(KeyCodecTest, SortingEncodingsSortsKeysAsSpec) {
  KeyGen gen(7);
  std::vector<Key> keys;
  for (int i = 0; i < 3000; i++) keys.push_back(i % 3 ? gen.Mutate(keys.empty() ? gen.Make() : keys.back()) : gen.Make());
  std::vector<std::pair<std::string, size_t>> enc;
  for (size_t i = 0; i < keys.size(); i++) enc.emplace_back(Enc(keys[i]), i);
  std::sort(enc.begin(), enc.end());
  for (size_t i = 1; i < enc.size(); i++) {
    ASSERT_LE(SpecCompare(keys[enc[i - 1].second], keys[enc[i].second]), 0) << i;
  }
}

TEST(KeyCodecTest, RoundTripsRandomKeys) {
  KeyGen gen(99);
  for (int i = 0; i < 50000; i++) {
    Key k = gen.Make();
    std::string e = Enc(k);
    std::string_view in(e);
    Key d;
    ASSERT_OK(DecodeKey(&in, &d));
    ASSERT_TRUE(in.empty());
    ASSERT_TRUE(d == k) << i;
    ASSERT_EQ(e, Enc(d)) << i;  // the encoding is canonical
  }
}

TEST(KeyCodecTest, SkipKeyAndDecodeSplitConcatenations) {
  KeyGen gen(5);
  for (int i = 0; i < 20000; i++) {
    std::vector<Key> parts;
    std::string cat;
    size_t n = 1 + gen.rnd()->Uniform(4);
    for (size_t j = 0; j < n; j++) {
      parts.push_back(gen.Make());
      cat += Enc(parts.back());
    }
    std::string_view skip(cat), dec(cat);
    for (size_t j = 0; j < n; j++) {
      std::string_view before = skip;
      ASSERT_OK(SkipKey(&skip));
      ASSERT_EQ(Enc(parts[j]), std::string(before.substr(0, before.size() - skip.size())));
      Key d;
      ASSERT_OK(DecodeKey(&dec, &d));
      ASSERT_TRUE(d == parts[j]);
      ASSERT_EQ(skip.size(), dec.size());
    }
    ASSERT_TRUE(skip.empty());
  }
}

TEST(KeyCodecTest, Utf8InputEncodesAsItsUtf16Units) {
  KeyGen gen(11);
  for (int i = 0; i < 50000; i++) {
    std::u16string s = gen.String();
    std::string a, b;
    KeyEncoder ea(&a), eb(&b);
    ea.AddString(s);
    ASSERT_OK(eb.AddStringUtf8(ToWtf8(s)));
    ASSERT_EQ(a, b) << i;
  }
  // A surrogate pair given as two 3-byte sequences (CESU-8) is the same key
  // as its 4-byte UTF-8 form.
  std::string cesu, utf8;
  ASSERT_OK(KeyEncoder(&cesu).AddStringUtf8("\xED\xA0\x80\xED\xB0\x80"));
  ASSERT_OK(KeyEncoder(&utf8).AddStringUtf8("\xF0\x90\x80\x80"));
  EXPECT_EQ(cesu, utf8);
}

TEST(KeyCodecTest, InvalidUtf8IsAnInvalidKey) {
  const char* bad[] = {"\x80", "a\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE2\x82", "\xF0\x80\x80\x80",
                       "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xF0\x9F\x98", "\xC3"};
  for (const char* s : bad) {
    std::string out;
    Status st = KeyEncoder(&out).AddStringUtf8(s);
    EXPECT_TRUE(st.IsInvalidKey()) << st.ToString();
  }
}

TEST(KeyCodecTest, NumbersFollowValueNotSpelling) {
  EXPECT_EQ(Enc(Num(-0.0)), Enc(Num(0.0)));
  EXPECT_EQ(Enc(Num(30)), Enc(Num(30.0)));
  EXPECT_LT(Enc(Num(2.5)), Enc(Num(1000)));
  EXPECT_LT(Enc(Num(-1000)), Enc(Num(-2.5)));
  EXPECT_LT(Enc(Num(-std::numeric_limits<double>::infinity())), Enc(Num(std::numeric_limits<double>::lowest())));
  EXPECT_LT(Enc(Num(std::numeric_limits<double>::max())), Enc(Num(std::numeric_limits<double>::infinity())));
  EXPECT_LT(Enc(Num(-std::numeric_limits<double>::denorm_min())), Enc(Num(0)));
  EXPECT_LT(Enc(Num(0)), Enc(Num(std::numeric_limits<double>::denorm_min())));
  Key d;
  std::string e = Enc(Num(-0.0));
  std::string_view in(e);
  ASSERT_OK(DecodeKey(&in, &d));
  EXPECT_FALSE(std::signbit(d.number));
}

TEST(KeyCodecTest, NaNIsNotAKey) {
  std::string out;
  KeyEncoder enc(&out);
  EXPECT_TRUE(enc.AddNumber(std::nan("")).IsInvalidKey());
  EXPECT_TRUE(enc.AddDate(std::nan("")).IsInvalidKey());
  EXPECT_TRUE(EncodeKey(Arr({Num(1), Num(std::nan(""))}), &out).IsInvalidKey());
}

TEST(KeyCodecTest, TypesOrderNumberDateStringBinaryArray) {
  std::vector<std::string> e = {Enc(Num(std::numeric_limits<double>::infinity())),
                                Enc(Key::Date(-1e20)), Enc(Str(u"")), Enc(Bin("")), Enc(Arr({}))};
  EXPECT_TRUE(std::is_sorted(e.begin(), e.end()));
  EXPECT_NE(Enc(Num(42)), Enc(Str(u"42")));
  EXPECT_LT(Enc(Num(42)), Enc(Str(u"42")));
  EXPECT_NE(Enc(Num(5)), Enc(Key::Date(5)));
}

TEST(KeyCodecTest, StringsCompareByUtf16CodeUnits) {
  // U+FFFF is one unit 0xFFFF; U+10000 is 0xD800 0xDC00: U+10000 sorts first.
  std::string ffff, sup;
  ASSERT_OK(KeyEncoder(&ffff).AddStringUtf8("\xEF\xBF\xBF"));
  ASSERT_OK(KeyEncoder(&sup).AddStringUtf8("\xF0\x90\x80\x80"));
  EXPECT_LT(sup, ffff);
  EXPECT_EQ(sup, Enc(Str(u"\xD800\xDC00")));
  // Lone surrogates are keys and keep their unit order.
  EXPECT_LT(Enc(Str(std::u16string(1, 0xD800))), Enc(Str(std::u16string(1, 0xDC00))));
  EXPECT_LT(Enc(Str(std::u16string(1, 0xD7FF))), Enc(Str(std::u16string(1, 0xD800))));
  EXPECT_LT(Enc(Str(std::u16string(1, 0xDFFF))), Enc(Str(std::u16string(1, 0xE000))));
  // Prefixes first, also when the next unit is U+0000.
  EXPECT_LT(Enc(Str(u"")), Enc(Str(std::u16string(1, 0))));
  EXPECT_LT(Enc(Str(u"ab")), Enc(Str(u"abc")));
  EXPECT_LT(Enc(Str(u"a")), Enc(Str(std::u16string(u"a\0", 2))));
  EXPECT_LT(Enc(Str(std::u16string(u"a\0", 2))), Enc(Str(u"a\x01")));
  EXPECT_LT(Enc(Str(u"Z")), Enc(Str(u"a")));
  EXPECT_LT(Enc(Str(u"\x7F")), Enc(Str(u"\x80")));
  EXPECT_LT(Enc(Str(u"\x7FF")), Enc(Str(u"\x800")));
}

TEST(KeyCodecTest, BinaryWithZeroAndFFBytes) {
  std::vector<std::string> sorted = {std::string(), std::string(1, '\0'), std::string(2, '\0'),
                                     std::string("\0\xff", 2), std::string("\x01"),
                                     std::string("\xff"), std::string("\xff\x00", 2), std::string("\xff\xff")};
  for (size_t i = 1; i < sorted.size(); i++) EXPECT_LT(Enc(Bin(sorted[i - 1])), Enc(Bin(sorted[i]))) << i;
  for (const auto& b : sorted) {
    std::string e = Enc(Bin(b));
    std::string_view in(e);
    Key d;
    ASSERT_OK(DecodeKey(&in, &d));
    EXPECT_EQ(b, d.binary);
  }
}

TEST(KeyCodecTest, NestedArraysCompareElementWise) {
  EXPECT_LT(Enc(Arr({})), Enc(Arr({Num(-1e300)})));
  EXPECT_LT(Enc(Arr({Num(1)})), Enc(Arr({Num(1), Num(-5)})));
  EXPECT_LT(Enc(Arr({Num(1), Arr({})})), Enc(Arr({Num(1), Arr({Num(0)})})));
  EXPECT_LT(Enc(Arr({Arr({Str(u"a")})})), Enc(Arr({Arr({Str(u"a"), Num(0)})})));
  EXPECT_LT(Enc(Arr({Arr({Str(u"a"), Num(0)})})), Enc(Arr({Arr({Str(u"b")})})));
  EXPECT_LT(Enc(Arr({Str(u"a"), Str(u"b")})), Enc(Arr({Str(u"ab")})));
  EXPECT_LT(Enc(Arr({Bin(std::string(1, '\0'))})), Enc(Arr({Bin(std::string(1, '\0')), Num(0)})));
  // Any array sorts after any binary.
  EXPECT_LT(Enc(Bin(std::string(10, '\xff'))), Enc(Arr({})));
}

TEST(KeyCodecTest, NestingDepthIsBounded) {
  std::string out;
  KeyEncoder enc(&out);
  for (int i = 0; i < kMaxKeyDepth; i++) ASSERT_OK(enc.BeginArray());
  EXPECT_TRUE(enc.BeginArray().IsInvalidKey());
  for (int i = 0; i < kMaxKeyDepth; i++) enc.EndArray();
  std::string_view in(out);
  Key d;
  ASSERT_OK(DecodeKey(&in, &d));
  std::string_view skip(out);
  ASSERT_OK(SkipKey(&skip));
  EXPECT_TRUE(skip.empty());

  std::string deep(kMaxKeyDepth + 1, static_cast<char>(kKeyArray));
  deep += std::string(kMaxKeyDepth + 1, static_cast<char>(kKeyArrayEnd));
  in = deep;
  EXPECT_TRUE(DecodeKey(&in, &d).IsCorruption());
  in = deep;
  EXPECT_TRUE(SkipKey(&in).IsCorruption());
}

TEST(KeyCodecTest, MalformedBytesAreCorruption) {
  KeyGen gen(3);
  // Every proper prefix of a valid encoding is rejected by both readers.
  for (int i = 0; i < 2000; i++) {
    std::string e = Enc(gen.Make());
    for (size_t n = 0; n < e.size(); n++) {
      std::string_view a(e.data(), n), b(e.data(), n);
      Key d;
      ASSERT_FALSE(DecodeKey(&a, &d).ok()) << n;
      ASSERT_FALSE(SkipKey(&b).ok()) << n;
    }
  }
  auto decode = [](std::string bytes) {
    std::string_view in(bytes);
    Key d;
    return DecodeKey(&in, &d);
  };
  EXPECT_TRUE(decode("\x07").IsCorruption());                              // unknown tag
  EXPECT_TRUE(decode(std::string("\x00", 1)).IsCorruption());              // array end at top
  EXPECT_TRUE(decode(std::string("\x30" "a\x00\x01", 4)).IsCorruption());  // bad escape
  EXPECT_TRUE(decode(std::string("\x30\xC0\x80\x00\x00", 5)).IsCorruption());  // overlong unit
  EXPECT_TRUE(decode(std::string("\x30\xF0\x90\x80\x80\x00\x00", 7)).IsCorruption());  // 4-byte form
  EXPECT_TRUE(decode(std::string("\x10\x7f\xff\xff\xff\xff\xff\xff\xff", 9)).IsCorruption());  // -0
  EXPECT_TRUE(decode(std::string("\x10\xff\xf8\x00\x00\x00\x00\x00\x00", 9)).IsCorruption());  // NaN
}

}  // namespace
}  // namespace flowdb::doc
