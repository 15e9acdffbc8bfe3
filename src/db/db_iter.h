// DBIter: turns a merged stream of internal entries into the live records a
// user sees at one snapshot.

#ifndef FLOWDB_DB_DB_ITER_H_
#define FLOWDB_DB_DB_ITER_H_

#include <memory>

#include "db/dbformat.h"
#include "db/range_del.h"
#include "flowdb/iterator.h"
#include "table/iterator.h"

namespace flowdb {

// Returns an iterator over the records of `internal` (internal keys in
// InternalKeyComparator order, e.g. a merging iterator over memtables and
// SSTables) as of sequence `snapshot`: for each (key, ts) the newest entry
// with seq ≤ snapshot decides; tombstones, records with expire_at ≤
// now_micros, and versions a range tombstone in range_dels (may be null)
// hides at snapshot are skipped.
std::unique_ptr<RecordIterator> NewDBIterator(std::unique_ptr<Iterator> internal,
                                              SequenceNumber snapshot, int64_t now_micros,
                                              std::shared_ptr<const RangeDelView> range_dels);

}  // namespace flowdb

#endif  // FLOWDB_DB_DB_ITER_H_
