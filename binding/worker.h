// PromiseWorker: the async pattern of every Promise-returning method.
// The constructor runs on the JS thread and takes plain C++ copies of the
// arguments; Run() executes on a libuv worker thread and only calls the
// engine; Result() builds the JS value back on the JS thread.

#ifndef FLOWDB_BINDING_WORKER_H_
#define FLOWDB_BINDING_WORKER_H_

#include <napi.h>

#include <memory>

#include "engine_handle.h"
#include "errors.h"

namespace flowdb::binding {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  // name: the async resource name shown by async_hooks, e.g. "flowdb.get".
  // handle may be null for work not tied to an open engine (open).
  PromiseWorker(Napi::Env env, const char* name, std::shared_ptr<EngineHandle> handle)
      : Napi::AsyncWorker(env, name),
        deferred_(Napi::Promise::Deferred::New(env)),
        handle_(std::move(handle)) {
    if (handle_) handle_->pending++;
  }

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  // Worker thread: call the engine.
  virtual Status Run() = 0;
  // JS thread, after Run() returned OK.
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
    if (status_.ok()) {
      deferred_.Resolve(Result(env));
    } else {
      deferred_.Reject(MakeError(env, status_));
    }
    if (handle_) handle_->EndOp();
  }
  void OnError(const Napi::Error& e) final {
    Settle();
    deferred_.Reject(e.Value());
    if (handle_) handle_->EndOp();
  }

  Napi::Promise::Deferred deferred_;
  std::shared_ptr<EngineHandle> handle_;
  Status status_;
};

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_WORKER_H_
