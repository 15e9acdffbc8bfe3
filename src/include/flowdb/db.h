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
#include <memory>
#include <string>
#include <string_view>

#include "flowdb/iterator.h"
#include "flowdb/options.h"
#include "flowdb/record.h"
#include "flowdb/status.h"
#include "flowdb/write_batch.h"

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
  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
  uint64_t block_cache_bytes = 0;
  uint64_t bloom_useful = 0;      // SSTable probes avoided by the bloom filter
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

  // Reads the value of (key, ts). NotFound if absent, deleted or expired;
  // *value and *expire_at are left unchanged then.
  virtual Status Get(const ReadOptions& options, std::string_view key, int64_t ts,
                     std::string* value, int64_t* expire_at = nullptr) = 0;

  // Reads the live record of `key` with the largest ts. NotFound if none.
  virtual Status GetLatest(const ReadOptions& options, std::string_view key,
                           Record* record) = 0;

  // An iterator over the whole DB at options.snapshot (or now).
  virtual std::unique_ptr<RecordIterator> NewIterator(const ReadOptions& options) = 0;

  // A cursor over the records that `scan` selects.
  virtual std::unique_ptr<ScanCursor> NewScan(const ReadOptions& options,
                                              const ScanOptions& scan) = 0;

  // The sequence number of the newest committed write.
  virtual uint64_t LatestSequence() const = 0;

  // Writes the memtable (if not empty) to an SSTable and waits until every
  // frozen memtable is flushed.
  virtual Status Flush() = 0;

  virtual DBStats GetStats() const = 0;

  // Stops background work, syncs the WAL and releases the directory lock.
  // Idempotent. Iterators and cursors must be destroyed first.
  virtual Status Close() = 0;
};

// Removes every file of the DB at path (which must not be open).
Status DestroyDB(const std::string& path, const Options& options);

// Version strings, for flowdb.versions in JS.
const char* LZ4VersionString();
// SSTable and WAL format version written by this build.
int FormatVersion();

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_DB_H_
