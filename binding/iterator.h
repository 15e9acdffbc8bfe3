// The native Iterator class behind lib/scan.cjs: a ScanCursor read in
// chunks by nextv() on a worker thread, or by nextvMemory() on the JS thread
// when everything the chunk needs is in memory. Created only by
// Engine.iterator().

#ifndef FLOWDB_BINDING_ITERATOR_H_
#define FLOWDB_BINDING_ITERATOR_H_

#include <napi.h>

#include <memory>

#include "engine_handle.h"

namespace flowdb::binding {

// Bytes before the key of each nextv entry: key_len u32 | value_len u32 |
// ts i64 | expire_at i64 (exported as constants.nextvEntryHeaderSize).
inline constexpr size_t kNextvEntryHeaderSize = 24;

class IteratorWrap : public Napi::ObjectWrap<IteratorWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // The JS object for a new cursor; empty (the cursor is released) when it
  // cannot be made (the environment is terminating).
  static Napi::Value NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                                 std::unique_ptr<ScanCursor> cursor);

  explicit IteratorWrap(const Napi::CallbackInfo& info);
  ~IteratorWrap() override;

  // Releases the cursor now, or after the nextv in flight (JS thread).
  void Release();

 private:
  friend class NextvWorker;

  // Checks the arguments and state shared by nextv and nextvMemory; false
  // with a JS exception pending if they are wrong.
  bool CheckNextv(const Napi::CallbackInfo& info, uint32_t* max_entries, size_t* max_bytes);
  Napi::Value Nextv(const Napi::CallbackInfo& info);
  Napi::Value NextvMemory(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<EngineHandle> handle_;
  std::unique_ptr<ScanCursor> cursor_;
  bool busy_ = false;      // a nextv is in flight
  bool released_ = false;  // close() or engine close
  bool ended_ = false;     // the cursor is exhausted
};

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_ITERATOR_H_
