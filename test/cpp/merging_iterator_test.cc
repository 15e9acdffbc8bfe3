#include "table/merging_iterator.h"

#include <algorithm>

#include "iterator_harness.h"
#include "string_file.h"
#include "table/block.h"
#include "table/block_builder.h"
#include "table/block_cache.h"
#include "table/table.h"
#include "table/table_builder.h"
#include "test_util.h"

namespace flowdb {
namespace {

using test::InternalKeyModel;

std::string IKey(std::string_view user_key, int64_t ts, uint64_t seq = 1) {
  std::string k;
  AppendInternalKey(&k, user_key, ts, seq, kTypeValue);
  return k;
}

std::unique_ptr<Table> MakeTable(const InternalKeyModel& model, uint64_t id, BlockCache* cache) {
  TableOptions options;
  options.block_size = 200;
  test::StringSink sink;
  TableBuilder builder(options, &sink);
  for (const auto& [k, v] : model) builder.Add(k, v);
  EXPECT_OK(builder.Finish());
  std::unique_ptr<Table> table;
  EXPECT_OK(Table::Open(TableReadOptions(), std::make_unique<test::StringSource>(sink.contents),
                        sink.contents.size(), id, cache, &table));
  return table;
}

// Owns blocks built from models; their iterators point into them.
class BlockSet {
 public:
  std::unique_ptr<Iterator> Add(const InternalKeyModel& model) {
    BlockBuilder builder(3);
    for (const auto& [k, v] : model) builder.Add(k, v);
    std::unique_ptr<Block> block;
    EXPECT_OK(Block::Open(std::string(builder.Finish()), &block));
    blocks_.push_back(std::move(block));
    return blocks_.back()->NewIterator();
  }

 private:
  std::vector<std::unique_ptr<Block>> blocks_;
};

TEST(MergingIteratorTest, NoChildrenAndOneChild) {
  std::unique_ptr<Iterator> empty = NewMergingIterator({});
  empty->SeekToFirst();
  EXPECT_FALSE(empty->Valid());
  EXPECT_OK(empty->status());

  BlockSet blocks;
  InternalKeyModel model = {{IKey("a", 1), "x"}, {IKey("b", 2), "y"}};
  std::vector<std::unique_ptr<Iterator>> one;
  one.push_back(blocks.Add(model));
  Iterator* child = one[0].get();
  std::unique_ptr<Iterator> merged = NewMergingIterator(std::move(one));
  EXPECT_EQ(child, merged.get());
  ASSERT_NO_FATAL_FAILURE(test::CheckIteratorAgainstModel(merged.get(), model, 1, 100));
}

// The harness over a merge of several tables (and an empty one) that
// partition a random model.
TEST(MergingIteratorTest, HarnessOverTables) {
  test::Random rnd(301);
  for (int round = 0; round < 6; round++) {
    const InternalKeyModel model = test::RandomInternalKeyModel(&rnd, 300, 4);
    const int num_tables = 2 + static_cast<int>(rnd.Uniform(6));
    std::vector<InternalKeyModel> parts(num_tables);
    for (const auto& entry : model) parts[rnd.Uniform(num_tables)].insert(entry);
    parts.emplace_back();  // an empty table
    BlockCache cache(1 << 20);
    std::vector<std::unique_ptr<Table>> tables;
    std::vector<std::unique_ptr<Iterator>> children;
    for (size_t i = 0; i < parts.size(); i++) {
      tables.push_back(MakeTable(parts[i], i + 1, &cache));
      ASSERT_NE(nullptr, tables.back());
      children.push_back(tables.back()->NewIterator(ReadOptions()));
    }
    std::unique_ptr<Iterator> merged = NewMergingIterator(std::move(children));
    ASSERT_NO_FATAL_FAILURE(test::CheckIteratorAgainstModel(merged.get(), model, rnd.Next(), 2000));
  }
}

// Interleaved children: every key alternates between them, so every Next
// and Prev changes child.
TEST(MergingIteratorTest, HarnessOverInterleavedBlocks) {
  InternalKeyModel model, even, odd;
  for (int i = 0; i < 200; i++) {
    const std::string k = IKey("key", i / 4, 100 - i % 4);
    model[k] = std::to_string(i);
    (i % 2 == 0 ? even : odd)[k] = std::to_string(i);
  }
  BlockSet blocks;
  std::vector<std::unique_ptr<Iterator>> children;
  children.push_back(blocks.Add(even));
  children.push_back(blocks.Add({}));
  children.push_back(blocks.Add(odd));
  std::unique_ptr<Iterator> merged = NewMergingIterator(std::move(children));
  ASSERT_NO_FATAL_FAILURE(test::CheckIteratorAgainstModel(merged.get(), model, 7, 3000));
}

// Equal keys in several children are all returned, ordered by child, and
// direction switches keep that order exactly. Checked against a vector of
// (key, child) in merged order.
TEST(MergingIteratorTest, DuplicateKeysAcrossChildren) {
  test::Random rnd(42);
  constexpr int kChildren = 3;
  std::vector<InternalKeyModel> parts(kChildren);
  std::vector<std::pair<std::string, std::string>> expected;  // key, value
  for (int i = 0; i < 60; i++) {
    const std::string k = IKey("dup", i);
    for (int c = 0; c < kChildren; c++) {
      if (rnd.OneIn(2)) {
        const std::string v = "child" + std::to_string(c) + "/" + std::to_string(i);
        parts[c][k] = v;
        expected.emplace_back(k, v);
      }
    }
  }
  BlockSet blocks;
  std::vector<std::unique_ptr<Iterator>> children;
  for (const auto& part : parts) children.push_back(blocks.Add(part));
  std::unique_ptr<Iterator> it = NewMergingIterator(std::move(children));

  const size_t end = expected.size();
  size_t pos = end;
  for (int step = 0; step < 5000; step++) {
    const uint64_t op = rnd.Uniform(6);
    if (op == 0 || pos == end) {
      const std::string target = IKey("dup", static_cast<int64_t>(rnd.Uniform(62)));
      it->Seek(target);
      pos = std::lower_bound(expected.begin(), expected.end(), target,
                             [](const auto& e, const std::string& t) {
                               return InternalKeyComparator::Compare(e.first, t) < 0;
                             }) -
            expected.begin();
    } else if (op == 1) {
      it->SeekToLast();
      pos = expected.empty() ? end : end - 1;
    } else if (op <= 3) {
      it->Next();
      pos++;
    } else {
      it->Prev();
      pos = pos == 0 ? end : pos - 1;
    }
    ASSERT_OK(it->status());
    ASSERT_EQ(pos != end, it->Valid()) << "step " << step;
    if (pos != end) {
      ASSERT_EQ(expected[pos].first, it->key()) << "step " << step;
      ASSERT_EQ(expected[pos].second, it->value()) << "step " << step;
    }
  }
}

TEST(MergingIteratorTest, ChildErrorsSurface) {
  BlockSet blocks;
  InternalKeyModel model = {{IKey("a", 1), "x"}, {IKey("b", 2), "y"}};
  std::vector<std::unique_ptr<Iterator>> children;
  children.push_back(blocks.Add(model));
  children.push_back(NewErrorIterator(Status::Corruption("child broke")));
  std::unique_ptr<Iterator> it = NewMergingIterator(std::move(children));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
  EXPECT_EQ("child broke", it->status().message());
  it->Seek(IKey("a", 0));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

// A table child that is not cached and memory_only: the merge stops with
// Busy instead of silently returning the other children's entries.
TEST(MergingIteratorTest, BusyChildStopsTheMerge) {
  InternalKeyModel cached, uncached;
  for (int i = 0; i < 100; i++) (i % 2 ? cached : uncached)[IKey("k", i)] = "v";
  BlockCache cache(1 << 20);
  std::unique_ptr<Table> t1 = MakeTable(cached, 1, &cache);
  std::unique_ptr<Table> t2 = MakeTable(uncached, 2, &cache);
  std::unique_ptr<Iterator> warm = t1->NewIterator(ReadOptions());
  for (warm->SeekToFirst(); warm->Valid(); warm->Next()) {
  }
  ReadOptions memory_only;
  memory_only.memory_only = true;
  std::vector<std::unique_ptr<Iterator>> children;
  children.push_back(t1->NewIterator(memory_only));
  children.push_back(t2->NewIterator(memory_only));
  std::unique_ptr<Iterator> it = NewMergingIterator(std::move(children));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsBusy());
}

// A child that fails part-way (a damaged data block) stops the merge at
// that point, in either direction, including during a direction switch.
TEST(MergingIteratorTest, MidwayCorruptionStops) {
  InternalKeyModel a, b;
  for (int i = 0; i < 400; i++) (i % 2 ? a : b)[IKey("k", i)] = std::string(20, 'v');
  TableOptions options;
  options.block_size = 200;
  options.compression = Compression::kNone;
  test::StringSink sink;
  TableBuilder builder(options, &sink);
  for (const auto& [k, v] : a) builder.Add(k, v);
  ASSERT_OK(builder.Finish());
  // Damage the third data block of table a.
  std::string contents = sink.contents;
  contents[sink.append_offsets[2] + 3] ^= 0x01;
  std::unique_ptr<Table> ta;
  ASSERT_OK(Table::Open(TableReadOptions(), std::make_unique<test::StringSource>(contents),
                        contents.size(), 1, nullptr, &ta));
  std::unique_ptr<Table> tb = MakeTable(b, 2, nullptr);

  auto merged = [&] {
    std::vector<std::unique_ptr<Iterator>> children;
    children.push_back(ta->NewIterator(ReadOptions()));
    children.push_back(tb->NewIterator(ReadOptions()));
    return NewMergingIterator(std::move(children));
  };
  std::unique_ptr<Iterator> it = merged();
  int forward = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) forward++;
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  EXPECT_GT(forward, 0);
  EXPECT_LT(forward, 400);

  int backward = 0;
  for (it->SeekToLast(); it->Valid(); it->Prev()) backward++;
  EXPECT_TRUE(it->status().IsCorruption());
  EXPECT_LT(backward, 400);

  // From past the damage, walking back with direction switches on the way
  // (Prev, Next, Prev, ...) still ends at the damage.
  it = merged();
  it->Seek(IKey("k", 300));
  ASSERT_TRUE(it->Valid());
  int steps = 0;
  while (it->Valid() && steps < 2000) {
    it->Prev();
    if (it->Valid() && steps % 3 == 0) {
      it->Next();
      if (it->Valid()) it->Prev();
    }
    steps++;
  }
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
  // A new seek clears the error.
  it->Seek(IKey("k", 0));
  EXPECT_TRUE(it->Valid());
  EXPECT_OK(it->status());
}

}  // namespace
}  // namespace flowdb
