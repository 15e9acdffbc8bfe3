#include "table/block.h"

#include "iterator_harness.h"
#include "table/block_builder.h"
#include "test_util.h"

namespace flowdb {
namespace {

using test::InternalKeyModel;

std::string IKey(std::string_view user_key, int64_t ts, uint64_t seq = 1,
                 ValueType t = kTypeValue) {
  std::string k;
  AppendInternalKey(&k, user_key, ts, seq, t);
  return k;
}

std::string BuildContents(const InternalKeyModel& model, int restart_interval) {
  BlockBuilder builder(restart_interval);
  for (const auto& [key, value] : model) builder.Add(key, value);
  EXPECT_EQ(builder.CurrentSizeEstimate(), builder.Finish().size());
  return std::string(builder.Finish());
}

std::unique_ptr<Block> OpenBlock(std::string contents) {
  std::unique_ptr<Block> block;
  Status s = Block::Open(std::move(contents), &block);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return block;
}

TEST(BlockTest, EmptyBlock) {
  BlockBuilder builder(16);
  EXPECT_TRUE(builder.empty());
  std::unique_ptr<Block> block = OpenBlock(std::string(builder.Finish()));
  ASSERT_NE(nullptr, block);
  EXPECT_EQ(8u, block->size());  // one restart point and the count
  std::unique_ptr<Iterator> it = block->NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("a", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_OK(it->status());
}

// User keys shorter than 12 bytes, and shorter than 200: past the 64 bytes
// a block iterator keeps inline, long and short keys following each other.
TEST(BlockTest, HarnessOverRandomBlocks) {
  test::Random rnd(301);
  for (uint32_t max_key_len : {12u, 200u}) {
    for (int restart_interval : {1, 2, 16, 1000}) {
      for (int num_keys : {1, 2, 10, 300}) {
        SCOPED_TRACE("key length < " + std::to_string(max_key_len) + ", restart interval " +
                     std::to_string(restart_interval) + ", keys " + std::to_string(num_keys));
        const InternalKeyModel model =
            test::RandomInternalKeyModel(&rnd, num_keys, 4, max_key_len);
        std::unique_ptr<Block> block = OpenBlock(BuildContents(model, restart_interval));
        ASSERT_NE(nullptr, block);
        std::unique_ptr<Iterator> it = block->NewIterator();
        ASSERT_NO_FATAL_FAILURE(
            test::CheckIteratorAgainstModel(it.get(), model, rnd.Next(), 500));
      }
    }
  }
}

// Block::Get against the model, with targets that hit, miss, share
// prefixes with their neighbours and fall between restart points.
TEST(BlockTest, GetAgreesWithModel) {
  test::Random rnd(302);
  for (int restart_interval : {1, 2, 16, 1000}) {
    for (int num_keys : {1, 2, 10, 300}) {
      SCOPED_TRACE("restart interval " + std::to_string(restart_interval) + ", keys " +
                   std::to_string(num_keys));
      const InternalKeyModel model = test::RandomInternalKeyModel(&rnd, num_keys, 4);
      std::unique_ptr<Block> block = OpenBlock(BuildContents(model, restart_interval));
      ASSERT_NE(nullptr, block);
      std::vector<std::string> keys;
      for (const auto& e : model) keys.push_back(e.first);
      for (int i = 0; i < 500; i++) {
        const std::string target = test::RandomSeekTarget(&rnd, keys);
        const auto expected = test::ModelPointLookup(model, target);
        bool found;
        uint64_t tag = 0;
        std::string_view value;
        ASSERT_OK(block->Get(target, &found, &tag, &value));
        ASSERT_EQ(expected != model.end(), found);
        if (found) {
          EXPECT_EQ(ExtractTag(expected->first), tag);
          EXPECT_EQ(expected->second, value);
        }
      }
    }
  }
}

TEST(BlockTest, GetFindsVersionsOfOneRecord) {
  // Keys that differ only in their tag bytes share most of their prefix.
  InternalKeyModel model;
  for (uint64_t seq : {900, 600, 300, 256, 255, 3}) {
    model[IKey("series", 7, seq)] = std::to_string(seq);
  }
  model[IKey("series", 8, 1000)] = "next ts";
  model[IKey("seriet", 7, 5)] = "next key";
  std::unique_ptr<Block> block = OpenBlock(BuildContents(model, 3));
  const struct {
    std::string target;
    const char* value;  // null: not found
  } cases[] = {
      {SeekKey("series", 7), "900"},
      {SeekKey("series", 7, 900), "900"},
      {SeekKey("series", 7, 899), "600"},
      {SeekKey("series", 7, 256), "256"},
      {SeekKey("series", 7, 255), "255"},
      {SeekKey("series", 7, 254), "3"},
      {SeekKey("series", 7, 2), nullptr},  // older than every version
      {SeekKey("series", 6), nullptr},
      {SeekKey("series", 8), "next ts"},
      {SeekKey("serie", 7), nullptr},   // a prefix of a present key
      {SeekKey("seriesx", 7), nullptr},
      {SeekKey("seriet", 7), "next key"},
      {SeekKey("a", 7), nullptr},
      {SeekKey("z", 7), nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    bool found;
    uint64_t tag;
    std::string_view value;
    ASSERT_OK(block->Get(c.target, &found, &tag, &value));
    ASSERT_EQ(c.value != nullptr, found);
    if (found) EXPECT_EQ(c.value, value);
  }
  bool found;
  uint64_t tag;
  std::string_view value;
  EXPECT_TRUE(block->Get("short", &found, &tag, &value).IsInvalidArgument());
  EXPECT_FALSE(found);
}

TEST(BlockTest, PrefixCompressionAndRestarts) {
  InternalKeyModel model;
  for (int i = 0; i < 100; i++) model[IKey("sensor/temperature/room-42", i)] = "v";
  const std::string contents = BuildContents(model, 16);
  // Each entry after a restart stores only the differing suffix.
  EXPECT_LT(contents.size(), model.size() * (model.begin()->first.size() / 2));
  std::unique_ptr<Block> block = OpenBlock(contents);
  EXPECT_EQ(7u, block->num_restarts());  // entries 0, 16, 32, ..., 96
}

TEST(BlockTest, BuilderReset) {
  BlockBuilder builder(4);
  builder.Add(IKey("a", 1), "1");
  builder.Finish();
  builder.Reset();
  EXPECT_TRUE(builder.empty());
  builder.Add(IKey("b", 2), "2");
  std::unique_ptr<Block> block = OpenBlock(std::string(builder.Finish()));
  std::unique_ptr<Iterator> it = block->NewIterator();
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(IKey("b", 2), it->key());
  it->Next();
  EXPECT_FALSE(it->Valid());
}

TEST(BlockTest, SeekTargetMustBeInternalKey) {
  InternalKeyModel model;
  model[IKey("a", 1)] = "x";
  std::unique_ptr<Block> block = OpenBlock(BuildContents(model, 16));
  std::unique_ptr<Iterator> it = block->NewIterator();
  it->Seek("short");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsInvalidArgument());
  it->SeekToFirst();  // the error is cleared by the next seek
  EXPECT_TRUE(it->Valid());
  EXPECT_OK(it->status());
  it->SeekForPrev("short");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsInvalidArgument());
  it->SeekForPrev(IKey("b", 1));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(IKey("a", 1), it->key());
  EXPECT_OK(it->status());
}

TEST(BlockTest, OpenRejectsBadRestartArrays) {
  InternalKeyModel model;
  for (int i = 0; i < 40; i++) model[IKey("k" + std::to_string(i), i)] = "value";
  const std::string good = BuildContents(model, 4);  // 10 restart points
  const size_t n = good.size();
  std::unique_ptr<Block> block;

  EXPECT_TRUE(Block::Open("abc", &block).IsCorruption());
  EXPECT_TRUE(Block::Open("", &block).IsCorruption());

  std::string bad = good;
  EncodeFixed32(bad.data() + n - 4, 0);
  EXPECT_TRUE(Block::Open(bad, &block).IsCorruption());  // no restart points
  EncodeFixed32(bad.data() + n - 4, static_cast<uint32_t>(n));
  EXPECT_TRUE(Block::Open(bad, &block).IsCorruption());  // more than fit

  const size_t restarts = n - 4 - 10 * 4;
  bad = good;
  EncodeFixed32(bad.data() + restarts, 3);
  EXPECT_TRUE(Block::Open(bad, &block).IsCorruption());  // first is not 0
  bad = good;
  EncodeFixed32(bad.data() + restarts + 8, DecodeFixed32(good.data() + restarts + 4));
  EXPECT_TRUE(Block::Open(bad, &block).IsCorruption());  // not increasing
  bad = good;
  EncodeFixed32(bad.data() + restarts + 36, static_cast<uint32_t>(restarts));
  EXPECT_TRUE(Block::Open(bad, &block).IsCorruption());  // past the entries
  EXPECT_EQ(nullptr, block);
  ASSERT_OK(Block::Open(good, &block));
}

TEST(BlockTest, OpenRejectsRestartPointsInsideEntries) {
  // A block whose restart points increase and stay inside the entries, but
  // one of which falls inside an entry: only reachable past the SSTable's
  // checksum (a writer bug, or a crafted file with a recomputed crc). Walks
  // from that point read other entries than a forward walk does, so
  // backward reads disagreed with forward ones; Open must reject it.
  InternalKeyModel model;
  for (int i = 0; i < 40; i++) model[IKey("key" + std::to_string(100 + i), i)] = "value" + std::to_string(i);
  const std::string good = BuildContents(model, 4);  // 10 restart points
  const size_t n = good.size();
  const size_t restarts = n - 4 - 10 * 4;
  std::unique_ptr<Block> good_block;
  ASSERT_OK(Block::Open(good, &good_block));
  for (uint32_t i = 1; i < 10; i++) {
    const uint32_t at = DecodeFixed32(good.data() + restarts + 4 * i);
    for (uint32_t moved : {at - 1, at + 1, at + 7}) {
      SCOPED_TRACE("restart point " + std::to_string(i) + " moved to " + std::to_string(moved));
      std::string bad = good;
      EncodeFixed32(bad.data() + restarts + 4 * i, moved);
      std::unique_ptr<Block> block;
      Status s = Block::Open(bad, &block);
      ASSERT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_NE(s.ToString().find("restart point " + std::to_string(i) + " inside an entry"),
                std::string::npos)
          << s.ToString();
      EXPECT_EQ(nullptr, block);
    }
  }
}

// Builds a block from hand-written entries (no validation) with one
// restart point at 0.
std::string RawBlock(const std::string& entries) {
  std::string b = entries;
  PutFixed32(&b, 0);
  PutFixed32(&b, 1);
  return b;
}

std::string RawEntry(uint32_t shared, uint32_t non_shared, uint32_t value_len,
                     const std::string& bytes) {
  std::string e;
  PutVarint32(&e, shared);
  PutVarint32(&e, non_shared);
  PutVarint32(&e, value_len);
  return e + bytes;
}

TEST(BlockTest, CorruptEntriesGiveCorruption) {
  const std::string k1 = IKey("key1", 1);
  const std::string good = RawEntry(0, k1.size(), 1, k1 + "v");
  const struct {
    const char* what;
    std::string entries;
  } cases[] = {
      {"truncated header", good + "\x05"},
      {"overrun", good + RawEntry(0, 200, 1, k1)},
      {"value overrun", good + RawEntry(0, k1.size(), 1000, k1)},
      {"shared beyond previous key", good + RawEntry(k1.size() + 1, 1, 0, "x")},
      {"short key", good + RawEntry(0, 3, 0, "abc")},
      {"restart entry with shared prefix", RawEntry(2, k1.size(), 0, k1)},
      {"huge varint", good + std::string("\xff\xff\xff\xff\xff\xff", 6)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::unique_ptr<Block> block;
    Status open = Block::Open(RawBlock(c.entries), &block);
    if (!open.ok()) {
      // Open walks the entry headers to check the restart points: one that
      // does not decode or overruns the block is reported there.
      EXPECT_TRUE(open.IsCorruption()) << open.ToString();
      EXPECT_NE(std::string::npos, open.ToString().find("at offset")) << open.ToString();
      continue;
    }
    ASSERT_NE(nullptr, block);
    std::unique_ptr<Iterator> it = block->NewIterator();
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
    EXPECT_LE(n, 1);
    EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
    EXPECT_NE(std::string::npos, it->status().ToString().find("at offset")) << it->status().ToString();
    it->SeekToLast();
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(it->status().IsCorruption());
    // A lookup past the good entry walks into the damage.
    bool found;
    uint64_t tag;
    std::string_view value;
    Status s = block->Get(IKey("key2", 1), &found, &tag, &value);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(std::string::npos, s.ToString().find("at offset")) << s.ToString();
  }
}

// Random damage to valid blocks: every operation must terminate without
// crashing or reading out of bounds (run under ASan), and a damaged block
// either opens or reports Corruption.
TEST(BlockTest, RandomDamageNeverCrashes) {
  test::Random rnd(1234);
  for (int round = 0; round < 300; round++) {
    const InternalKeyModel model = test::RandomInternalKeyModel(&rnd, 20, 3);
    std::string contents = BuildContents(model, 1 + static_cast<int>(rnd.Uniform(5)));
    const int flips = 1 + static_cast<int>(rnd.Uniform(4));
    for (int f = 0; f < flips; f++) {
      contents[rnd.Uniform(contents.size())] = static_cast<char>(rnd.Uniform(256));
    }
    if (rnd.OneIn(4)) contents.resize(rnd.Uniform(contents.size()));
    std::unique_ptr<Block> block;
    Status s = Block::Open(contents, &block);
    if (!s.ok()) {
      EXPECT_TRUE(s.IsCorruption());
      continue;
    }
    std::unique_ptr<Iterator> it = block->NewIterator();
    int steps = 0;
    for (it->SeekToFirst(); it->Valid() && steps < 100000; it->Next()) steps++;
    ASSERT_LT(steps, 100000);
    for (it->SeekToLast(); it->Valid() && steps < 200000; it->Prev()) steps++;
    ASSERT_LT(steps, 200000);
    std::vector<std::string> keys;
    for (const auto& e : model) keys.push_back(e.first);
    for (int i = 0; i < 20; i++) {
      bool found;
      uint64_t tag;
      std::string_view value;
      s = block->Get(test::RandomSeekTarget(&rnd, keys), &found, &tag, &value);
      EXPECT_TRUE(s.ok() || s.IsCorruption()) << s.ToString();
      if (found) EXPECT_LE(value.size(), contents.size());
      it->Seek(test::RandomSeekTarget(&rnd, keys));
      for (int j = 0; j < 5 && it->Valid(); j++) {
        if (rnd.OneIn(2)) {
          it->Next();
        } else {
          it->Prev();
        }
      }
    }
  }
}

}  // namespace
}  // namespace flowdb
