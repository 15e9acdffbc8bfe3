// NewMemEnv(): a file system held in memory, for tests and the non-persistent
// mode.
//
// Thread safety: MemEnv guards its name tables with one mutex and each file's
// bytes with the file's own mutex, so distinct files are used concurrently and
// RandomAccessFile::Read may run while the file is appended to.
//
// Model: a path names a MemFile shared by every open handle. RemoveFile and
// RenameFile only change names, so an open handle keeps working on the
// unlinked file as on POSIX. Directories are tracked loosely: CreateDir records
// a name, but a file may be created in a directory that was never created, and
// GetChildren(dir) lists the files and created directories whose path is
// dir + "/" + name with no further slash. Errors carry the errno a POSIX Env
// would report (ENOENT, EEXIST, ENOTEMPTY), so callers see the same Status codes.

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "flowdb/env.h"

namespace flowdb {

namespace {

// The bytes of one file.
class MemFile {
 public:
  uint64_t Size() const {
    std::lock_guard<std::mutex> guard(mu_);
    return data_.size();
  }

  // Copies up to n bytes at offset into scratch; returns how many.
  size_t Read(uint64_t offset, size_t n, char* scratch) const {
    std::lock_guard<std::mutex> guard(mu_);
    if (offset >= data_.size()) return 0;
    size_t avail = static_cast<size_t>(data_.size() - offset);
    if (n > avail) n = avail;
    std::memcpy(scratch, data_.data() + offset, n);
    return n;
  }

  void Append(std::string_view data) {
    std::lock_guard<std::mutex> guard(mu_);
    data_.append(data);
  }

  // Cuts or zero-extends the file to size bytes, like ftruncate.
  void Truncate(uint64_t size) {
    std::lock_guard<std::mutex> guard(mu_);
    data_.resize(static_cast<size_t>(size), '\0');
  }

 private:
  mutable std::mutex mu_;
  std::string data_;  // guarded by mu_
};

class MemSequentialFile final : public SequentialFile {
 public:
  explicit MemSequentialFile(std::shared_ptr<MemFile> file) : file_(std::move(file)) {}

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    size_t got = file_->Read(pos_, n, scratch);
    pos_ += got;
    *result = std::string_view(scratch, got);
    return Status::OK();
  }

  Status Skip(uint64_t n) override {
    uint64_t size = file_->Size();
    pos_ = (n >= size || pos_ >= size - n) ? size : pos_ + n;
    return Status::OK();
  }

 private:
  const std::shared_ptr<MemFile> file_;
  uint64_t pos_ = 0;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::shared_ptr<MemFile> file) : file_(std::move(file)) {}

  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    *result = std::string_view(scratch, file_->Read(offset, n, scratch));
    return Status::OK();
  }

 private:
  const std::shared_ptr<MemFile> file_;
};

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(std::string fname, std::shared_ptr<MemFile> file)
      : fname_(std::move(fname)), file_(std::move(file)) {}

  Status Append(std::string_view data) override {
    if (file_ == nullptr) return Status::IOError(fname_, "append after close");
    file_->Append(data);
    return Status::OK();
  }
  Status Sync() override {
    if (file_ == nullptr) return Status::IOError(fname_, "sync after close");
    return Status::OK();
  }
  Status Close() override {
    file_.reset();
    return Status::OK();
  }
  Status Truncate(uint64_t size) override {
    if (file_ == nullptr) return Status::IOError(fname_, "truncate after close");
    file_->Truncate(size);
    return Status::OK();
  }

 private:
  const std::string fname_;
  std::shared_ptr<MemFile> file_;  // nullptr once closed
};

class MemFileLock final : public FileLock {
 public:
  explicit MemFileLock(std::string fname) : fname(std::move(fname)) {}
  const std::string fname;
};

// "a/b/" → "a/b"; "/" stays "/".
std::string StripTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// If path is dir + "/" + name with no slash in name, returns name; else "".
std::string_view ChildName(std::string_view path, std::string_view dir) {
  if (path.size() <= dir.size() || path.compare(0, dir.size(), dir) != 0) return {};
  std::string_view rest = path.substr(dir.size());
  if (dir != "/") {
    if (rest.front() != '/') return {};
    rest.remove_prefix(1);
  }
  if (rest.empty() || rest.find('/') != std::string_view::npos) return {};
  return rest;
}

class MemEnv final : public Env {
 public:
  Status NewSequentialFile(const std::string& fname,
                           std::unique_ptr<SequentialFile>* result) override {
    result->reset();
    std::shared_ptr<MemFile> file = Find(fname);
    if (file == nullptr) return Status::FromErrno(fname, ENOENT);
    *result = std::make_unique<MemSequentialFile>(std::move(file));
    return Status::OK();
  }

  Status NewRandomAccessFile(const std::string& fname,
                             std::unique_ptr<RandomAccessFile>* result) override {
    result->reset();
    std::shared_ptr<MemFile> file = Find(fname);
    if (file == nullptr) return Status::FromErrno(fname, ENOENT);
    *result = std::make_unique<MemRandomAccessFile>(std::move(file));
    return Status::OK();
  }

  Status NewWritableFile(const std::string& fname,
                         std::unique_ptr<WritableFile>* result) override {
    return OpenWritable(fname, /*truncate=*/true, result);
  }

  Status NewAppendableFile(const std::string& fname,
                           std::unique_ptr<WritableFile>* result) override {
    return OpenWritable(fname, /*truncate=*/false, result);
  }

  bool FileExists(const std::string& fname) override {
    std::lock_guard<std::mutex> guard(mu_);
    return files_.count(fname) > 0 || dirs_.count(StripTrailingSlashes(fname)) > 0;
  }

  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override {
    result->clear();
    const std::string d = StripTrailingSlashes(dir);
    std::lock_guard<std::mutex> guard(mu_);
    bool found = dirs_.count(d) > 0;
    for (const auto& [path, file] : files_) {
      std::string_view name = ChildName(path, d);
      if (!name.empty()) result->emplace_back(name);
      found = found || !name.empty();
    }
    for (const std::string& path : dirs_) {
      std::string_view name = ChildName(path, d);
      if (!name.empty()) result->emplace_back(name);
    }
    if (!found) return Status::FromErrno(dir, ENOENT);
    return Status::OK();
  }

  Status RemoveFile(const std::string& fname) override {
    std::lock_guard<std::mutex> guard(mu_);
    if (files_.erase(fname) == 0) return Status::FromErrno(fname, ENOENT);
    return Status::OK();
  }

  Status CreateDir(const std::string& dir) override {
    const std::string d = StripTrailingSlashes(dir);
    std::lock_guard<std::mutex> guard(mu_);
    if (files_.count(d) > 0) return Status::FromErrno(dir, EEXIST);
    dirs_.insert(d);
    return Status::OK();
  }

  Status RemoveDir(const std::string& dir) override {
    const std::string d = StripTrailingSlashes(dir);
    std::lock_guard<std::mutex> guard(mu_);
    if (dirs_.count(d) == 0) return Status::FromErrno(dir, ENOENT);
    const std::string prefix = d == "/" ? d : d + "/";
    auto has_prefix = [&prefix](const std::string& p) {
      return p.compare(0, prefix.size(), prefix) == 0;
    };
    auto f = files_.lower_bound(prefix);
    auto s = dirs_.lower_bound(prefix);
    if ((f != files_.end() && has_prefix(f->first)) || (s != dirs_.end() && has_prefix(*s))) {
      return Status::FromErrno(dir, ENOTEMPTY);
    }
    dirs_.erase(d);
    return Status::OK();
  }

  Status GetFileSize(const std::string& fname, uint64_t* size) override {
    *size = 0;
    std::shared_ptr<MemFile> file = Find(fname);
    if (file == nullptr) return Status::FromErrno(fname, ENOENT);
    *size = file->Size();
    return Status::OK();
  }

  // Renames files only (directories are not renamed).
  Status RenameFile(const std::string& src, const std::string& dst) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = files_.find(src);
    if (it == files_.end()) return Status::FromErrno(src, ENOENT);
    if (src == dst) return Status::OK();
    std::shared_ptr<MemFile> file = std::move(it->second);
    files_.erase(it);
    files_[dst] = std::move(file);
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override { return Status::OK(); }

  // Creates fname like the POSIX Env does, so it shows up in GetChildren.
  Status LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) override {
    lock->reset();
    std::lock_guard<std::mutex> guard(mu_);
    if (locks_.count(fname) > 0) return Status::Locked(fname, "already locked");
    auto& file = files_[fname];
    if (file == nullptr) file = std::make_shared<MemFile>();
    auto held = std::make_unique<MemFileLock>(fname);
    locks_[fname] = held.get();
    *lock = std::move(held);
    return Status::OK();
  }

  Status UnlockFile(std::unique_ptr<FileLock> lock) override {
    std::lock_guard<std::mutex> guard(mu_);
    for (auto it = locks_.begin(); it != locks_.end(); ++it) {
      if (lock != nullptr && it->second == lock.get()) {
        locks_.erase(it);
        return Status::OK();
      }
    }
    return Status::InvalidArgument("UnlockFile: not a lock held from this Env");
  }

  int64_t NowMicros() override {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }

  uint64_t NowNanos() override {
    using namespace std::chrono;
    return static_cast<uint64_t>(
        duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count());
  }

 private:
  std::shared_ptr<MemFile> Find(const std::string& fname) {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = files_.find(fname);
    return it == files_.end() ? nullptr : it->second;
  }

  Status OpenWritable(const std::string& fname, bool truncate,
                      std::unique_ptr<WritableFile>* result) {
    result->reset();
    std::shared_ptr<MemFile> file;
    {
      std::lock_guard<std::mutex> guard(mu_);
      if (dirs_.count(StripTrailingSlashes(fname)) > 0) return Status::FromErrno(fname, EISDIR);
      auto& slot = files_[fname];
      if (slot == nullptr) slot = std::make_shared<MemFile>();
      file = slot;
    }
    // Truncating in place, like O_TRUNC, so open readers see the same file.
    if (truncate) file->Truncate(0);
    *result = std::make_unique<MemWritableFile>(fname, std::move(file));
    return Status::OK();
  }

  std::mutex mu_;
  // Guarded by mu_.
  std::map<std::string, std::shared_ptr<MemFile>> files_;
  std::set<std::string> dirs_;
  std::map<std::string, const MemFileLock*> locks_;
};

}  // namespace

std::unique_ptr<Env> NewMemEnv() { return std::make_unique<MemEnv>(); }

}  // namespace flowdb
