// ChangeFeed: the committed write batches of a DB in sequence order, read
// back from its WAL segments (DB::NewChangeFeed), for shipping changes to
// another system.
//
// Thread safety: a ChangeFeed is used by one thread at a time, while the DB
// goes on taking writes. It must be destroyed before the DB is destroyed
// (it may outlive DB::Close: Next then returns Closed).

#ifndef FLOWDB_INCLUDE_CHANGE_FEED_H_
#define FLOWDB_INCLUDE_CHANGE_FEED_H_

#include <cstdint>
#include <vector>

#include "flowdb/status.h"
#include "flowdb/write_batch.h"

namespace flowdb {

// One WAL record: the writes one commit applied atomically. Writes that
// group commit joined into one record arrive as one batch, each write's
// entries contiguous and in their order.
struct ChangeBatch {
  uint64_t first_sequence = 0;  // of its first entry; entries number consecutively
  uint64_t last_sequence = 0;   // of its last entry
  WriteBatch batch;             // its entries, read with WriteBatch::Iterate
};

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;

  // Appends to *out the batches committed after position(), in sequence
  // order, until they hold at least max_bytes of entries (one batch at
  // least, if any is committed), and advances position(). Returns OK with
  // nothing appended when the feed has caught up: call again after the next
  // commit (DB::AddCommitListener). Errors: SequenceGone (NotFound with
  // SubCode::kSequenceGone) if the batch after position() is in no WAL
  // segment the DB kept; Corruption naming the segment and offset of a
  // damaged record; Closed after DB::Close. A failed call delivers nothing
  // and leaves position() unchanged.
  virtual Status Next(size_t max_bytes, std::vector<ChangeBatch>* out) = 0;

  // The last sequence number delivered: the `since` it was created with,
  // then the last_sequence of the last batch Next returned.
  virtual uint64_t position() const = 0;
};

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_CHANGE_FEED_H_
