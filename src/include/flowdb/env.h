// Env: every file, directory, lock and clock operation of the engine goes
// through this interface, so that an in-memory Env gives a non-persistent mode
// and a fault-injecting Env can simulate power loss and I/O errors in tests.
//
// Thread safety: an Env and the objects it returns may be used from several
// threads for distinct files. A single WritableFile or SequentialFile must be
// used by one thread at a time; RandomAccessFile::Read is safe to call
// concurrently.

#ifndef FLOWDB_INCLUDE_ENV_H_
#define FLOWDB_INCLUDE_ENV_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flowdb/status.h"

namespace flowdb {

// A file read from start to end (WAL and manifest replay).
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into scratch; *result points into scratch (or into
  // memory owned by the file) and is shorter than n only at end of file.
  virtual Status Read(size_t n, std::string_view* result, char* scratch) = 0;
  // Skips n bytes; a skip past the end stops at the end.
  virtual Status Skip(uint64_t n) = 0;
};

// A file read at arbitrary offsets (SSTables).
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset. *result points into scratch or into memory
  // owned by the file that stays valid while the file is open. Fewer than n
  // bytes are returned only at end of file.
  virtual Status Read(uint64_t offset, size_t n, std::string_view* result,
                      char* scratch) const = 0;
};

// A file written by appending (WAL, SSTable, manifest).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends data. Implementations pass the bytes to the OS (or the in-memory
  // store) before returning, so a process crash after Append loses nothing;
  // only Sync makes them survive a power loss.
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Cuts the file to `size` bytes (used to drop a torn WAL tail).
  virtual Status Truncate(uint64_t size) = 0;
};

// A lock on a data directory, held until Env::UnlockFile.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never deleted.
  static Env* Default();

  virtual Status NewSequentialFile(const std::string& fname,
                                   std::unique_ptr<SequentialFile>* result) = 0;
  virtual Status NewRandomAccessFile(const std::string& fname,
                                     std::unique_ptr<RandomAccessFile>* result) = 0;
  // Creates or truncates fname.
  virtual Status NewWritableFile(const std::string& fname,
                                 std::unique_ptr<WritableFile>* result) = 0;
  // Opens fname for appending, creating it if missing.
  virtual Status NewAppendableFile(const std::string& fname,
                                   std::unique_ptr<WritableFile>* result) = 0;

  virtual bool FileExists(const std::string& fname) = 0;
  // Names (not paths) of the entries of dir, without "." and "..".
  virtual Status GetChildren(const std::string& dir, std::vector<std::string>* result) = 0;
  virtual Status RemoveFile(const std::string& fname) = 0;
  // Creates dir; OK if it already exists.
  virtual Status CreateDir(const std::string& dir) = 0;
  virtual Status RemoveDir(const std::string& dir) = 0;
  virtual Status GetFileSize(const std::string& fname, uint64_t* size) = 0;
  // Atomically replaces dst with src.
  virtual Status RenameFile(const std::string& src, const std::string& dst) = 0;
  // Makes the directory entries of dir durable (after create/rename/remove).
  virtual Status SyncDir(const std::string& dir) = 0;
  // Makes dst a second name (a hard link) of the existing file src; dst
  // must not exist. NotSupported when this Env or file system cannot (other
  // file systems, EXDEV): the caller copies instead. The default cannot.
  virtual Status LinkFile(const std::string& src, const std::string& dst) {
    return Status::NotSupported("hard links", dst);
  }

  // Takes an exclusive lock on fname (creating it), failing with
  // Status::Locked if this or another process holds it.
  virtual Status LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) = 0;
  virtual Status UnlockFile(std::unique_ptr<FileLock> lock) = 0;

  // Wall-clock time in microseconds since the Unix epoch (TTL checks).
  virtual int64_t NowMicros() = 0;
  // A monotonic clock in nanoseconds (latencies, intervals).
  virtual uint64_t NowNanos() = 0;
};

// A new in-memory Env: files live in this object and vanish with it. Each
// in-memory Env is its own file system.
std::unique_ptr<Env> NewMemEnv();

// An Env that forwards every call to another; subclass it to override one call.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  Status NewSequentialFile(const std::string& f, std::unique_ptr<SequentialFile>* r) override {
    return target_->NewSequentialFile(f, r);
  }
  Status NewRandomAccessFile(const std::string& f, std::unique_ptr<RandomAccessFile>* r) override {
    return target_->NewRandomAccessFile(f, r);
  }
  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    return target_->NewWritableFile(f, r);
  }
  Status NewAppendableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    return target_->NewAppendableFile(f, r);
  }
  bool FileExists(const std::string& f) override { return target_->FileExists(f); }
  Status GetChildren(const std::string& d, std::vector<std::string>* r) override {
    return target_->GetChildren(d, r);
  }
  Status RemoveFile(const std::string& f) override { return target_->RemoveFile(f); }
  Status CreateDir(const std::string& d) override { return target_->CreateDir(d); }
  Status RemoveDir(const std::string& d) override { return target_->RemoveDir(d); }
  Status GetFileSize(const std::string& f, uint64_t* s) override {
    return target_->GetFileSize(f, s);
  }
  Status RenameFile(const std::string& s, const std::string& d) override {
    return target_->RenameFile(s, d);
  }
  Status SyncDir(const std::string& d) override { return target_->SyncDir(d); }
  Status LinkFile(const std::string& s, const std::string& d) override {
    return target_->LinkFile(s, d);
  }
  Status LockFile(const std::string& f, std::unique_ptr<FileLock>* l) override {
    return target_->LockFile(f, l);
  }
  Status UnlockFile(std::unique_ptr<FileLock> l) override {
    return target_->UnlockFile(std::move(l));
  }
  int64_t NowMicros() override { return target_->NowMicros(); }
  uint64_t NowNanos() override { return target_->NowNanos(); }

 private:
  Env* target_;
};

// Helpers built on Env.

// Creates or truncates fname and writes data to it, then Syncs it if `sync`.
// On failure fname is removed. Not atomic: to replace a file atomically,
// write a temporary name and RenameFile it over the target.
Status WriteStringToFile(Env* env, std::string_view data, const std::string& fname,
                         bool sync);
// Reads the whole of fname into *data (cleared first).
Status ReadFileToString(Env* env, const std::string& fname, std::string* data);

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_ENV_H_
