// RepairDB: rebuilds a damaged DB from what can still be read (see db.h).
//
// Order of work, so that a crash during repair leaves a DB that the next
// repair (or open) can use: new SSTables are written and synced first, then
// the new MANIFEST and CURRENT; only then are the WAL segments, old
// MANIFESTs and the originals of rewritten SSTables moved to lost/.

#include <algorithm>

#include "db/builder.h"
#include "db/dbformat.h"
#include "db/filename.h"
#include "db/log_reader.h"
#include "db/memtable.h"
#include "db/options_file.h"
#include "db/range_del.h"
#include "db/verify_util.h"
#include "db/version_set.h"
#include "db/write_batch_internal.h"
#include "flowdb/db.h"
#include "table/table.h"

namespace flowdb {

namespace {

// Passes entries of a table iterator through until its first error, which
// it hides: what precedes a bad block is salvaged.
class UntilErrorIterator final : public Iterator {
 public:
  explicit UntilErrorIterator(Iterator* input) : input_(input) {}
  bool Valid() const override { return input_->Valid(); }
  void SeekToFirst() override { input_->SeekToFirst(); }
  void SeekToLast() override { input_->SeekToLast(); }
  void Seek(std::string_view target) override { input_->Seek(target); }
  void Next() override { input_->Next(); }
  void Prev() override { input_->Prev(); }
  std::string_view key() const override { return input_->key(); }
  std::string_view value() const override { return input_->value(); }
  Status status() const override { return Status::OK(); }

 private:
  Iterator* const input_;
};

class Repairer {
 public:
  Repairer(const std::string& dbname, const Options& options, RepairReport* report)
      : dbname_(dbname), options_(options),
        env_(options.env != nullptr ? options.env : Env::Default()), report_(report) {
    table_options_.block_size = options.block_size;
    table_options_.block_restart_interval = options.block_restart_interval;
    table_options_.bloom_bits_per_key = options.bloom_bits_per_key;
    table_options_.compression = options.compression;
  }

  Status Run() {
    std::vector<std::string> top;
    FLOWDB_RETURN_IF_ERROR(env_->GetChildren(dbname_, &top));
    FLOWDB_RETURN_IF_ERROR(env_->CreateDir(WalDirName(dbname_)));
    FLOWDB_RETURN_IF_ERROR(env_->CreateDir(TableDirName(dbname_)));
    std::unique_ptr<FileLock> lock;
    Status s = env_->LockFile(LockFileName(dbname_), &lock);
    if (!s.ok()) return s.IsLocked() ? Status::Locked("database is open elsewhere", dbname_) : s;
    s = RunLocked(top);
    Status u = env_->UnlockFile(std::move(lock));
    return s.ok() ? u : s;
  }

 private:
  Status RunLocked(const std::vector<std::string>& top) {
    FLOWDB_RETURN_IF_ERROR(env_->CreateDir(LostDir()));
    std::vector<std::string> wal_names, table_names;
    FLOWDB_RETURN_IF_ERROR(env_->GetChildren(WalDirName(dbname_), &wal_names));
    FLOWDB_RETURN_IF_ERROR(env_->GetChildren(TableDirName(dbname_), &table_names));
    uint64_t number;
    FileType type;
    std::vector<uint64_t> wals, tables;
    for (const std::string& name : top) {
      if (!ParseFileName(name, &number, &type)) continue;
      if (type == FileType::kManifest) manifests_.push_back(name);
      if (type == FileType::kManifest || type == FileType::kTemp) Use(number);
    }
    for (const std::string& name : wal_names) {
      if (ParseFileName(name, &number, &type) && type == FileType::kWal) {
        wals.push_back(number);
        Use(number);
      }
    }
    for (const std::string& name : table_names) {
      if (ParseFileName(name, &number, &type) && type == FileType::kTable) {
        tables.push_back(number);
        Use(number);
      }
    }
    std::sort(wals.begin(), wals.end());
    std::sort(tables.begin(), tables.end());

    // If the old MANIFEST still reads, the WAL segments it calls flushed are
    // left out: replaying them could bring back records a compaction has
    // since dropped together with their tombstones.
    uint64_t flushed_below = 0;
    {
      VersionSet old(dbname_, env_);
      bool exists = false;
      if (old.Recover(&exists).ok() && exists) flushed_below = old.log_number();
    }

    for (uint64_t t : tables) FLOWDB_RETURN_IF_ERROR(RepairTable(t));
    for (size_t i = 0; i < wals.size(); i++) {
      if (wals[i] < flushed_below) {
        to_lost_.push_back(WalFileName(dbname_, wals[i]));
        continue;
      }
      FLOWDB_RETURN_IF_ERROR(ConvertWal(wals[i], i + 1 == wals.size()));
    }
    FLOWDB_RETURN_IF_ERROR(WriteManifest());
    FLOWDB_RETURN_IF_ERROR(RepairOptions());
    for (const std::string& name : manifests_) to_lost_.push_back(dbname_ + "/" + name);
    for (const std::string& path : to_lost_) MoveToLost(path);
    FLOWDB_RETURN_IF_ERROR(env_->SyncDir(LostDir()));
    FLOWDB_RETURN_IF_ERROR(env_->SyncDir(WalDirName(dbname_)));
    FLOWDB_RETURN_IF_ERROR(env_->SyncDir(TableDirName(dbname_)));
    return env_->SyncDir(dbname_);
  }

  std::string LostDir() const { return LostDirName(dbname_); }
  void Use(uint64_t number) { next_number_ = std::max(next_number_, number + 1); }

  void Dropped(const std::string& path, uint64_t offset, std::string message) {
    report_->dropped.push_back({RelativeName(dbname_, path), offset, std::move(message)});
  }

  void MoveToLost(const std::string& path) {
    const std::string name = path.substr(path.rfind('/') + 1);
    if (env_->RenameFile(path, LostDir() + "/" + name).ok()) {
      report_->moved_to_lost.push_back("lost/" + name);
    }
  }

  void Keep(const FileMetaData& meta) {
    last_sequence_ = std::max(last_sequence_, meta.max_seq);
    kept_.push_back(meta);
  }

  Status RepairTable(uint64_t number) {
    const std::string fname = TableFileName(dbname_, number);
    TableCheck check;
    std::string problem;
    uint64_t offset = 0;
    FLOWDB_RETURN_IF_ERROR(VerifyTableFile(env_, fname, nullptr, &check, &problem, &offset));
    std::vector<RangeTombstone> tombstones;
    if (problem.empty()) {
      FLOWDB_RETURN_IF_ERROR(DecodeTableRangeTombstones(*check.table, &tombstones));
      FileMetaData meta;
      meta.number = number;
      SetFileMetaData(check.table->properties(), check.file_size, tombstones, &meta);
      Keep(meta);
      report_->sstables_kept++;
      return Status::OK();
    }
    Dropped(fname, offset, problem);
    to_lost_.push_back(fname);
    // Salvage: open without the full check and copy entries up to the first
    // bad block.
    uint64_t size = 0;
    std::unique_ptr<RandomAccessFile> file;
    std::unique_ptr<Table> table;
    Status s = env_->GetFileSize(fname, &size);
    if (s.ok()) s = env_->NewRandomAccessFile(fname, &file);
    if (s.ok()) s = Table::Open(TableReadOptions(), std::move(file), size, 0, nullptr, &table);
    if (s.ok()) s = DecodeTableRangeTombstones(*table, &tombstones);
    if (!s.ok()) {
      report_->sstables_dropped++;
      return Status::OK();
    }
    ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<Iterator> it = table->NewIterator(ro);
    UntilErrorIterator input(it.get());
    DropPolicy keep_all;
    keep_all.smallest_snapshot = 0;  // keep every version
    CompactionIterator compaction(&input, keep_all);
    FileMetaData meta;
    meta.number = next_number_++;
    FLOWDB_RETURN_IF_ERROR(
        BuildTable(dbname_, env_, table_options_, &compaction, tombstones, &meta));
    if (meta.file_size == 0) {
      report_->sstables_dropped++;
      return Status::OK();
    }
    report_->sstables_salvaged++;
    report_->entries_salvaged += meta.num_entries;
    Keep(meta);
    return Status::OK();
  }

  Status ConvertWal(uint64_t number, bool is_last) {
    const std::string fname = WalFileName(dbname_, number);
    const std::string shown = RelativeName(dbname_, fname);
    std::unique_ptr<SequentialFile> file;
    FLOWDB_RETURN_IF_ERROR(env_->NewSequentialFile(fname, &file));
    report_->wal_segments++;
    log::Reader reader(file.get(), shown, log::LogKind::kWal, is_last, /*skip_corrupted=*/true);
    MemTable mem;
    std::string_view record;
    std::string scratch;
    WriteBatch batch;
    while (reader.ReadRecord(&record, &scratch)) {
      if (!WriteBatchInternal::SetContents(&batch, record).ok()) {
        const uint64_t offset =
            reader.LastRecordEndOffset() - record.size() - log::kRecordHeaderSize;
        Dropped(fname, offset, "malformed write batch");
        report_->wal_records_dropped++;
        report_->wal_bytes_dropped += record.size() + log::kRecordHeaderSize;
        continue;
      }
      WriteBatchInternal::InsertInto(batch, &mem);
      const SequenceNumber first = WriteBatchInternal::Sequence(batch);
      if (batch.Count() > 0) last_sequence_ = std::max(last_sequence_, first + batch.Count() - 1);
      report_->wal_records++;
    }
    if (!reader.status().ok()) {
      Dropped(fname, OffsetInMessage(reader.status().message()), reader.status().ToString());
    }
    if (reader.SkippedRegions() > 0) {
      report_->wal_records_dropped += reader.SkippedRegions();
      report_->wal_bytes_dropped += reader.SkippedBytes();
      Dropped(fname, 0,
              std::to_string(reader.SkippedRegions()) + " damaged regions (" +
                  std::to_string(reader.SkippedBytes()) + " bytes) skipped");
    }
    to_lost_.push_back(fname);
    if (mem.empty()) return Status::OK();
    std::unique_ptr<Iterator> it = mem.NewIterator();
    DropPolicy keep_all;
    keep_all.smallest_snapshot = 0;
    CompactionIterator input(it.get(), keep_all);
    FileMetaData meta;
    meta.number = next_number_++;
    FLOWDB_RETURN_IF_ERROR(
        BuildTable(dbname_, env_, table_options_, &input, mem.RangeTombstones(), &meta));
    if (meta.file_size > 0) Keep(meta);
    return Status::OK();
  }

  Status WriteManifest() {
    VersionSet versions(dbname_, env_);
    // Numbers up to next_number_ (and the new log number) are taken.
    versions.MarkFileNumberUsed(next_number_);
    versions.SetLastSequence(last_sequence_);
    report_->last_sequence = last_sequence_;
    FLOWDB_RETURN_IF_ERROR(versions.WriteSnapshotManifest());
    VersionEdit edit;
    for (const FileMetaData& meta : kept_) edit.AddFile(meta);
    // Every WAL segment has been read into an SSTable. The log number names
    // a new, empty segment: recovery requires the one it names to exist.
    const uint64_t log_number = versions.NewFileNumber();
    std::unique_ptr<WritableFile> wal;
    FLOWDB_RETURN_IF_ERROR(env_->NewWritableFile(WalFileName(dbname_, log_number), &wal));
    FLOWDB_RETURN_IF_ERROR(wal->Sync());
    FLOWDB_RETURN_IF_ERROR(wal->Close());
    FLOWDB_RETURN_IF_ERROR(env_->SyncDir(WalDirName(dbname_)));
    edit.SetLogNumber(log_number);
    return versions.LogAndApply(&edit);
  }

  Status RepairOptions() {
    std::map<std::string, std::string> stored;
    Status s = ReadOptionsFile(env_, dbname_, &stored);
    if (s.ok()) {
      // A file that parses can still lack what every open requires (a file
      // cut short before its checksum line is read unchecked): that is
      // damage too. A setting that differs from options_ is not.
      s = CheckOptionsCompatible(stored, options_, options_.stored_settings);
      if (!s.IsCorruption()) return Status::OK();
    }
    if (!s.IsNotFound()) {
      const std::string fname = OptionsFileName(dbname_);
      Dropped(fname, OffsetInMessage(s.message()), s.ToString());
      MoveToLost(fname);
    }
    return WriteOptionsFile(env_, dbname_, options_, options_.stored_settings);
  }

  const std::string dbname_;
  const Options options_;
  Env* const env_;
  RepairReport* const report_;
  TableOptions table_options_;
  uint64_t next_number_ = 2;
  SequenceNumber last_sequence_ = 0;
  std::vector<std::string> manifests_;
  std::vector<FileMetaData> kept_;
  std::vector<std::string> to_lost_;  // moved once the new MANIFEST is in place
};

}  // namespace

Status RepairDB(const std::string& path, const Options& options, RepairReport* report) {
  RepairReport local;
  if (report == nullptr) report = &local;
  *report = RepairReport();
  if (path.empty()) return Status::InvalidArgument("empty database path");
  return Repairer(path, options, report).Run();
}

}  // namespace flowdb
