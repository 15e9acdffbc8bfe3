// The native DocTransaction class behind lib/jsondb/transaction.cjs: one
// flowdb::Transaction whose calls run on worker threads one at a time, in
// the order they were made (TxnState's queue). Created only by
// JsonDB.begin().

#ifndef FLOWDB_BINDING_DOC_TRANSACTION_H_
#define FLOWDB_BINDING_DOC_TRANSACTION_H_

#include <napi.h>

#include <memory>

#include "doc_calls.h"
#include "engine_handle.h"

namespace flowdb::binding {

class DocTransactionWrap : public Napi::ObjectWrap<DocTransactionWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // The JS object for a transaction begun by JsonDB.begin(); empty when it
  // cannot be made (the environment is terminating: the transaction is
  // released with the object's External).
  static Napi::Value NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                                 std::unique_ptr<Transaction> txn);

  explicit DocTransactionWrap(const Napi::CallbackInfo& info);
  ~DocTransactionWrap() override;

 private:
  // put, get, ... (see doc_calls.h): queued on the transaction.
  template <const char* kMethod>
  Napi::Value Call(const Napi::CallbackInfo& info);
  // getSync / getMemory: on the JS thread. getMemory returns null when a
  // file read would be needed or a call is in flight.
  Napi::Value GetSync(const Napi::CallbackInfo& info);
  // getValueSync(store, index, key, range): getSync for an opaque-value
  // store, the value as a Buffer (undefined if none); FLOWDB_BUSY while
  // calls of the transaction are in flight.
  Napi::Value GetValueSync(const Napi::CallbackInfo& info);
  Napi::Value GetMemory(const Napi::CallbackInfo& info);
  Napi::Value Query(const Napi::CallbackInfo& info);
  Napi::Value Cursor(const Napi::CallbackInfo& info);
  Napi::Value QueryCursor(const Napi::CallbackInfo& info);
  Napi::Value Commit(const Napi::CallbackInfo& info);
  Napi::Value Abort(const Napi::CallbackInfo& info);

  // Throws FLOWDB_CLOSED / FLOWDB_TRANSACTION_INACTIVE and returns false
  // unless calls can be made.
  bool CheckActive(Napi::Env env) const;

  std::shared_ptr<EngineHandle> handle_;  // declared first: outlives state_
  std::shared_ptr<TxnState> state_;
};

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_DOC_TRANSACTION_H_
