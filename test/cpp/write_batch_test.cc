#include "flowdb/write_batch.h"

#include <vector>

#include "db/memtable.h"
#include "db/write_batch_internal.h"
#include "test_util.h"

namespace flowdb {
namespace {

struct Collector : WriteBatch::Handler {
  std::vector<std::string> ops;
  void Put(std::string_view key, int64_t ts, std::string_view value, int64_t expire_at) override {
    ops.push_back("put(" + std::string(key) + "," + std::to_string(ts) + "," + std::string(value) +
                  (expire_at == kNoExpiry ? "" : "," + std::to_string(expire_at)) + ")");
  }
  void Delete(std::string_view key, int64_t ts) override {
    ops.push_back("del(" + std::string(key) + "," + std::to_string(ts) + ")");
  }
  void DeleteRange(std::string_view start, std::string_view end) override {
    ops.push_back("delrange(" + std::string(start) + "," + std::string(end) + ")");
  }
};

TEST(WriteBatchTest, EmptyBatch) {
  WriteBatch b;
  EXPECT_EQ(0u, b.Count());
  EXPECT_TRUE(b.empty());
  Collector c;
  ASSERT_OK(b.Iterate(&c));
  EXPECT_TRUE(c.ops.empty());
}

TEST(WriteBatchTest, AnEntryOverASizeLimitSpoilsTheBatch) {
  const std::string big_key(WriteBatch::kMaxKeySize + 1, 'k');
  const std::string max_key(WriteBatch::kMaxKeySize, 'k');
  for (int kind = 0; kind < 4; kind++) {
    SCOPED_TRACE(kind);
    WriteBatch b;
    b.Put("a", 1, "v");
    b.Put(max_key, 1, "at the limit is fine");
    EXPECT_FALSE(b.spoiled());
    if (kind == 0) b.Put(big_key, 1, "v");
    if (kind == 1) b.Delete(big_key, 1);
    if (kind == 2) b.DeleteRange("a", big_key);
    if (kind == 3) {
      WriteBatch other;
      other.Delete(big_key, 1);
      WriteBatchInternal::Append(&b, other);
    }
    EXPECT_TRUE(b.spoiled());
    EXPECT_EQ(2u, b.Count());  // the entry over the limit is left out
    Collector c;
    ASSERT_OK(b.Iterate(&c));  // and the rest stays well formed
    EXPECT_EQ(2u, c.ops.size());
    b.Clear();
    EXPECT_FALSE(b.spoiled());
  }
}

TEST(WriteBatchTest, IterateInOrder) {
  WriteBatch b;
  b.Put("a", 1, "x");
  b.Delete("b", -5);
  b.Put("c", INT64_MIN, "", 123);
  EXPECT_EQ(3u, b.Count());
  Collector c;
  ASSERT_OK(b.Iterate(&c));
  std::vector<std::string> want = {"put(a,1,x)", "del(b,-5)",
                                   "put(c," + std::to_string(INT64_MIN) + ",,123)"};
  EXPECT_EQ(want, c.ops);
}

TEST(WriteBatchTest, FromRepAcceptsOwnEncoding) {
  WriteBatch b;
  b.Put(std::string("k\0\xff", 3), 7, std::string(1000, 'v'));
  b.Delete("k", 8);
  WriteBatch copy;
  ASSERT_OK(WriteBatch::FromRep(b.Rep(), &copy));
  EXPECT_EQ(b.Rep(), copy.Rep());
}

TEST(WriteBatchTest, FromRepRejectsMalformedInput) {
  WriteBatch b;
  b.Put("key", 1, "value", 99);
  b.Delete("key", 2);
  const std::string good = b.Rep();
  WriteBatch out;
  // Every proper prefix is malformed (truncated entry or count mismatch).
  for (size_t n = 0; n < good.size(); n++) {
    EXPECT_TRUE(WriteBatch::FromRep(good.substr(0, n), &out).IsInvalidArgument()) << n;
  }
  std::string wrong_count = good;
  EncodeFixed32(wrong_count.data() + 8, 3);
  EXPECT_TRUE(WriteBatch::FromRep(wrong_count, &out).IsInvalidArgument());
  std::string bad_type = good;
  bad_type[12] = 0x7f;
  EXPECT_TRUE(WriteBatch::FromRep(bad_type, &out).IsInvalidArgument());
  EXPECT_TRUE(WriteBatch::FromRep(good + "x", &out).IsInvalidArgument());
  // A key longer than kMaxKeySize.
  std::string big(12, '\0');
  EncodeFixed32(big.data() + 8, 1);
  big.push_back(kTypeDeletion);
  PutVarint32(&big, WriteBatch::kMaxKeySize + 1);
  big.append(WriteBatch::kMaxKeySize + 1, 'k');
  PutFixed64(&big, 1);
  EXPECT_TRUE(WriteBatch::FromRep(big, &out).IsInvalidArgument());
  // A length varint that overflows.
  std::string overflow(12, '\0');
  EncodeFixed32(overflow.data() + 8, 1);
  overflow.push_back(kTypeDeletion);
  overflow.append("\xff\xff\xff\xff\xff\xff", 6);
  EXPECT_TRUE(WriteBatch::FromRep(overflow, &out).IsInvalidArgument());
}

TEST(WriteBatchTest, RandomBytesNeverCrash) {
  test::Random rnd(301);
  WriteBatch out;
  for (int i = 0; i < 5000; i++) {
    std::string rep = test::RandomBytes(&rnd, rnd.Uniform(64));
    if (rep.size() >= 12) EncodeFixed32(rep.data() + 8, static_cast<uint32_t>(rnd.Uniform(4)));
    Status s = WriteBatch::FromRep(rep, &out);
    EXPECT_TRUE(s.ok() || s.IsInvalidArgument());
  }
}

TEST(WriteBatchTest, AppendAndInsertIntoMemTable) {
  WriteBatch a, b;
  a.Put("x", 1, "one");
  b.Put("x", 1, "two");
  b.Delete("y", 2);
  WriteBatchInternal::Append(&a, b);
  EXPECT_EQ(3u, a.Count());
  WriteBatchInternal::SetSequence(&a, 100);
  MemTable mem;
  WriteBatchInternal::InsertInto(a, &mem);
  ValueType type;
  std::string value;
  int64_t exp;
  SequenceNumber seq;
  ASSERT_TRUE(mem.Get("x", 1, kMaxSequenceNumber, &type, &value, &exp, &seq));
  EXPECT_EQ("two", value);
  EXPECT_EQ(101u, seq);
  ASSERT_TRUE(mem.Get("x", 1, 100, &type, &value, &exp, &seq));
  EXPECT_EQ("one", value);
  ASSERT_TRUE(mem.Get("y", 2, kMaxSequenceNumber, &type, &value, &exp));
  EXPECT_EQ(kTypeDeletion, type);
}

}  // namespace
}  // namespace flowdb
