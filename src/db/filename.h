// Names of the files in a data directory:
//
//   LOCK               held (flock) while the DB is open
//   CURRENT            names the live manifest ("MANIFEST-000007\n")
//   MANIFEST-NNNNNN    log of version edits
//   OPTIONS            the options the DB was last opened with (options_file.h)
//   wal/NNNNNN.log     write-ahead log segments
//   sst/NNNNNN.sst     SSTables
//   *.tmp              files being written; removed at open
//                      (NNNNNN.tmp, and OPTIONS.tmp for OPTIONS)
//   lost/              files RepairDB replaced or could not read, moved aside
//
// File numbers come from one counter (VersionSet::NewFileNumber) and are
// never reused.

#ifndef FLOWDB_DB_FILENAME_H_
#define FLOWDB_DB_FILENAME_H_

#include <cstdint>
#include <string>

#include "flowdb/env.h"

namespace flowdb {

enum class FileType { kLock, kCurrent, kManifest, kOptions, kWal, kTable, kTemp, kUnknown };

std::string LockFileName(const std::string& dbname);
std::string CurrentFileName(const std::string& dbname);
std::string ManifestFileName(const std::string& dbname, uint64_t number);
std::string WalDirName(const std::string& dbname);
std::string WalFileName(const std::string& dbname, uint64_t number);
std::string TableDirName(const std::string& dbname);
std::string TableFileName(const std::string& dbname, uint64_t number);
std::string TempFileName(const std::string& dbname, uint64_t number);
std::string OptionsFileName(const std::string& dbname);
// The directory RepairDB moves replaced and unreadable files to.
std::string LostDirName(const std::string& dbname);
// The temporary name OPTIONS is written under before it is renamed into place.
std::string OptionsTempFileName(const std::string& dbname);

// The directory holding path's entry: "a/b/c" → "a/b", "c" → ".", "/c" → "/".
std::string ParentDirName(std::string path);

// Creates the missing directories above path (not path itself), outermost
// first, as `mkdir -p` would, and syncs the parent of each one it creates so
// that its entry survives a power loss. Stops at "/" and ".", which are
// never created. Returns the first CreateDir or SyncDir error.
Status CreateParentDirs(Env* env, const std::string& path);

// Parses a file name (not a path) found in the directory the type lives in.
// Returns false if the name is not one of ours. OPTIONS.tmp parses as kTemp
// with number 0.
bool ParseFileName(const std::string& name, uint64_t* number, FileType* type);

// Writes CURRENT to point at MANIFEST-<manifest_number>: temp file, fsync,
// rename, fsync of the directory.
Status SetCurrentFile(Env* env, const std::string& dbname, uint64_t manifest_number);

}  // namespace flowdb

#endif  // FLOWDB_DB_FILENAME_H_
