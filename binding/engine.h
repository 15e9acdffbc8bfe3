// The native Engine class behind lib/engine.cjs. Instances are created only
// by open() (binding/addon.cc); JS code cannot construct one.

#ifndef FLOWDB_BINDING_ENGINE_H_
#define FLOWDB_BINDING_ENGINE_H_

#include <napi.h>

#include <memory>
#include <vector>

#include "engine_handle.h"
#include "flowdb/db.h"

namespace flowdb::binding {

// What getInto/getLatestInto return besides a byte count or a Buffer
// (exported as constants.getIntoResults).
inline constexpr double kIntoNotFound = -1;    // no such record
inline constexpr double kIntoWouldBlock = -2;  // memoryOnly, and the read needs file I/O

// checkpoint(dir) of an engine or a JsonDB (db: its engine): a Promise of
// { sequence }. The copy always goes to disk (Env::Default()), also for an
// in-memory database. Throws a TypeError (returning empty) if dir is not a
// non-empty string.
Napi::Value StartCheckpoint(Napi::Env env, std::shared_ptr<EngineHandle> handle, DB* db,
                            Napi::Value dir);

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Creates the JS object for an opened engine.
  // Empty when it cannot be made (the environment is terminating).
  static Napi::Value NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle);

  explicit EngineWrap(const Napi::CallbackInfo& info);

 private:
  // Throws FLOWDB_CLOSED (and returns false) once close() was called.
  bool CheckOpen(Napi::Env env) const;

  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Get(const Napi::CallbackInfo& info);
  Napi::Value GetLatest(const Napi::CallbackInfo& info);
  Napi::Value SetSharedBuffer(const Napi::CallbackInfo& info);
  Napi::Value GetInto(const Napi::CallbackInfo& info);
  Napi::Value GetLatestInto(const Napi::CallbackInfo& info);
  Napi::Value NewIterator(const Napi::CallbackInfo& info);
  Napi::Value DeleteRange(const Napi::CallbackInfo& info);
  Napi::Value Patch(const Napi::CallbackInfo& info);
  Napi::Value SnapshotCreate(const Napi::CallbackInfo& info);
  Napi::Value SnapshotRelease(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value Resume(const Napi::CallbackInfo& info);
  Napi::Value Compact(const Napi::CallbackInfo& info);
  Napi::Value Gc(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Verify(const Napi::CallbackInfo& info);
  Napi::Value Checkpoint(const Napi::CallbackInfo& info);
  // changeFeed(since) → Promise of a native ChangeFeed (binding/change_feed.h).
  Napi::Value StartChangeFeed(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<EngineHandle> handle_;
  // A JS-owned buffer that sync reads copy results into, so that a read
  // allocates no ArrayBuffer (lib/engine.cjs copies out what it returns).
  Napi::Reference<Napi::Uint8Array> shared_ref_;
  char* shared_data_ = nullptr;
  size_t shared_size_ = 0;
};

// [{ file, offset, message }] for a VerifyReport's or RepairReport's problems.
Napi::Array FileProblemsToJs(Napi::Env env, const std::vector<FileProblem>& problems);

// Closes every engine of this environment synchronously (env cleanup hook).
void CloseAllEngines(Napi::Env env);

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_ENGINE_H_
