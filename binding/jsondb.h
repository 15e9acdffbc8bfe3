// The native JsonDB class behind lib/jsondb/jsondb.cjs: schema operations,
// data calls that are each a transaction of their own (one worker trip:
// begin, the call, commit), begin() of explicit transactions, cursors, and
// close. Instances are created only by openJsonDB() (binding/addon.cc).
// It shares the Engine's handle and close machinery (engine_handle.h,
// worker.h); the handle owns the flowdb::JsonDB.

#ifndef FLOWDB_BINDING_JSONDB_H_
#define FLOWDB_BINDING_JSONDB_H_

#include <napi.h>

#include <memory>
#include <vector>

#include "engine_handle.h"

namespace flowdb::binding {

class DocCall;

// query(store, description, kind): the kind that asks for the plan.
inline constexpr uint32_t kQueryExplain = 2;

// Queues JsonDB::Explain for query(store, description, kQueryExplain)
// arguments on database `db` (null: the handle's database ""); resolves to
// the plan as a JS object.
Napi::Value QueueExplain(const Napi::CallbackInfo& info, const std::shared_ptr<EngineHandle>& handle,
                         JsonDB* db = nullptr);

// A schema as JsonDB.schema() shows it (opaqueValues only on opaque stores).
Napi::Value SchemaToJs(Napi::Env env, const std::vector<StoreSpec>& stores);

// openJsonDB(path, options) → Promise<JsonDB>; options as open()'s.
Napi::Value OpenJsonDB(const Napi::CallbackInfo& info);

class JsonDBWrap : public Napi::ObjectWrap<JsonDBWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // The JS object for an opened document database; empty when it cannot be
  // made (the environment is terminating).
  static Napi::Value NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle);

  explicit JsonDBWrap(const Napi::CallbackInfo& info);

 private:
  // Throws FLOWDB_CLOSED (and returns false) once close() was called.
  bool CheckOpen(Napi::Env env) const;

  Napi::Value Schema(const Napi::CallbackInfo& info);
  Napi::Value CreateObjectStore(const Napi::CallbackInfo& info);
  Napi::Value DeleteObjectStore(const Napi::CallbackInfo& info);
  Napi::Value CreateIndex(const Napi::CallbackInfo& info);
  Napi::Value DeleteIndex(const Napi::CallbackInfo& info);
  Napi::Value ApplySchema(const Napi::CallbackInfo& info);
  Napi::Value Begin(const Napi::CallbackInfo& info);
  template <const char* kMethod>
  Napi::Value Call(const Napi::CallbackInfo& info);
  Napi::Value GetSync(const Napi::CallbackInfo& info);
  Napi::Value GetMemory(const Napi::CallbackInfo& info);
  Napi::Value Query(const Napi::CallbackInfo& info);
  Napi::Value Cursor(const Napi::CallbackInfo& info);
  Napi::Value QueryCursor(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Checkpoint(const Napi::CallbackInfo& info);

  // Several databases in one directory (the IndexedDB facade; see
  // JsonDB::OpenDatabase). Names are JS strings, kept exactly (as WTF-8,
  // lone surrogates included; convert.h).
  // database(name) → a JsonDB object for database `name` of this directory,
  // on the same handle: its schema, data calls, transactions and cursors
  // address that database; close() on any of them closes the directory.
  Napi::Value Database(const Napi::CallbackInfo& info);
  // databases() → Promise<{ name, version }[]> of the directory.
  Napi::Value Databases(const Napi::CallbackInfo& info);
  // deleteDatabase(name) → Promise<void>; FLOWDB_NOT_FOUND if absent.
  Napi::Value DeleteDatabase(const Napi::CallbackInfo& info);
  // name() → this database's name; version() → its version (0: never set).
  Napi::Value Name(const Napi::CallbackInfo& info);
  Napi::Value Version(const Napi::CallbackInfo& info);
  // setVersion(n) → Promise<void>; n a safe integer above the version.
  Napi::Value SetVersion(const Napi::CallbackInfo& info);

  // A point read on the JS thread in a read-only transaction of its own.
  Napi::Value ReadNow(const Napi::CallbackInfo& info, bool memory_only);
  // Runs read `call` on the JS thread if it needs no file I/O and at most
  // kJsThreadReadBudget records: returns its settled Promise, or an empty
  // value when the call must go to a worker (nothing pending then).
  Napi::Value TryReadNow(Napi::Env env, DocCall* call);
  // Records a read may visit on the JS thread before it is handed to a
  // worker (about 0.1-0.5 ms of work on a current x86-64 core).
  static constexpr uint64_t kJsThreadReadBudget = 512;

  std::shared_ptr<EngineHandle> handle_;
  // The database this object addresses (handle_->jsondb or one of its
  // directory's, owned by it).
  JsonDB* db_ = nullptr;
};

// Releases every transaction and cursor of a document database and closes
// it (env cleanup; every worker has finished).
void CloseJsonDBNow(EngineHandle* handle);

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_JSONDB_H_
