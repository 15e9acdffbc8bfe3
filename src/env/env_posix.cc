// The POSIX Env returned by Env::Default().
//
// Thread safety: PosixEnv is stateless apart from the set of locked paths,
// which its own mutex guards. File objects follow the rules in env.h.
//
// Writes are not buffered in user space: WritableFile::Append hands the bytes
// to write(2) before it returns, so a crash of the process (SIGKILL, abort)
// after Append loses nothing; only a power loss or kernel crash can, and Sync
// (fdatasync) closes that window. Callers that want fewer syscalls batch
// their bytes into one Append (the log writer does).

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "flowdb/env.h"

namespace flowdb {

namespace {

// Closes fd, keeping the first error.
Status CloseFd(const std::string& fname, int fd) {
  // Not retried on EINTR: on Linux the descriptor is released either way.
  if (::close(fd) != 0) return Status::FromErrno(fname, errno);
  return Status::OK();
}

// Reads up to n bytes from fd (at offset if offset >= 0, else at the file
// position), retrying on EINTR and short reads; *got is n unless EOF came first.
Status ReadFully(const std::string& fname, int fd, int64_t offset, size_t n, char* dst,
                 size_t* got) {
  *got = 0;
  while (*got < n) {
    ssize_t r = offset >= 0 ? ::pread(fd, dst + *got, n - *got, offset + *got)
                            : ::read(fd, dst + *got, n - *got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(fname, errno);
    }
    if (r == 0) break;  // end of file
    *got += static_cast<size_t>(r);
  }
  return Status::OK();
}

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string fname, int fd) : fname_(std::move(fname)), fd_(fd) {}
  ~PosixSequentialFile() override { CloseFd(fname_, fd_).PermitUncheckedError(); }

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    size_t got = 0;
    Status s = ReadFully(fname_, fd_, -1, n, scratch, &got);
    *result = std::string_view(scratch, got);
    return s;
  }

  Status Skip(uint64_t n) override {
    // Seeking past the end is allowed; the next Read then reports EOF.
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) == static_cast<off_t>(-1)) {
      return Status::FromErrno(fname_, errno);
    }
    return Status::OK();
  }

 private:
  const std::string fname_;
  const int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string fname, int fd) : fname_(std::move(fname)), fd_(fd) {}
  ~PosixRandomAccessFile() override { CloseFd(fname_, fd_).PermitUncheckedError(); }

  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    size_t got = 0;
    Status s = ReadFully(fname_, fd_, static_cast<int64_t>(offset), n, scratch, &got);
    *result = std::string_view(scratch, got);
    return s;
  }

 private:
  const std::string fname_;
  const int fd_;
};

// Opened with O_APPEND, so every write lands at the current end of file, also
// after Truncate.
class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string fname, int fd) : fname_(std::move(fname)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) CloseFd(fname_, fd_).PermitUncheckedError();
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::IOError(fname_, "append after close");
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t w = ::write(fd_, p, left);
      if (w < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(fname_, errno);
      }
      p += w;
      left -= static_cast<size_t>(w);
    }
    return Status::OK();
  }

  Status Sync() override {
    if (fd_ < 0) return Status::IOError(fname_, "sync after close");
#if defined(__APPLE__)
    // fsync on macOS does not flush the drive cache; F_FULLFSYNC does.
    if (::fcntl(fd_, F_FULLFSYNC) == 0) return Status::OK();
    if (::fsync(fd_) == 0) return Status::OK();
#else
    if (::fdatasync(fd_) == 0) return Status::OK();
#endif
    return Status::FromErrno(fname_, errno);
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = CloseFd(fname_, fd_);
    fd_ = -1;
    return s;
  }

  Status Truncate(uint64_t size) override {
    if (fd_ < 0) return Status::IOError(fname_, "truncate after close");
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return Status::FromErrno(fname_, errno);
    }
    return Status::OK();
  }

 private:
  const std::string fname_;
  int fd_;  // -1 once closed
};

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(std::string fname, int fd) : fname(std::move(fname)), fd(fd) {}
  const std::string fname;
  const int fd;
};

class PosixEnv final : public Env {
 public:
  Status NewSequentialFile(const std::string& fname,
                           std::unique_ptr<SequentialFile>* result) override {
    result->reset();
    int fd = ::open(fname.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(fname, errno);
    *result = std::make_unique<PosixSequentialFile>(fname, fd);
    return Status::OK();
  }

  Status NewRandomAccessFile(const std::string& fname,
                             std::unique_ptr<RandomAccessFile>* result) override {
    result->reset();
    int fd = ::open(fname.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(fname, errno);
    *result = std::make_unique<PosixRandomAccessFile>(fname, fd);
    return Status::OK();
  }

  Status NewWritableFile(const std::string& fname,
                         std::unique_ptr<WritableFile>* result) override {
    return OpenWritable(fname, O_TRUNC, result);
  }

  Status NewAppendableFile(const std::string& fname,
                           std::unique_ptr<WritableFile>* result) override {
    return OpenWritable(fname, 0, result);
  }

  bool FileExists(const std::string& fname) override {
    return ::access(fname.c_str(), F_OK) == 0;
  }

  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override {
    result->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return Status::FromErrno(dir, errno);
    errno = 0;
    while (struct dirent* entry = ::readdir(d)) {
      std::string_view name(entry->d_name);
      if (name != "." && name != "..") result->emplace_back(name);
      errno = 0;
    }
    int read_errno = errno;
    ::closedir(d);
    if (read_errno != 0) return Status::FromErrno(dir, read_errno);
    return Status::OK();
  }

  Status RemoveFile(const std::string& fname) override {
    if (::unlink(fname.c_str()) != 0) return Status::FromErrno(fname, errno);
    return Status::OK();
  }

  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return Status::OK();
    int err = errno;
    struct stat st;
    if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      return Status::OK();
    }
    return Status::FromErrno(dir, err);
  }

  Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return Status::FromErrno(dir, errno);
    return Status::OK();
  }

  Status GetFileSize(const std::string& fname, uint64_t* size) override {
    struct stat st;
    if (::stat(fname.c_str(), &st) != 0) {
      *size = 0;
      return Status::FromErrno(fname, errno);
    }
    *size = static_cast<uint64_t>(st.st_size);
    return Status::OK();
  }

  Status RenameFile(const std::string& src, const std::string& dst) override {
    if (::rename(src.c_str(), dst.c_str()) != 0) return Status::FromErrno(src, errno);
    return Status::OK();
  }

  Status LinkFile(const std::string& src, const std::string& dst) override {
    if (::link(src.c_str(), dst.c_str()) == 0) return Status::OK();
    int err = errno;
    // Another file system, or one without hard links: the caller copies.
    if (err == EXDEV || err == EPERM || err == EOPNOTSUPP || err == EMLINK) {
      return Status::NotSupported("hard link", dst + ": " + std::strerror(err));
    }
    return Status::FromErrno(dst, err);
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(dir, errno);
    Status s;
    if (::fsync(fd) != 0) s = Status::FromErrno(dir, errno);
    Status c = CloseFd(dir, fd);
    return s.ok() ? c : s;
  }

  // Two layers: the in-process table catches a second LockFile from this
  // process even where flock is emulated with per-process fcntl locks (NFS),
  // and flock catches other processes.
  Status LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) override {
    lock->reset();
    {
      std::lock_guard<std::mutex> guard(mu_);
      if (!locked_.emplace(fname, nullptr).second) {
        return Status::Locked(fname, "already locked by this process");
      }
    }
    int fd = ::open(fname.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    Status s;
    if (fd < 0) {
      s = Status::FromErrno(fname, errno);
    } else {
      int r;
      do {
        r = ::flock(fd, LOCK_EX | LOCK_NB);
      } while (r != 0 && errno == EINTR);
      if (r != 0) {
        int err = errno;
        s = err == EWOULDBLOCK ? Status::Locked(fname, "locked by another process")
                               : Status::FromErrno(fname, err);
        CloseFd(fname, fd).PermitUncheckedError();
      }
    }
    std::lock_guard<std::mutex> guard(mu_);
    if (!s.ok()) {
      locked_.erase(fname);
      return s;
    }
    auto held = std::make_unique<PosixFileLock>(fname, fd);
    locked_[fname] = held.get();
    *lock = std::move(held);
    return Status::OK();
  }

  Status UnlockFile(std::unique_ptr<FileLock> lock) override {
    PosixFileLock* held = nullptr;
    {
      std::lock_guard<std::mutex> guard(mu_);
      for (auto it = locked_.begin(); it != locked_.end(); ++it) {
        if (lock != nullptr && it->second == lock.get()) {
          held = it->second;
          locked_.erase(it);
          break;
        }
      }
    }
    if (held == nullptr) {
      return Status::InvalidArgument("UnlockFile: not a lock held from this Env");
    }
    Status s;
    if (::flock(held->fd, LOCK_UN) != 0) s = Status::FromErrno(held->fname, errno);
    Status c = CloseFd(held->fname, held->fd);
    return s.ok() ? c : s;
  }

  int64_t NowMicros() override {
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  }

  uint64_t NowNanos() override {
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
  }

 private:
  static Status OpenWritable(const std::string& fname, int extra_flags,
                             std::unique_ptr<WritableFile>* result) {
    result->reset();
    int fd = ::open(fname.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | extra_flags, 0644);
    if (fd < 0) return Status::FromErrno(fname, errno);
    *result = std::make_unique<PosixWritableFile>(fname, fd);
    return Status::OK();
  }

  std::mutex mu_;
  // Guarded by mu_: path → its lock (nullptr while LockFile is taking it).
  std::map<std::string, PosixFileLock*> locked_;
};

}  // namespace

Env* Env::Default() {
  static Env* const env = new PosixEnv;  // never deleted: used until process exit
  return env;
}

}  // namespace flowdb
