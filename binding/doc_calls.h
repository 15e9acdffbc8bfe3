// The data calls of the document store, shared by the native JsonDB (each
// call runs in a transaction of its own) and the native Transaction (calls
// run in it, one at a time). A DocCall is built on the JS thread from the
// call's arguments (plain C++ copies, keys encoded), runs on a worker thread
// (or, for sync reads, on the JS thread) against a flowdb::Transaction, and
// builds its JS result on the JS thread.
//
// Also TxnState: one flowdb::Transaction shared by its JS object, its
// cursors and the workers in flight, with the queue that runs their calls
// one at a time (a Transaction is not thread-safe).

#ifndef FLOWDB_BINDING_DOC_CALLS_H_
#define FLOWDB_BINDING_DOC_CALLS_H_

#include <napi.h>

#include <atomic>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine_handle.h"
#include "flowdb/jsondb.h"
#include "worker.h"

namespace flowdb::binding {

class DocCall {
 public:
  virtual ~DocCall() = default;
  // The stores the call touches and whether it writes (for a transaction of
  // its own).
  virtual const std::string& store() const = 0;
  virtual bool writes() const { return false; }
  // Worker thread (or the JS thread for sync reads): the engine work.
  virtual Status Run(Transaction* txn) = 0;
  // JS thread, after Run() returned OK.
  virtual Napi::Value Result(Napi::Env env) = 0;
};

// Builds the DocCall for native method `method` from its JS arguments
// (put, putMany, get, getKey, getAll, getAllKeys, count, delete, clear,
// query; for opaque-value stores putValue, getValue and getAllValues —
// values as Buffers — putValues (several putValue calls in one trip),
// generateKey and raiseKeyGenerator; for versionchange
// transactions createObjectStore, deleteObjectStore, createIndex,
// deleteIndex, renameObjectStore, renameIndex, setVersion and txnSchema).
// Returns null with a JS exception pending on bad arguments.
std::unique_ptr<DocCall> MakeDocCall(const Napi::CallbackInfo& info, const char* method);

// The data methods' names, shared by JsonDB and DocTransaction (template
// arguments of their Call<method>).
inline constexpr char kPut[] = "put";
inline constexpr char kPutMany[] = "putMany";
inline constexpr char kGet[] = "get";
inline constexpr char kGetKey[] = "getKey";
inline constexpr char kGetAll[] = "getAll";
inline constexpr char kGetAllKeys[] = "getAllKeys";
inline constexpr char kCount[] = "count";
inline constexpr char kDelete[] = "delete";
inline constexpr char kClear[] = "clear";
inline constexpr char kPutValue[] = "putValue";
inline constexpr char kPutValues[] = "putValues";
inline constexpr char kGetValue[] = "getValue";
inline constexpr char kGetAllValues[] = "getAllValues";
inline constexpr char kGenerateKey[] = "generateKey";
inline constexpr char kRaiseKeyGenerator[] = "raiseKeyGenerator";

// A key path argument: null (none), a string or an array of strings
// (binding/jsondb.cc).
bool ToDocKeyPath(Napi::Env env, Napi::Value v, KeyPathSpec* out);

// A JS KeyRange (or null/undefined: every key) as a flowdb::KeyRange.
bool ToDocRange(Napi::Env env, Napi::Value v, const char* what, KeyRange* out);
// A query description (lib/jsondb/query-builder.cjs) on `store`.
bool ToDocQuery(Napi::Env env, Napi::Value store, Napi::Value description, Query* q);

class DocCursorState;

// One transaction and the calls queued on it (JS thread only, except `txn`,
// used by the one worker running at a time).
class TxnState {
 public:
  // Registers itself in handle->doc_transactions (so that close and env
  // teardown can release it) until destroyed. `handle` outlives it: every
  // holder of a TxnState also holds the handle.
  TxnState(EngineHandle* handle, std::unique_ptr<Transaction> txn)
      : handle_(handle), txn_(std::move(txn)) {
    handle_->doc_transactions.insert(this);
  }
  ~TxnState() {
    ReleaseNow();
    handle_->doc_transactions.erase(this);
  }

  Transaction* txn() const { return txn_.get(); }
  // True once the transaction was released or its release requested:
  // calls still queued fail with FLOWDB_TRANSACTION_INACTIVE (read on
  // worker threads).
  bool ended() const { return ended_.load(); }
  // Marks the transaction ended and releases it now, without waiting for a
  // worker (env teardown, after every worker finished).
  void ReleaseNow();
  // True while a worker runs on the transaction.
  bool busy() const { return busy_; }

  // Queues `w` (a worker whose Settle() calls Done()): runs it now if the
  // transaction is idle, else after the calls queued before it.
  void Enqueue(Napi::AsyncWorker* w);
  // PromiseWorker::Start() for a worker of this transaction: counts it as
  // pending on the handle (close waits for it), queues it with Enqueue and
  // returns its Promise. When the Promise could not be created (the
  // environment is terminating), deletes `w` and returns an empty value.
  // Either way the caller must not use `w` afterwards.
  Napi::Value Start(PromiseWorker* w);
  // Called by each queued worker as it settles: starts the next one, or
  // performs a release requested while it ran.
  void Done();

  // Destroys the cursors opened on the transaction, then the transaction
  // (aborting it if active). Deferred until the worker in flight settles;
  // calls still queued fail with FLOWDB_TRANSACTION_INACTIVE.
  void Release();
  // The database's close(): the calls queued before it still run (close
  // waits for work in flight), then the transaction is released as by
  // Release(). No call can join the queue meanwhile: every entry point
  // refuses a closing handle.
  void ReleaseWhenIdle();

  std::set<DocCursorState*>& cursors() { return cursors_; }

 private:
  EngineHandle* handle_;
  std::unique_ptr<Transaction> txn_;
  std::atomic<bool> ended_{false};
  bool busy_ = false;
  bool release_requested_ = false;
  std::deque<Napi::AsyncWorker*> queued_;
  std::set<DocCursorState*> cursors_;
};

// Runs a DocCall on a queued transaction (see TxnState).
class TxnCallWorker final : public PromiseWorker {
 public:
  TxnCallWorker(Napi::Env env, const char* name, std::shared_ptr<EngineHandle> h,
                std::shared_ptr<TxnState> state, std::unique_ptr<DocCall> call)
      : PromiseWorker(env, name, std::move(h)), state_(std::move(state)), call_(std::move(call)) {}
  Status Run() override {
    if (state_->ended()) return Status::TransactionInactive("the transaction has ended");
    return call_->Run(state_->txn());
  }
  Napi::Value Result(Napi::Env env) override { return call_->Result(env); }
  void Settle() override { state_->Done(); }

 private:
  std::shared_ptr<TxnState> state_;
  std::unique_ptr<DocCall> call_;
};

// The async resource name of a data call, e.g. "flowdb.jsondb.put".
const char* DocCallName(const char* method);

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_DOC_CALLS_H_
