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
std::unique_ptr<DocCursor> NewDocCursor(TransactionImpl* txn, const StoreInfo& store,
                                        const IndexInfo* index, const ReadRangeOptions& options);

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_DOC_CURSOR_H_
