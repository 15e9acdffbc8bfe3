// Opening a DB: manifest recovery, WAL replay and the start of a new WAL.
//
// WAL files with numbers ≥ the manifest's log number hold writes that are
// not yet in SSTables; they are replayed in number order. A torn tail of the
// newest WAL (a crash mid-write) is cut off, since that write was never
// acknowledged; any other damage is Corruption naming the file and offset,
// unless Options::wal_recovery salvages what can be read (then everything
// recovered goes to SSTables, so the damaged WAL files become obsolete).
// Replayed data stays in the memtable (and its WAL files stay) unless it
// outgrows one memtable, in which case it is written to SSTables during
// recovery.
//
// A manifest edit is acted upon (WALs below its log number deleted,
// compaction inputs removed) only once it is synced, so a torn manifest tail
// can only drop edits whose files are all still there. A live SSTable that
// is missing, or a missing WAL named by the log number, means the manifest
// lost synced edits (cut short or zero-filled): opening the older file set
// would silently roll the database back, so the open fails with Corruption
// naming the manifest.

#include <algorithm>
#include <set>

#include "db/builder.h"
#include "db/db_impl.h"
#include "db/filename.h"
#include "db/log_reader.h"
#include "db/log_writer.h"
#include "db/write_batch_internal.h"

namespace flowdb {

Status DBImpl::Recover() {
  bool exists = false;
  FLOWDB_RETURN_IF_ERROR(versions_->Recover(&exists));
  if (exists && options_.error_if_exists) {
    return Status::InvalidArgument("database already exists", dbname_);
  }
  if (!exists) {
    if (!options_.create_if_missing) {
      return Status::InvalidArgument("database does not exist", dbname_);
    }
    std::vector<std::string> tables;
    if (env_->GetChildren(TableDirName(dbname_), &tables).ok()) {
      for (const auto& name : tables) {
        uint64_t number;
        FileType type;
        if (ParseFileName(name, &number, &type) && type == FileType::kTable) {
          return Status::Corruption("CURRENT is missing but SSTables exist", dbname_);
        }
      }
    }
  }

  // The WAL files to replay, oldest first.
  std::vector<uint64_t> wals;
  if (exists) {
    std::vector<std::string> names;
    FLOWDB_RETURN_IF_ERROR(env_->GetChildren(WalDirName(dbname_), &names));
    for (const auto& name : names) {
      uint64_t number;
      FileType type;
      if (ParseFileName(name, &number, &type) && type == FileType::kWal) {
        versions_->MarkFileNumberUsed(number);
        if (number >= versions_->log_number()) wals.push_back(number);
      }
    }
    std::sort(wals.begin(), wals.end());
    FLOWDB_RETURN_IF_ERROR(CheckFilesAgainstManifest(wals));
  }

  std::shared_ptr<MemTable> mem;
  VersionEdit edit;
  bool flushed = false;
  SequenceNumber max_seq = versions_->last_sequence();
  for (size_t i = 0; i < wals.size(); i++) {
    FLOWDB_RETURN_IF_ERROR(
        ReplayWal(wals[i], i + 1 == wals.size(), &mem, &edit, &flushed, &max_seq));
  }
  versions_->SetLastSequence(max_seq);
  if (flushed && mem != nullptr && !mem->empty()) {
    FLOWDB_RETURN_IF_ERROR(FlushDuringRecovery(mem.get(), &edit));
    mem.reset();
  }
  if (mem != nullptr && mem->empty()) mem.reset();

  // New writes go to a fresh WAL.
  uint64_t wal_number = versions_->NewFileNumber();
  std::unique_ptr<WritableFile> file;
  FLOWDB_RETURN_IF_ERROR(env_->NewWritableFile(WalFileName(dbname_, wal_number), &file));
  auto wal = std::make_unique<log::Writer>(file.get(), log::LogKind::kWal, /*new_file=*/true);
  // The header is durable before any record goes in (log_format.h).
  FLOWDB_RETURN_IF_ERROR(wal->Sync());
  FLOWDB_RETURN_IF_ERROR(env_->SyncDir(WalDirName(dbname_)));
  wal_ = std::move(wal);
  wal_file_ = std::move(file);
  wal_number_ = wal_number;
  if (mem == nullptr) mem = std::make_shared<MemTable>(wal_number);
  edit.SetLogNumber(mem->wal_number());
  mem_ = std::move(mem);

  FLOWDB_RETURN_IF_ERROR(versions_->WriteSnapshotManifest());
  FLOWDB_RETURN_IF_ERROR(versions_->LogAndApply(&edit));
  const std::shared_ptr<const Version> v = versions_->current();
  for (const auto& f : v->files()) {
    if (f->num_range_dels > 0) FLOWDB_RETURN_IF_ERROR(LoadRangeDels(*f));
  }
  RemoveObsoleteFiles();
  return Status::OK();
}

Status DBImpl::CheckFilesAgainstManifest(const std::vector<uint64_t>& wals) {
  const std::string manifest =
      ManifestFileName(dbname_, versions_->manifest_number()).substr(dbname_.size() + 1);
  const char* const kLost =
      " (the manifest lost edits that were synced and acted upon, or the file was removed)";
  std::vector<std::string> names;
  FLOWDB_RETURN_IF_ERROR(env_->GetChildren(TableDirName(dbname_), &names));
  std::set<uint64_t> tables;
  for (const auto& name : names) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type == FileType::kTable) tables.insert(number);
  }
  for (const auto& f : versions_->current()->files()) {
    if (!tables.count(f->number)) {
      std::string table = TableFileName(dbname_, f->number);
      return Status::Corruption(manifest, "names missing SSTable sst/" +
                                              table.substr(TableDirName(dbname_).size() + 1) +
                                              kLost);
    }
  }
  // The log number always names a WAL that was created (and its directory
  // entry synced) before the edit, and that is deleted only after a later
  // edit with a larger log number is synced.
  // Log number 0 with no SSTable on disk: the open that created the DB
  // failed (or lost power) before its first edit was durable; no WAL was
  // ever named.
  const uint64_t log_number = versions_->log_number();
  const bool never_named = log_number == 0 && tables.empty();
  if (!never_named && (wals.empty() || wals.front() != log_number)) {
    std::string wal = WalFileName(dbname_, log_number);
    return Status::Corruption(manifest, "its log number names missing WAL wal/" +
                                            wal.substr(WalDirName(dbname_).size() + 1) + kLost);
  }
  return Status::OK();
}

Status DBImpl::ReplayWal(uint64_t number, bool is_last, std::shared_ptr<MemTable>* mem,
                         VersionEdit* edit, bool* flushed, SequenceNumber* max_seq) {
  std::string fname = WalFileName(dbname_, number);
  std::string shown = "wal/" + fname.substr(WalDirName(dbname_).size() + 1);
  std::unique_ptr<SequentialFile> file;
  FLOWDB_RETURN_IF_ERROR(env_->NewSequentialFile(fname, &file));
  const bool salvage = options_.wal_recovery == WalRecovery::kSalvage;
  log::Reader reader(file.get(), shown, log::LogKind::kWal, is_last, /*skip_corrupted=*/salvage);
  std::string_view record;
  std::string scratch;
  WriteBatch batch;
  uint64_t bad_batches = 0, bad_batch_bytes = 0;
  while (reader.ReadRecord(&record, &scratch)) {
    Status s = WriteBatchInternal::SetContents(&batch, record);
    if (!s.ok()) {
      if (salvage) {
        bad_batches++;
        bad_batch_bytes += log::kRecordHeaderSize + record.size();
        continue;
      }
      uint64_t offset = reader.LastRecordEndOffset() - record.size() - log::kRecordHeaderSize;
      return Status::Corruption(shown + " at offset " + std::to_string(offset),
                                "malformed write batch");
    }
    SequenceNumber first = WriteBatchInternal::Sequence(batch);
    if (*mem == nullptr) *mem = std::make_shared<MemTable>(number);
    WriteBatchInternal::InsertInto(batch, mem->get());
    *max_seq = std::max(*max_seq, first + batch.Count() - 1);
    if ((*mem)->ApproximateMemoryUsage() >= options_.memtable_size) {
      FLOWDB_RETURN_IF_ERROR(FlushDuringRecovery(mem->get(), edit));
      *flushed = true;
      *mem = std::make_shared<MemTable>(number);
    }
  }
  FLOWDB_RETURN_IF_ERROR(reader.status());
  if (reader.SkippedRegions() + bad_batches > 0) {
    wal_skipped_regions_ += reader.SkippedRegions() + bad_batches;
    wal_skipped_bytes_ += reader.SkippedBytes() + bad_batch_bytes;
    // The WAL must not be read again: what was recovered goes to SSTables.
    *flushed = true;
  }
  file.reset();
  std::unique_ptr<WritableFile> w;
  FLOWDB_RETURN_IF_ERROR(env_->NewAppendableFile(fname, &w));
  if (reader.TornTail()) {
    // Cut the unacknowledged tail so that this file, no longer the newest
    // WAL once a new one is created, reads cleanly next time. A file cut to
    // nothing is kept (an empty log reads cleanly): it may be the one the
    // manifest's log number names, which must exist until a new manifest
    // moves past it.
    FLOWDB_RETURN_IF_ERROR(w->Truncate(reader.LastRecordEndOffset()));
  }
  // The replayed records are visible from now on, and writes acknowledged
  // after the open may build on them, so they must be durable before any
  // new write is: also those that were written but never synced (a failed
  // sync, or syncMode 'interval'/'none' before a process crash). Otherwise a
  // later power loss could drop them and keep newer writes.
  FLOWDB_RETURN_IF_ERROR(w->Sync());
  FLOWDB_RETURN_IF_ERROR(w->Close());
  return Status::OK();
}

Status DBImpl::FlushDuringRecovery(MemTable* mem, VersionEdit* edit) {
  FileMetaData meta;
  meta.number = versions_->NewFileNumber();
  // Nobody reads yet, so versions hidden by newer ones can go; nothing is
  // bottommost, since older SSTables may exist.
  DropPolicy policy;
  policy.smallest_snapshot = kMaxSequenceNumber;
  policy.now_micros = env_->NowMicros();
  std::shared_ptr<const RangeDelSet> covering = mem->RangeDeletions();
  policy.range_dels = covering.get();
  std::unique_ptr<Iterator> iter = mem->NewIterator();
  CompactionIterator input(iter.get(), policy);
  FLOWDB_RETURN_IF_ERROR(
      BuildTable(dbname_, env_, MakeTableOptions(), &input, mem->RangeTombstones(), &meta));
  if (meta.file_size > 0) edit->AddFile(std::move(meta));
  return Status::OK();
}

}  // namespace flowdb
