// FaultInjectionEnv: an Env for crash and I/O-error tests. It wraps another
// Env (POSIX or in-memory), remembers what has been made durable, and can
// throw away the rest or make writes and syncs fail.
//
// What DropUnsyncedData() models (a power loss):
//  - Contents: bytes appended through this Env after a file's last successful
//    WritableFile::Sync are lost; the file is cut back to its size at that
//    Sync. A file opened with NewWritableFile counts as synced at size 0, one
//    opened with NewAppendableFile at its size when opened.
//  - Creation: a file created through this Env (its path did not exist when
//    NewWritableFile/NewAppendableFile opened it) is removed entirely unless
//    SyncDir succeeded on its directory after the creation. The directory is
//    the path up to its last '/' ("." when there is none) and must be spelled
//    the same way in SyncDir.
// Not modelled, deliberately:
//  - RenameFile and RemoveFile are durable at once; DropUnsyncedData never
//    reverts them, whether or not SyncDir followed. A renamed file keeps its
//    synced size and its "created since SyncDir" mark under the new name.
//  - WritableFile::Truncate is durable at once (the synced size shrinks too).
//  - A failed or injected-failing Append writes nothing: there are no torn
//    writes inside one Append (log tests make torn tails by cutting bytes).
//  - Files never opened for writing through this Env are fully durable.
//
// Error injection (each switch affects calls that start after it is set):
//  - SetFailWrites(true): WritableFile::Append fails with IOError (EIO).
//  - SetNoSpace(true): Append fails with IOError, subcode kNoSpace (ENOSPC).
//  - FailAfterNWrites(n): the next n Appends succeed, every later one fails
//    with IOError (EIO) until FailAfterNWrites(-1) turns the countdown off.
//  - SetFailSync(true): WritableFile::Sync and Env::SyncDir fail with IOError
//    (EIO) and make nothing durable.
//  - SetSyncHook(f): every WritableFile::Sync first calls f(path); a non-OK
//    result fails that Sync, which then makes nothing durable. f may block,
//    to hold a background job at a chosen point (one-shot failures of the
//    N-th sync of some file, thread interleavings in tests).
// A failing Append leaves the file unchanged.
//
// Thread safety: every method may be called from any thread. DropUnsyncedData
// REQUIRES that no file opened through this Env is being written at the same
// time (stop the writers first, as the crash would); files opened before it
// must not be written after it. Every WritableFile it returned must be
// destroyed before the FaultInjectionEnv.

#ifndef FLOWDB_ENV_FAULT_INJECTION_ENV_H_
#define FLOWDB_ENV_FAULT_INJECTION_ENV_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "flowdb/env.h"

namespace flowdb {

class FaultInjectionEnv : public EnvWrapper {
 public:
  // REQUIRES: base outlives this Env.
  explicit FaultInjectionEnv(Env* base);
  ~FaultInjectionEnv() override;

  FaultInjectionEnv(const FaultInjectionEnv&) = delete;
  FaultInjectionEnv& operator=(const FaultInjectionEnv&) = delete;

  Status NewWritableFile(const std::string& fname,
                         std::unique_ptr<WritableFile>* result) override;
  Status NewAppendableFile(const std::string& fname,
                           std::unique_ptr<WritableFile>* result) override;
  Status RemoveFile(const std::string& fname) override;
  Status RenameFile(const std::string& src, const std::string& dst) override;
  Status SyncDir(const std::string& dir) override;

  // Simulates a power loss as described above: truncates every file written
  // through this Env to its synced size and removes files whose creation was
  // never made durable by SyncDir. Returns the first error of the base Env;
  // it still processes every file.
  Status DropUnsyncedData();

  // Turns the error switches described above on or off.
  void SetFailSync(bool fail) { fail_sync_.store(fail); }
  void SetNoSpace(bool no_space) { no_space_.store(no_space); }
  void SetFailWrites(bool fail) { fail_writes_.store(fail); }
  // n >= 0: n more Appends succeed, then all fail; n < 0: no countdown.
  void FailAfterNWrites(int n);
  // Sets (or, with an empty function, removes) the hook called before every
  // WritableFile::Sync with the file's path. It runs on the syncing thread,
  // outside this Env's lock.
  void SetSyncHook(std::function<Status(const std::string& fname)> hook);

 private:
  class FaultFile;
  // What this Env knows of one file it opened for writing; shared with the
  // open FaultFile handles and moved along by RenameFile.
  struct FileState {
    uint64_t size = 0;         // bytes appended through this Env so far
    uint64_t synced_size = 0;  // size at the last successful Sync
    bool created_since_dir_sync = false;
  };

  Status OpenWritable(const std::string& fname, bool truncate,
                      std::unique_ptr<WritableFile>* result);
  // The error the next Append of fname must fail with, or OK.
  Status InjectedAppendError(const std::string& fname);
  // The error the next Sync or SyncDir of name must fail with, or OK.
  Status InjectedSyncError(const std::string& name) const;
  // The sync hook's verdict on a Sync of fname (OK without a hook).
  Status CallSyncHook(const std::string& fname);

  std::atomic<bool> fail_sync_{false};
  std::atomic<bool> no_space_{false};
  std::atomic<bool> fail_writes_{false};

  std::mutex mu_;
  int appends_left_ = -1;  // guarded by mu_; < 0 = no countdown
  std::shared_ptr<const std::function<Status(const std::string&)>> sync_hook_;  // guarded by mu_
  // Guarded by mu_: files opened for writing through this Env, by path.
  std::map<std::string, std::shared_ptr<FileState>> files_;
};

}  // namespace flowdb

#endif  // FLOWDB_ENV_FAULT_INJECTION_ENV_H_
