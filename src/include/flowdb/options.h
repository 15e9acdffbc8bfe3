// Options that control an open DB, and per-read options.

#ifndef FLOWDB_INCLUDE_OPTIONS_H_
#define FLOWDB_INCLUDE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <string>

namespace flowdb {

class Env;

// When an acknowledged write is durable.
enum class SyncMode : uint8_t {
  // fdatasync the WAL before a write returns: survives power loss.
  kAlways = 0,
  // fdatasync every sync_interval_ms on the background thread: a power loss
  // may lose the last interval; a process crash loses nothing.
  kInterval = 1,
  // Never fsync the WAL (the OS writes it back): a process crash loses
  // nothing, a power loss may lose what the OS had not written.
  kNone = 2,
};

// What DB::Open does with a damaged WAL. A torn tail of the newest WAL (a
// write cut short by a crash, which was never acknowledged) is cut off in
// every mode.
enum class WalRecovery : uint8_t {
  // Any other damage (a bad record followed by a valid one, a bad record in
  // an older WAL, a malformed write batch) fails the open with Corruption
  // naming the file and offset.
  kStrict = 0,
  // Keeps every record that can still be read and skips the damaged
  // stretches between them; DBStats::wal_skipped_regions/_bytes say what
  // was skipped. Writes in a skipped stretch are lost, and later writes
  // are kept even when an earlier one was not. What was recovered is
  // written to SSTables before the open returns, so the damaged WAL is not
  // read again.
  kSalvage = 1,
};

enum class Compression : uint8_t {
  kNone = 0,
  kLZ4 = 1,
};

// Options for DB::Open. Sizes are bytes, intervals milliseconds.
struct Options {
  // File system and clock. nullptr → Env::Default() (POSIX).
  Env* env = nullptr;

  bool create_if_missing = true;
  bool error_if_exists = false;

  SyncMode sync_mode = SyncMode::kAlways;
  uint32_t sync_interval_ms = 100;  // SyncMode::kInterval only

  WalRecovery wal_recovery = WalRecovery::kStrict;

  // A memtable is frozen and flushed to an SSTable once its estimated size
  // reaches this many bytes.
  size_t memtable_size = 64u << 20;
  // Writers stall while this many frozen memtables wait to be flushed.
  int max_frozen_memtables = 2;

  // Target uncompressed size of an SSTable data block.
  size_t block_size = 16u << 10;
  // Entries between restart points in a block (binary-search granularity).
  int block_restart_interval = 16;
  // Bits per key of the per-SSTable bloom filter over user keys; 0 disables it.
  int bloom_bits_per_key = 10;
  Compression compression = Compression::kLZ4;

  // Capacity of the shared block cache (uncompressed blocks).
  size_t block_cache_size = 64u << 20;
  // SSTable readers kept open at once.
  int max_open_files = 1000;

  // Default time-to-live of puts that carry no expiry (WriteBatch::Put with
  // expire_at == kNoExpiry), in microseconds counted from ttl_basis; 0 = no
  // default. A batch decoded
  // with FromRep can opt a put out with an explicit expiring entry whose
  // expire_at is kNoExpiry.
  int64_t default_ttl_us = 0;
  // What default_ttl_us counts from: the wall-clock time of the write, or
  // the record's ts (then ts must be µs since the epoch, as in upstream
  // FlowDB; expire_at = ts + default_ttl_us, saturating).
  enum class TtlBasis : uint8_t { kWriteTime = 0, kRecordTs = 1 };
  TtlBasis ttl_basis = TtlBasis::kWriteTime;

  // Flush the memtable after it has held data this long (0 = only on size).
  uint32_t flush_interval_ms = 0;

  // Size-tiered compaction. SSTables are sorted runs ordered by age; the
  // background thread merges a run of adjacent ones into one:
  //   - once at least compaction_trigger SSTables exist, the newest files are
  //     merged while each next one is at most (100 + compaction_size_ratio)%
  //     of the bytes merged so far (at least 2 files);
  //   - when the files newer than the oldest hold more than
  //     max_space_amplification percent of its bytes, everything is merged.
  // 0 for compaction_trigger turns automatic compaction off
  // (DB::CompactAll still works).
  int compaction_trigger = 4;
  int compaction_size_ratio = 1;          // percent
  int max_space_amplification = 200;      // percent

  // WAL segments whose memtable was flushed are kept for change feeds
  // (DB::NewChangeFeed) while all such segments together hold at most this
  // many bytes; the oldest go first. 0 deletes them at once (a feed then
  // reads only what is not flushed yet, or what an open feed pins).
  uint64_t wal_retention_bytes = 0;

  // Settings of the layer above that decide how stored bytes are read (the
  // JS layer's key and value encodings). Recorded in the OPTIONS file;
  // reopening with a different value for a name recorded there fails with
  // InvalidArgument. Names: 1–128 of [A-Za-z0-9_.-]; values without newline,
  // carriage return or NUL.
  std::map<std::string, std::string> stored_settings;
};

class Snapshot;

// Options for a single read or iterator.
struct ReadOptions {
  // Read the state pinned by this snapshot (from DB::GetSnapshot on the DB
  // being read, not yet released); nullptr = the latest state at the time
  // the read starts. A snapshot of another DB gives InvalidArgument.
  const Snapshot* snapshot = nullptr;
  // Insert blocks read by this operation into the block cache.
  bool fill_cache = true;
  // Serve the read from memory only (memtables, cached blocks); a read that
  // would need file I/O fails with Status::WouldBlock (a kBusy) instead.
  bool memory_only = false;
  // Iterators only: data blocks whose ts range does not meet [ts_min, ts_max]
  // may be skipped without being read. Entries outside the range may still be
  // returned; callers filter.
  int64_t ts_min = std::numeric_limits<int64_t>::min();
  int64_t ts_max = std::numeric_limits<int64_t>::max();
};

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_OPTIONS_H_
