// TableCache: open SSTable readers, shared by all reads, bounded by
// Options::max_open_files (least recently used readers are closed first; a
// reader in use stays alive until its last user lets go).
//
// Thread safety: all methods are thread-safe.

#ifndef FLOWDB_DB_TABLE_CACHE_H_
#define FLOWDB_DB_TABLE_CACHE_H_

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "db/version_edit.h"
#include "flowdb/env.h"
#include "table/table.h"

namespace flowdb {

class BlockCache;

class TableCache {
 public:
  TableCache(std::string dbname, Env* env, BlockCache* block_cache, size_t capacity);

  // Returns the reader of file f, opening it if needed. Corruption if the
  // file is damaged (the message names it). With memory_only, a reader that
  // is not open yet is not opened: Busy("would block").
  Status Get(const FileMetaData& f, bool memory_only, std::shared_ptr<Table>* table);
  // Drops the reader of a deleted file and its blocks in the block cache.
  void Evict(uint64_t number);
  // Readers open now.
  size_t Size() const;

 private:
  struct Entry {
    std::shared_ptr<Table> table;
    std::list<uint64_t>::iterator lru_pos;
  };

  const std::string dbname_;
  Env* const env_;
  BlockCache* const block_cache_;
  const size_t capacity_;

  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Entry> tables_;
  std::list<uint64_t> lru_;  // front = most recently used
};

}  // namespace flowdb

#endif  // FLOWDB_DB_TABLE_CACHE_H_
