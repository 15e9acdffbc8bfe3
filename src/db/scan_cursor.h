// ScanCursor over a RecordIterator: applies key bounds and a ts range,
// seeking over the versions outside the ts range instead of stepping
// through them.

#ifndef FLOWDB_DB_SCAN_CURSOR_H_
#define FLOWDB_DB_SCAN_CURSOR_H_

#include <memory>

#include "flowdb/db.h"

namespace flowdb {

std::unique_ptr<ScanCursor> NewScanCursor(std::unique_ptr<RecordIterator> iter,
                                          const ScanOptions& scan);

}  // namespace flowdb

#endif  // FLOWDB_DB_SCAN_CURSOR_H_
