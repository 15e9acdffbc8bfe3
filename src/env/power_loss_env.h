// PowerLossEnv: an Env that models what a real disk keeps when the power
// goes out, for randomized crash tests. It wraps another Env (normally the
// in-memory one) and keeps its own record of what has been made durable.
//
// The model (SimulatePowerLoss):
//  - File contents: the bytes up to a file's last successful
//    WritableFile::Sync survive. Of the bytes appended since, any subset of
//    4 KiB pages (file-offset aligned) may survive, in any combination: the
//    disk may have written a later page and not an earlier one. A lost page
//    below the surviving file size reads back as zeros. Per file, the loss
//    takes one of these shapes (chosen at random): nothing unsynced
//    survives; everything does; a prefix of any byte length does; or the
//    file keeps a random length whose unsynced pages each survive or turn to
//    zeros independently.
//  - Directory entries: creating, renaming or removing a file changes its
//    directory, and that change is durable only once SyncDir succeeds on the
//    directory afterwards. Until then the power loss reverts it: a created
//    file disappears, a removed file comes back with its durable contents,
//    a rename is undone (the source name returns, the destination shows what
//    it held before). A directory made by CreateDir is durable only once its
//    parent is synced; otherwise it disappears with everything in it.
//  - Not modelled: truncation (WritableFile::Truncate, or NewWritableFile
//    over an existing file) takes effect on the durable contents at once.
//    Files that existed before this Env first touched their directory are
//    fully durable.
//
// Cut point: SetCutAfter(n) lets n more mutating operations (file creation,
// Append, Sync, Truncate, RemoveFile, RenameFile, CreateDir, RemoveDir,
// SyncDir) through, then "the power is off": every later mutating operation
// fails with IOError (EIO) and changes nothing. Reads keep working, so the
// DB can be closed before SimulatePowerLoss.
//
// Injected sync failures: SetSyncFailures(one_in, pattern, seed) makes each
// WritableFile::Sync or SyncDir whose path contains pattern fail with EIO
// with probability 1/one_in; a failed sync makes nothing durable (the bytes
// stay unsynced and may be torn by a later power loss).
//
// Thread safety: every method may be called from any thread; the Env
// serializes its operations. SimulatePowerLoss REQUIRES that no file opened
// through this Env is still open (close the DB first); every WritableFile it
// returned must be destroyed before the PowerLossEnv.

#ifndef FLOWDB_ENV_POWER_LOSS_ENV_H_
#define FLOWDB_ENV_POWER_LOSS_ENV_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>

#include "flowdb/env.h"

namespace flowdb {

class PowerLossEnv : public EnvWrapper {
 public:
  // What one SimulatePowerLoss did.
  struct LossReport {
    uint64_t files_torn = 0;        // files that kept part of their unsynced bytes
    uint64_t files_cut = 0;         // files that lost all their unsynced bytes
    uint64_t pages_zeroed = 0;      // unsynced pages turned to zeros below the kept size
    uint64_t entries_reverted = 0;  // unsynced creations, removals and renames undone
    uint64_t dirs_lost = 0;         // directories whose creation was not durable
  };

  // REQUIRES: base outlives this Env.
  explicit PowerLossEnv(Env* base);
  ~PowerLossEnv() override;
  PowerLossEnv(const PowerLossEnv&) = delete;
  PowerLossEnv& operator=(const PowerLossEnv&) = delete;

  Status NewWritableFile(const std::string& fname, std::unique_ptr<WritableFile>* result) override;
  Status NewAppendableFile(const std::string& fname,
                           std::unique_ptr<WritableFile>* result) override;
  Status RemoveFile(const std::string& fname) override;
  Status RenameFile(const std::string& src, const std::string& dst) override;
  Status CreateDir(const std::string& dir) override;
  Status RemoveDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;

  // n >= 0: n more mutating operations succeed, then the power is off;
  // n < 0: no cut point (the default).
  void SetCutAfter(int64_t n);
  // True once the cut point was reached.
  bool power_off() const;
  // Mutating operations let through since construction.
  uint64_t operations() const;

  // one_in > 0: each Sync/SyncDir of a path containing `pattern` ("" = all)
  // fails with probability 1/one_in; one_in == 0 turns injection off.
  void SetSyncFailures(uint32_t one_in, std::string pattern, uint64_t seed);
  // Syncs failed by injection since construction.
  uint64_t injected_sync_failures() const;

  // Simulates a power loss as described above, choosing what survives with
  // a generator seeded by `seed`, then turns the power back on (no cut
  // point; injection off): afterwards every file is durable as it is.
  // Returns the first error of the base Env (it still processes every file).
  Status SimulatePowerLoss(uint64_t seed, LossReport* report = nullptr);

 private:
  class File;
  // The contents of one file as this Env knows them: every byte appended
  // through it, and how many of them a Sync made durable.
  struct Inode {
    std::string data;
    uint64_t synced = 0;
  };
  using InodeRef = std::shared_ptr<Inode>;

  // REQUIRES: mu_ held. Counts a mutating operation, or fails when the
  // power is (or just went) off.
  Status Tick(const std::string& what);
  // REQUIRES: mu_ held. EIO if an injected sync failure hits `path`.
  Status MaybeFailSync(const std::string& path);
  // REQUIRES: mu_ held. Starts tracking dir: its current files become
  // durable inodes, read from the base Env.
  void TrackDir(const std::string& dir);
  Status OpenWritable(const std::string& fname, bool truncate,
                      std::unique_ptr<WritableFile>* result);
  // REQUIRES: mu_ held. What of inode survives the power loss.
  std::string SurvivingContents(const Inode& inode, std::mt19937_64* rng, LossReport* report);

  mutable std::mutex mu_;
  int64_t ops_left_ = -1;  // < 0: no cut point
  bool power_off_ = false;
  uint64_t operations_ = 0;
  uint32_t sync_fail_one_in_ = 0;
  std::string sync_fail_pattern_;
  std::mt19937_64 sync_fail_rng_;
  uint64_t injected_sync_failures_ = 0;

  // Tracked directories: the entries a power loss would leave in each
  // (name → inode), as of its last SyncDir or of when tracking began.
  std::map<std::string, std::map<std::string, InodeRef>> durable_entries_;
  // Files of tracked directories as they are now (path → inode).
  std::map<std::string, InodeRef> live_;
  // Directories made by CreateDir whose entry is not yet durable.
  std::set<std::string> undurable_dirs_;
};

}  // namespace flowdb

#endif  // FLOWDB_ENV_POWER_LOSS_ENV_H_
