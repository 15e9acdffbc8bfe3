// ScanCursor over a RecordIterator: applies key bounds and a ts range,
// seeking over the versions outside the ts range instead of stepping
// through them.
//
// The cursor builds its RecordIterator on first use, and again after a
// memory-only read would have blocked or when the mode changes, from a
// factory that must return iterators over one and the same view.

#ifndef FLOWDB_DB_SCAN_CURSOR_H_
#define FLOWDB_DB_SCAN_CURSOR_H_

#include <functional>
#include <memory>

#include "flowdb/db.h"

namespace flowdb {

// Returns a RecordIterator over the cursor's view; memory_only as in
// ReadOptions (a block that is not cached gives status Busy).
using RecordIteratorFactory = std::function<std::unique_ptr<RecordIterator>(bool memory_only)>;

std::unique_ptr<ScanCursor> NewScanCursor(RecordIteratorFactory make, const ScanOptions& scan);

}  // namespace flowdb

#endif  // FLOWDB_DB_SCAN_CURSOR_H_
