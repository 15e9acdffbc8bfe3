#include "db/version_set.h"

#include <algorithm>
#include <set>

#include "db/filename.h"
#include "db/log_reader.h"
#include "db/log_writer.h"

namespace flowdb {

namespace {

// Rewrite the manifest into a fresh file once it grows past this size.
constexpr uint64_t kMaxManifestSize = 4u << 20;

}  // namespace

uint64_t Version::TotalFileSize() const {
  uint64_t total = 0;
  for (const auto& f : files_) total += f->file_size;
  return total;
}

VersionSet::VersionSet(std::string dbname, Env* env)
    : dbname_(std::move(dbname)), env_(env), current_(std::make_shared<Version>()) {}

VersionSet::~VersionSet() = default;

std::shared_ptr<const Version> VersionSet::current() const {
  std::lock_guard<std::mutex> l(mu_);
  return current_;
}

std::shared_ptr<const Version> VersionSet::SnapshotState(VersionEdit* edit) const {
  std::lock_guard<std::mutex> l(mu_);
  SnapshotEdit(edit);
  return current_;
}

bool VersionSet::AddLiveFiles(std::set<uint64_t>* live) const {
  std::lock_guard<std::mutex> l(mu_);
  if (!manifest_error_.ok()) return false;
  size_t kept = 0;
  for (size_t i = 0; i < all_versions_.size(); i++) {
    std::shared_ptr<const Version> v = all_versions_[i].lock();
    if (v == nullptr) continue;
    for (const auto& f : v->files_) live->insert(f->number);
    if (kept != i) all_versions_[kept] = std::move(all_versions_[i]);
    kept++;
  }
  all_versions_.resize(kept);
  for (const auto& f : current_->files_) live->insert(f->number);
  return true;
}

void VersionSet::MarkFileNumberUsed(uint64_t n) {
  uint64_t cur = next_file_number_.load();
  while (cur <= n && !next_file_number_.compare_exchange_weak(cur, n + 1)) {
  }
}

Status VersionSet::Apply(const VersionEdit& edit, Version* v) const {
  std::set<uint64_t> live;
  for (const auto& f : v->files_) live.insert(f->number);
  for (uint64_t number : edit.deleted_files()) {
    if (live.erase(number) == 0) {
      return Status::Corruption("manifest deletes unknown file", std::to_string(number));
    }
  }
  auto& files = v->files_;
  files.erase(std::remove_if(files.begin(), files.end(),
                             [&](const auto& f) { return edit.deleted_files().count(f->number); }),
              files.end());
  for (const FileMetaData& f : edit.new_files()) {
    if (!live.insert(f.number).second) {
      return Status::Corruption("manifest adds a file twice", std::to_string(f.number));
    }
    files.push_back(std::make_shared<const FileMetaData>(f));
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return a->max_seq != b->max_seq ? a->max_seq > b->max_seq : a->number > b->number;
  });
  return Status::OK();
}

Status VersionSet::Recover(bool* exists) {
  *exists = false;
  std::string current;
  if (!env_->FileExists(CurrentFileName(dbname_))) return Status::OK();
  FLOWDB_RETURN_IF_ERROR(ReadFileToString(env_, CurrentFileName(dbname_), &current));
  if (current.empty() || current.back() != '\n') {
    return Status::Corruption("CURRENT file does not end with a newline");
  }
  current.pop_back();
  uint64_t number;
  FileType type;
  if (!ParseFileName(current, &number, &type) || type != FileType::kManifest) {
    return Status::Corruption("CURRENT names no manifest", current);
  }
  std::string fname = dbname_ + "/" + current;
  std::unique_ptr<SequentialFile> file;
  Status s = env_->NewSequentialFile(fname, &file);
  if (!s.ok()) return Status::Corruption("CURRENT names a missing manifest", current);

  auto v = std::make_shared<Version>();
  // The manifest is synced after every record, so a torn tail can only be
  // an edit that was never acknowledged: the reader drops it.
  log::Reader reader(file.get(), current, log::LogKind::kManifest, /*is_last_file=*/true);
  std::string_view record;
  std::string scratch;
  bool have_log = false, have_next = false, have_seq = false;
  while (reader.ReadRecord(&record, &scratch)) {
    VersionEdit edit;
    s = edit.DecodeFrom(record);
    if (s.ok() && edit.comparator() && *edit.comparator() != ComparatorName()) {
      s = Status::InvalidArgument("manifest was written with comparator", *edit.comparator());
    }
    if (s.ok()) s = Apply(edit, v.get());
    if (!s.ok()) return Status::Corruption(current, s.ToString());
    if (edit.log_number()) {
      log_number_ = *edit.log_number();
      have_log = true;
    }
    if (edit.next_file_number()) {
      next_file_number_ = *edit.next_file_number();
      have_next = true;
    }
    if (edit.last_sequence()) {
      last_sequence_ = *edit.last_sequence();
      have_seq = true;
    }
  }
  FLOWDB_RETURN_IF_ERROR(reader.status());
  if (!have_log || !have_next || !have_seq) {
    return Status::Corruption(current, "manifest lacks log number, next file number or last sequence");
  }
  MarkFileNumberUsed(number);
  for (const auto& f : v->files_) MarkFileNumberUsed(f->number);
  {
    std::lock_guard<std::mutex> l(mu_);
    current_ = std::move(v);
    all_versions_.push_back(current_);
    manifest_number_ = number;
  }
  *exists = true;
  return Status::OK();
}

void VersionSet::SnapshotEdit(VersionEdit* edit) const {
  edit->SetComparatorName(ComparatorName());
  edit->SetLogNumber(log_number_.load());
  edit->SetNextFileNumber(next_file_number_.load());
  edit->SetLastSequence(last_sequence_.load());
  for (const auto& f : current_->files_) edit->AddFile(*f);
}

Status VersionSet::WriteSnapshotManifest() {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t old_number = manifest_number_;
  uint64_t number = NewFileNumber();
  std::string fname = ManifestFileName(dbname_, number);
  std::unique_ptr<WritableFile> file;
  FLOWDB_RETURN_IF_ERROR(env_->NewWritableFile(fname, &file));
  auto writer = std::make_unique<log::Writer>(file.get(), log::LogKind::kManifest, /*new_file=*/true);
  VersionEdit edit;
  SnapshotEdit(&edit);
  std::string record;
  edit.EncodeTo(&record);
  Status s = writer->AddRecord(record);
  if (s.ok()) s = file->Sync();
  // The new manifest's directory entry must be durable before CURRENT can
  // name it (the sync after the rename alone orders nothing between them).
  if (s.ok()) s = env_->SyncDir(dbname_);
  if (!s.ok()) {
    writer.reset();
    file.reset();
    env_->RemoveFile(fname).PermitUncheckedError();
    return s;
  }
  s = SetCurrentFile(env_, dbname_, number);
  if (!s.ok()) {
    // CURRENT may name either manifest now. Both hold the same state, but
    // an edit appended to the old one could be lost: keep the new file and
    // take no more edits until a fresh manifest is in place.
    if (manifest_error_.ok()) manifest_error_ = s;
    return s;
  }
  manifest_log_ = std::move(writer);
  if (manifest_file_) manifest_file_->Close().PermitUncheckedError();
  manifest_file_ = std::move(file);
  manifest_number_ = number;
  manifest_size_ = record.size();
  manifest_error_ = Status::OK();
  if (old_number != 0 && old_number != number) {
    env_->RemoveFile(ManifestFileName(dbname_, old_number)).PermitUncheckedError();
  }
  return Status::OK();
}

Status VersionSet::LogAndApply(VersionEdit* edit) {
  bool rotate = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!manifest_log_) return Status::InvalidArgument("manifest is not open");
    if (!manifest_error_.ok()) return manifest_error_;
    if (edit->log_number()) {
      if (*edit->log_number() < log_number_.load()) {
        return Status::InvalidArgument("log number moves backwards");
      }
    }
    edit->SetNextFileNumber(next_file_number_.load());
    edit->SetLastSequence(last_sequence_.load());
    auto v = std::make_shared<Version>(*current_);
    FLOWDB_RETURN_IF_ERROR(Apply(*edit, v.get()));
    std::string record;
    edit->EncodeTo(&record);
    Status s = manifest_log_->AddRecord(record);
    if (s.ok()) s = manifest_file_->Sync();
    if (!s.ok()) {
      manifest_error_ = s;
      return s;
    }
    manifest_size_ += record.size();
    if (edit->log_number()) log_number_ = *edit->log_number();
    current_ = std::move(v);
    all_versions_.push_back(current_);
    rotate = manifest_size_ > kMaxManifestSize;
  }
  if (rotate) {
    // The edit is already durable in the old manifest (and in the new one
    // if CURRENT switched); a failed rotation that leaves CURRENT in doubt
    // sets manifest_error_, so that no later edit goes to the wrong file.
    WriteSnapshotManifest().PermitUncheckedError();
  }
  return Status::OK();
}

}  // namespace flowdb
