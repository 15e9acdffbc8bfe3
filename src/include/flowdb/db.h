// DB: the public interface of the FlowDB engine, an LSM-tree of versioned
// (key, ts) records.
//
// Thread safety: every method may be called concurrently from any thread.
// Close() waits for background work; calls made after Close() return
// Status::Closed. The caller must not destroy the DB while other threads are
// inside its methods.

#ifndef FLOWDB_INCLUDE_DB_H_
#define FLOWDB_INCLUDE_DB_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flowdb/change_feed.h"
#include "flowdb/iterator.h"
#include "flowdb/options.h"
#include "flowdb/record.h"
#include "flowdb/status.h"
#include "flowdb/write_batch.h"
#include "flowdb/write_callback.h"

namespace flowdb {

// Bounds and filters for DB::NewScan. Keys compare bytewise.
struct ScanOptions {
  // Key bounds; an empty optional-like pair (has_*) means unbounded.
  bool has_lower = false;
  std::string lower;
  bool lower_inclusive = true;
  bool has_upper = false;
  std::string upper;
  bool upper_inclusive = false;
  // Time bounds (inclusive), applied to every key.
  int64_t ts_min = std::numeric_limits<int64_t>::min();
  int64_t ts_max = std::numeric_limits<int64_t>::max();
  // Walk from the largest (key, ts) down.
  bool reverse = false;
};

// A cursor over the records selected by a ScanOptions, in key then ts order
// (or the reverse). Thread safety as RecordIterator.
class ScanCursor {
 public:
  virtual ~ScanCursor() = default;
  // Moves to the next selected record; returns false at the end or on error
  // (then status() says which).
  virtual bool Next() = 0;
  // REQUIRES: the last Next() returned true. Views valid until Next().
  virtual std::string_view key() const = 0;
  virtual int64_t ts() const = 0;
  virtual std::string_view value() const = 0;
  virtual int64_t expire_at() const = 0;
  virtual Status status() const = 0;

  // Repositions the cursor: the next Next() returns the first selected
  // record whose key is >= key (<= key when the scan is reverse), versions
  // in the scan's ts order; a target outside the key bounds moves to the
  // bound (or, past the far bound, to the end). Works at any point, also
  // after the end. The new position counts as committed (see Commit): a
  // memory-only Busy after it rewinds to it.
  virtual void Seek(std::string_view key) = 0;

  // Memory-only reading, for serving a scan on a thread that must not block
  // (a Promise API's JS thread) and going on elsewhere when it would.
  // While on, Next() opens no file and reads no block that is not cached;
  // if a record needs one, Next() returns false with status() Busy, and the
  // cursor goes back to the position of the last Commit() (its start if
  // none): the next Next() (in either mode) returns the record after it.
  // Switching the mode keeps the position (and commits it); the view
  // (sequence, files, expiry clock) stays the one the cursor was created
  // with.
  virtual void SetMemoryOnly(bool on) = 0;
  // Marks the records returned so far as delivered: a Busy rewinds to here.
  virtual void Commit() = 0;
};

// A consistent view of the DB as of one sequence number, pinned until
// DB::ReleaseSnapshot. Reads given it (ReadOptions::snapshot) see exactly
// the writes committed before it, and compaction keeps every version such
// reads can see.
class Snapshot {
 public:
  virtual uint64_t sequence() const = 0;

 protected:
  virtual ~Snapshot() = default;
};

// One lookup of DB::MultiGet: the record (key, ts). The key's bytes must
// stay valid for the call.
struct PointLookup {
  std::string_view key;
  int64_t ts = 0;
};

// Latency percentiles of one kind of operation, in microseconds (1 µs
// resolution below 64 µs, within 3.2% above; see util/histogram.h).
struct LatencySummary {
  uint64_t count = 0;
  uint64_t sum = 0;  // µs
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

// Counters describing a DB; a copy, safe to keep.
struct DBStats {
  uint64_t last_sequence = 0;
  uint64_t records_written = 0;
  uint64_t bytes_written = 0;     // encoded batch bytes accepted
  uint64_t wal_syncs = 0;
  uint64_t write_groups = 0;      // group commits (≤ write batches)
  uint64_t flushes = 0;
  uint64_t stall_micros = 0;      // time writers waited for flushes
  uint64_t memtable_bytes = 0;    // active + frozen
  uint64_t frozen_memtables = 0;
  uint64_t sstables = 0;
  uint64_t sstable_bytes = 0;
  uint64_t largest_sstable_bytes = 0;
  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
  uint64_t block_cache_bytes = 0;
  uint64_t bloom_useful = 0;      // SSTable probes avoided by the bloom filter

  uint64_t stalls = 0;            // writes that waited for a flush
  uint64_t flush_bytes = 0;       // SSTable bytes written by flushes
  uint64_t compactions = 0;
  uint64_t compaction_bytes_read = 0;
  uint64_t compaction_bytes_written = 0;
  uint64_t compaction_entries_dropped = 0;  // overwritten, deleted or expired
  uint64_t gc_runs = 0;           // DropExpiredFiles passes that dropped a file
  uint64_t gc_files = 0;          // SSTables dropped whole because all expired
  uint64_t gc_records = 0;        // entries in them
  uint64_t range_deletions = 0;   // live range tombstones (memtables + SSTables)
  uint64_t snapshots = 0;         // open snapshots
  uint64_t table_readers = 0;     // open SSTable readers (≤ max_open_files)
  uint64_t get_sst_probes = 0;    // SSTables searched by point reads
  uint64_t gets = 0;              // point reads (Get) served
  // Damaged WAL stretches skipped by the open with WalRecovery::kSalvage,
  // and their bytes (0 with kStrict, which fails the open instead). A
  // skipped malformed write batch counts as one region of its record's size.
  uint64_t wal_skipped_regions = 0;
  uint64_t wal_skipped_bytes = 0;

  LatencySummary write_latency;       // DB::Write, including queueing and WAL sync
  LatencySummary read_latency;        // DB::Get and DB::GetLatest
  LatencySummary flush_latency;       // one memtable flush
  LatencySummary compaction_latency;  // one compaction
};

// What DB::Patch changes in a record. Unset fields keep their current value.
struct PatchOptions {
  bool set_value = false;
  std::string value;
  bool set_expire_at = false;
  int64_t expire_at = kNoExpiry;  // µs since the epoch; kNoExpiry = never
};

// One problem found by DB::Verify, or something RepairDB could not keep.
struct FileProblem {
  std::string file;     // relative to the DB directory, e.g. "sst/000012.sst"
  uint64_t offset = 0;  // byte offset of the damage in the file; 0 if unknown or the whole file
  std::string message;
};

// What DB::Verify read and what it found wrong.
struct VerifyReport {
  uint64_t sstables = 0;      // live SSTables checked
  uint64_t sstable_bytes = 0;
  uint64_t data_blocks = 0;   // SSTable data blocks whose checksum was verified
  uint64_t entries = 0;       // SSTable entries read
  uint64_t wal_segments = 0;  // WAL segments read
  uint64_t wal_records = 0;   // WAL records (write batches) read and decoded
  std::vector<FileProblem> problems;  // empty when everything verified
};

// What RepairDB kept and what it dropped.
struct RepairReport {
  uint64_t sstables_kept = 0;      // read whole and kept as they were
  uint64_t sstables_salvaged = 0;  // partly readable: their readable entries rewritten
  uint64_t sstables_dropped = 0;   // nothing readable: moved to lost/
  uint64_t wal_segments = 0;       // WAL segments read
  uint64_t wal_records = 0;        // WAL records recovered into new SSTables
  uint64_t wal_records_dropped = 0;
  uint64_t wal_bytes_dropped = 0;
  uint64_t entries_salvaged = 0;   // entries copied out of partly readable SSTables
  uint64_t last_sequence = 0;      // of the repaired DB
  std::vector<FileProblem> dropped;        // each piece that could not be kept, and why
  std::vector<std::string> moved_to_lost;  // files moved to lost/ (relative paths)
};

class DB {
 public:
  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  virtual ~DB() = default;

  // Opens (creating if allowed) the DB in directory `path`, recovering from
  // the WAL. On error *result is left empty. Locked if another open DB in
  // this or another process holds the directory.
  static Status Open(const Options& options, const std::string& path,
                     std::unique_ptr<DB>* result);

  // Applies batch atomically; durable per Options::sync_mode when OK.
  virtual Status Write(WriteBatch* batch) = 0;

  // As Write(batch), with callback->Callback(this) run first while this
  // write leads the write queue (see flowdb/write_callback.h); it may fill
  // or change *batch. If it fails, nothing is written and its status is
  // returned. callback may be null (then the same as Write(batch)).
  virtual Status Write(WriteBatch* batch, WriteCallback* callback) = 0;

  // Reads the value of (key, ts). NotFound if absent, deleted or expired;
  // *value and *expire_at are left unchanged then.
  virtual Status Get(const ReadOptions& options, std::string_view key, int64_t ts,
                     std::string* value, int64_t* expire_at = nullptr) = 0;

  // Reads many records at one view: each lookups[i] gets exactly what
  // Get(options, lookups[i].key, lookups[i].ts, ...) would return at the
  // same sequence number. Lookups may come in any order and may repeat;
  // the work is shared (one read state, one set of range tombstones, each
  // memtable searched from where the previous key was found, each SSTable
  // visited once with its bloom filter per key and a data block read once
  // for the keys that fall into it), so many keys close together cost far
  // less than as many Gets; keys already ascending skip the sort.
  //
  // On OK, (*statuses)[i] is OK with (*values)[i] (and (*expire_ats)[i], µs
  // since the epoch or kNoExpiry, when expire_ats is not null) holding the
  // record; NotFound if absent, deleted or expired, its value left empty;
  // or the error that Get would return for it (Corruption naming the file,
  // an I/O error, Busy("would block") under options.memory_only). Each
  // vector is resized to lookups.size(). The call itself returns Closed
  // after Close and InvalidArgument for a snapshot of another DB, with the
  // vectors left unchanged.
  virtual Status MultiGet(const ReadOptions& options, std::span<const PointLookup> lookups,
                          std::vector<std::string>* values, std::vector<Status>* statuses,
                          std::vector<int64_t>* expire_ats = nullptr) = 0;

  // Reads the live record of `key` with the largest ts. NotFound if none.
  virtual Status GetLatest(const ReadOptions& options, std::string_view key,
                           Record* record) = 0;

  // An iterator over the whole DB at options.snapshot (or now). A snapshot
  // of another DB gives an iterator whose status() is InvalidArgument.
  virtual std::unique_ptr<RecordIterator> NewIterator(const ReadOptions& options) = 0;

  // A cursor over the records that `scan` selects.
  virtual std::unique_ptr<ScanCursor> NewScan(const ReadOptions& options,
                                              const ScanOptions& scan) = 0;

  // Removes every version of every key in [start, end) (all ts) written
  // before the call; later writes are visible. InvalidArgument unless
  // start < end. Durable per Options::sync_mode, like Write.
  virtual Status DeleteRange(std::string_view start, std::string_view end) = 0;

  // Atomically reads the live record (key, ts), applies `patch`, and writes
  // the result, which is returned in *result (may be null). No other write
  // can come between the read and the write (a WriteCallback does the
  // read). NotFound if the record is absent, deleted or expired.
  virtual Status Patch(std::string_view key, int64_t ts, const PatchOptions& patch,
                       Record* result) = 0;

  // The sequence number of the newest committed write.
  virtual uint64_t LatestSequence() const = 0;

  // Pins the current state; reads with ReadOptions::snapshot = the result
  // see it until ReleaseSnapshot. Returns null after Close.
  virtual const Snapshot* GetSnapshot() = 0;
  // Releases a snapshot from GetSnapshot (exactly once; before Close).
  virtual void ReleaseSnapshot(const Snapshot* snapshot) = 0;

  // Flushes the memtable, then merges every SSTable into one, dropping what
  // no reader can see (overwritten versions, deleted and expired entries not
  // needed by an open snapshot). Waits for the result.
  virtual Status CompactAll() = 0;

  // Deletes the SSTables whose entries have all expired, when no older
  // SSTable could hold versions they hide. *files / *entries (may be null)
  // receive how many files and entries were dropped.
  virtual Status DropExpiredFiles(uint64_t* files, uint64_t* entries) = 0;

  // Writes the memtable (if not empty) to an SSTable and waits until every
  // frozen memtable is flushed.
  virtual Status Flush() = 0;

  // Leaves the read-only state that a failed write, sync, flush or manifest
  // update (EIO, ENOSPC) put the DB in, once the cause is gone: writes a
  // fresh manifest if a manifest write failed, cuts the WAL back to its last
  // acknowledged record and starts a new one, then flushes every memtable.
  // OK if all of that succeeded: the DB takes writes again and nothing
  // acknowledged was lost. Otherwise the error, and the DB stays read-only
  // (Resume may be tried again). OK at once if the DB is not read-only.
  // Writes wait while it runs.
  virtual Status Resume() = 0;

  // Writes a consistent copy of the DB into directory `dir` while writes go
  // on (an online backup). The copy holds exactly the writes with sequence
  // numbers up to the one published when the call took its view, and
  // *sequence (may be null) receives that number; it opens as a DB of its
  // own and shares nothing with this one afterwards. SSTables are hard
  // links where target_env is this DB's Env and the file system allows,
  // else copies; the WAL segments not yet flushed are copied up to the view,
  // and a fresh MANIFEST, OPTIONS and CURRENT are written. Every file and
  // directory is synced, and CURRENT comes last: a directory without it
  // does not open as a DB. target_env: where `dir` lives; null for this
  // DB's Env (an in-memory DB can so be saved to disk with Env::Default()).
  // `dir` may exist if it is empty; missing folders above it are created
  // and synced (as by an open with create_if_missing). Returns
  // InvalidArgument if dir is not empty, the DB's read-only error if a write
  // failed (see Resume), or the I/O error of a failed copy, after removing
  // what it had written.
  virtual Status Checkpoint(const std::string& dir, Env* target_env, uint64_t* sequence) = 0;

  // A feed of the batches committed after sequence number `since`, read
  // back from the WAL (see flowdb/change_feed.h). WAL segments are kept while
  // a feed may still read them, and, after their memtable is flushed, within
  // Options::wal_retention_bytes. InvalidArgument if since >
  // LatestSequence(); SequenceGone if a batch after since is in no WAL
  // segment kept.
  virtual Status NewChangeFeed(uint64_t since, std::unique_ptr<ChangeFeed>* feed) = 0;

  // Calls listener(last_sequence) after every commit, on the committing
  // thread while it holds the DB's commit lock: the listener must be quick
  // and must not call into the DB. Returns its id for RemoveCommitListener.
  virtual uint64_t AddCommitListener(std::function<void(uint64_t)> listener) = 0;
  // Once this returns, the listener is neither running nor called again.
  virtual void RemoveCommitListener(uint64_t id) = 0;

  virtual DBStats GetStats() const = 0;

  // Reads every live SSTable whole (every block checksum, entry order, the
  // entry count, key, sequence and range-deletion bounds against the
  // MANIFEST, the file size) and every WAL segment not yet flushed (every
  // record checksum, every write batch decoded), while the DB stays usable.
  // Fills *report; damage is a problem in the report, not an error status.
  // Returns an error only if the check itself could not run (Closed, or an
  // I/O error listing the directories).
  virtual Status Verify(VerifyReport* report) = 0;

  // Stops background work, syncs the WAL and releases the directory lock.
  // Idempotent. Iterators and cursors must be destroyed first.
  virtual Status Close() = 0;
};

// Removes every file of the DB at path (which must not be open).
Status DestroyDB(const std::string& path, const Options& options);

// Salvages a damaged DB at path (which must not be open), in the manner of
// LevelDB's RepairDB: every SSTable is read whole; one that reads cleanly is
// kept, one partly readable is rewritten with the entries before its first
// bad block, one that cannot be opened is moved to lost/. The records of
// every WAL segment are read (bad records skipped and counted) and written to
// new SSTables. A new MANIFEST naming exactly the kept tables replaces the
// old one, a damaged OPTIONS file is replaced with options, and the old
// MANIFESTs and the WAL segments read are moved to lost/. Nothing readable
// is deleted. *report (may be null) says what was kept and what dropped.
// Data written after a dropped piece may reappear older versions of records
// it overwrote or deleted. Returns an I/O error if the files could not be
// read or written, Locked if the DB is open.
Status RepairDB(const std::string& path, const Options& options, RepairReport* report);

// One file of a data directory, as InspectDB finds it.
struct DBFileInfo {
  std::string name;     // relative to the directory: "OPTIONS", "sst/000012.sst", "lost/000007.log"
  std::string kind;     // "lock", "current", "manifest", "options", "wal", "sstable", "temp",
                        // "lost" (moved aside by RepairDB) or "unknown"
  uint64_t number = 0;  // the file number (0 for LOCK, CURRENT, OPTIONS and unknown files)
  uint64_t size = 0;    // bytes
};

// What a data directory holds, read without opening the DB: no lock is
// taken and nothing is written, so it may run while the DB is open (the
// listing is then a moment's view).
struct DBDirectoryInfo {
  std::vector<DBFileInfo> files;  // sorted by name
  // The OPTIONS file as stored (names as written, e.g. "memtable_size",
  // "format_version", "extra.jsondb.format"), valid when options_status is
  // OK. options_status is NotFound without an OPTIONS file, else as
  // ReadOptionsFile: Corruption for a damaged file, NotSupported for a newer
  // file format.
  std::map<std::string, std::string> options;
  Status options_status;
};

// Lists the files of the DB directory at path by kind and size and reads its
// OPTIONS file (see DBDirectoryInfo), through env (nullptr: Env::Default()).
// Returns NotFound if path does not exist, or the Env's error if a directory
// cannot be listed.
Status InspectDB(const std::string& path, DBDirectoryInfo* info, Env* env = nullptr);

// Version strings, for flowdb.versions in JS.
const char* LZ4VersionString();
// SSTable and WAL format version written by this build.
int FormatVersion();

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_DB_H_
