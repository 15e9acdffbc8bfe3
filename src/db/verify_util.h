// Checks shared by DB::Verify (db/verify.cc) and RepairDB (db/repair.cc).

#ifndef FLOWDB_DB_VERIFY_UTIL_H_
#define FLOWDB_DB_VERIFY_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>

#include <vector>

#include "db/range_del.h"
#include "db/version_edit.h"
#include "flowdb/env.h"
#include "table/table.h"

namespace flowdb {

// What VerifyTableFile read of one SSTable.
struct TableCheck {
  std::unique_ptr<Table> table;  // set once the table opened (paranoid)
  uint64_t file_size = 0;
  uint64_t data_blocks = 0;
  uint64_t entries = 0;
};

// Reads the SSTable fname whole: opens it with every data block checked,
// walks every entry, decodes its range tombstones and, when expected is not
// null, compares file size, entry and tombstone counts, key range and
// sequence range with it. The first thing wrong goes to *problem (empty if
// none) with the file offset it was found at (0 if unknown). Returns OK
// unless the check could not run.
Status VerifyTableFile(Env* env, const std::string& fname, const FileMetaData* expected,
                       TableCheck* check, std::string* problem, uint64_t* problem_offset);

// The range tombstones of an open table (none when it has no such block).
Status DecodeTableRangeTombstones(const Table& table, std::vector<RangeTombstone>* list);

// The number after the last "offset " in an error message, or 0.
uint64_t OffsetInMessage(const std::string& message);

// path relative to the DB directory dbname when it lies inside it.
std::string RelativeName(const std::string& dbname, const std::string& path);

}  // namespace flowdb

#endif  // FLOWDB_DB_VERIFY_UTIL_H_
