// DBImpl: the engine behind the DB interface: the write pipeline (group
// commit into the WAL and the memtable), reads over memtables and SSTables,
// and the background thread that flushes frozen memtables and syncs the WAL.
// Recovery lives in db/recovery.cc.
//
// Thread safety: as DB. Lock order: writers queue position → mu_. The
// memtable is written only by the write-queue leader, outside mu_; memtable
// switches happen only in the leader (MakeRoomForWrite), so no insert can race
// a switch.

#ifndef FLOWDB_DB_DB_IMPL_H_
#define FLOWDB_DB_DB_IMPL_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db/dbformat.h"
#include "db/memtable.h"
#include "db/table_cache.h"
#include "db/version_set.h"
#include "flowdb/db.h"
#include "table/block_cache.h"
#include "table/table_builder.h"

namespace flowdb {

namespace log {
class Writer;
}

class DBImpl final : public DB {
 public:
  DBImpl(const Options& options, std::string dbname);
  ~DBImpl() override;

  // Locks the directory, recovers the manifest and WAL, and starts the
  // background thread. Called once by DB::Open.
  Status Open();

  Status Write(WriteBatch* batch) override;
  Status Get(const ReadOptions& options, std::string_view key, int64_t ts, std::string* value,
             int64_t* expire_at) override;
  Status GetLatest(const ReadOptions& options, std::string_view key, Record* record) override;
  std::unique_ptr<RecordIterator> NewIterator(const ReadOptions& options) override;
  std::unique_ptr<ScanCursor> NewScan(const ReadOptions& options, const ScanOptions& scan) override;
  uint64_t LatestSequence() const override { return versions_->last_sequence(); }
  Status Flush() override;
  DBStats GetStats() const override;
  Status Close() override;

 private:
  // What a read needs, pinned together: memtables and the SSTable set.
  struct ReadState {
    std::shared_ptr<MemTable> mem;
    std::vector<std::shared_ptr<MemTable>> imm;  // frozen, newest first
    std::shared_ptr<const Version> version;
  };
  struct Writer;

  // Recovery (db/recovery.cc).
  Status Recover();
  Status ReplayWal(uint64_t number, bool is_last, std::shared_ptr<MemTable>* mem,
                   VersionEdit* edit, bool* flushed, SequenceNumber* max_seq);
  Status FlushDuringRecovery(MemTable* mem, VersionEdit* edit);
  void RemoveObsoleteFiles();

  // Takes a consistent (snapshot sequence, read state) pair.
  std::shared_ptr<const ReadState> GetReadState(SequenceNumber* snapshot) const;
  void InstallReadState();  // REQUIRES: mu_ held
  std::shared_ptr<const ReadState> CurrentReadState() const;

  // Internal iterator over every source that may hold keys in
  // [lower, upper] (empty = unbounded). only_key restricts SSTables to those
  // whose bloom filter may contain it.
  // The iterator keeps `pinned` alive.
  Status NewInternalIterator(const ReadOptions& options,
                             const std::shared_ptr<const ReadState>& pinned,
                             const std::string* lower, const std::string* upper,
                             const std::string* only_key, std::unique_ptr<Iterator>* result);

  // REQUIRES: mu_ held by the write-queue leader. Switches the memtable when
  // it is full, when forced, or when the background thread asked for it
  // (flush_requested_), unless it is empty; stalls while too many frozen
  // memtables wait.
  Status MakeRoomForWrite(std::unique_lock<std::mutex>& lock, bool force);
  Status SwitchMemtable();  // REQUIRES: mu_ held by the leader
  WriteBatch* BuildBatchGroup(Writer** last_writer);
  // Runs a write through the queue; batch == nullptr forces a memtable switch.
  Status WriteInternal(WriteBatch* batch);

  void BackgroundLoop();
  Status FlushOldestImmutable(std::unique_lock<std::mutex>& lock);

  TableOptions MakeTableOptions() const;

  const Options options_;
  const std::string dbname_;
  Env* const env_;

  std::unique_ptr<FileLock> db_lock_;
  std::unique_ptr<BlockCache> block_cache_;
  std::unique_ptr<TableCache> table_cache_;
  std::unique_ptr<VersionSet> versions_;

  mutable std::mutex mu_;
  std::condition_variable bg_cv_;     // background work queued / done
  std::shared_ptr<MemTable> mem_;     // written only by the leader
  std::deque<std::shared_ptr<MemTable>> imm_;  // frozen, oldest at the back
  // Replaced under mu_ (and read_state_mu_), read under read_state_mu_ only:
  // a short lock that readers never hold across any work.
  mutable std::mutex read_state_mu_;
  std::shared_ptr<const ReadState> read_state_;
  std::shared_ptr<WritableFile> wal_file_;
  std::unique_ptr<log::Writer> wal_;
  std::deque<Writer*> writers_;
  WriteBatch group_batch_;
  Status bg_error_;  // once set, writes fail with it (the DB is read-only)
  bool shutting_down_ = false;
  bool flush_requested_ = false;  // interval flush due; the next leader switches
  std::thread bg_thread_;

  std::atomic<bool> closed_{false};
  std::atomic<bool> opened_{false};

  // Statistics.
  std::atomic<uint64_t> records_written_{0}, bytes_written_{0}, wal_syncs_{0};
  std::atomic<uint64_t> write_groups_{0}, flushes_{0}, stall_micros_{0};
  std::atomic<uint64_t> bloom_useful_{0};
};

}  // namespace flowdb

#endif  // FLOWDB_DB_DB_IMPL_H_
