// DBImpl: the engine behind the DB interface: the write pipeline (group
// commit into the WAL and the memtable), reads over memtables and SSTables,
// and two background threads: one flushes frozen memtables and syncs the
// WAL, the other compacts SSTables and drops expired ones. Recovery lives in
// db/recovery.cc, compaction in db/compaction.cc.
//
// Thread safety: as DB. Lock order: writers queue position → mu_ →
// snapshot_mu_. The memtable is written only by the write-queue leader,
// outside mu_; memtable switches happen only in the leader
// (MakeRoomForWrite) or in the flush thread while no writer is queued, so no
// insert can race a switch.

#ifndef FLOWDB_DB_DB_IMPL_H_
#define FLOWDB_DB_DB_IMPL_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <set>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db/dbformat.h"
#include "db/memtable.h"
#include "db/range_del.h"
#include "db/table_cache.h"
#include "db/version_set.h"
#include "flowdb/db.h"
#include "table/block_cache.h"
#include "table/table_builder.h"
#include "util/histogram.h"

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
  Status Write(WriteBatch* batch, WriteCallback* callback) override;
  Status DeleteRange(std::string_view start, std::string_view end) override;
  Status Patch(std::string_view key, int64_t ts, const PatchOptions& patch,
               Record* result) override;
  Status Get(const ReadOptions& options, std::string_view key, int64_t ts, std::string* value,
             int64_t* expire_at) override;
  Status GetLatest(const ReadOptions& options, std::string_view key, Record* record) override;
  Status MultiGet(const ReadOptions& options, std::span<const PointLookup> lookups,
                  std::vector<std::string>* values, std::vector<Status>* statuses,
                  std::vector<int64_t>* expire_ats) override;  // db/db_multiget.cc
  std::unique_ptr<RecordIterator> NewIterator(const ReadOptions& options) override;
  std::unique_ptr<ScanCursor> NewScan(const ReadOptions& options, const ScanOptions& scan) override;
  uint64_t LatestSequence() const override { return versions_->last_sequence(); }
  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;
  Status Flush() override;
  Status Resume() override;
  Status CompactAll() override;
  Status DropExpiredFiles(uint64_t* files, uint64_t* entries) override;
  DBStats GetStats() const override;
  Status Checkpoint(const std::string& dir, Env* target_env,
                    uint64_t* sequence) override;  // db/checkpoint.cc
  Status NewChangeFeed(uint64_t since,
                       std::unique_ptr<ChangeFeed>* feed) override;  // db/change_feed.cc
  uint64_t AddCommitListener(std::function<void(uint64_t)> listener) override;
  void RemoveCommitListener(uint64_t id) override;
  Status Verify(VerifyReport* report) override;  // db/verify.cc
  Status Close() override;

 private:
  // What a read needs, pinned together: memtables and the SSTable set.
  struct ReadState {
    std::shared_ptr<MemTable> mem;
    std::vector<std::shared_ptr<MemTable>> imm;  // frozen, newest first
    std::shared_ptr<const Version> version;
    std::shared_ptr<const RangeDelSet> sst_range_dels;  // of version's files; null if none
    // Flushes and compactions that built this state dropped versions
    // invisible at sequences ≥ drop_floor: a read must not use an older
    // sequence unless a registered snapshot protected it.
    SequenceNumber drop_floor = 0;
  };
  struct Writer;
  // What a checkpoint copies, fixed at one instant (PinCheckpointView).
  struct CheckpointView {
    VersionEdit edit;  // the whole state, for the copy's manifest
    std::shared_ptr<const Version> version;  // keeps its SSTables from deletion
    uint64_t wal_number = 0;  // the WAL being written; older ones ≥ edit's log number are whole
    uint64_t wal_size = 0;    // bytes of it written by the published writes
  };
  class SnapshotImpl;
  struct CompactionJob;

  // Recovery (db/recovery.cc).
  Status Recover();
  Status ReplayWal(uint64_t number, bool is_last, std::shared_ptr<MemTable>* mem,
                   VersionEdit* edit, bool* flushed, SequenceNumber* max_seq);
  Status FlushDuringRecovery(MemTable* mem, VersionEdit* edit);
  // Corruption naming the manifest if the recovered file set cannot be the
  // latest one: a live SSTable or the WAL of the log number is missing.
  // wals: the WAL numbers ≥ the log number found on disk, ascending.
  Status CheckFilesAgainstManifest(const std::vector<uint64_t>& wals);
  void RemoveObsoleteFiles();

  // Fixes a checkpoint's view while leading the write queue alone, so that
  // the WAL holds exactly the published writes, and pins the WAL segments
  // from the view's log number on (UnpinWal releases them).
  Status PinCheckpointView(CheckpointView* view);
  // Keeps the WAL segments numbered ≥ number from deletion until UnpinWal
  // (pins nest).
  void PinWal(uint64_t number);
  // Releases a pin of the WAL segments numbered ≥ number.
  void UnpinWal(uint64_t number);
  // The WAL numbers among names (a listing of the WAL directory), ascending.
  static std::vector<uint64_t> WalNumbers(const std::vector<std::string>& names);
  // REQUIRES: mu_ held by the leader that just published `last`.
  void NotifyCommitListeners(SequenceNumber last);
  friend class ChangeFeedImpl;

  // Takes a consistent (snapshot sequence, read state) pair.
  std::shared_ptr<const ReadState> GetReadState(SequenceNumber* snapshot) const;
  void InstallReadState();  // REQUIRES: mu_ held
  std::shared_ptr<const ReadState> CurrentReadState() const;
  // The range tombstones a read at rs must honour; null if there are none.
  static std::shared_ptr<const RangeDelView> RangeDels(const ReadState& rs);
  // Loads the range tombstones of a live SSTable that has some (open/recovery).
  Status LoadRangeDels(const FileMetaData& f);
  // The oldest sequence a reader may read at: the oldest open snapshot, or
  // the last sequence.
  SequenceNumber SmallestSnapshot() const;

  // The sequence a read at options.snapshot reads at, given the latest
  // one; InvalidArgument if the snapshot belongs to another DB.
  Status ReadSequence(const ReadOptions& options, SequenceNumber* sequence) const;

  // Internal iterator over every source that may hold keys in
  // [lower, upper] (empty = unbounded) at sequence `snapshot`. only_key
  // restricts SSTables to those whose bloom filter may contain it.
  // The iterator keeps `pinned` alive.
  Status NewInternalIterator(const ReadOptions& options, SequenceNumber snapshot,
                             const std::shared_ptr<const ReadState>& pinned,
                             const std::string* lower, const std::string* upper,
                             const std::string* only_key, std::unique_ptr<Iterator>* result);

  // REQUIRES: mu_ held by the write-queue leader. Switches the memtable when
  // it is full, when forced, or when the background thread asked for it
  // (flush_requested_), unless it is empty; stalls while too many frozen
  // memtables wait.
  Status MakeRoomForWrite(std::unique_lock<std::mutex>& lock, bool force);
  // REQUIRES: mu_ held by the leader. sync_old_wal = false when the caller
  // made the old WAL durable itself (Resume).
  Status SwitchMemtable(bool sync_old_wal = true);
  // REQUIRES: mu_ held by the write-queue leader.
  Status ResumeLocked(std::unique_lock<std::mutex>& lock);
  // REQUIRES: mu_ held by the leader, whose request is a write. Chooses
  // the queued writes that join its group (into group_) and returns the
  // last of them.
  Writer* SelectGroup();
  // REQUIRES: the caller leads, mu_ not held. Runs the group's write
  // callbacks in queue order (a failed one leaves its writer out) and
  // applies default expiry where asked.
  void PrepareGroup();
  // REQUIRES: the caller leads. The batch the group appends: a member's own
  // when it is alone, else group_batch_ holding every member's entries.
  WriteBatch* BuildBatchGroup();
  // Runs a request through the write queue and returns its status.
  Status WriteInternal(Writer* w);

  void BackgroundLoop();
  Status FlushOldestImmutable(std::unique_lock<std::mutex>& lock);
  // REQUIRES: mu_ held. Makes the engine read-only with s (the first error
  // wins) and wakes every waiter on bg_cv_: Flush, CompactAll, a stalled
  // writer and the background threads all re-check bg_error_ there.
  void SetBackgroundError(const Status& s);

  // Compaction (db/compaction.cc).
  void CompactionLoop();
  // REQUIRES: mu_ held. Chooses SSTables to merge (all of them if `all`);
  // false if nothing should run.
  bool PickCompaction(bool all, CompactionJob* job);
  // Runs job, releasing mu_ while merging.
  Status RunCompaction(std::unique_lock<std::mutex>& lock, CompactionJob* job);
  // REQUIRES: mu_ held (released while writing the manifest).
  Status DropExpiredFilesLocked(std::unique_lock<std::mutex>& lock, uint64_t* files,
                                uint64_t* entries);

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
  SequenceNumber drop_floor_ = 0;  // under mu_: the largest smallest-snapshot a job used
  std::shared_ptr<WritableFile> wal_file_;
  // The number of the WAL wal_ appends to; after recovery the memtable's
  // replayed WAL is older.
  uint64_t wal_number_ = 0;
  std::unique_ptr<log::Writer> wal_;
  std::deque<Writer*> writers_;
  std::vector<Writer*> group_;  // the leader's group, in queue order (leader only)
  WriteBatch group_batch_;
  Status bg_error_;  // once set, writes fail with it (read-only until Resume)
  bool shutting_down_ = false;
  bool flush_requested_ = false;  // interval flush due; the next leader switches
  bool flush_running_ = false;    // the background thread is flushing a memtable
  std::thread bg_thread_;
  std::thread compaction_thread_;
  bool compaction_running_ = false;   // a merge or GC is changing the file set
  std::atomic<bool> compaction_cancel_{false};  // Close: abandon a running merge
  uint64_t manual_compactions_requested_ = 0;
  uint64_t manual_compactions_done_ = 0;
  Status manual_compaction_status_;
  std::set<uint64_t> pending_outputs_;  // SSTables being written, not yet live
  std::set<uint64_t> compacting_files_;  // inputs of the running compaction
  // Under mu_: WAL numbers from which segments must be kept although their
  // memtables were flushed (a checkpoint copying them).
  std::multiset<uint64_t> wal_pins_;
  // Commit listeners by id, guarded by listeners_mu_ (taken under mu_ by the
  // committing leader); has_commit_listeners_ spares commits the lock.
  std::mutex listeners_mu_;
  std::map<uint64_t, std::function<void(uint64_t)>> commit_listeners_;
  uint64_t next_listener_id_ = 1;
  std::atomic<bool> has_commit_listeners_{false};
  // Range tombstones of live SSTables, by file number.
  std::map<uint64_t, std::vector<RangeTombstone>> file_range_dels_;

  mutable std::mutex snapshot_mu_;
  std::list<SnapshotImpl*> snapshots_;  // oldest first

  std::atomic<bool> closed_{false};
  std::atomic<bool> opened_{false};

  // Statistics.
  std::atomic<uint64_t> records_written_{0}, bytes_written_{0}, wal_syncs_{0};
  std::atomic<uint64_t> write_groups_{0}, flushes_{0}, stall_micros_{0};
  std::atomic<uint64_t> bloom_useful_{0}, stalls_{0}, flush_bytes_{0};
  std::atomic<uint64_t> compactions_{0}, compaction_bytes_read_{0}, compaction_bytes_written_{0};
  std::atomic<uint64_t> compaction_entries_dropped_{0};
  std::atomic<uint64_t> gc_runs_{0}, gc_files_{0}, gc_records_{0};
  std::atomic<uint64_t> gets_{0}, get_sst_probes_{0};
  // Set by Recover (WalRecovery::kSalvage).
  uint64_t wal_skipped_regions_ = 0, wal_skipped_bytes_ = 0;
  Histogram write_latency_, read_latency_, flush_latency_, compaction_latency_;  // µs
};

}  // namespace flowdb

#endif  // FLOWDB_DB_DB_IMPL_H_
