#include "db/memtable.h"

#include <thread>

#include "iterator_harness.h"
#include "test_util.h"

namespace flowdb {
namespace {

TEST(MemTableTest, GetSeesNewestVersionAtSnapshot) {
  MemTable mem(7);
  EXPECT_EQ(7u, mem.wal_number());
  EXPECT_TRUE(mem.empty());
  mem.Add(1, kTypeValue, "k", 10, "a", kNoExpiry);
  mem.Add(2, kTypeValueExpiring, "k", 10, "b", 5000);
  mem.Add(3, kTypeDeletion, "k", 10, "", kNoExpiry);
  mem.Add(4, kTypeValue, "k", 11, "c", kNoExpiry);
  EXPECT_EQ(4u, mem.NumEntries());

  ValueType type;
  std::string value;
  int64_t exp;
  ASSERT_TRUE(mem.Get("k", 10, kMaxSequenceNumber, &type, &value, &exp));
  EXPECT_EQ(kTypeDeletion, type);
  ASSERT_TRUE(mem.Get("k", 10, 2, &type, &value, &exp));
  EXPECT_EQ(kTypeValueExpiring, type);
  EXPECT_EQ("b", value);
  EXPECT_EQ(5000, exp);
  ASSERT_TRUE(mem.Get("k", 10, 1, &type, &value, &exp));
  EXPECT_EQ("a", value);
  EXPECT_EQ(kNoExpiry, exp);
  EXPECT_FALSE(mem.Get("k", 10, 0, &type, &value, &exp));
  EXPECT_FALSE(mem.Get("k", 12, kMaxSequenceNumber, &type, &value, &exp));
  EXPECT_FALSE(mem.Get("j", 10, kMaxSequenceNumber, &type, &value, &exp));
  // A key that is a prefix of another is a different key.
  mem.Add(5, kTypeValue, "kk", 10, "d", kNoExpiry);
  EXPECT_FALSE(mem.Get("", 10, kMaxSequenceNumber, &type, &value, &exp));
}

TEST(MemTableTest, IteratorMatchesModel) {
  for (uint64_t seed = 1; seed <= 20; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    test::Random rnd(seed);
    test::InternalKeyModel model = test::RandomInternalKeyModel(&rnd, 300, 4);
    MemTable mem;
    for (const auto& [ikey, value] : model) {
      ParsedInternalKey p;
      ASSERT_TRUE(ParseInternalKey(ikey, &p));
      std::string_view v;
      int64_t exp = kNoExpiry;
      ASSERT_TRUE(DecodeEntryValue(p.type, value, &v, &exp));
      mem.Add(p.sequence, p.type, p.user_key, p.ts, v, exp);
    }
    std::unique_ptr<Iterator> iter = mem.NewIterator();
    ASSERT_NO_FATAL_FAILURE(test::CheckIteratorAgainstModel(iter.get(), model, seed));
  }
}

// One writer and several readers at once: readers never see a torn entry and
// always find what was published before they looked.
TEST(MemTableTest, ConcurrentReadersDuringWrites) {
  MemTable mem;
  std::atomic<uint64_t> published{0};
  constexpr uint64_t kN = 20000;
  std::thread writer([&] {
    for (uint64_t i = 1; i <= kN; i++) {
      mem.Add(i, kTypeValue, "key" + std::to_string(i % 997), static_cast<int64_t>(i),
              std::to_string(i), kNoExpiry);
      published.store(i, std::memory_order_release);
    }
  });
  std::vector<std::thread> readers;
  std::atomic<int> errors{0};
  for (int r = 0; r < 3; r++) {
    readers.emplace_back([&, r] {
      test::Random rnd(r + 1);
      while (published.load(std::memory_order_acquire) < kN) {
        uint64_t upto = published.load(std::memory_order_acquire);
        if (upto == 0) continue;
        uint64_t i = 1 + rnd.Uniform(upto);
        ValueType type;
        std::string value;
        int64_t exp;
        if (!mem.Get("key" + std::to_string(i % 997), static_cast<int64_t>(i), kMaxSequenceNumber,
                     &type, &value, &exp) ||
            value != std::to_string(i)) {
          errors++;
        }
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(0, errors.load());
}

}  // namespace
}  // namespace flowdb
