#include "doc_transaction.h"

#include "addon_data.h"
#include "convert.h"
#include "doc_cursor.h"
#include "errors.h"
#include "jsondb.h"
#include "worker.h"

namespace flowdb::binding {

namespace {

// Tags the External that carries a transaction into the constructor.
const napi_type_tag kDocTransactionTag = {0x71d3b8a02c5e4f16ull, 0xb4e90a7f3d1c2865ull};

struct TxnInit {
  std::shared_ptr<EngineHandle> handle;
  std::shared_ptr<TxnState> state;
};

class CommitWorker final : public PromiseWorker {
 public:
  CommitWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, std::shared_ptr<TxnState> state)
      : PromiseWorker(env, "flowdb.jsondb.commit", std::move(h)), state_(std::move(state)) {}
  Status Run() override {
    if (state_->ended()) return Status::TransactionInactive("the transaction has ended");
    return state_->txn()->Commit();
  }
  void Settle() override {
    state_->Release();  // after the commit: cursors, then the transaction
    state_->Done();
  }

 private:
  std::shared_ptr<TxnState> state_;
};

constexpr char kCreateObjectStore[] = "createObjectStore";
constexpr char kDeleteObjectStore[] = "deleteObjectStore";
constexpr char kCreateIndex[] = "createIndex";
constexpr char kDeleteIndex[] = "deleteIndex";
constexpr char kRenameObjectStore[] = "renameObjectStore";
constexpr char kRenameIndex[] = "renameIndex";
constexpr char kSetVersion[] = "setVersion";
constexpr char kTxnSchema[] = "txnSchema";

}  // namespace

Napi::Function DocTransactionWrap::Define(Napi::Env env) {
  return DefineClass(env, "DocTransaction",
                     {
                         InstanceMethod<&DocTransactionWrap::Call<kPut>>("put"),
                         InstanceMethod<&DocTransactionWrap::Call<kPutMany>>("putMany"),
                         InstanceMethod<&DocTransactionWrap::Call<kGet>>("get"),
                         InstanceMethod<&DocTransactionWrap::Call<kGetKey>>("getKey"),
                         InstanceMethod<&DocTransactionWrap::Call<kGetAll>>("getAll"),
                         InstanceMethod<&DocTransactionWrap::Call<kGetAllKeys>>("getAllKeys"),
                         InstanceMethod<&DocTransactionWrap::Call<kCount>>("count"),
                         InstanceMethod<&DocTransactionWrap::Call<kDelete>>("delete"),
                         InstanceMethod<&DocTransactionWrap::Call<kClear>>("clear"),
                         InstanceMethod<&DocTransactionWrap::Call<kPutValue>>("putValue"),
                         // Several putValue calls in one trip (each succeeds or fails alone).
                         InstanceMethod<&DocTransactionWrap::Call<kPutValues>>("putValues"),
                         InstanceMethod<&DocTransactionWrap::Call<kGetValue>>("getValue"),
                         InstanceMethod<&DocTransactionWrap::Call<kGetAllValues>>("getAllValues"),
                         InstanceMethod<&DocTransactionWrap::Call<kGenerateKey>>("generateKey"),
                         InstanceMethod<&DocTransactionWrap::Call<kRaiseKeyGenerator>>("raiseKeyGenerator"),
                         // Versionchange transactions only (others get FLOWDB_INVALID_ARGUMENT).
                         InstanceMethod<&DocTransactionWrap::Call<kCreateObjectStore>>("createObjectStore"),
                         InstanceMethod<&DocTransactionWrap::Call<kDeleteObjectStore>>("deleteObjectStore"),
                         InstanceMethod<&DocTransactionWrap::Call<kCreateIndex>>("createIndex"),
                         InstanceMethod<&DocTransactionWrap::Call<kDeleteIndex>>("deleteIndex"),
                         InstanceMethod<&DocTransactionWrap::Call<kRenameObjectStore>>("renameObjectStore"),
                         InstanceMethod<&DocTransactionWrap::Call<kRenameIndex>>("renameIndex"),
                         InstanceMethod<&DocTransactionWrap::Call<kSetVersion>>("setVersion"),
                         InstanceMethod<&DocTransactionWrap::Call<kTxnSchema>>("schema"),
                         InstanceMethod<&DocTransactionWrap::GetSync>("getSync"),
                         InstanceMethod<&DocTransactionWrap::GetValueSync>("getValueSync"),
                         InstanceMethod<&DocTransactionWrap::GetMemory>("getMemory"),
                         InstanceMethod<&DocTransactionWrap::Query>("query"),
                         InstanceMethod<&DocTransactionWrap::Cursor>("cursor"),
                         InstanceMethod<&DocTransactionWrap::QueryCursor>("queryCursor"),
                         InstanceMethod<&DocTransactionWrap::Commit>("commit"),
                         InstanceMethod<&DocTransactionWrap::Abort>("abort"),
                     });
}

Napi::Value DocTransactionWrap::NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                                            std::unique_ptr<Transaction> txn) {
  // The External lives only for the synchronous constructor call below,
  // which copies what it carries: no finalizer (a weak handle per
  // transaction made every scavenge of a read-heavy program slow).
  TxnInit init{handle, std::make_shared<TxnState>(handle.get(), std::move(txn))};
  napi_value ext;
  if (napi_create_external(env, &init, nullptr, nullptr, &ext) != napi_ok) return Napi::Value();
  if (napi_type_tag_object(env, ext, &kDocTransactionTag) != napi_ok) return Napi::Value();
  return NewFromClass(env, GetAddonData(env)->doc_transaction_class, ext);
}

DocTransactionWrap::DocTransactionWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<DocTransactionWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !IsTaggedExternal(env, info[0], &kDocTransactionTag)) {
    ThrowTypeError(env, "DocTransaction cannot be constructed directly: use db.transaction()");
    return;
  }
  TxnInit* init = info[0].As<Napi::External<TxnInit>>().Data();
  handle_ = init->handle;
  state_ = init->state;
}

DocTransactionWrap::~DocTransactionWrap() {
  // Dropped unfinished: abort (now, or after the call in flight).
  if (state_) state_->Release();
}

bool DocTransactionWrap::CheckActive(Napi::Env env) const {
  if (!state_) {
    ThrowTypeError(env, "invalid DocTransaction object");
    return false;
  }
  if (handle_->closing) {
    ThrowStatus(env, Status::Closed());
    return false;
  }
  if (state_->ended()) {
    ThrowStatus(env, Status::TransactionInactive("the transaction has ended"));
    return false;
  }
  return true;
}

template <const char* kMethod>
Napi::Value DocTransactionWrap::Call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckActive(env)) return env.Undefined();
  std::unique_ptr<DocCall> call = MakeDocCall(info, kMethod);
  if (call == nullptr) return env.Undefined();
  auto* w = new TxnCallWorker(env, DocCallName(kMethod), handle_, state_, std::move(call));
  return state_->Start(w);
}

Napi::Value DocTransactionWrap::GetSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckActive(env)) return env.Undefined();
  if (state_->busy()) {
    return ThrowStatus(env, Status::Busy("getSync: calls of this transaction are in flight; await them first"));
  }
  std::unique_ptr<DocCall> call = MakeDocCall(info, kGet);
  if (call == nullptr) return env.Undefined();
  Status s = call->Run(state_->txn());
  if (!s.ok()) return ThrowStatus(env, s);
  return call->Result(env);
}

Napi::Value DocTransactionWrap::GetValueSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckActive(env)) return env.Undefined();
  if (state_->busy()) {
    return ThrowStatus(env, Status::Busy("getValueSync: calls of this transaction are in flight; await them first"));
  }
  std::unique_ptr<DocCall> call = MakeDocCall(info, kGetValue);
  if (call == nullptr) return env.Undefined();
  Status s = call->Run(state_->txn());
  if (!s.ok()) return ThrowStatus(env, s);
  return call->Result(env);
}

Napi::Value DocTransactionWrap::GetMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckActive(env)) return env.Undefined();
  // In a transaction the read must also see its writes and be recorded in
  // its read set: it runs in turn on a worker.
  return env.Null();
}

Napi::Value DocTransactionWrap::Query(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckActive(env)) return env.Undefined();
  if (info[2].IsNumber() && info[2].As<Napi::Number>().Uint32Value() == kQueryExplain) {
    return QueueExplain(info, handle_);
  }
  std::unique_ptr<DocCall> call = MakeDocCall(info, "query");
  if (call == nullptr) return env.Undefined();
  auto* w = new TxnCallWorker(env, "flowdb.jsondb.query", handle_, state_, std::move(call));
  return state_->Start(w);
}

Napi::Value DocTransactionWrap::Cursor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckActive(env)) return env.Undefined();
  DocCursorSpec spec;
  if (!ToCursorSpec(info, false, &spec)) return env.Undefined();
  return DocCursorWrap::NewInstance(env, handle_, state_, false, std::move(spec));
}

Napi::Value DocTransactionWrap::QueryCursor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckActive(env)) return env.Undefined();
  DocCursorSpec spec;
  if (!ToCursorSpec(info, true, &spec)) return env.Undefined();
  return DocCursorWrap::NewInstance(env, handle_, state_, false, std::move(spec));
}

Napi::Value DocTransactionWrap::Commit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckActive(env)) return env.Undefined();
  auto* w = new CommitWorker(env, handle_, state_);
  return state_->Start(w);
}

Napi::Value DocTransactionWrap::Abort(const Napi::CallbackInfo& info) {
  if (state_) state_->Release();
  return info.Env().Undefined();
}

}  // namespace flowdb::binding
