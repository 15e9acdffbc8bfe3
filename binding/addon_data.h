// Per-environment state of the addon (each worker_thread has its own):
// registered classes and the open engines the env cleanup hook must close.

#ifndef FLOWDB_BINDING_ADDON_DATA_H_
#define FLOWDB_BINDING_ADDON_DATA_H_

#include <napi.h>

#include <memory>
#include <set>

namespace flowdb::binding {

struct EngineHandle;

struct AddonData {
  Napi::FunctionReference error_class;     // FlowDBError from lib/errors.cjs
  Napi::FunctionReference engine_class;    // native Engine
  Napi::FunctionReference iterator_class;  // native Iterator
  Napi::FunctionReference jsondb_class;           // native JsonDB
  Napi::FunctionReference doc_transaction_class;  // native DocTransaction
  Napi::FunctionReference doc_cursor_class;       // native DocCursor
  Napi::FunctionReference change_feed_class;      // native ChangeFeed
  // Engines and document databases opened in this env and not yet closed
  // (main thread only).
  std::set<std::shared_ptr<EngineHandle>> open_engines;
};

inline AddonData* GetAddonData(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_ADDON_DATA_H_
