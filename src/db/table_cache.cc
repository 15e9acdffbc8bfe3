#include "db/table_cache.h"

#include "db/filename.h"
#include "table/block_cache.h"

namespace flowdb {

TableCache::TableCache(std::string dbname, Env* env, BlockCache* block_cache, size_t capacity)
    : dbname_(std::move(dbname)), env_(env), block_cache_(block_cache),
      capacity_(capacity < 1 ? 1 : capacity) {}

Status TableCache::Get(const FileMetaData& f, bool memory_only, std::shared_ptr<Table>* table) {
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = tables_.find(f.number);
    if (it != tables_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru_pos);
      *table = it->second.table;
      return Status::OK();
    }
  }
  if (memory_only) return Status::WouldBlock("would block");
  // Open outside the lock: it reads the footer, index and filter.
  std::string fname = TableFileName(dbname_, f.number);
  std::unique_ptr<RandomAccessFile> file;
  FLOWDB_RETURN_IF_ERROR(env_->NewRandomAccessFile(fname, &file));
  std::unique_ptr<Table> opened;
  TableReadOptions topts;
  topts.file_name = fname.substr(dbname_.size() + 1);  // "sst/NNNNNN.sst"
  Status s = Table::Open(topts, std::move(file), f.file_size, f.number, block_cache_, &opened);
  if (!s.ok()) {
    if (s.IsCorruption()) return Status::Corruption(fname, s.message());
    return s;
  }
  std::shared_ptr<Table> shared(std::move(opened));
  std::lock_guard<std::mutex> l(mu_);
  auto it = tables_.find(f.number);
  if (it != tables_.end()) {  // another thread opened it meanwhile
    *table = it->second.table;
    return Status::OK();
  }
  lru_.push_front(f.number);
  tables_[f.number] = Entry{shared, lru_.begin()};
  while (tables_.size() > capacity_) {
    tables_.erase(lru_.back());
    lru_.pop_back();
  }
  *table = std::move(shared);
  return Status::OK();
}

void TableCache::Evict(uint64_t number) {
  // Blocks are cached under the file number (Table::Open's table id), also
  // those read through a reader this cache has since closed.
  if (block_cache_ != nullptr) block_cache_->EraseTable(number);
  std::lock_guard<std::mutex> l(mu_);
  auto it = tables_.find(number);
  if (it == tables_.end()) return;
  lru_.erase(it->second.lru_pos);
  tables_.erase(it);
}

size_t TableCache::Size() const {
  std::lock_guard<std::mutex> l(mu_);
  return tables_.size();
}

}  // namespace flowdb
