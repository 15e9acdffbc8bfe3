#include "db/builder.h"

#include "db/filename.h"

namespace flowdb {

Status BuildTable(const std::string& dbname, Env* env, const TableOptions& options,
                  Iterator* iter, FileMetaData* meta) {
  meta->file_size = 0;
  iter->SeekToFirst();
  if (!iter->Valid()) return iter->status();

  std::string fname = TableFileName(dbname, meta->number);
  std::unique_ptr<WritableFile> file;
  FLOWDB_RETURN_IF_ERROR(env->NewWritableFile(fname, &file));
  Status s;
  {
    TableBuilder builder(options, file.get());
    for (; iter->Valid(); iter->Next()) builder.Add(iter->key(), iter->value());
    s = iter->status();
    if (s.ok()) {
      s = builder.Finish();
    } else {
      builder.Abandon();
    }
    if (s.ok()) {
      const TableProperties& p = builder.properties();
      meta->file_size = builder.FileSize();
      meta->num_entries = p.num_entries;
      meta->smallest = p.smallest_key;
      meta->largest = p.largest_key;
      meta->min_ts = p.min_ts;
      meta->max_ts = p.max_ts;
      meta->min_expire = p.min_expire_at;
      meta->max_expire = p.max_expire_at;
      meta->min_seq = p.min_seq;
      meta->max_seq = p.max_seq;
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
