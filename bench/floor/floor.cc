// The floor: native calls that do nothing, so that timing them gives the
// least any call into the FlowDB addon can cost. The async ones follow the
// addon's PromiseWorker (binding/worker.h) step for step: a Napi::AsyncWorker
// queued on the libuv pool, an Execute() that here does no work, and an
// OnOK() that settles a Promise on the JS thread.
//
//   syncEmpty()      → undefined
//   syncBuffer(n)    → a new Buffer holding a copy of n bytes
//   asyncEmpty()     → Promise<undefined>
//   asyncBuffer(n)   → Promise<Buffer> of n copied bytes
//   settledBuffer(n) → a Promise already resolved, on the JS thread, with a
//                      Buffer of n copied bytes: the path of a Promise read
//                      answered from memory without a trip to the pool
//
// The *Buffer forms add what a point read must do at least: copy the value
// into JS-owned memory (the addon never hands out external buffers).

#include <napi.h>

#include <cstddef>
#include <string>

namespace {

constexpr size_t kMaxBytes = 1 << 20;

// Source bytes for the *Buffer calls.
const std::string& Payload() {
  static const std::string payload(kMaxBytes, '\xab');
  return payload;
}

// Reads the optional byte count argument; sets a JS exception on bad input.
bool ByteCount(const Napi::CallbackInfo& info, size_t* n) {
  *n = 0;
  if (info.Length() == 0) return true;
  if (!info[0].IsNumber()) {
    Napi::TypeError::New(info.Env(), "byte count must be a number").ThrowAsJavaScriptException();
    return false;
  }
  int64_t v = info[0].As<Napi::Number>().Int64Value();
  if (v < 0 || static_cast<uint64_t>(v) > kMaxBytes) {
    Napi::RangeError::New(info.Env(), "byte count out of range").ThrowAsJavaScriptException();
    return false;
  }
  *n = static_cast<size_t>(v);
  return true;
}

Napi::Value SyncEmpty(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

Napi::Value SyncBuffer(const Napi::CallbackInfo& info) {
  size_t n;
  if (!ByteCount(info, &n)) return Napi::Value();
  return Napi::Buffer<char>::Copy(info.Env(), Payload().data(), n);
}

class EmptyWorker final : public Napi::AsyncWorker {
 public:
  // bytes < 0: resolve with undefined; else with a Buffer of that many bytes.
  EmptyWorker(Napi::Env env, int64_t bytes)
      : Napi::AsyncWorker(env, "flowdb.floor"),
        deferred_(Napi::Promise::Deferred::New(env)),
        bytes_(bytes) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 private:
  void Execute() override {}
  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (bytes_ < 0) {
      deferred_.Resolve(env.Undefined());
    } else {
      deferred_.Resolve(Napi::Buffer<char>::Copy(env, Payload().data(), static_cast<size_t>(bytes_)));
    }
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

  Napi::Promise::Deferred deferred_;
  int64_t bytes_;
};

Napi::Value Queue(const Napi::CallbackInfo& info, int64_t bytes) {
  auto* worker = new EmptyWorker(info.Env(), bytes);  // deletes itself after OnOK
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value AsyncEmpty(const Napi::CallbackInfo& info) { return Queue(info, -1); }

Napi::Value AsyncBuffer(const Napi::CallbackInfo& info) {
  size_t n;
  if (!ByteCount(info, &n)) return Napi::Value();
  return Queue(info, static_cast<int64_t>(n));
}

Napi::Value SettledBuffer(const Napi::CallbackInfo& info) {
  size_t n;
  if (!ByteCount(info, &n)) return Napi::Value();
  Napi::Env env = info.Env();
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Resolve(Napi::Buffer<char>::Copy(env, Payload().data(), n));
  return deferred.Promise();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Payload();
  exports.Set("syncEmpty", Napi::Function::New(env, SyncEmpty, "syncEmpty"));
  exports.Set("syncBuffer", Napi::Function::New(env, SyncBuffer, "syncBuffer"));
  exports.Set("asyncEmpty", Napi::Function::New(env, AsyncEmpty, "asyncEmpty"));
  exports.Set("asyncBuffer", Napi::Function::New(env, AsyncBuffer, "asyncBuffer"));
  exports.Set("settledBuffer", Napi::Function::New(env, SettledBuffer, "settledBuffer"));
  return exports;
}

}  // namespace

NODE_API_MODULE(flowdb_floor, Init)
