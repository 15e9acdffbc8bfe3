// BuildTable: writes what a flush or compaction keeps to a new SSTable file.

#ifndef FLOWDB_DB_BUILDER_H_
#define FLOWDB_DB_BUILDER_H_

#include <string>
#include <vector>

#include "db/compaction_iter.h"
#include "db/range_del.h"
#include "db/version_edit.h"
#include "flowdb/env.h"
#include "table/table_builder.h"

namespace flowdb {

// Writes every entry that input keeps, plus range_dels (stored in the table's
// range-deletion block), to sst/<meta->number>.sst, syncs the file and its
// directory, and fills *meta. REQUIRES: meta->number is set. When nothing is
// left to write, no file is created and meta->file_size is 0. On error the
// partial file is removed.
// Fills *meta (all but the number) for a table of file_size bytes whose
// properties are p and whose range-deletion block holds range_dels.
void SetFileMetaData(const TableProperties& p, uint64_t file_size,
                     const std::vector<RangeTombstone>& range_dels, FileMetaData* meta);

Status BuildTable(const std::string& dbname, Env* env, const TableOptions& options,
                  CompactionIterator* input, const std::vector<RangeTombstone>& range_dels,
                  FileMetaData* meta);

}  // namespace flowdb

#endif  // FLOWDB_DB_BUILDER_H_
