// The native DocCursor class behind lib/jsondb/cursor.cjs: a cursor over an
// object store, an index or a query result, read in chunks by nextv() on a
// worker thread. It runs on a transaction's queue (binding/doc_calls.h): the
// transaction given, or for a cursor outside a transaction a read-only one
// of its own, released with the cursor.

#ifndef FLOWDB_BINDING_DOC_CURSOR_H_
#define FLOWDB_BINDING_DOC_CURSOR_H_

#include <napi.h>

#include <memory>

#include "doc_calls.h"
#include "engine_handle.h"
#include "flowdb/jsondb.h"

namespace flowdb::binding {

// What a cursor reads; opened on the first nextv (on a worker thread).
struct DocCursorSpec {
  bool is_query = false;
  DocSource source;          // !is_query
  ReadRangeOptions options;  // !is_query
  Query query;               // is_query
  // Values as Buffers (an opaque-value store), not one JSON array text.
  bool binary_values = false;
};

// cursor(store, index, range, direction[, binaryValues[, keysOnly]]) or
// queryCursor(store, description)
// arguments (from info[0]) as a spec; false with a JS exception pending.
bool ToCursorSpec(const Napi::CallbackInfo& info, bool is_query, DocCursorSpec* spec);

// The cursor of one DocCursor object, shared with the nextv in flight.
// JS thread only, except `cursor`, used by the one worker running on the
// transaction.
class DocCursorState {
 public:
  DocCursorState(std::shared_ptr<TxnState> txn, bool owns_txn, DocCursorSpec spec);
  ~DocCursorState();

  // Destroys the cursor (and a transaction of its own) now, or when the
  // nextv in flight settles. Idempotent.
  void ReleaseCursor();

  std::shared_ptr<TxnState> txn;
  bool owns_txn;
  DocCursorSpec spec;
  std::unique_ptr<DocCursor> cursor;
  bool opened = false;
  bool ended = false;      // the cursor is exhausted
  bool released = false;   // close(), or its transaction ended
  bool in_flight = false;  // a nextv is queued or running
  bool release_requested = false;
};

class DocCursorWrap : public Napi::ObjectWrap<DocCursorWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Creates the JS object for a cursor read through `txn`; empty when it
  // cannot be made (the environment is terminating: the cursor is released
  // with the object's External).
  static Napi::Value NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                                 std::shared_ptr<TxnState> txn, bool owns_txn, DocCursorSpec spec);

  explicit DocCursorWrap(const Napi::CallbackInfo& info);
  ~DocCursorWrap() override;

 private:
  // nextv(maxEntries, maxBytes[, key[, primaryKey]]) → Promise<{ count,
  // done, keys, primaryKeys, values }>; with `key` the cursor first seeks
  // (DocCursor::Seek: IndexedDB continue(key) / continuePrimaryKey):
  // keys and primary keys as JS keys, values one JSON array text (an array
  // of Buffers for a cursor opened with binaryValues).
  Napi::Value Nextv(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<EngineHandle> handle_;  // declared first: outlives state_
  std::shared_ptr<DocCursorState> state_;
};

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_DOC_CURSOR_H_
