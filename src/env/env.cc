// Helpers built on the Env interface.

#include <memory>

#include "flowdb/env.h"

namespace flowdb {

Status WriteStringToFile(Env* env, std::string_view data, const std::string& fname,
                         bool sync) {
  std::unique_ptr<WritableFile> file;
  FLOWDB_RETURN_IF_ERROR(env->NewWritableFile(fname, &file));
  Status s = file->Append(data);
  if (s.ok() && sync) s = file->Sync();
  Status c = file->Close();
  if (s.ok()) s = std::move(c);
  // Leave no half-written file behind.
  if (!s.ok()) env->RemoveFile(fname).PermitUncheckedError();
  return s;
}

Status ReadFileToString(Env* env, const std::string& fname, std::string* data) {
  data->clear();
  std::unique_ptr<SequentialFile> file;
  FLOWDB_RETURN_IF_ERROR(env->NewSequentialFile(fname, &file));
  constexpr size_t kChunk = 64 * 1024;
  std::unique_ptr<char[]> scratch(new char[kChunk]);
  while (true) {
    std::string_view chunk;
    FLOWDB_RETURN_IF_ERROR(file->Read(kChunk, &chunk, scratch.get()));
    data->append(chunk);
    if (chunk.size() < kChunk) return Status::OK();
  }
}

}  // namespace flowdb
