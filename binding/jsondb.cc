#include "jsondb.h"

#include "addon_data.h"
#include "convert.h"
#include "doc_calls.h"
#include "doc_cursor.h"
#include "doc_transaction.h"
#include "engine.h"
#include "errors.h"
#include "worker.h"

namespace flowdb::binding {

namespace {

// Tags the External that carries a handle into the constructor.
const napi_type_tag kJsonDBHandleTag = {0x5a0c7e9d2b184f63ull, 0xc2f6184b9e3a7d05ull};

// A data call outside a transaction is a transaction of its own. A write
// that loses a conflict (a concurrent commit touched what it checked: a
// unique index key, the key generator) has no reads of the caller's to keep
// consistent, so it simply runs again.
constexpr int kOwnTransactionAttempts = 16;

class OpenJsonDBWorker final : public PromiseWorker {
 public:
  OpenJsonDBWorker(Napi::Env env, std::string path, JsonDBOptions options)
      : PromiseWorker(env, "flowdb.jsondb.open", nullptr), path_(std::move(path)), options_(std::move(options)) {}
  Status Run() override {
    handle_ = std::make_shared<EngineHandle>();
    if (options_.in_memory && path_.empty()) path_ = "/flowdb-memory";
    return JsonDB::Open(options_, path_, &handle_->jsondb);
  }
  Napi::Value Result(Napi::Env env) override {
    GetAddonData(env)->open_engines.insert(handle_);
    return JsonDBWrap::NewInstance(env, handle_);
  }

 private:
  std::string path_;
  JsonDBOptions options_;
  std::shared_ptr<EngineHandle> handle_;
};

class OwnTxnWorker final : public PromiseWorker {
 public:
  OwnTxnWorker(Napi::Env env, const char* name, std::shared_ptr<EngineHandle> h, JsonDB* db,
               std::unique_ptr<DocCall> call)
      : PromiseWorker(env, name, std::move(h)), db_(db), call_(std::move(call)) {}
  Status Run() override {
    TransactionOptions options;
    options.stores.push_back(call_->store());
    options.mode = call_->writes() ? TransactionMode::kReadWrite : TransactionMode::kReadOnly;
    Status s;
    for (int attempt = 0; attempt < kOwnTransactionAttempts; attempt++) {
      std::unique_ptr<Transaction> txn;
      FLOWDB_RETURN_IF_ERROR(db_->Begin(options, &txn));
      s = call_->Run(txn.get());
      if (s.ok()) s = txn->Commit();
      if (!s.IsConflict()) break;
    }
    return s;
  }
  Napi::Value Result(Napi::Env env) override { return call_->Result(env); }

 private:
  JsonDB* db_;  // a database of the handle's directory (lives as long as it)
  std::unique_ptr<DocCall> call_;
};

// Schema operations: `op` runs on the worker against the JsonDB.
class SchemaWorker final : public PromiseWorker {
 public:
  SchemaWorker(Napi::Env env, const char* name, std::shared_ptr<EngineHandle> h, JsonDB* db,
               std::function<Status(JsonDB*)> op)
      : PromiseWorker(env, name, std::move(h)), db_(db), op_(std::move(op)) {}
  Status Run() override { return op_(db_); }

 private:
  JsonDB* db_;
  std::function<Status(JsonDB*)> op_;
};

const char* ChangeKind(SchemaChange::Kind kind) {
  switch (kind) {
    case SchemaChange::Kind::kCreateStore: return "createdStores";
    case SchemaChange::Kind::kDeleteStore: return "deletedStores";
    case SchemaChange::Kind::kCreateIndex: return "createdIndexes";
    case SchemaChange::Kind::kDeleteIndex: return "deletedIndexes";
    case SchemaChange::Kind::kSetVersion: return "setVersion";
  }
  return "createdStores";
}

class ApplySchemaWorker final : public PromiseWorker {
 public:
  ApplySchemaWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, JsonDB* db, std::vector<StoreSpec> stores)
      : PromiseWorker(env, "flowdb.jsondb.applySchema", std::move(h)), db_(db), stores_(std::move(stores)) {}
  Status Run() override { return db_->ApplySchema(stores_, &changes_); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    for (auto kind : {SchemaChange::Kind::kCreateStore, SchemaChange::Kind::kDeleteStore,
                      SchemaChange::Kind::kCreateIndex, SchemaChange::Kind::kDeleteIndex}) {
      out.Set(ChangeKind(kind), Napi::Array::New(env));
    }
    for (const SchemaChange& c : changes_) {
      Napi::Array list = out.Get(ChangeKind(c.kind)).As<Napi::Array>();
      std::string name = c.index.empty() ? c.store : c.store + "." + c.index;
      list.Set(list.Length(), Napi::String::New(env, name));
    }
    return out;
  }

 private:
  JsonDB* db_;
  std::vector<StoreSpec> stores_;
  std::vector<SchemaChange> changes_;
};

Napi::Value RangeToJs(Napi::Env env, const KeyRange& r) {
  Napi::Object o = Napi::Object::New(env);
  if (r.has_lower) o.Set("lower", DocKeyToJs(env, r.lower));
  if (r.has_upper) o.Set("upper", DocKeyToJs(env, r.upper));
  o.Set("lowerOpen", Napi::Boolean::New(env, !r.has_lower || r.lower_open));
  o.Set("upperOpen", Napi::Boolean::New(env, !r.has_upper || r.upper_open));
  return o;
}

Napi::Array StringsToJs(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(static_cast<uint32_t>(i), Napi::String::New(env, v[i]));
  return a;
}

class ExplainWorker final : public PromiseWorker {
 public:
  ExplainWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, JsonDB* db, Query query)
      : PromiseWorker(env, "flowdb.jsondb.explain", std::move(h)), db_(db), query_(std::move(query)) {}
  Status Run() override { return (db_ != nullptr ? db_ : handle()->jsondb.get())->Explain(query_, &plan_); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("store", Napi::String::New(env, query_.store));
    o.Set("index", plan_.index.empty() ? env.Null() : Napi::String::New(env, plan_.index));
    o.Set("keyPath", StringsToJs(env, plan_.index_key_path));
    Napi::Array ranges = Napi::Array::New(env, plan_.ranges.size());
    for (size_t i = 0; i < plan_.ranges.size(); i++) ranges.Set(static_cast<uint32_t>(i), RangeToJs(env, plan_.ranges[i]));
    o.Set("ranges", ranges);
    o.Set("direction", Napi::String::New(env, plan_.reverse ? "prev" : "next"));
    o.Set("residual", StringsToJs(env, plan_.residual));
    o.Set("sort", Napi::Boolean::New(env, plan_.sort));
    o.Set("readsDocuments", Napi::Boolean::New(env, plan_.reads_documents));
    o.Set("earlyStop", Napi::Boolean::New(env, plan_.early_stop));
    return o;
  }

 private:
  JsonDB* db_;  // null: the handle's database ""
  Query query_;
  QueryPlan plan_;
};

class CloseJsonDBWorker final : public PromiseWorker {
 public:
  // Not counted as pending: it is the operation that waits for the others.
  CloseJsonDBWorker(Napi::Env env, std::shared_ptr<EngineHandle> h)
      : PromiseWorker(env, "flowdb.jsondb.close", nullptr), db_(std::move(h)) {}
  Status Run() override { return db_->jsondb->Close(); }
  void Settle() override { db_->closed = true; }

 private:
  std::shared_ptr<EngineHandle> db_;
};

// Store and index names (and key path elements, which are identifiers):
// WTF-8, so that names differing only in lone surrogates stay apart.
bool ToString(Napi::Env env, Napi::Value v, const char* what, std::string* out) {
  return ToWtf8Name(env, v, what, out);
}

// A key path: null (none), a string, or an array of strings.
bool ToKeyPath(Napi::Env env, Napi::Value v, KeyPathSpec* out) {
  if (v.IsNull() || v.IsUndefined()) {
    *out = KeyPathSpec::None();
    return true;
  }
  if (v.IsString()) {
    *out = KeyPathSpec::String(v.As<Napi::String>().Utf8Value());
    return true;
  }
  if (!v.IsArray()) {
    ThrowTypeError(env, "keyPath must be null, a string or an array of strings");
    return false;
  }
  Napi::Array a = v.As<Napi::Array>();
  std::vector<std::string> paths(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    if (!ToString(env, a.Get(i), "keyPath element", &paths[i])) return false;
  }
  *out = KeyPathSpec::Array(std::move(paths));
  return true;
}

Napi::Value KeyPathToJs(Napi::Env env, const KeyPathSpec& k) {
  switch (k.kind) {
    case KeyPathSpec::Kind::kNone: return env.Null();
    case KeyPathSpec::Kind::kString: return Napi::String::New(env, k.paths[0]);
    case KeyPathSpec::Kind::kArray: return StringsToJs(env, k.paths);
  }
  return env.Null();
}

bool ToIndexSpec(Napi::Env env, Napi::Object o, IndexSpec* spec) {
  return ToString(env, o.Get("name"), "index name", &spec->name) && ToKeyPath(env, o.Get("keyPath"), &spec->key_path) &&
         ToBool(env, o.Get("unique"), "unique", &spec->unique) &&
         ToBool(env, o.Get("multiEntry"), "multiEntry", &spec->multi_entry);
}

// An applySchema() store declaration (normalized by lib/jsondb/schema.cjs).
bool ToStoreSpec(Napi::Env env, Napi::Value v, StoreSpec* spec) {
  if (!v.IsObject()) {
    ThrowTypeError(env, "store declarations must be objects");
    return false;
  }
  Napi::Object o = v.As<Napi::Object>();
  if (!ToString(env, o.Get("name"), "store name", &spec->name) || !ToKeyPath(env, o.Get("keyPath"), &spec->key_path) ||
      !ToBool(env, o.Get("autoIncrement"), "autoIncrement", &spec->auto_increment)) {
    return false;
  }
  Napi::Value indexes = o.Get("indexes");
  if (!indexes.IsArray()) {
    ThrowTypeError(env, "indexes must be an array");
    return false;
  }
  Napi::Array a = indexes.As<Napi::Array>();
  spec->indexes.resize(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value x = a.Get(i);
    if (!x.IsObject()) {
      ThrowTypeError(env, "index declarations must be objects");
      return false;
    }
    if (!ToIndexSpec(env, x.As<Napi::Object>(), &spec->indexes[i])) return false;
  }
  return true;
}


}  // namespace

bool ToDocKeyPath(Napi::Env env, Napi::Value v, KeyPathSpec* out) { return ToKeyPath(env, v, out); }

Napi::Value QueueExplain(const Napi::CallbackInfo& info, const std::shared_ptr<EngineHandle>& handle,
                         JsonDB* db) {
  Napi::Env env = info.Env();
  Query q;
  if (!ToDocQuery(env, info[0], info[1], &q)) return env.Undefined();
  auto* w = new ExplainWorker(env, handle, db, std::move(q));
  return w->Start();
}

Napi::Value OpenJsonDB(const Napi::CallbackInfo& info) {
  JsonDBOptions options;
  std::string path;
  if (!ToOpenOptions(info, &path, &options.db_options, &options.in_memory)) return info.Env().Undefined();
  auto* w = new OpenJsonDBWorker(info.Env(), std::move(path), std::move(options));
  return w->Start();
}

void CloseJsonDBNow(EngineHandle* h) {
  for (TxnState* t : std::set<TxnState*>(h->doc_transactions)) t->ReleaseNow();
  if (h->jsondb) h->jsondb->Close().PermitUncheckedError();
}

Napi::Function JsonDBWrap::Define(Napi::Env env) {
  return DefineClass(env, "JsonDB",
                     {
                         InstanceMethod<&JsonDBWrap::Schema>("schema"),
                         InstanceMethod<&JsonDBWrap::CreateObjectStore>("createObjectStore"),
                         InstanceMethod<&JsonDBWrap::DeleteObjectStore>("deleteObjectStore"),
                         InstanceMethod<&JsonDBWrap::CreateIndex>("createIndex"),
                         InstanceMethod<&JsonDBWrap::DeleteIndex>("deleteIndex"),
                         InstanceMethod<&JsonDBWrap::ApplySchema>("applySchema"),
                         InstanceMethod<&JsonDBWrap::Begin>("begin"),
                         InstanceMethod<&JsonDBWrap::Call<kPut>>("put"),
                         InstanceMethod<&JsonDBWrap::Call<kPutMany>>("putMany"),
                         InstanceMethod<&JsonDBWrap::Call<kGet>>("get"),
                         InstanceMethod<&JsonDBWrap::Call<kGetKey>>("getKey"),
                         InstanceMethod<&JsonDBWrap::Call<kGetAll>>("getAll"),
                         InstanceMethod<&JsonDBWrap::Call<kGetAllKeys>>("getAllKeys"),
                         InstanceMethod<&JsonDBWrap::Call<kCount>>("count"),
                         InstanceMethod<&JsonDBWrap::Call<kDelete>>("delete"),
                         InstanceMethod<&JsonDBWrap::Call<kClear>>("clear"),
                         InstanceMethod<&JsonDBWrap::Call<kPutValue>>("putValue"),
                         InstanceMethod<&JsonDBWrap::Call<kGetValue>>("getValue"),
                         InstanceMethod<&JsonDBWrap::Call<kGetAllValues>>("getAllValues"),
                         InstanceMethod<&JsonDBWrap::Call<kGenerateKey>>("generateKey"),
                         InstanceMethod<&JsonDBWrap::Call<kRaiseKeyGenerator>>("raiseKeyGenerator"),
                         InstanceMethod<&JsonDBWrap::GetSync>("getSync"),
                         InstanceMethod<&JsonDBWrap::GetMemory>("getMemory"),
                         InstanceMethod<&JsonDBWrap::Query>("query"),
                         InstanceMethod<&JsonDBWrap::Cursor>("cursor"),
                         InstanceMethod<&JsonDBWrap::QueryCursor>("queryCursor"),
                         InstanceMethod<&JsonDBWrap::Close>("close"),
                         InstanceMethod<&JsonDBWrap::Checkpoint>("checkpoint"),
                         InstanceMethod<&JsonDBWrap::Database>("database"),
                         InstanceMethod<&JsonDBWrap::Databases>("databases"),
                         InstanceMethod<&JsonDBWrap::DeleteDatabase>("deleteDatabase"),
                         InstanceMethod<&JsonDBWrap::Name>("name"),
                         InstanceMethod<&JsonDBWrap::Version>("version"),
                         InstanceMethod<&JsonDBWrap::SetVersion>("setVersion"),
                     });
}

Napi::Value JsonDBWrap::NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle) {
  return NewHandleObject(env, std::move(handle), &kJsonDBHandleTag, GetAddonData(env)->jsondb_class);
}

JsonDBWrap::JsonDBWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsonDBWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !IsTaggedExternal(env, info[0], &kJsonDBHandleTag)) {
    ThrowTypeError(env, "JsonDB cannot be constructed directly: use JsonDB.open()");
    return;
  }
  handle_ = *info[0].As<Napi::External<std::shared_ptr<EngineHandle>>>().Data();
  db_ = handle_->jsondb.get();
}

bool JsonDBWrap::CheckOpen(Napi::Env env) const {
  return CheckHandleOpen(env, handle_.get(), "invalid JsonDB object");
}

Napi::Value JsonDBWrap::Schema(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  return SchemaToJs(env, db_->Schema());
}

Napi::Value SchemaToJs(Napi::Env env, const std::vector<StoreSpec>& stores) {
  Napi::Array out = Napi::Array::New(env, stores.size());
  for (size_t i = 0; i < stores.size(); i++) {
    const StoreSpec& s = stores[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", static_cast<napi_value>(Wtf8NameToJs(env, s.name)));
    o.Set("keyPath", KeyPathToJs(env, s.key_path));
    o.Set("autoIncrement", Napi::Boolean::New(env, s.auto_increment));
    // Only on opaque stores: JSON stores keep the shape JsonDB.schema() shows.
    if (s.opaque_values) o.Set("opaqueValues", Napi::Boolean::New(env, true));
    Napi::Array indexes = Napi::Array::New(env, s.indexes.size());
    for (size_t j = 0; j < s.indexes.size(); j++) {
      const IndexSpec& x = s.indexes[j];
      Napi::Object io = Napi::Object::New(env);
      io.Set("name", static_cast<napi_value>(Wtf8NameToJs(env, x.name)));
      io.Set("keyPath", KeyPathToJs(env, x.key_path));
      io.Set("unique", Napi::Boolean::New(env, x.unique));
      io.Set("multiEntry", Napi::Boolean::New(env, x.multi_entry));
      indexes.Set(static_cast<uint32_t>(j), io);
    }
    o.Set("indexes", indexes);
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

Napi::Value JsonDBWrap::CreateObjectStore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  StoreSpec spec;
  if (!ToString(env, info[0], "store name", &spec.name) || !ToKeyPath(env, info[1], &spec.key_path) ||
      !ToBool(env, info[2], "autoIncrement", &spec.auto_increment) ||
      (!info[3].IsUndefined() && !ToBool(env, info[3], "opaqueValues", &spec.opaque_values))) {
    return env.Undefined();
  }
  auto* w = new SchemaWorker(env, "flowdb.jsondb.createObjectStore", handle_, db_,
                             [spec = std::move(spec)](JsonDB* db) { return db->CreateObjectStore(spec); });
  return w->Start();
}

Napi::Value JsonDBWrap::DeleteObjectStore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::string name;
  if (!ToString(env, info[0], "store name", &name)) return env.Undefined();
  auto* w = new SchemaWorker(env, "flowdb.jsondb.deleteObjectStore", handle_, db_,
                             [name = std::move(name)](JsonDB* db) { return db->DeleteObjectStore(name); });
  return w->Start();
}

Napi::Value JsonDBWrap::CreateIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::string store;
  IndexSpec spec;
  if (!ToString(env, info[0], "store name", &store) || !ToString(env, info[1], "index name", &spec.name) ||
      !ToKeyPath(env, info[2], &spec.key_path) || !ToBool(env, info[3], "unique", &spec.unique) ||
      !ToBool(env, info[4], "multiEntry", &spec.multi_entry)) {
    return env.Undefined();
  }
  auto* w = new SchemaWorker(env, "flowdb.jsondb.createIndex", handle_, db_,
                             [store = std::move(store), spec = std::move(spec)](JsonDB* db) {
                               return db->CreateIndex(store, spec);
                             });
  return w->Start();
}

Napi::Value JsonDBWrap::DeleteIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::string store, name;
  if (!ToString(env, info[0], "store name", &store) || !ToString(env, info[1], "index name", &name)) {
    return env.Undefined();
  }
  auto* w = new SchemaWorker(env, "flowdb.jsondb.deleteIndex", handle_, db_,
                             [store = std::move(store), name = std::move(name)](JsonDB* db) {
                               return db->DeleteIndex(store, name);
                             });
  return w->Start();
}

Napi::Value JsonDBWrap::ApplySchema(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  if (!info[0].IsArray()) return ThrowTypeError(env, "applySchema expects an array of store declarations");
  Napi::Array a = info[0].As<Napi::Array>();
  std::vector<StoreSpec> stores(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    if (!ToStoreSpec(env, a.Get(i), &stores[i])) return env.Undefined();
  }
  auto* w = new ApplySchemaWorker(env, handle_, db_, std::move(stores));
  return w->Start();
}

// begin(stores, readonly[, versionchange]) → DocTransaction. The snapshot is taken here, on
// the JS thread, so that the transaction sees every write acknowledged
// before the call.
Napi::Value JsonDBWrap::Begin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  TransactionOptions options;
  if (!info[0].IsArray()) return ThrowTypeError(env, "stores must be an array of names");
  Napi::Array a = info[0].As<Napi::Array>();
  options.stores.resize(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    if (!ToString(env, a.Get(i), "store name", &options.stores[i])) return env.Undefined();
  }
  bool readonly;
  if (!ToBool(env, info[1], "readonly", &readonly)) return env.Undefined();
  options.mode = readonly ? TransactionMode::kReadOnly : TransactionMode::kReadWrite;
  if (!info[2].IsUndefined() && !ToBool(env, info[2], "versionchange", &options.versionchange)) {
    return env.Undefined();
  }
  std::unique_ptr<Transaction> txn;
  Status s = db_->Begin(options, &txn);
  if (!s.ok()) return ThrowStatus(env, s);
  return DocTransactionWrap::NewInstance(env, handle_, std::move(txn));
}

template <const char* kMethod>
Napi::Value JsonDBWrap::Call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::unique_ptr<DocCall> call = MakeDocCall(info, kMethod);
  if (call == nullptr) return env.Undefined();
  if (!call->writes()) {
    Napi::Value now = TryReadNow(env, call.get());
    if (!now.IsEmpty()) return now;
    call = MakeDocCall(info, kMethod);  // afresh: the attempt may have filled its results
    if (call == nullptr) return env.Undefined();
  }
  auto* w = new OwnTxnWorker(env, DocCallName(kMethod), handle_, db_, std::move(call));
  return w->Start();
}

Napi::Value JsonDBWrap::TryReadNow(Napi::Env env, DocCall* call) {
  TransactionOptions options;
  options.stores.push_back(call->store());
  options.memory_only = true;
  options.read_budget = kJsThreadReadBudget;
  std::unique_ptr<Transaction> txn;
  Status s = db_->Begin(options, &txn);
  if (s.ok()) s = call->Run(txn.get());
  // Any failure (file I/O needed, budget spent, an error): the worker runs
  // the call again and reports its own outcome.
  if (!s.ok()) return Napi::Value();
  Napi::Value result = call->Result(env);
  if (env.IsExceptionPending()) return env.Undefined();  // the exception reaches JS
  Napi::Value promise = ResolvedPromise(env, result);
  return promise.IsEmpty() ? env.Undefined() : promise;
}

Napi::Value JsonDBWrap::ReadNow(const Napi::CallbackInfo& info, bool memory_only) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::unique_ptr<DocCall> call = MakeDocCall(info, kGet);
  if (call == nullptr) return env.Undefined();
  TransactionOptions options;
  options.stores.push_back(call->store());
  options.memory_only = memory_only;
  std::unique_ptr<Transaction> txn;
  Status s = db_->Begin(options, &txn);
  if (s.ok()) s = call->Run(txn.get());
  if (s.IsWouldBlock()) return env.Null();  // needs file I/O: a worker reads it
  if (!s.ok()) return ThrowStatus(env, s);
  return call->Result(env);
}

Napi::Value JsonDBWrap::GetSync(const Napi::CallbackInfo& info) { return ReadNow(info, false); }

Napi::Value JsonDBWrap::GetMemory(const Napi::CallbackInfo& info) { return ReadNow(info, true); }

Napi::Value JsonDBWrap::Query(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  if (info[2].IsNumber() && info[2].As<Napi::Number>().Uint32Value() == kQueryExplain) {
    return QueueExplain(info, handle_, db_);
  }
  std::unique_ptr<DocCall> call = MakeDocCall(info, "query");
  if (call == nullptr) return env.Undefined();
  Napi::Value now = TryReadNow(env, call.get());
  if (!now.IsEmpty()) return now;
  call = MakeDocCall(info, "query");
  if (call == nullptr) return env.Undefined();
  auto* w = new OwnTxnWorker(env, "flowdb.jsondb.query", handle_, db_, std::move(call));
  return w->Start();
}

// A cursor outside a transaction reads in a read-only transaction of its
// own, begun now (its snapshot) and released with the cursor.
Napi::Value JsonDBWrap::Cursor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  DocCursorSpec spec;
  if (!ToCursorSpec(info, false, &spec)) return env.Undefined();
  TransactionOptions options;
  options.stores.push_back(spec.source.store);
  std::unique_ptr<Transaction> txn;
  Status s = db_->Begin(options, &txn);
  if (!s.ok()) return ThrowStatus(env, s);
  auto state = std::make_shared<TxnState>(handle_.get(), std::move(txn));
  return DocCursorWrap::NewInstance(env, handle_, std::move(state), true, std::move(spec));
}

Napi::Value JsonDBWrap::QueryCursor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  DocCursorSpec spec;
  if (!ToCursorSpec(info, true, &spec)) return env.Undefined();
  TransactionOptions options;
  options.stores.push_back(spec.query.store);
  std::unique_ptr<Transaction> txn;
  Status s = db_->Begin(options, &txn);
  if (!s.ok()) return ThrowStatus(env, s);
  auto state = std::make_shared<TxnState>(handle_.get(), std::move(txn));
  return DocCursorWrap::NewInstance(env, handle_, std::move(state), true, std::move(spec));
}

// The whole directory is copied: every named database in it.
Napi::Value JsonDBWrap::Checkpoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  return StartCheckpoint(env, handle_, db_->engine(), info[0]);
}

Napi::Value JsonDBWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!handle_) return ThrowTypeError(env, "invalid JsonDB object");
  if (handle_->closing) return ResolvedPromise(env, env.Undefined());
  // The Promise first: when it cannot be made (the environment is
  // terminating), nothing changes and the cleanup hook closes the database.
  auto* w = new CloseJsonDBWorker(env, handle_);
  if (!w->HasPromise()) {
    delete w;
    return Napi::Value();
  }
  handle_->closing = true;
  // Transactions (and their cursors) pin engine state: release them first,
  // each once the calls queued on it before this close have run.
  for (TxnState* t : std::set<TxnState*>(handle_->doc_transactions)) t->ReleaseWhenIdle();
  GetAddonData(env)->open_engines.erase(handle_);
  Napi::Value p = w->Promise();
  if (handle_->pending == 0) {
    w->Queue();
  } else {
    handle_->parked_close = w;
  }
  return p;
}

namespace {

bool ToDatabaseName(Napi::Env env, Napi::Value v, std::string* out) {
  return ToWtf8Name(env, v, "database name", out);
}

Napi::String DatabaseNameToJs(Napi::Env env, std::string_view name) { return Wtf8NameToJs(env, name); }

class DatabasesWorker final : public PromiseWorker {
 public:
  DatabasesWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, JsonDB* db)
      : PromiseWorker(env, "flowdb.jsondb.databases", std::move(h)), db_(db) {}
  Status Run() override { return db_->ListDatabases(&list_); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, list_.size());
    for (size_t i = 0; i < list_.size(); i++) {
      Napi::Object o = Napi::Object::New(env);
      // As a napi_value: Set(key, Napi::String) would pick the std::string
      // overload and go through UTF-8, losing lone surrogates.
      o.Set("name", static_cast<napi_value>(DatabaseNameToJs(env, list_[i].name)));
      o.Set("version", Napi::Number::New(env, static_cast<double>(list_[i].version)));
      out.Set(static_cast<uint32_t>(i), o);
    }
    return out;
  }

 private:
  JsonDB* db_;
  std::vector<DatabaseInfo> list_;
};

}  // namespace

Napi::Value JsonDBWrap::Database(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::string name;
  if (!ToDatabaseName(env, info[0], &name)) return env.Undefined();
  JsonDB* db = nullptr;
  // Reads the database's catalog record (one point read) when first opened.
  Status s = db_->OpenDatabase(name, &db);
  if (!s.ok()) return ThrowStatus(env, s);
  Napi::Value obj = NewInstance(env, handle_);
  if (obj.IsEmpty() || !obj.IsObject()) return obj;
  JsonDBWrap::Unwrap(obj.As<Napi::Object>())->db_ = db;
  return obj;
}

Napi::Value JsonDBWrap::Databases(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  auto* w = new DatabasesWorker(env, handle_, db_);
  return w->Start();
}

Napi::Value JsonDBWrap::DeleteDatabase(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::string name;
  if (!ToDatabaseName(env, info[0], &name)) return env.Undefined();
  auto* w = new SchemaWorker(env, "flowdb.jsondb.deleteDatabase", handle_, db_,
                             [name = std::move(name)](JsonDB* db) { return db->DeleteDatabase(name); });
  return w->Start();
}

Napi::Value JsonDBWrap::Name(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  return DatabaseNameToJs(env, db_->name());
}

Napi::Value JsonDBWrap::Version(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  return Napi::Number::New(env, static_cast<double>(db_->version()));
}

Napi::Value JsonDBWrap::SetVersion(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  uint64_t version;
  if (!ToUint64(env, info[0], "version", &version)) return env.Undefined();
  auto* w = new SchemaWorker(env, "flowdb.jsondb.setVersion", handle_, db_,
                             [version](JsonDB* db) { return db->SetVersion(version); });
  return w->Start();
}

}  // namespace flowdb::binding
