// A k-way merge of internal-key iterators (memtables, SSTables).
//
// Thread safety: as Iterator, one thread at a time.

#ifndef FLOWDB_TABLE_MERGING_ITERATOR_H_
#define FLOWDB_TABLE_MERGING_ITERATOR_H_

#include <memory>
#include <vector>

#include "table/iterator.h"

namespace flowdb {

// An iterator over the union of the children's entries in
// InternalKeyComparator order, in both directions (Next after Prev and vice
// versa included). Entries with equal keys in several children are all
// returned, ordered by child position (earlier children first).
//
// The first error of any child makes the merged iterator invalid and is
// returned by status() until the next Seek*. Takes ownership of the
// children; with none the result is empty, with one it is that child.
std::unique_ptr<Iterator> NewMergingIterator(std::vector<std::unique_ptr<Iterator>> children);

}  // namespace flowdb

#endif  // FLOWDB_TABLE_MERGING_ITERATOR_H_
