#include "table/block_cache.h"

namespace flowdb {

namespace {

// Mixes both halves of the key so that consecutive offsets of one table
// spread over shards and buckets.
inline uint64_t MixKey(uint64_t table_id, uint64_t offset) {
  uint64_t h = table_id * 0x9e3779b97f4a7c15ull ^ offset;
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 29;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 32;
  return h;
}

// The list node and hash map entry a cached block costs beyond its memory.
constexpr size_t kEntryOverhead = 96;

}  // namespace

size_t BlockCache::KeyHash::operator()(const Key& k) const {
  return static_cast<size_t>(MixKey(k.table_id, k.offset));
}

BlockCache::BlockCache(size_t capacity_bytes)
    : capacity_(capacity_bytes),
      shard_capacity_((capacity_bytes + kNumShards - 1) / kNumShards) {}

BlockCache::~BlockCache() = default;

size_t BlockCache::Charge(const Block& block) {
  return block.ApproximateMemoryUsage() + kEntryOverhead;
}

BlockCache::Shard& BlockCache::ShardFor(const Key& key) {
  return shards_[MixKey(key.table_id, key.offset) >> (64 - kNumShardBits)];
}

void BlockCache::RemoveLocked(Shard* shard, std::list<Entry>::iterator it,
                              std::list<Entry>* removed) {
  shard->usage -= it->charge;
  usage_.fetch_sub(it->charge, std::memory_order_relaxed);
  entries_.fetch_sub(1, std::memory_order_relaxed);
  shard->index.erase(it->key);
  removed->splice(removed->end(), shard->lru, it);
}

std::shared_ptr<const Block> BlockCache::Lookup(uint64_t table_id, uint64_t block_offset) {
  const Key key{table_id, block_offset};
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.index.find(key);
  if (found == shard.index.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  shard.lru.splice(shard.lru.begin(), shard.lru, found->second);
  return found->second->block;
}

void BlockCache::Insert(uint64_t table_id, uint64_t block_offset,
                        std::shared_ptr<const Block> block) {
  if (block == nullptr) return;
  const Key key{table_id, block_offset};
  const size_t charge = Charge(*block);
  Shard& shard = ShardFor(key);
  std::list<Entry> removed;  // destroyed after the lock is released
  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.index.find(key);
  if (found != shard.index.end()) RemoveLocked(&shard, found->second, &removed);
  if (charge > shard_capacity_) return;
  shard.lru.push_front(Entry{key, std::move(block), charge});
  shard.index.emplace(key, shard.lru.begin());
  shard.usage += charge;
  usage_.fetch_add(charge, std::memory_order_relaxed);
  entries_.fetch_add(1, std::memory_order_relaxed);
  inserted_bytes_.fetch_add(charge, std::memory_order_relaxed);
  while (shard.usage > shard_capacity_) {
    RemoveLocked(&shard, std::prev(shard.lru.end()), &removed);
  }
}

void BlockCache::Erase(uint64_t table_id, uint64_t block_offset) {
  const Key key{table_id, block_offset};
  Shard& shard = ShardFor(key);
  std::list<Entry> removed;  // destroyed after the lock is released
  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.index.find(key);
  if (found != shard.index.end()) RemoveLocked(&shard, found->second, &removed);
}

void BlockCache::EraseTable(uint64_t table_id) {
  for (Shard& shard : shards_) {
    std::list<Entry> removed;  // destroyed after the lock is released
    std::lock_guard<std::mutex> lock(shard.mu);
    for (auto it = shard.lru.begin(); it != shard.lru.end();) {
      auto next = std::next(it);
      if (it->key.table_id == table_id) RemoveLocked(&shard, it, &removed);
      it = next;
    }
  }
}

BlockCache::Stats BlockCache::GetStats() const {
  Stats s;
  s.hits = hits_.load(std::memory_order_relaxed);
  s.misses = misses_.load(std::memory_order_relaxed);
  s.inserted_bytes = inserted_bytes_.load(std::memory_order_relaxed);
  s.usage = usage_.load(std::memory_order_relaxed);
  s.entries = entries_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace flowdb
