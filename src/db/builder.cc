#include "db/builder.h"

#include <algorithm>
#include <limits>

#include "db/filename.h"

namespace flowdb {

void SetFileMetaData(const TableProperties& p, uint64_t file_size,
                     const std::vector<RangeTombstone>& range_dels, FileMetaData* meta) {
  meta->file_size = file_size;
  meta->num_entries = p.num_entries;
  meta->smallest = p.smallest_key;
  meta->largest = p.largest_key;
  if (!range_dels.empty()) {
    std::string_view start = range_dels[0].start, end = range_dels[0].end;
    for (const RangeTombstone& t : range_dels) {
      start = std::min(start, std::string_view(t.start));
      end = std::max(end, std::string_view(t.end));
    }
    const std::string smallest = SeekKey(start, std::numeric_limits<int64_t>::min());
    const std::string largest = SeekKey(end, std::numeric_limits<int64_t>::min());
    if (p.num_entries == 0 || InternalKeyComparator::Compare(smallest, meta->smallest) < 0) {
      meta->smallest = smallest;
    }
    if (p.num_entries == 0 || InternalKeyComparator::Compare(largest, meta->largest) > 0) {
      meta->largest = largest;
    }
  }
  meta->min_ts = p.min_ts;
  meta->max_ts = p.max_ts;
  meta->min_expire = p.min_expire_at;
  meta->max_expire = p.max_expire_at;
  meta->min_seq = p.min_seq;
  meta->max_seq = p.max_seq;
  meta->num_range_dels = range_dels.size();
}

Status BuildTable(const std::string& dbname, Env* env, const TableOptions& options,
                  CompactionIterator* input, const std::vector<RangeTombstone>& range_dels,
                  FileMetaData* meta) {
  meta->file_size = 0;
  input->SeekToFirst();
  if (!input->Valid() && (!input->status().ok() || range_dels.empty())) return input->status();

  std::string fname = TableFileName(dbname, meta->number);
  std::unique_ptr<WritableFile> file;
  FLOWDB_RETURN_IF_ERROR(env->NewWritableFile(fname, &file));
  Status s;
  {
    TableBuilder builder(options, file.get());
    if (!range_dels.empty()) {
      std::string encoded;
      EncodeRangeTombstones(range_dels, &encoded);
      SequenceNumber lo = kMaxSequenceNumber, hi = 0;
      for (const RangeTombstone& t : range_dels) {
        lo = std::min(lo, t.seq);
        hi = std::max(hi, t.seq);
      }
      builder.SetRangeDeletions(std::move(encoded), range_dels.size(), lo, hi);
    }
    for (; input->Valid(); input->Next()) builder.Add(input->key(), input->value());
    s = input->status();
    if (s.ok()) {
      s = builder.Finish();
    } else {
      builder.Abandon();
    }
    if (s.ok()) {
      SetFileMetaData(builder.properties(), builder.FileSize(), range_dels, meta);
    }
  }
  // The file must be durable before a manifest record can name it.
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  if (s.ok()) s = env->SyncDir(TableDirName(dbname));
  file.reset();
  if (!s.ok()) {
    meta->file_size = 0;
    env->RemoveFile(fname).PermitUncheckedError();
  }
  return s;
}

}  // namespace flowdb
