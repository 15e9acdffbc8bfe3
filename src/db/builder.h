// BuildTable: writes the entries of an internal iterator (a frozen memtable)
// to a new SSTable file.

#ifndef FLOWDB_DB_BUILDER_H_
#define FLOWDB_DB_BUILDER_H_

#include <string>

#include "db/version_edit.h"
#include "flowdb/env.h"
#include "table/iterator.h"
#include "table/table_builder.h"

namespace flowdb {

// Writes every entry of iter to sst/<meta->number>.sst, syncs the file and
// its directory, and fills *meta. REQUIRES: meta->number is set. An empty
// iterator writes no file and leaves meta->file_size == 0. On error the
// partial file is removed.
Status BuildTable(const std::string& dbname, Env* env, const TableOptions& options,
                  Iterator* iter, FileMetaData* meta);

}  // namespace flowdb

#endif  // FLOWDB_DB_BUILDER_H_
