// EngineHandle: one open DB as the binding sees it, shared by the JS Engine
// object, its iterators and every async operation in flight, so that pending
// work keeps it alive.
//
// Thread safety: `pending`, `closing`, `iterators` and `parked_close` are
// used on the JS thread only. `executing` and `tearing_down` are atomics
// read by worker threads.

#ifndef FLOWDB_BINDING_ENGINE_HANDLE_H_
#define FLOWDB_BINDING_ENGINE_HANDLE_H_

#include <napi.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>

#include "flowdb/db.h"
#include "flowdb/env.h"

namespace flowdb::binding {

class IteratorWrap;

struct EngineHandle {
  ~EngineHandle() {
    if (db) db->Close().PermitUncheckedError();
    db.reset();  // before the Env it may use
    mem_env.reset();
  }

  std::unique_ptr<Env> mem_env;  // set for in-memory engines
  std::unique_ptr<DB> db;

  int pending = 0;             // async operations queued and not yet settled
  bool closing = false;        // close() was called
  bool closed = false;         // DB::Close() finished
  std::set<IteratorWrap*> iterators;
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
  // Blocks until no operation is inside Execute() (environment teardown).
  void WaitForExecuting() {
    while (executing.load() > 0) std::this_thread::yield();
  }
};

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_ENGINE_HANDLE_H_
