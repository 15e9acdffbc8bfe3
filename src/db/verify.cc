// DB::Verify: a full read of the live SSTables and the unflushed WAL
// segments, checking them against each other and the MANIFEST.

#include <algorithm>
#include <cstdlib>

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/log_reader.h"
#include "db/range_del.h"
#include "db/verify_util.h"
#include "db/write_batch_internal.h"
#include "table/table.h"

namespace flowdb {

uint64_t OffsetInMessage(const std::string& message) {
  size_t at = message.rfind("offset ");
  if (at == std::string::npos) return 0;
  return std::strtoull(message.c_str() + at + 7, nullptr, 10);
}

std::string RelativeName(const std::string& dbname, const std::string& path) {
  if (path.size() > dbname.size() + 1 && path.compare(0, dbname.size(), dbname) == 0 &&
      path[dbname.size()] == '/') {
    return path.substr(dbname.size() + 1);
  }
  return path;
}

Status DecodeTableRangeTombstones(const Table& table, std::vector<RangeTombstone>* list) {
  list->clear();
  if (table.range_deletions().empty()) return Status::OK();
  return DecodeRangeTombstones(table.range_deletions(), list);
}

Status VerifyTableFile(Env* env, const std::string& fname, const FileMetaData* expected,
                       TableCheck* check, std::string* problem, uint64_t* problem_offset) {
  problem->clear();
  *problem_offset = 0;
  uint64_t size = 0;
  Status s = env->GetFileSize(fname, &size);
  if (!s.ok()) {
    *problem = s.ToString();
    return Status::OK();
  }
  if (expected != nullptr && size != expected->file_size) {
    *problem = "file is " + std::to_string(size) + " bytes, the MANIFEST says " +
               std::to_string(expected->file_size);
    return Status::OK();
  }
  std::unique_ptr<RandomAccessFile> file;
  s = env->NewRandomAccessFile(fname, &file);
  if (s.ok()) {
    TableReadOptions topts;
    topts.paranoid_checks = true;  // every data block read and checked at open
    s = Table::Open(topts, std::move(file), size, /*table_id=*/0, /*cache=*/nullptr,
                    &check->table);
  }
  if (!s.ok()) {
    *problem = s.ToString();
    *problem_offset = OffsetInMessage(s.message());
    return Status::OK();
  }
  check->file_size = size;
  check->data_blocks = check->table->num_data_blocks();
  ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<Iterator> it = check->table->NewIterator(ro);
  std::string first, last;
  SequenceNumber min_seq = kMaxSequenceNumber, max_seq = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ParsedInternalKey ikey;
    if (!ParseInternalKey(it->key(), &ikey)) {
      *problem = "entry " + std::to_string(check->entries) + " has a malformed internal key";
      return Status::OK();
    }
    if (check->entries == 0) first.assign(it->key());
    last.assign(it->key());
    min_seq = std::min(min_seq, ikey.sequence);
    max_seq = std::max(max_seq, ikey.sequence);
    check->entries++;
  }
  if (!it->status().ok()) {
    *problem = it->status().ToString();
    *problem_offset = OffsetInMessage(it->status().message());
    return Status::OK();
  }
  std::vector<RangeTombstone> tombstones;
  s = DecodeTableRangeTombstones(*check->table, &tombstones);
  if (!s.ok()) {
    *problem = "range-deletion block: " + s.ToString();
    return Status::OK();
  }
  for (const RangeTombstone& t : tombstones) {
    min_seq = std::min(min_seq, t.seq);
    max_seq = std::max(max_seq, t.seq);
  }
  if (expected == nullptr) return Status::OK();
  auto mismatch = [&](const std::string& what) { *problem = what + " differs from the MANIFEST"; };
  if (check->entries != expected->num_entries) {
    mismatch("entry count " + std::to_string(check->entries));
  } else if (tombstones.size() != expected->num_range_dels) {
    mismatch("range tombstone count " + std::to_string(tombstones.size()));
  } else if (check->entries > 0 &&
             (InternalKeyComparator::Compare(first, expected->smallest) < 0 ||
              InternalKeyComparator::Compare(last, expected->largest) > 0)) {
    mismatch("key range");
  } else if ((check->entries > 0 || !tombstones.empty()) &&
             (min_seq < expected->min_seq || max_seq > expected->max_seq)) {
    mismatch("sequence range [" + std::to_string(min_seq) + ", " + std::to_string(max_seq) + "]");
  }
  return Status::OK();
}

Status DBImpl::Verify(VerifyReport* report) {
  *report = VerifyReport();
  if (closed_) return Status::Closed();
  // Pinning the version keeps its files from deletion while they are read.
  const std::shared_ptr<const Version> version = versions_->current();
  const uint64_t log_number = versions_->log_number();
  auto add = [&](const std::string& path, uint64_t offset, std::string message) {
    report->problems.push_back({RelativeName(dbname_, path), offset, std::move(message)});
  };

  for (const auto& f : version->files()) {
    const std::string fname = TableFileName(dbname_, f->number);
    TableCheck check;
    std::string problem;
    uint64_t offset = 0;
    FLOWDB_RETURN_IF_ERROR(VerifyTableFile(env_, fname, f.get(), &check, &problem, &offset));
    report->sstables++;
    report->sstable_bytes += check.file_size;
    report->data_blocks += check.data_blocks;
    report->entries += check.entries;
    if (!problem.empty()) add(fname, offset, std::move(problem));
  }

  std::vector<std::string> names;
  FLOWDB_RETURN_IF_ERROR(env_->GetChildren(WalDirName(dbname_), &names));
  std::vector<uint64_t> wals;
  for (const std::string& name : names) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type == FileType::kWal && number >= log_number) {
      wals.push_back(number);
    }
  }
  std::sort(wals.begin(), wals.end());
  for (size_t i = 0; i < wals.size(); i++) {
    const std::string fname = WalFileName(dbname_, wals[i]);
    const std::string shown = RelativeName(dbname_, fname);
    std::unique_ptr<SequentialFile> file;
    Status s = env_->NewSequentialFile(fname, &file);
    if (!s.ok()) {
      // A segment flushed and removed since the listing is no problem.
      if (s.subcode() != Status::SubCode::kPathNotFound) add(fname, 0, s.ToString());
      continue;
    }
    report->wal_segments++;
    // The newest segment may be mid-write: a torn tail there is the write
    // in progress.
    log::Reader reader(file.get(), shown, log::LogKind::kWal, i + 1 == wals.size());
    std::string_view record;
    std::string scratch;
    WriteBatch batch;
    while (reader.ReadRecord(&record, &scratch)) {
      report->wal_records++;
      if (!WriteBatchInternal::SetContents(&batch, record).ok()) {
        const uint64_t offset =
            reader.LastRecordEndOffset() - record.size() - log::kRecordHeaderSize;
        add(fname, offset, "malformed write batch");
        break;
      }
    }
    if (!reader.status().ok()) {
      add(fname, OffsetInMessage(reader.status().message()), reader.status().ToString());
    }
  }
  return Status::OK();
}

}  // namespace flowdb
