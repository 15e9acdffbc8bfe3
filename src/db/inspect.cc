// InspectDB: a read-only look at a data directory (see db.h).

#include <algorithm>

#include "db/filename.h"
#include "db/options_file.h"
#include "flowdb/db.h"

namespace flowdb {

namespace {

const char* KindName(FileType type) {
  switch (type) {
    case FileType::kLock: return "lock";
    case FileType::kCurrent: return "current";
    case FileType::kManifest: return "manifest";
    case FileType::kOptions: return "options";
    case FileType::kWal: return "wal";
    case FileType::kTable: return "sstable";
    case FileType::kTemp: return "temp";
    case FileType::kUnknown: break;
  }
  return "unknown";
}

// Adds the entries of path/dir (dir "" = path itself) to *files: those that
// ParseFileName knows under their kind, the rest as `other_kind`. Names in
// `skip` (subdirectories listed on their own) are left out. A directory that
// does not exist adds nothing.
Status ListDir(Env* env, const std::string& path, const std::string& dir, const char* other_kind,
               const std::vector<std::string>& skip, std::vector<DBFileInfo>* files) {
  const std::string full = dir.empty() ? path : path + "/" + dir;
  if (!dir.empty() && !env->FileExists(full)) return Status::OK();
  std::vector<std::string> names;
  FLOWDB_RETURN_IF_ERROR(env->GetChildren(full, &names));
  for (const std::string& name : names) {
    if (name == "." || name == ".." || std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
    DBFileInfo f;
    f.name = dir.empty() ? name : dir + "/" + name;
    FileType type = FileType::kUnknown;
    uint64_t number = 0;
    if (ParseFileName(name, &number, &type)) {
      f.kind = KindName(type);
      f.number = number;
    } else {
      f.kind = other_kind;
    }
    // A file removed since the listing (the DB is open elsewhere) is skipped.
    if (!env->GetFileSize(full + "/" + name, &f.size).ok()) continue;
    files->push_back(std::move(f));
  }
  return Status::OK();
}

}  // namespace

Status InspectDB(const std::string& path, DBDirectoryInfo* info, Env* env) {
  if (env == nullptr) env = Env::Default();
  if (!env->FileExists(path)) return Status::NotFound("no such directory", path);
  DBDirectoryInfo out;
  const std::string wal = WalDirName(path).substr(path.size() + 1);
  const std::string sst = TableDirName(path).substr(path.size() + 1);
  const std::string lost = LostDirName(path).substr(path.size() + 1);
  FLOWDB_RETURN_IF_ERROR(ListDir(env, path, "", "unknown", {wal, sst, lost}, &out.files));
  FLOWDB_RETURN_IF_ERROR(ListDir(env, path, wal, "unknown", {}, &out.files));
  FLOWDB_RETURN_IF_ERROR(ListDir(env, path, sst, "unknown", {}, &out.files));
  // Everything in lost/ is there because RepairDB moved it aside, whatever its name.
  std::vector<DBFileInfo> lost_files;
  FLOWDB_RETURN_IF_ERROR(ListDir(env, path, lost, "lost", {}, &lost_files));
  for (DBFileInfo& f : lost_files) {
    f.kind = "lost";
    out.files.push_back(std::move(f));
  }
  std::sort(out.files.begin(), out.files.end(),
            [](const DBFileInfo& a, const DBFileInfo& b) { return a.name < b.name; });
  out.options_status = ReadOptionsFile(env, path, &out.options);
  *info = std::move(out);
  return Status::OK();
}

}  // namespace flowdb
