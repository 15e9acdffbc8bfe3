// WriteCallback: code that runs inside the write queue, just before a write
// is applied, with no other write able to commit in between. It is how a
// read-modify-write (DB::Patch) or an optimistic transaction's commit check
// is made atomic with the write that follows it.
//
// Thread safety: Callback runs on the thread that leads the write queue,
// which may be another writer's thread, never concurrently with another
// callback of the same DB.

#ifndef FLOWDB_INCLUDE_WRITE_CALLBACK_H_
#define FLOWDB_INCLUDE_WRITE_CALLBACK_H_

#include "flowdb/status.h"

namespace flowdb {

class DB;

class WriteCallback {
 public:
  virtual ~WriteCallback() = default;

  // Runs while this write leads the write queue, after every earlier write
  // committed and before this write's batch is appended to the WAL: no other
  // write can commit in between, and reads through `db` see every write
  // committed before this one.
  //
  // The write applies the batch given to DB::Write as it stands when
  // Callback returns, so the callback may fill or change it (the callback
  // object keeps its own pointer to that batch); a batch left empty applies
  // nothing and the write succeeds. A non-OK status fails this write alone:
  // nothing of it is applied and DB::Write returns that status.
  //
  // The callback may read the DB (Get, GetLatest, NewScan, snapshots) but
  // must not write to it (Write, Patch, DeleteRange, Flush, CompactAll):
  // that would wait for the queue it is leading.
  virtual Status Callback(DB* db) = 0;

  // Whether this write may join a group commit behind other queued writes
  // (false by default). When true, Callback runs in queue order after the
  // callbacks of the writes ahead of it in the same group, but before their
  // batches are applied: reads through `db` do not see those writes yet.
  // Return true only if the callback reads no DB state those writes may
  // change (e.g. it checks state of its own that earlier callbacks updated);
  // it then shares their WAL append (and sync).
  virtual bool AllowGrouping() const { return false; }
};

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_WRITE_CALLBACK_H_
