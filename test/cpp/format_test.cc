#include "table/format.h"

#include <lz4.h>

#include "string_file.h"
#include "test_util.h"
#include "util/crc32c.h"

namespace flowdb {
namespace {

using test::StringSource;

TEST(FormatTest, BlockHandleRoundTrip) {
  const BlockHandle handles[] = {{0, 0}, {1, 2}, {uint64_t{1} << 40, 16384}, {~uint64_t{0}, ~uint64_t{0}}};
  for (const BlockHandle& h : handles) {
    std::string s;
    h.EncodeTo(&s);
    EXPECT_LE(s.size(), BlockHandle::kMaxEncodedLength);
    s += "rest";
    std::string_view in(s);
    BlockHandle decoded;
    ASSERT_OK(decoded.DecodeFrom(&in));
    EXPECT_EQ(h.offset(), decoded.offset());
    EXPECT_EQ(h.size(), decoded.size());
    EXPECT_EQ("rest", in);
  }
  std::string s;
  BlockHandle(300, 300).EncodeTo(&s);
  for (size_t len = 0; len < s.size(); len++) {
    std::string_view in(s.data(), len);
    BlockHandle h;
    EXPECT_TRUE(h.DecodeFrom(&in).IsCorruption()) << len;
  }
}

TEST(FormatTest, IndexValueRoundTrip) {
  IndexValue v;
  v.handle = BlockHandle(12345, 678);
  v.min_ts = std::numeric_limits<int64_t>::min();
  v.max_ts = -5;
  v.num_entries = 99;
  std::string s;
  v.EncodeTo(&s);
  IndexValue d;
  ASSERT_OK(d.DecodeFrom(s));
  EXPECT_EQ(12345u, d.handle.offset());
  EXPECT_EQ(678u, d.handle.size());
  EXPECT_EQ(v.min_ts, d.min_ts);
  EXPECT_EQ(-5, d.max_ts);
  EXPECT_EQ(99u, d.num_entries);

  EXPECT_TRUE(d.DecodeFrom(s.substr(0, s.size() - 1)).IsCorruption());
  EXPECT_TRUE(d.DecodeFrom(s + "x").IsCorruption());
  std::swap(v.min_ts, v.max_ts);
  s.clear();
  v.EncodeTo(&s);
  EXPECT_TRUE(d.DecodeFrom(s).IsCorruption());  // min_ts > max_ts
}

std::string EncodedFooter() {
  Footer f;
  f.index_handle = BlockHandle(100, 50);
  f.filter_handle = BlockHandle(10, 20);
  f.properties_handle = BlockHandle(35, 60);
  std::string s;
  f.EncodeTo(&s);
  return s;
}

TEST(FormatTest, FooterRoundTrip) {
  const std::string s = EncodedFooter();
  ASSERT_EQ(Footer::kEncodedLength, s.size());
  EXPECT_EQ(kTableMagic, DecodeFixed64(s.data() + s.size() - 8));
  Footer f;
  ASSERT_OK(f.DecodeFrom(s));
  EXPECT_EQ(100u, f.index_handle.offset());
  EXPECT_EQ(50u, f.index_handle.size());
  EXPECT_EQ(10u, f.filter_handle.offset());
  EXPECT_EQ(20u, f.filter_handle.size());
  EXPECT_EQ(35u, f.properties_handle.offset());
  EXPECT_EQ(60u, f.properties_handle.size());
  EXPECT_EQ(kTableFormatVersion, f.format_version);
}

TEST(FormatTest, FooterErrors) {
  Footer f;
  std::string s = EncodedFooter();
  s[63] ^= 1;
  Status st = f.DecodeFrom(s);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(std::string::npos, st.ToString().find("bad magic")) << st.ToString();

  s = EncodedFooter();
  EncodeFixed32(s.data() + 48, 2);
  st = f.DecodeFrom(s);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(std::string::npos, st.ToString().find("unsupported format version 2")) << st.ToString();

  // Every other byte is covered by the footer checksum.
  for (size_t i = 0; i < 48; i++) {
    s = EncodedFooter();
    s[i] ^= 0x10;
    st = f.DecodeFrom(s);
    EXPECT_TRUE(st.IsCorruption()) << i;
    EXPECT_NE(std::string::npos, st.ToString().find("checksum")) << st.ToString();
  }
  EXPECT_TRUE(f.DecodeFrom(EncodedFooter().substr(1)).IsCorruption());
}

// Writes blocks to a string and reads them back.
class BlockIoTest : public testing::Test {
 protected:
  BlockHandle Append(std::string_view raw, Compression c) {
    std::string encoded;
    EncodeBlock(raw, c, &encoded);
    BlockHandle h(file_.size(), encoded.size() - kBlockTrailerSize);
    file_ += encoded;
    return h;
  }
  // Appends stored bytes with a valid trailer of the given type.
  BlockHandle AppendStored(std::string_view stored, char type) {
    BlockHandle h(file_.size(), stored.size());
    file_.append(stored.data(), stored.size());
    const uint32_t crc = crc32c::Extend(crc32c::Value(stored.data(), stored.size()), &type, 1);
    file_.push_back(type);
    PutFixed32(&file_, crc32c::Mask(crc));
    return h;
  }
  Status Read(const BlockHandle& h, std::string* out) {
    StringSource source(file_);
    return ReadBlock(&source, h, out);
  }

  std::string file_;
};

TEST_F(BlockIoTest, RoundTripsBothTypes) {
  test::Random rnd(301);
  const std::string compressible(5000, 'a');
  const std::string incompressible = test::RandomBytes(&rnd, 5000);
  const BlockHandle h1 = Append(compressible, Compression::kLZ4);
  const BlockHandle h2 = Append(incompressible, Compression::kLZ4);
  const BlockHandle h3 = Append(compressible, Compression::kNone);
  const BlockHandle h4 = Append("", Compression::kLZ4);
  EXPECT_LT(h1.size(), 100u);                       // compressed
  EXPECT_EQ(incompressible.size(), h2.size());      // stored raw: lz4 saved nothing
  EXPECT_EQ(compressible.size(), h3.size());
  EXPECT_EQ(kBlockLZ4, file_[h1.offset() + h1.size()]);
  EXPECT_EQ(kBlockRaw, file_[h2.offset() + h2.size()]);
  std::string out;
  ASSERT_OK(Read(h1, &out));
  EXPECT_EQ(compressible, out);
  ASSERT_OK(Read(h2, &out));
  EXPECT_EQ(incompressible, out);
  ASSERT_OK(Read(h3, &out));
  EXPECT_EQ(compressible, out);
  ASSERT_OK(Read(h4, &out));
  EXPECT_EQ("", out);
}

TEST_F(BlockIoTest, CompressionMustSaveAnEighth) {
  // Data lz4 shrinks by less than 1/8 is stored raw; data it shrinks by
  // more is stored compressed.
  test::Random rnd(5);
  std::string mostly_random = test::RandomBytes(&rnd, 8000) + std::string(800, 'z');
  BlockHandle h = Append(mostly_random, Compression::kLZ4);
  EXPECT_EQ(kBlockRaw, file_[h.offset() + h.size()]);  // saves < 1/8
  std::string quarter_random = test::RandomBytes(&rnd, 2000) + std::string(6000, 'z');
  h = Append(quarter_random, Compression::kLZ4);
  EXPECT_EQ(kBlockLZ4, file_[h.offset() + h.size()]);
}

TEST_F(BlockIoTest, EveryFlippedByteIsDetected) {
  const BlockHandle h = Append(std::string(3000, 'q') + "tail", Compression::kLZ4);
  const std::string good = file_;
  for (size_t i = 0; i < good.size(); i++) {
    file_ = good;
    file_[i] ^= 0x01;
    std::string out;
    Status s = Read(h, &out);
    ASSERT_TRUE(s.IsCorruption()) << i;
    EXPECT_NE(std::string::npos, s.ToString().find("block at offset 0")) << s.ToString();
  }
}

TEST_F(BlockIoTest, TruncatedFile) {
  const BlockHandle h = Append("some block contents", Compression::kNone);
  file_.resize(file_.size() - 1);
  std::string out;
  Status s = Read(h, &out);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(std::string::npos, s.ToString().find("truncated")) << s.ToString();
}

TEST_F(BlockIoTest, MalformedLZ4WithValidChecksum) {
  // The checksum passes but the payload is garbage: the decoder must reject
  // it without reading or writing out of bounds.
  std::string garbage;
  PutVarint32(&garbage, 1000);
  garbage += std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x00\x01", 10);
  const BlockHandle h1 = AppendStored(garbage, kBlockLZ4);

  // A valid lz4 payload whose declared length is wrong.
  const std::string raw(600, 'r');
  std::string compressed(LZ4_compressBound(raw.size()), '\0');
  const int n = LZ4_compress_default(raw.data(), compressed.data(), raw.size(), compressed.size());
  ASSERT_GT(n, 0);
  compressed.resize(n);
  std::string short_length, long_length;
  PutVarint32(&short_length, 599);
  PutVarint32(&long_length, 601);
  const BlockHandle h2 = AppendStored(short_length + compressed, kBlockLZ4);
  const BlockHandle h3 = AppendStored(long_length + compressed, kBlockLZ4);

  // An absurd declared length is rejected before allocating.
  std::string absurd;
  PutVarint32(&absurd, 0xffffffffu);
  const BlockHandle h4 = AppendStored(absurd + compressed, kBlockLZ4);
  // No length at all.
  const BlockHandle h5 = AppendStored("", kBlockLZ4);
  // An unknown type byte.
  const BlockHandle h6 = AppendStored("abc", 7);

  for (const BlockHandle& h : {h1, h2, h3, h4, h5, h6}) {
    std::string out;
    Status s = Read(h, &out);
    EXPECT_TRUE(s.IsCorruption()) << h.offset();
    EXPECT_NE(std::string::npos,
              s.ToString().find("block at offset " + std::to_string(h.offset())))
        << s.ToString();
  }
  std::string good_length;
  PutVarint32(&good_length, 600);
  const BlockHandle ok = AppendStored(good_length + compressed, kBlockLZ4);
  std::string out;
  ASSERT_OK(Read(ok, &out));
  EXPECT_EQ(raw, out);
}

TEST_F(BlockIoTest, HugeHandleIsRejected) {
  Append("x", Compression::kNone);
  std::string out;
  EXPECT_TRUE(Read(BlockHandle(0, kMaxBlockSize + 1), &out).IsCorruption());
}

TEST_F(BlockIoTest, ReadErrorPassesThrough) {
  test::FailingSource source;
  std::string out;
  Status s = ReadBlock(&source, BlockHandle(0, 10), &out);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
}

}  // namespace
}  // namespace flowdb
