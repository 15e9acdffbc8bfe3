// The query planner and executor: a Query becomes a QueryPlan (an index or
// the primary key, key ranges from an equality prefix plus one range, `in` as
// several ranges, residual predicates, sort or index order) and runs as a
// cursor inside a transaction.
//
// Thread safety: PlanQuery is a pure function of its arguments; the cursors
// follow their transaction's rule.

#ifndef FLOWDB_DOC_QUERY_H_
#define FLOWDB_DOC_QUERY_H_

#include <memory>

#include "catalog.h"
#include "flowdb/jsondb.h"

namespace flowdb::doc {

class TransactionImpl;

// Most key ranges an `in` expansion may produce before the planner leaves
// the predicate to the residual filter instead.
inline constexpr size_t kMaxPlanRanges = 4096;

// Chooses the plan for `query` over `store`. InvalidArgument for a malformed
// query (an invalid path, an `in` without values).
Status PlanQuery(const StoreInfo& store, const Query& query, QueryPlan* plan);

// Runs `query` in `txn` (plan from PlanQuery).
Status RunQueryCursor(TransactionImpl* txn, const StoreInfo& store, const Query& query,
                      std::unique_ptr<DocCursor>* cursor);
Status CountQueryResults(TransactionImpl* txn, const StoreInfo& store, const Query& query,
                         uint64_t* count);

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_QUERY_H_
