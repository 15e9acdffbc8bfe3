// PromiseWorker: the async pattern of every Promise-returning method.
// The constructor runs on the JS thread and takes plain C++ copies of the
// arguments; Run() executes on a libuv worker thread and only calls the
// engine; Result() builds the JS value back on the JS thread.
//
// While a worker thread's environment terminates (worker.terminate()),
// Node-API calls that need JavaScript fail: creating a Promise, constructing
// an object, settling a Promise. Everything here therefore uses plain
// Node-API calls whose status is checked, and a method whose Promise could
// not be created returns nothing (an empty Napi::Value, which JS sees as
// undefined) rather than an uninitialized handle.

#ifndef FLOWDB_BINDING_WORKER_H_
#define FLOWDB_BINDING_WORKER_H_

#include <napi.h>

#include <memory>

#include "engine_handle.h"
#include "errors.h"

namespace flowdb::binding {

// A Promise and the deferred that settles it; both null when the Promise
// could not be created (the environment is terminating).
struct PendingPromise {
  napi_deferred deferred = nullptr;
  napi_value promise = nullptr;

  static PendingPromise New(napi_env env) {
    PendingPromise p;
    if (napi_create_promise(env, &p.deferred, &p.promise) != napi_ok || p.promise == nullptr) {
      return PendingPromise();
    }
    return p;
  }
  bool ok() const { return promise != nullptr; }
};

// A Promise resolved with `value`; empty when none can be made.
inline Napi::Value ResolvedPromise(Napi::Env env, napi_value value) {
  if (value == nullptr) return Napi::Value();
  PendingPromise p = PendingPromise::New(env);
  if (!p.ok() || napi_resolve_deferred(env, p.deferred, value) != napi_ok) return Napi::Value();
  return Napi::Value(env, p.promise);
}

class PromiseWorker : public Napi::AsyncWorker {
 public:
  // name: the async resource name shown by async_hooks, e.g. "flowdb.get".
  // handle may be null for work not tied to an open engine (open).
  PromiseWorker(Napi::Env env, const char* name, std::shared_ptr<EngineHandle> handle)
      : Napi::AsyncWorker(env, name),
        promise_(PendingPromise::New(env)),
        handle_(std::move(handle)) {}

  // Queues the work and returns its Promise. When the Promise could not be
  // created, deletes this worker instead and returns an empty value. Either
  // way the caller must not use the worker afterwards.
  Napi::Value Start() {
    if (!promise_.ok()) {
      delete this;
      return Napi::Value();
    }
    if (handle_) handle_->pending++;
    Queue();
    return Napi::Value(Env(), promise_.promise);
  }

  // For work queued later than it is created (close): whether the Promise
  // exists, and the Promise. Queue() it or delete it.
  bool HasPromise() const { return promise_.ok(); }
  Napi::Value Promise() const { return Napi::Value(Env(), promise_.promise); }

 protected:
  // Worker thread: call the engine.
  virtual Status Run() = 0;
  // JS thread, after Run() returned OK. An empty value (the result could not
  // be built) rejects the Promise.
  virtual Napi::Value Result(Napi::Env env) { return env.Undefined(); }
  // JS thread, before the Promise settles, whatever the outcome.
  virtual void Settle() {}

  const std::shared_ptr<EngineHandle>& handle() const { return handle_; }

 private:
  void Execute() final {
    if (handle_) {
      handle_->executing++;
      status_ = handle_->tearing_down ? Status::Closed() : Run();
      handle_->executing--;
    } else {
      status_ = Run();
    }
  }
  void OnOK() final {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Settle();
    napi_value value = nullptr;
    if (status_.ok()) value = Result(env);
    if (value != nullptr) {
      SettlePromise(env, true, value);
    } else {
      const Status s = status_.ok() ? Status::IOError("could not build the result") : status_;
      SettlePromise(env, false, MakeError(env, s));
    }
    if (handle_) handle_->EndOp();
  }
  void OnError(const Napi::Error& e) final {
    Settle();
    SettlePromise(Env(), false, e.Value());
    if (handle_) handle_->EndOp();
  }
  // Resolves or rejects the Promise. When that fails, or the value could not
  // be made, the environment is terminating: the Promise stays pending, as
  // nothing can observe it any more.
  void SettlePromise(napi_env env, bool resolve, napi_value value) {
    if (value == nullptr) return;
    napi_status s = resolve ? napi_resolve_deferred(env, promise_.deferred, value)
                            : napi_reject_deferred(env, promise_.deferred, value);
    static_cast<void>(s);
  }

  PendingPromise promise_;
  std::shared_ptr<EngineHandle> handle_;
  Status status_;
};

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_WORKER_H_
