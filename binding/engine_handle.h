// EngineHandle: one open DB as the binding sees it, shared by the JS Engine
// object, its iterators and every async operation in flight, so that pending
// work keeps it alive.
//
// Thread safety: `pending`, `closing`, `iterators`, `snapshots` and
// `parked_close` are used on the JS thread only (a SnapshotRef's pin is
// copied there too; its copies may be released on any thread). `executing` and `tearing_down` are atomics
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
struct EngineHandle;

// A snapshot handed to JS (the handle inside a lib/snapshot.cjs Snapshot).
// `pin` holds the DB snapshot: the last copy to go releases it, so a read in
// flight keeps its snapshot even if JS releases it meanwhile. Empty once JS
// released it or the engine closed: reads given it are rejected.
struct SnapshotRef {
  const EngineHandle* engine;  // compared only, never followed
  std::shared_ptr<const Snapshot> pin;
};

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
  // Snapshots handed to JS and not yet released, each with its pin set.
  // Pins never outlive the DB: this set's go in ReleaseSnapshots (before
  // the DB closes), and the copies read workers hold go before the workers
  // drop their reference to this handle.
  std::set<std::shared_ptr<SnapshotRef>> snapshots;
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
  // Releases every snapshot JS still holds (before the DB closes); reads
  // in flight release theirs when they finish.
  void ReleaseSnapshots() {
    for (const auto& ref : snapshots) ref->pin.reset();
    snapshots.clear();
  }
  // Blocks until no operation is inside Execute() (environment teardown).
  void WaitForExecuting() {
    while (executing.load() > 0) std::this_thread::yield();
  }
};

// `new cls(external)` where the External boxes `handle` and carries `tag`,
// which the class's constructor checks (Engine and JsonDB objects share the
// handle type). Empty when it cannot be done (the environment is
// terminating); the box is then freed.
Napi::Value NewHandleObject(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                            const napi_type_tag* tag, const Napi::FunctionReference& cls);

// The prologue of every Engine and JsonDB method: true when `handle` is set
// and not closing; otherwise throws (a TypeError naming `invalid_object` for
// an object with no handle, FLOWDB_CLOSED after close()) and returns false.
bool CheckHandleOpen(Napi::Env env, const EngineHandle* handle, const char* invalid_object);

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_ENGINE_HANDLE_H_
