// BlockCache: a sharded LRU cache of uncompressed data blocks, keyed by
// (table id, block offset) and bounded in bytes.
//
// A table id names one table file for the life of the cache; the DB uses the
// file number, which is never reused, so a reopened table finds its blocks
// again. The DB drops a table's blocks when it deletes the file (EraseTable).
//
// Entries are shared_ptrs: a block returned by Lookup stays valid while the
// caller holds it, even after eviction, which only drops the cache's
// reference. usage() counts the blocks the cache references, not those
// pinned by callers only.
//
// Thread safety: every method may be called concurrently. Each of the 16
// shards has its own mutex; counters are atomic.

#ifndef FLOWDB_TABLE_BLOCK_CACHE_H_
#define FLOWDB_TABLE_BLOCK_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "table/block.h"

namespace flowdb {

class BlockCache {
 public:
  // Counters since construction; a copy.
  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t inserted_bytes = 0;  // total charge of every insert
    uint64_t usage = 0;           // current charge
    uint64_t entries = 0;         // blocks currently cached
  };

  // capacity_bytes is split evenly between the shards; 0 disables caching.
  explicit BlockCache(size_t capacity_bytes);
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;
  ~BlockCache();

  // The cached block for the key, marked most recently used, or nullptr.
  // Counts a hit or a miss.
  std::shared_ptr<const Block> Lookup(uint64_t table_id, uint64_t block_offset);

  // Caches block under the key, replacing any block cached there, and evicts
  // least recently used blocks of its shard until the shard fits. A block
  // larger than a shard's capacity is not cached.
  void Insert(uint64_t table_id, uint64_t block_offset, std::shared_ptr<const Block> block);

  // Drops the block cached under the key, if any.
  void Erase(uint64_t table_id, uint64_t block_offset);

  // Drops every block of table_id: for a table file being deleted, whose
  // blocks would otherwise hold memory until they aged out (after a
  // compaction, the blocks of its inputs). Walks every shard: O(cached
  // blocks).
  void EraseTable(uint64_t table_id);

  // The byte budget given at construction.
  size_t capacity() const { return capacity_; }
  // Total charge of the cached blocks.
  size_t usage() const { return usage_.load(std::memory_order_relaxed); }
  // A snapshot of the counters.
  Stats GetStats() const;

  // The charge of a block: its memory plus the cache's per-entry overhead.
  static size_t Charge(const Block& block);

 private:
  static constexpr int kNumShardBits = 4;
  static constexpr int kNumShards = 1 << kNumShardBits;

  struct Key {
    uint64_t table_id;
    uint64_t offset;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    Key key;
    std::shared_ptr<const Block> block;
    size_t charge;
  };

  // One LRU list: most recently used at the front.
  struct Shard {
    std::mutex mu;
    std::list<Entry> lru;
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index;
    size_t usage = 0;
  };

  Shard& ShardFor(const Key& key);
  // Moves the entry at it from the shard to *removed, so that the caller
  // frees its block after releasing the lock. REQUIRES: shard->mu is held.
  void RemoveLocked(Shard* shard, std::list<Entry>::iterator it, std::list<Entry>* removed);

  const size_t capacity_;
  const size_t shard_capacity_;
  std::array<Shard, kNumShards> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> inserted_bytes_{0};
  std::atomic<size_t> usage_{0};
  std::atomic<size_t> entries_{0};
};

}  // namespace flowdb

#endif  // FLOWDB_TABLE_BLOCK_CACHE_H_
