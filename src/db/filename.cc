#include "db/filename.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace flowdb {

namespace {

std::string Numbered(const std::string& prefix, uint64_t number, const char* suffix) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%06llu", static_cast<unsigned long long>(number));
  return prefix + buf + suffix;
}

// Parses a decimal number that makes up all of s.
bool ParseNumber(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string LockFileName(const std::string& dbname) { return dbname + "/LOCK"; }
std::string CurrentFileName(const std::string& dbname) { return dbname + "/CURRENT"; }
std::string ManifestFileName(const std::string& dbname, uint64_t number) {
  return Numbered(dbname + "/MANIFEST-", number, "");
}
std::string WalDirName(const std::string& dbname) { return dbname + "/wal"; }
std::string WalFileName(const std::string& dbname, uint64_t number) {
  return Numbered(WalDirName(dbname) + "/", number, ".log");
}
std::string TableDirName(const std::string& dbname) { return dbname + "/sst"; }
std::string TableFileName(const std::string& dbname, uint64_t number) {
  return Numbered(TableDirName(dbname) + "/", number, ".sst");
}
std::string TempFileName(const std::string& dbname, uint64_t number) {
  return Numbered(dbname + "/", number, ".tmp");
}
std::string OptionsFileName(const std::string& dbname) { return dbname + "/OPTIONS"; }
std::string LostDirName(const std::string& dbname) { return dbname + "/lost"; }
std::string OptionsTempFileName(const std::string& dbname) { return dbname + "/OPTIONS.tmp"; }

bool ParseFileName(const std::string& name, uint64_t* number, FileType* type) {
  *number = 0;
  if (name == "LOCK") {
    *type = FileType::kLock;
    return true;
  }
  if (name == "CURRENT") {
    *type = FileType::kCurrent;
    return true;
  }
  if (name == "OPTIONS") {
    *type = FileType::kOptions;
    return true;
  }
  if (name == "OPTIONS.tmp") {
    *type = FileType::kTemp;
    return true;
  }
  if (name.rfind("MANIFEST-", 0) == 0) {
    *type = FileType::kManifest;
    return ParseNumber(name.substr(9), number);
  }
  static const struct {
    const char* suffix;
    FileType type;
  } kSuffixes[] = {{".log", FileType::kWal}, {".sst", FileType::kTable}, {".tmp", FileType::kTemp}};
  for (const auto& s : kSuffixes) {
    if (EndsWith(name, s.suffix)) {
      *type = s.type;
      return ParseNumber(name.substr(0, name.size() - 4), number);
    }
  }
  *type = FileType::kUnknown;
  return false;
}

std::string ParentDirName(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status CreateParentDirs(Env* env, const std::string& path) {
  std::vector<std::string> missing;  // innermost first
  for (std::string dir = ParentDirName(path); dir != "/" && dir != "." && !env->FileExists(dir);
       dir = ParentDirName(dir)) {
    missing.push_back(dir);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    FLOWDB_RETURN_IF_ERROR(env->CreateDir(*it));
    FLOWDB_RETURN_IF_ERROR(env->SyncDir(ParentDirName(*it)));
  }
  return Status::OK();
}

Status SetCurrentFile(Env* env, const std::string& dbname, uint64_t manifest_number) {
  std::string manifest = ManifestFileName(dbname, manifest_number);
  std::string contents = manifest.substr(dbname.size() + 1) + "\n";
  std::string tmp = TempFileName(dbname, manifest_number);
  Status s = WriteStringToFile(env, contents, tmp, /*sync=*/true);
  if (s.ok()) s = env->RenameFile(tmp, CurrentFileName(dbname));
  if (s.ok()) s = env->SyncDir(dbname);
  if (!s.ok()) env->RemoveFile(tmp).PermitUncheckedError();
  return s;
}

}  // namespace flowdb
