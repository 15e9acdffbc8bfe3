#include "env/power_loss_env.h"

#include <algorithm>
#include <cerrno>

namespace flowdb {

namespace {

constexpr uint64_t kPageSize = 4096;

std::string StripTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// The directory a path's entry lives in: "a/b/c" → "a/b", "c" → ".", "/c" → "/".
std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

// Removes dir and everything below it from env, ignoring errors (parts may
// already be gone).
void RemoveTree(Env* env, const std::string& dir) {
  std::vector<std::string> children;
  if (env->GetChildren(dir, &children).ok()) {
    for (const std::string& name : children) {
      const std::string path = JoinPath(dir, name);
      if (!env->RemoveFile(path).ok()) RemoveTree(env, path);
    }
  }
  env->RemoveDir(dir).PermitUncheckedError();
}

}  // namespace

// A WritableFile of the base Env whose appends and syncs are recorded in its
// inode. Used by one thread at a time, like any WritableFile.
class PowerLossEnv::File final : public WritableFile {
 public:
  File(PowerLossEnv* env, std::string fname, std::unique_ptr<WritableFile> base, InodeRef inode)
      : env_(env), fname_(std::move(fname)), base_(std::move(base)), inode_(std::move(inode)) {}

  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> guard(env_->mu_);
    FLOWDB_RETURN_IF_ERROR(env_->Tick(fname_));
    FLOWDB_RETURN_IF_ERROR(base_->Append(data));
    inode_->data.append(data);
    return Status::OK();
  }

  Status Sync() override {
    std::lock_guard<std::mutex> guard(env_->mu_);
    FLOWDB_RETURN_IF_ERROR(env_->Tick(fname_));
    FLOWDB_RETURN_IF_ERROR(env_->MaybeFailSync(fname_));
    FLOWDB_RETURN_IF_ERROR(base_->Sync());
    inode_->synced = inode_->data.size();
    return Status::OK();
  }

  Status Close() override { return base_->Close(); }

  Status Truncate(uint64_t size) override {
    std::lock_guard<std::mutex> guard(env_->mu_);
    FLOWDB_RETURN_IF_ERROR(env_->Tick(fname_));
    FLOWDB_RETURN_IF_ERROR(base_->Truncate(size));
    if (size < inode_->data.size()) inode_->data.resize(size);
    inode_->synced = std::min<uint64_t>(inode_->synced, size);
    return Status::OK();
  }

 private:
  PowerLossEnv* const env_;
  const std::string fname_;
  const std::unique_ptr<WritableFile> base_;
  const InodeRef inode_;  // fields guarded by env_->mu_
};

PowerLossEnv::PowerLossEnv(Env* base) : EnvWrapper(base) {}

PowerLossEnv::~PowerLossEnv() = default;

Status PowerLossEnv::Tick(const std::string& what) {
  if (!power_off_ && ops_left_ == 0) power_off_ = true;
  if (power_off_) return Status::FromErrno(what + " (power is off)", EIO);
  if (ops_left_ > 0) ops_left_--;
  operations_++;
  return Status::OK();
}

Status PowerLossEnv::MaybeFailSync(const std::string& path) {
  if (sync_fail_one_in_ == 0) return Status::OK();
  if (path.find(sync_fail_pattern_) == std::string::npos) return Status::OK();
  if (sync_fail_rng_() % sync_fail_one_in_ != 0) return Status::OK();
  injected_sync_failures_++;
  return Status::FromErrno(path + " (injected sync failure)", EIO);
}

void PowerLossEnv::TrackDir(const std::string& dir) {
  if (durable_entries_.count(dir) > 0) return;
  std::map<std::string, InodeRef>& entries = durable_entries_[dir];
  std::vector<std::string> children;
  if (!target()->GetChildren(dir, &children).ok()) return;
  for (const std::string& name : children) {
    const std::string path = JoinPath(dir, name);
    auto inode = std::make_shared<Inode>();
    // Subdirectories fail to read and stay untracked.
    if (!ReadFileToString(target(), path, &inode->data).ok()) continue;
    inode->synced = inode->data.size();
    entries[name] = inode;
    live_[path] = std::move(inode);
  }
}

Status PowerLossEnv::NewWritableFile(const std::string& fname,
                                     std::unique_ptr<WritableFile>* result) {
  return OpenWritable(fname, /*truncate=*/true, result);
}

Status PowerLossEnv::NewAppendableFile(const std::string& fname,
                                       std::unique_ptr<WritableFile>* result) {
  return OpenWritable(fname, /*truncate=*/false, result);
}

Status PowerLossEnv::OpenWritable(const std::string& fname, bool truncate,
                                  std::unique_ptr<WritableFile>* result) {
  result->reset();
  std::lock_guard<std::mutex> guard(mu_);
  FLOWDB_RETURN_IF_ERROR(Tick(fname));
  TrackDir(DirName(fname));
  std::unique_ptr<WritableFile> base;
  FLOWDB_RETURN_IF_ERROR(truncate ? target()->NewWritableFile(fname, &base)
                                  : target()->NewAppendableFile(fname, &base));
  InodeRef& inode = live_[fname];
  if (inode == nullptr) {
    inode = std::make_shared<Inode>();
  } else if (truncate) {
    inode->data.clear();
    inode->synced = 0;
  }
  *result = std::make_unique<File>(this, fname, std::move(base), inode);
  return Status::OK();
}

Status PowerLossEnv::RemoveFile(const std::string& fname) {
  std::lock_guard<std::mutex> guard(mu_);
  FLOWDB_RETURN_IF_ERROR(Tick(fname));
  TrackDir(DirName(fname));
  FLOWDB_RETURN_IF_ERROR(target()->RemoveFile(fname));
  live_.erase(fname);
  return Status::OK();
}

Status PowerLossEnv::RenameFile(const std::string& src, const std::string& dst) {
  std::lock_guard<std::mutex> guard(mu_);
  FLOWDB_RETURN_IF_ERROR(Tick(src));
  TrackDir(DirName(src));
  TrackDir(DirName(dst));
  FLOWDB_RETURN_IF_ERROR(target()->RenameFile(src, dst));
  if (src == dst) return Status::OK();
  auto it = live_.find(src);
  if (it == live_.end()) {
    live_.erase(dst);  // not a file this Env tracks (a directory): not modelled
  } else {
    InodeRef inode = std::move(it->second);
    live_.erase(it);
    live_[dst] = std::move(inode);
  }
  return Status::OK();
}

Status PowerLossEnv::CreateDir(const std::string& dir) {
  std::lock_guard<std::mutex> guard(mu_);
  FLOWDB_RETURN_IF_ERROR(Tick(dir));
  const std::string d = StripTrailingSlashes(dir);
  std::vector<std::string> unused;
  const bool existed = target()->GetChildren(d, &unused).ok();
  FLOWDB_RETURN_IF_ERROR(target()->CreateDir(dir));
  if (!existed) undurable_dirs_.insert(d);
  return Status::OK();
}

Status PowerLossEnv::RemoveDir(const std::string& dir) {
  std::lock_guard<std::mutex> guard(mu_);
  FLOWDB_RETURN_IF_ERROR(Tick(dir));
  FLOWDB_RETURN_IF_ERROR(target()->RemoveDir(dir));
  const std::string d = StripTrailingSlashes(dir);
  undurable_dirs_.erase(d);
  durable_entries_.erase(d);
  return Status::OK();
}

Status PowerLossEnv::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> guard(mu_);
  FLOWDB_RETURN_IF_ERROR(Tick(dir));
  FLOWDB_RETURN_IF_ERROR(MaybeFailSync(dir));
  FLOWDB_RETURN_IF_ERROR(target()->SyncDir(dir));
  const std::string d = StripTrailingSlashes(dir);
  TrackDir(d);
  std::map<std::string, InodeRef>& entries = durable_entries_[d];
  entries.clear();
  for (const auto& [path, inode] : live_) {
    if (DirName(path) == d) entries[BaseName(path)] = inode;
  }
  for (auto it = undurable_dirs_.begin(); it != undurable_dirs_.end();) {
    it = DirName(*it) == d ? undurable_dirs_.erase(it) : std::next(it);
  }
  return Status::OK();
}

void PowerLossEnv::SetCutAfter(int64_t n) {
  std::lock_guard<std::mutex> guard(mu_);
  ops_left_ = n < 0 ? -1 : n;
}

bool PowerLossEnv::power_off() const {
  std::lock_guard<std::mutex> guard(mu_);
  return power_off_;
}

uint64_t PowerLossEnv::operations() const {
  std::lock_guard<std::mutex> guard(mu_);
  return operations_;
}

void PowerLossEnv::SetSyncFailures(uint32_t one_in, std::string pattern, uint64_t seed) {
  std::lock_guard<std::mutex> guard(mu_);
  sync_fail_one_in_ = one_in;
  sync_fail_pattern_ = std::move(pattern);
  sync_fail_rng_.seed(seed);
}

uint64_t PowerLossEnv::injected_sync_failures() const {
  std::lock_guard<std::mutex> guard(mu_);
  return injected_sync_failures_;
}

std::string PowerLossEnv::SurvivingContents(const Inode& inode, std::mt19937_64* rng,
                                            LossReport* report) {
  const std::string& data = inode.data;
  const uint64_t synced = std::min<uint64_t>(inode.synced, data.size());
  const uint64_t size = data.size();
  if (size == synced) return data;
  const uint64_t shape = (*rng)() % 100;
  if (shape < 25) {  // nothing unsynced reached the disk
    report->files_cut++;
    return data.substr(0, synced);
  }
  if (shape < 40) return data;  // all of it did
  const uint64_t keep = synced + 1 + (*rng)() % (size - synced);
  std::string out = data.substr(0, keep);
  report->files_torn++;
  if (shape < 60) return out;  // the file size moved on with the data, up to keep
  // Each unsynced page below keep survives or reads back as zeros.
  for (uint64_t page = synced / kPageSize * kPageSize; page < keep; page += kPageSize) {
    if ((*rng)() % 2 == 0) continue;
    const uint64_t start = std::max(page, synced);
    const uint64_t end = std::min(page + kPageSize, keep);
    std::fill(out.begin() + static_cast<ptrdiff_t>(start), out.begin() + static_cast<ptrdiff_t>(end),
              '\0');
    report->pages_zeroed++;
  }
  return out;
}

Status PowerLossEnv::SimulatePowerLoss(uint64_t seed, LossReport* report) {
  std::lock_guard<std::mutex> guard(mu_);
  LossReport local;
  if (report == nullptr) report = &local;
  *report = LossReport();
  std::mt19937_64 rng(seed);
  Status result;
  auto keep_first = [&result](Status s) {
    if (result.ok() && !s.ok()) result = std::move(s);
  };

  std::map<const Inode*, std::string> surviving;
  for (const auto& [dir, entries] : durable_entries_) {
    // Undo every change since the directory's last sync: take out what is
    // there now, then put back what the durable entries name.
    std::set<std::string> now;
    for (const auto& [path, inode] : live_) {
      if (DirName(path) != dir) continue;
      now.insert(BaseName(path));
      auto durable = entries.find(BaseName(path));
      if (durable == entries.end() || durable->second != inode) report->entries_reverted++;
      keep_first(target()->RemoveFile(path));
    }
    for (const auto& [name, inode] : entries) {
      if (now.count(name) == 0) report->entries_reverted++;
      auto it = surviving.find(inode.get());
      if (it == surviving.end()) {
        it = surviving.emplace(inode.get(), SurvivingContents(*inode, &rng, report)).first;
      }
      keep_first(WriteStringToFile(target(), it->second, JoinPath(dir, name), /*sync=*/false));
    }
  }
  for (const std::string& dir : undurable_dirs_) {
    RemoveTree(target(), dir);
    report->dirs_lost++;
  }

  live_.clear();
  durable_entries_.clear();
  undurable_dirs_.clear();
  power_off_ = false;
  ops_left_ = -1;
  sync_fail_one_in_ = 0;
  return result;
}

}  // namespace flowdb
