// DB::Checkpoint: an online backup into a new directory.
//
// The view is fixed while the checkpoint leads the write queue alone
// (PinCheckpointView): the last published sequence S, the Version with its
// log number L (taken together), and the size of the WAL being written. At
// that instant the SSTables of the Version hold every write flushed so far,
// the WAL segments numbered ≥ L hold the rest up to S, and the current
// segment's size ends exactly after S's record. The Version pins its
// SSTables and a WAL pin keeps segments ≥ L (RemoveObsoleteFiles), so
// flushes and compactions running meanwhile delete neither.
//
// The copy is written without holding any lock: SSTables (immutable) are
// hard-linked or copied, older WAL segments copied whole, the current one
// up to the recorded size (a record boundary, so the copy's recovery reads
// it cleanly), then MANIFEST-M holding the state as one edit (M = the next
// file number, which no file of the copy uses), the source's OPTIONS, and
// CURRENT last, each synced, with their directories.
//
// Why copy the WAL rather than flush first: a flush would cost the source a
// memtable switch and a small SSTable per checkpoint (and stall writers
// while frozen memtables pile up); the unflushed WAL is at most about one
// memtable per frozen memtable, and copying it is a sequential read.

#include <algorithm>

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/log_writer.h"

namespace flowdb {

namespace {

// Writes the first `size` bytes of src (read through src_env) to a new file
// dst (through dst_env) and syncs it. IOError if src is shorter.
Status CopyFilePrefix(Env* src_env, const std::string& src, Env* dst_env, const std::string& dst,
                      uint64_t size) {
  std::unique_ptr<SequentialFile> in;
  FLOWDB_RETURN_IF_ERROR(src_env->NewSequentialFile(src, &in));
  std::unique_ptr<WritableFile> out;
  FLOWDB_RETURN_IF_ERROR(dst_env->NewWritableFile(dst, &out));
  constexpr size_t kChunk = 1u << 20;
  std::string scratch(kChunk, '\0');
  uint64_t left = size;
  Status s;
  while (s.ok() && left > 0) {
    std::string_view got;
    s = in->Read(static_cast<size_t>(std::min<uint64_t>(left, kChunk)), &got, scratch.data());
    if (s.ok() && got.empty()) {
      s = Status::IOError(src, "file is shorter than the checkpoint's view of it");
    }
    if (s.ok()) s = out->Append(got);
    left -= got.size();
  }
  if (s.ok()) s = out->Sync();
  Status c = out->Close();
  return s.ok() ? c : s;
}

// A hard link when src and dst share an Env that can make one, else a copy.
Status LinkOrCopy(Env* src_env, const std::string& src, Env* dst_env, const std::string& dst,
                  uint64_t size) {
  if (src_env == dst_env && src_env->LinkFile(src, dst).ok()) return Status::OK();
  return CopyFilePrefix(src_env, src, dst_env, dst, size);
}

// Removes what a failed checkpoint wrote into dir (and dir itself when the
// checkpoint created it). Best effort: the copy never got a CURRENT.
void RemoveCheckpointFiles(Env* env, const std::string& dir, bool remove_dir) {
  for (const std::string& sub : {WalDirName(dir), TableDirName(dir)}) {
    std::vector<std::string> names;
    if (env->GetChildren(sub, &names).ok()) {
      for (const auto& n : names) env->RemoveFile(sub + "/" + n).PermitUncheckedError();
    }
    env->RemoveDir(sub).PermitUncheckedError();
  }
  std::vector<std::string> names;
  if (env->GetChildren(dir, &names).ok()) {
    for (const auto& n : names) env->RemoveFile(dir + "/" + n).PermitUncheckedError();
  }
  if (remove_dir) env->RemoveDir(dir).PermitUncheckedError();
}

}  // namespace

Status DBImpl::Checkpoint(const std::string& dir, Env* target_env, uint64_t* sequence) {
  if (closed_ || !opened_) return Status::Closed();
  if (dir.empty()) return Status::InvalidArgument("empty checkpoint directory");
  Env* const target = target_env != nullptr ? target_env : env_;
  const bool dir_existed = target->FileExists(dir);
  if (dir_existed) {
    std::vector<std::string> names;
    FLOWDB_RETURN_IF_ERROR(target->GetChildren(dir, &names));
    if (!names.empty()) {
      return Status::InvalidArgument("checkpoint directory exists and is not empty", dir);
    }
  }

  CheckpointView view;
  FLOWDB_RETURN_IF_ERROR(PinCheckpointView(&view));
  const uint64_t log_number = *view.edit.log_number();

  // Missing folders above dir are created and synced as an open's are.
  Status s = dir_existed ? Status::OK() : CreateParentDirs(target, dir);
  if (s.ok()) s = target->CreateDir(dir);
  if (s.ok()) s = target->CreateDir(WalDirName(dir));
  if (s.ok()) s = target->CreateDir(TableDirName(dir));
  if (s.ok() && !dir_existed) s = target->SyncDir(ParentDirName(dir));
  if (s.ok()) s = target->SyncDir(dir);

  for (size_t i = 0; s.ok() && i < view.version->files().size(); i++) {
    const FileMetaData& f = *view.version->files()[i];
    s = LinkOrCopy(env_, TableFileName(dbname_, f.number), target, TableFileName(dir, f.number),
                   f.file_size);
  }
  if (s.ok()) {
    // The segments recovery would replay: every one from the log number to
    // the current one (which exists, as the view's WAL). Later segments
    // hold writes after the view.
    std::vector<std::string> names;
    s = env_->GetChildren(WalDirName(dbname_), &names);
    std::vector<uint64_t> wals;
    for (const auto& name : names) {
      uint64_t number;
      FileType type;
      if (ParseFileName(name, &number, &type) && type == FileType::kWal && number >= log_number &&
          number <= view.wal_number) {
        wals.push_back(number);
      }
    }
    for (size_t i = 0; s.ok() && i < wals.size(); i++) {
      const std::string src = WalFileName(dbname_, wals[i]);
      uint64_t size = view.wal_size;
      if (wals[i] != view.wal_number) s = env_->GetFileSize(src, &size);
      if (s.ok()) s = CopyFilePrefix(env_, src, target, WalFileName(dir, wals[i]), size);
    }
  }
  if (s.ok()) s = target->SyncDir(TableDirName(dir));
  if (s.ok()) s = target->SyncDir(WalDirName(dir));

  const uint64_t manifest_number = *view.edit.next_file_number();
  if (s.ok()) {
    view.edit.SetNextFileNumber(manifest_number + 1);
    std::string record;
    view.edit.EncodeTo(&record);
    std::unique_ptr<WritableFile> file;
    s = target->NewWritableFile(ManifestFileName(dir, manifest_number), &file);
    if (s.ok()) {
      log::Writer manifest(file.get(), log::LogKind::kManifest, /*new_file=*/true);
      s = manifest.AddRecord(record);
      if (s.ok()) s = manifest.Sync();
      Status c = file->Close();
      if (s.ok()) s = c;
    }
  }
  if (s.ok()) {
    // The stored options (and extras such as a JsonDB's format) guard the
    // copy's opens as they guard this DB's.
    std::string options;
    s = ReadFileToString(env_, OptionsFileName(dbname_), &options);
    if (s.ok()) s = WriteStringToFile(target, options, OptionsFileName(dir), /*sync=*/true);
  }
  if (s.ok()) s = target->SyncDir(dir);
  if (s.ok()) s = SetCurrentFile(target, dir, manifest_number);

  view.version.reset();
  UnpinWal(log_number);
  if (!s.ok()) {
    RemoveCheckpointFiles(target, dir, !dir_existed);
    return s;
  }
  if (sequence != nullptr) *sequence = *view.edit.last_sequence();
  return Status::OK();
}

}  // namespace flowdb
