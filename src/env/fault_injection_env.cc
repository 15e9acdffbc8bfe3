#include "env/fault_injection_env.h"

#include <algorithm>
#include <cerrno>

namespace flowdb {

namespace {

// The directory a path's entry lives in: "a/b/c" → "a/b", "c" → ".", "/c" → "/".
std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string StripTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

// A WritableFile of the base Env that reports its appends and syncs to the
// FaultInjectionEnv. Used by one thread at a time, like any WritableFile.
class FaultInjectionEnv::FaultFile final : public WritableFile {
 public:
  FaultFile(FaultInjectionEnv* env, std::string fname, std::unique_ptr<WritableFile> base,
            std::shared_ptr<FileState> state)
      : env_(env), fname_(std::move(fname)), base_(std::move(base)), state_(std::move(state)) {}

  Status Append(std::string_view data) override {
    FLOWDB_RETURN_IF_ERROR(env_->InjectedAppendError(fname_));
    FLOWDB_RETURN_IF_ERROR(base_->Append(data));
    std::lock_guard<std::mutex> guard(env_->mu_);
    state_->size += data.size();
    return Status::OK();
  }

  Status Sync() override {
    FLOWDB_RETURN_IF_ERROR(env_->InjectedSyncError(fname_));
    FLOWDB_RETURN_IF_ERROR(env_->CallSyncHook(fname_));
    FLOWDB_RETURN_IF_ERROR(base_->Sync());
    std::lock_guard<std::mutex> guard(env_->mu_);
    state_->synced_size = state_->size;
    return Status::OK();
  }

  Status Close() override { return base_->Close(); }

  Status Truncate(uint64_t size) override {
    FLOWDB_RETURN_IF_ERROR(base_->Truncate(size));
    std::lock_guard<std::mutex> guard(env_->mu_);
    state_->size = size;
    state_->synced_size = std::min(state_->synced_size, size);
    return Status::OK();
  }

 private:
  FaultInjectionEnv* const env_;
  const std::string fname_;
  const std::unique_ptr<WritableFile> base_;
  const std::shared_ptr<FileState> state_;  // fields guarded by env_->mu_
};

FaultInjectionEnv::FaultInjectionEnv(Env* base) : EnvWrapper(base) {}

FaultInjectionEnv::~FaultInjectionEnv() = default;

Status FaultInjectionEnv::NewWritableFile(const std::string& fname,
                                          std::unique_ptr<WritableFile>* result) {
  return OpenWritable(fname, /*truncate=*/true, result);
}

Status FaultInjectionEnv::NewAppendableFile(const std::string& fname,
                                            std::unique_ptr<WritableFile>* result) {
  return OpenWritable(fname, /*truncate=*/false, result);
}

Status FaultInjectionEnv::OpenWritable(const std::string& fname, bool truncate,
                                       std::unique_ptr<WritableFile>* result) {
  result->reset();
  const bool existed = target()->FileExists(fname);
  std::unique_ptr<WritableFile> base;
  FLOWDB_RETURN_IF_ERROR(truncate ? target()->NewWritableFile(fname, &base)
                                  : target()->NewAppendableFile(fname, &base));
  uint64_t size = 0;
  if (!truncate) FLOWDB_RETURN_IF_ERROR(target()->GetFileSize(fname, &size));

  std::lock_guard<std::mutex> guard(mu_);
  std::shared_ptr<FileState>& state = files_[fname];
  if (state == nullptr || truncate) {
    // A creation whose directory entry is still not durable stays so when
    // the file is opened again.
    bool created = !existed || (state != nullptr && state->created_since_dir_sync);
    state = std::make_shared<FileState>();
    state->size = size;
    state->synced_size = size;
    state->created_since_dir_sync = created;
  }
  *result = std::make_unique<FaultFile>(this, fname, std::move(base), state);
  return Status::OK();
}

Status FaultInjectionEnv::RemoveFile(const std::string& fname) {
  FLOWDB_RETURN_IF_ERROR(target()->RemoveFile(fname));
  std::lock_guard<std::mutex> guard(mu_);
  files_.erase(fname);
  return Status::OK();
}

Status FaultInjectionEnv::RenameFile(const std::string& src, const std::string& dst) {
  FLOWDB_RETURN_IF_ERROR(target()->RenameFile(src, dst));
  if (src == dst) return Status::OK();
  std::lock_guard<std::mutex> guard(mu_);
  auto it = files_.find(src);
  if (it == files_.end()) {
    files_.erase(dst);  // dst is now a file this Env never wrote: durable
  } else {
    std::shared_ptr<FileState> state = std::move(it->second);
    files_.erase(it);
    files_[dst] = std::move(state);
  }
  return Status::OK();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  FLOWDB_RETURN_IF_ERROR(InjectedSyncError(dir));
  FLOWDB_RETURN_IF_ERROR(target()->SyncDir(dir));
  const std::string d = StripTrailingSlashes(dir);
  std::lock_guard<std::mutex> guard(mu_);
  for (auto& [path, state] : files_) {
    if (DirName(path) == d) state->created_since_dir_sync = false;
  }
  return Status::OK();
}

Status FaultInjectionEnv::DropUnsyncedData() {
  std::lock_guard<std::mutex> guard(mu_);
  Status result;
  auto keep_first = [&result](Status s) {
    if (result.ok() && !s.ok()) result = std::move(s);
  };
  for (auto it = files_.begin(); it != files_.end();) {
    const std::string& path = it->first;
    FileState& state = *it->second;
    if (state.created_since_dir_sync) {
      keep_first(target()->RemoveFile(path));
      it = files_.erase(it);
      continue;
    }
    uint64_t size = 0;
    Status s = target()->GetFileSize(path, &size);
    if (s.subcode() == Status::SubCode::kPathNotFound) {
      it = files_.erase(it);  // removed behind this Env's back: nothing to cut
      continue;
    }
    if (s.ok() && size > state.synced_size) {
      std::unique_ptr<WritableFile> file;
      s = target()->NewAppendableFile(path, &file);
      if (s.ok()) s = file->Truncate(state.synced_size);
      if (s.ok()) s = file->Close();
    }
    keep_first(std::move(s));
    state.size = state.synced_size;
    ++it;
  }
  return result;
}

void FaultInjectionEnv::FailAfterNWrites(int n) {
  std::lock_guard<std::mutex> guard(mu_);
  appends_left_ = n < 0 ? -1 : n;
}

Status FaultInjectionEnv::InjectedAppendError(const std::string& fname) {
  if (no_space_.load()) return Status::FromErrno(fname, ENOSPC);
  if (fail_writes_.load()) return Status::FromErrno(fname, EIO);
  std::lock_guard<std::mutex> guard(mu_);
  if (appends_left_ == 0) return Status::FromErrno(fname, EIO);
  if (appends_left_ > 0) appends_left_--;
  return Status::OK();
}

void FaultInjectionEnv::SetSyncHook(std::function<Status(const std::string&)> hook) {
  std::lock_guard<std::mutex> guard(mu_);
  if (hook) {
    sync_hook_ = std::make_shared<const std::function<Status(const std::string&)>>(std::move(hook));
  } else {
    sync_hook_.reset();
  }
}

Status FaultInjectionEnv::CallSyncHook(const std::string& fname) {
  std::shared_ptr<const std::function<Status(const std::string&)>> hook;
  {
    std::lock_guard<std::mutex> guard(mu_);
    hook = sync_hook_;
  }
  return hook ? (*hook)(fname) : Status::OK();
}

Status FaultInjectionEnv::InjectedSyncError(const std::string& name) const {
  if (fail_sync_.load()) return Status::FromErrno(name, EIO);
  return Status::OK();
}

}  // namespace flowdb
