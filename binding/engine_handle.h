// EngineHandle: one open DB as the binding sees it, shared by the JS Engine
// object, its iterators and every async operation in flight, so that pending
// work keeps it alive.
//
// Thread safety: `pending`, `closing`, `iterators`, `snapshots` and
// `parked_close` are used on the JS thread only. `executing` and `tearing_down` are atomics
// read by worker threads.

#ifndef FLOWDB_BINDING_ENGINE_HANDLE_H_
#define FLOWDB_BINDING_ENGINE_HANDLE_H_

#include <napi.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "flowdb/db.h"
#include "flowdb/env.h"
#include "flowdb/jsondb.h"

namespace flowdb::binding {

class IteratorWrap;
class TxnState;

struct EngineHandle {
  ~EngineHandle() {
    ReleaseSnapshots();
    if (db) db->Close().PermitUncheckedError();
    db.reset();  // before the Env it may use
    jsondb.reset();
    mem_env.reset();
  }

  std::unique_ptr<Env> mem_env;  // set for in-memory engines
  std::unique_ptr<DB> db;
  // Set instead of `db` for a document database (it owns its engine), with
  // the transactions open on it (binding/doc_calls.h; each releases its
  // cursors first): close releases them before JsonDB::Close.
  std::unique_ptr<JsonDB> jsondb;
  std::set<TxnState*> doc_transactions;

  int pending = 0;             // async operations queued and not yet settled
  bool closing = false;        // close() was called
  bool closed = false;         // DB::Close() finished
  std::set<IteratorWrap*> iterators;
  // Snapshots handed to JS, by id (lib/engine.cjs Snapshot objects).
  std::map<uint32_t, const Snapshot*> snapshots;
  uint32_t next_snapshot_id = 1;
  Napi::AsyncWorker* parked_close = nullptr;  // queued once pending == 0

  std::atomic<int> executing{0};          // operations inside Execute()
  std::atomic<bool> tearing_down{false};  // the JS environment is exiting

  // Called when an async operation settles (JS thread); starts a parked close.
  void EndOp() {
    if (--pending == 0 && parked_close != nullptr) {
      Napi::AsyncWorker* w = parked_close;
      parked_close = nullptr;
      w->Queue();
    }
  }
  // Releases every snapshot JS still holds (before the DB closes).
  void ReleaseSnapshots() {
    if (db) {
      for (const auto& [id, snap] : snapshots) db->ReleaseSnapshot(snap);
    }
    snapshots.clear();
  }
  // Blocks until no operation is inside Execute() (environment teardown).
  void WaitForExecuting() {
    while (executing.load() > 0) std::this_thread::yield();
  }
};

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_ENGINE_HANDLE_H_
