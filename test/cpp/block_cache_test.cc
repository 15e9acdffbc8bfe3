#include "table/block_cache.h"

#include <thread>
#include <vector>

#include "db/dbformat.h"
#include "table/block_builder.h"
#include "test_util.h"

namespace flowdb {
namespace {

// A block with one entry whose value has value_size bytes.
std::shared_ptr<const Block> MakeBlock(size_t value_size, char fill = 'v') {
  BlockBuilder builder(16);
  std::string key;
  AppendInternalKey(&key, "k", 1, 1, kTypeValue);
  builder.Add(key, std::string(value_size, fill));
  std::unique_ptr<Block> block;
  EXPECT_OK(Block::Open(std::string(builder.Finish()), &block));
  return std::shared_ptr<const Block>(std::move(block));
}

std::string ValueOf(const Block& block) {
  std::unique_ptr<Iterator> it = block.NewIterator();
  it->SeekToFirst();
  return it->Valid() ? std::string(it->value()) : std::string("<invalid>");
}

TEST(BlockCacheTest, HitsAndMisses) {
  BlockCache cache(1 << 20);
  EXPECT_EQ(nullptr, cache.Lookup(1, 0));
  auto block = MakeBlock(100);
  cache.Insert(1, 0, block);
  EXPECT_EQ(block, cache.Lookup(1, 0));
  EXPECT_EQ(nullptr, cache.Lookup(1, 1));  // other offset
  EXPECT_EQ(nullptr, cache.Lookup(2, 0));  // other table
  const BlockCache::Stats stats = cache.GetStats();
  EXPECT_EQ(1u, stats.hits);
  EXPECT_EQ(3u, stats.misses);
  EXPECT_EQ(BlockCache::Charge(*block), stats.inserted_bytes);
  EXPECT_EQ(BlockCache::Charge(*block), stats.usage);
  EXPECT_EQ(1u, stats.entries);
  EXPECT_EQ(stats.usage, cache.usage());
}

TEST(BlockCacheTest, ReplaceAndErase) {
  BlockCache cache(1 << 20);
  cache.Insert(7, 4096, MakeBlock(100, 'a'));
  cache.Insert(7, 4096, MakeBlock(200, 'b'));
  EXPECT_EQ(1u, cache.GetStats().entries);
  EXPECT_EQ(std::string(200, 'b'), ValueOf(*cache.Lookup(7, 4096)));
  EXPECT_EQ(BlockCache::Charge(*MakeBlock(200)), cache.usage());
  cache.Erase(7, 4096);
  cache.Erase(7, 4096);  // absent: no effect
  EXPECT_EQ(nullptr, cache.Lookup(7, 4096));
  EXPECT_EQ(0u, cache.usage());
  EXPECT_EQ(0u, cache.GetStats().entries);
}

TEST(BlockCacheTest, EraseTableDropsOnlyThatTable) {
  BlockCache cache(1 << 20);
  for (uint64_t i = 0; i < 50; i++) {
    cache.Insert(3, i * 4096, MakeBlock(100));
    cache.Insert(4, i * 4096, MakeBlock(100));
  }
  const size_t usage = cache.usage();
  cache.EraseTable(3);
  EXPECT_EQ(50u, cache.GetStats().entries);
  EXPECT_EQ(usage / 2, cache.usage());
  for (uint64_t i = 0; i < 50; i++) {
    EXPECT_EQ(nullptr, cache.Lookup(3, i * 4096)) << i;
    EXPECT_NE(nullptr, cache.Lookup(4, i * 4096)) << i;
  }
  cache.EraseTable(3);  // nothing left of it: a no-op
  EXPECT_EQ(50u, cache.GetStats().entries);
}

TEST(BlockCacheTest, EvictsLeastRecentlyUsedWithinCapacity) {
  const size_t charge = BlockCache::Charge(*MakeBlock(1000));
  // Room for about 4 blocks in each of the 16 shards.
  BlockCache cache(charge * 4 * 16 + 16);
  constexpr int kBlocks = 1000;
  for (uint64_t i = 0; i < kBlocks; i++) {
    cache.Insert(1, i * 4096, MakeBlock(1000));
    // Keep block 0 hot: it must survive.
    ASSERT_NE(nullptr, cache.Lookup(1, 0)) << i;
    ASSERT_LE(cache.usage(), cache.capacity());
  }
  EXPECT_GT(cache.usage(), cache.capacity() / 2);
  int resident = 0;
  for (uint64_t i = 0; i < kBlocks; i++) resident += cache.Lookup(1, i * 4096) != nullptr;
  EXPECT_LE(resident, 64);
  EXPECT_GT(resident, 16);
  // The most recently inserted blocks are the ones kept.
  int recent = 0;
  for (uint64_t i = kBlocks - 10; i < kBlocks; i++) recent += cache.Lookup(1, i * 4096) != nullptr;
  EXPECT_GE(recent, 8);
}

TEST(BlockCacheTest, PinnedBlockOutlivesEviction) {
  BlockCache cache(BlockCache::Charge(*MakeBlock(1000)) * 16);  // one block per shard
  cache.Insert(1, 0, MakeBlock(1000, 'p'));
  std::shared_ptr<const Block> pinned = cache.Lookup(1, 0);
  ASSERT_NE(nullptr, pinned);
  for (uint64_t i = 1; i < 200; i++) cache.Insert(1, i, MakeBlock(1000, 'x'));
  EXPECT_EQ(nullptr, cache.Lookup(1, 0));  // evicted from the cache...
  EXPECT_EQ(std::string(1000, 'p'), ValueOf(*pinned));  // ...but still readable
}

TEST(BlockCacheTest, OversizedBlocksAndZeroCapacity) {
  BlockCache small(16 * 100);
  small.Insert(1, 0, MakeBlock(5000));
  EXPECT_EQ(nullptr, small.Lookup(1, 0));
  EXPECT_EQ(0u, small.usage());

  BlockCache none(0);
  none.Insert(1, 0, MakeBlock(10));
  EXPECT_EQ(nullptr, none.Lookup(1, 0));
  EXPECT_EQ(0u, none.GetStats().entries);
}

TEST(BlockCacheTest, ConcurrentUse) {
  const size_t charge = BlockCache::Charge(*MakeBlock(500));
  BlockCache cache(charge * 200);
  constexpr int kThreads = 4;
  constexpr int kOps = 20000;
  std::vector<std::thread> threads;
  std::atomic<int> bad_values{0};
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      test::Random rnd(t + 1);
      for (int i = 0; i < kOps; i++) {
        const uint64_t table = rnd.Uniform(4);
        const uint64_t offset = rnd.Uniform(300);
        // The block for (table, offset) always holds the same fill byte.
        const char fill = static_cast<char>('a' + (table * 300 + offset) % 26);
        if (auto b = cache.Lookup(table, offset)) {
          if (ValueOf(*b) != std::string(500, fill)) bad_values++;
        } else {
          cache.Insert(table, offset, MakeBlock(500, fill));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(0, bad_values.load());
  const BlockCache::Stats stats = cache.GetStats();
  EXPECT_EQ(static_cast<uint64_t>(kThreads * kOps), stats.hits + stats.misses);
  EXPECT_GT(stats.hits, 0u);
  EXPECT_LE(stats.usage, cache.capacity());
  EXPECT_EQ(stats.usage, stats.entries * charge);
}

}  // namespace
}  // namespace flowdb
