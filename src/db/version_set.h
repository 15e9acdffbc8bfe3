// Version: an immutable set of live SSTables. VersionSet: the current
// Version plus the persistent counters (next file number, last sequence, WAL
// log number), kept durable in the manifest.
//
// Thread safety: VersionSet methods are thread-safe. LogAndApply calls are
// serialized internally; current() may be called from any thread and the
// returned Version stays valid as long as the caller holds it.
//
// A failed manifest append or sync is fatal for that manifest: the record
// may or may not be on disk, and a failed fsync may have dropped earlier
// pages too. Until WriteSnapshotManifest starts a fresh manifest, every
// LogAndApply fails with the first error and AddLiveFiles reports that no
// file may be deleted, since the manifest that CURRENT names may hold an
// edit that the in-memory state does not.

#ifndef FLOWDB_DB_VERSION_SET_H_
#define FLOWDB_DB_VERSION_SET_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "db/version_edit.h"
#include "flowdb/env.h"

namespace flowdb {

namespace log {
class Writer;
}

class Version {
 public:
  // Live files, newest first (max_seq descending).
  const std::vector<std::shared_ptr<const FileMetaData>>& files() const { return files_; }
  uint64_t TotalFileSize() const;

 private:
  friend class VersionSet;
  std::vector<std::shared_ptr<const FileMetaData>> files_;
};

class VersionSet {
 public:
  VersionSet(std::string dbname, Env* env);
  ~VersionSet();
  VersionSet(const VersionSet&) = delete;
  VersionSet& operator=(const VersionSet&) = delete;

  // Reads CURRENT and replays the manifest it names. *exists is false (and
  // the status OK) when there is no CURRENT: the directory holds no DB.
  Status Recover(bool* exists);

  // Starts a fresh manifest holding a snapshot of the current state and
  // points CURRENT at it (used at open, after Recover or for a new DB, and
  // to get past a failed manifest write). On success the old manifest is
  // removed and manifest_error() is cleared. On error the old manifest stays
  // in use, unless CURRENT may already name the new one (its rename went
  // through but the directory sync failed): then the new file is kept and
  // manifest_error() is set.
  Status WriteSnapshotManifest();

  // Applies edit to the current version, appends it to the manifest, syncs,
  // then installs the new version. Fills in next file number and last
  // sequence. On error the current version is unchanged; an append or sync
  // error also sets manifest_error().
  Status LogAndApply(VersionEdit* edit);

  // The first manifest append or sync error since the last successful
  // WriteSnapshotManifest, or OK.
  Status manifest_error() const {
    std::lock_guard<std::mutex> l(mu_);
    return manifest_error_;
  }

  std::shared_ptr<const Version> current() const;

  // Fills *edit with the whole current state (comparator, log number, next
  // file number, last sequence, every live file), as the first record of a
  // fresh manifest would hold it, and returns the Version it describes:
  // both are taken under one lock, so the files and the log number agree.
  std::shared_ptr<const Version> SnapshotState(VersionEdit* edit) const;

  // Adds to *live the numbers of the files of every Version still held by
  // anyone (the current one and those pinned by reads): deleting any other
  // table file cannot disturb a reader. Returns false when no file may be
  // deleted at all (manifest_error() is set: the manifest on disk may name
  // files the current Version does not).
  [[nodiscard]] bool AddLiveFiles(std::set<uint64_t>* live) const;

  uint64_t NewFileNumber() { return next_file_number_.fetch_add(1); }
  // Makes sure numbers up to n are never handed out (WAL files found at recovery).
  void MarkFileNumberUsed(uint64_t n);
  uint64_t log_number() const { return log_number_.load(); }
  SequenceNumber last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }
  // REQUIRES: s >= last_sequence()
  void SetLastSequence(SequenceNumber s) { last_sequence_.store(s, std::memory_order_release); }
  uint64_t manifest_number() const {
    std::lock_guard<std::mutex> l(mu_);
    return manifest_number_;
  }

  static const char* ComparatorName() { return "flowdb.InternalKeyComparator.v1"; }

 private:
  Status Apply(const VersionEdit& edit, Version* v) const;
  void SnapshotEdit(VersionEdit* edit) const;

  const std::string dbname_;
  Env* const env_;

  mutable std::mutex mu_;  // guards current_ and the manifest writer
  std::shared_ptr<const Version> current_;
  // Every Version installed since open; expired entries are pruned lazily.
  mutable std::vector<std::weak_ptr<const Version>> all_versions_;
  std::unique_ptr<WritableFile> manifest_file_;
  std::unique_ptr<log::Writer> manifest_log_;
  uint64_t manifest_number_ = 0;
  uint64_t manifest_size_ = 0;
  Status manifest_error_;  // see manifest_error()

  std::atomic<uint64_t> next_file_number_{2};
  std::atomic<uint64_t> log_number_{0};
  std::atomic<SequenceNumber> last_sequence_{0};
};

}  // namespace flowdb

#endif  // FLOWDB_DB_VERSION_SET_H_
