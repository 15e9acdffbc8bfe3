// Cursors over an object store or an index, inside a transaction: the
// engine's snapshot merged with the transaction's writes (OverlayScan), index
// entries joined to their documents.
//
// Thread safety: as the owning transaction.

#ifndef FLOWDB_DOC_DOC_CURSOR_H_
#define FLOWDB_DOC_DOC_CURSOR_H_

#include <memory>

#include "catalog.h"
#include "flowdb/jsondb.h"

namespace flowdb::doc {

class TransactionImpl;

// A cursor over `store` (index == nullptr) or one of its indexes.
//
// read_ahead > 0 promises that the caller steps the cursor with Next() alone
// (no Seek) and stops only after read_ahead records, at the end, or on an
// error. An index cursor (direction next or prev, not keys_only) then
// gathers up to that many index entries at a time and fetches their
// documents in one DB::MultiGet, returning them in index order; it never
// reads an index entry the caller would not have reached, so the reads a
// transaction records are the same as stepping one by one. 0: one document
// per step.
std::unique_ptr<DocCursor> NewDocCursor(TransactionImpl* txn, const StoreInfo& store,
                                        const IndexInfo* index, const ReadRangeOptions& options,
                                        uint64_t read_ahead = 0);

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_DOC_CURSOR_H_
