// The native ChangeFeed class behind lib/changes.cjs: one DB change feed
// (flowdb/change_feed.h). Instances are created only by engine.changeFeed().
//
// Thread safety: JS thread only, except the feed itself, which one next()
// worker at a time uses (lib/changes.cjs never runs two at once).

#ifndef FLOWDB_BINDING_CHANGE_FEED_H_
#define FLOWDB_BINDING_CHANGE_FEED_H_

#include <napi.h>

#include <memory>

#include "engine_handle.h"
#include "flowdb/change_feed.h"

namespace flowdb::binding {

struct CommitWait;

class ChangeFeedWrap : public Napi::ObjectWrap<ChangeFeedWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // engine.changeFeed(since): a Promise of a native ChangeFeed positioned
  // after sequence number `since`.
  static Napi::Value Start(Napi::Env env, std::shared_ptr<EngineHandle> handle, uint64_t since);
  // Creates the JS object for a started feed; empty if it cannot be made.
  static Napi::Value NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                                 std::shared_ptr<ChangeFeed> feed);

  explicit ChangeFeedWrap(const Napi::CallbackInfo& info);
  ~ChangeFeedWrap() override;

 private:
  friend class FeedNextWorker;
  // next(maxBytes) → Promise of the batches committed after the position
  // (an empty array once caught up).
  Napi::Value Next(const Napi::CallbackInfo& info);
  // wait() → Promise resolved (true) once a commit moves the DB past the
  // feed's position, or (false) when close() cancels it.
  Napi::Value Wait(const Napi::CallbackInfo& info);
  // close(): cancels a wait and releases the feed (its WAL pin) once no
  // next() runs. Idempotent.
  Napi::Value Close(const Napi::CallbackInfo& info);
  void CancelWait();

  std::shared_ptr<EngineHandle> handle_;
  DB* db_ = nullptr;
  std::shared_ptr<ChangeFeed> feed_;  // shared with a next() in flight
  std::shared_ptr<CommitWait> wait_;  // the pending wait(), if any
};

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_CHANGE_FEED_H_
