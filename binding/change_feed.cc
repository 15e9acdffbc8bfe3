#include "change_feed.h"

#include <algorithm>
#include <atomic>

#include "addon_data.h"
#include "convert.h"
#include "errors.h"
#include "worker.h"

namespace flowdb::binding {

namespace {

const napi_type_tag kFeedTag = {0x5b17e2c94d0a6f38ull, 0xc3e8a1f6047b92d5ull};

// What NewInstance hands the constructor.
struct FeedInit {
  std::shared_ptr<EngineHandle> handle;
  std::shared_ptr<ChangeFeed> feed;
};

// The entries of one batch as JS objects, numbered from its first sequence.
class BatchToJs final : public WriteBatch::Handler {
 public:
  BatchToJs(Napi::Env env, uint64_t first)
      : env_(env),
        seq_(first),
        records_(Napi::Array::New(env)),
        deletes_(Napi::Array::New(env)),
        range_deletes_(Napi::Array::New(env)) {}

  void Put(std::string_view key, int64_t ts, std::string_view value, int64_t expire_at) override {
    Napi::Object r = Napi::Object::New(env_);
    r.Set("key", CopyToBuffer(env_, key));
    r.Set("ts", Int64ToJs(env_, ts));
    r.Set("value", CopyToBuffer(env_, value));
    r.Set("expireAt", ExpireToJs(env_, expire_at));
    r.Set("seq", static_cast<double>(seq_++));
    records_.Set(records_.Length(), r);
  }
  void Delete(std::string_view key, int64_t ts) override {
    Napi::Object d = Napi::Object::New(env_);
    d.Set("key", CopyToBuffer(env_, key));
    d.Set("ts", Int64ToJs(env_, ts));
    d.Set("seq", static_cast<double>(seq_++));
    deletes_.Set(deletes_.Length(), d);
  }
  void DeleteRange(std::string_view start, std::string_view end) override {
    Napi::Object d = Napi::Object::New(env_);
    d.Set("start", CopyToBuffer(env_, start));
    d.Set("end", CopyToBuffer(env_, end));
    d.Set("seq", static_cast<double>(seq_++));
    range_deletes_.Set(range_deletes_.Length(), d);
  }

  Napi::Object Batch(const ChangeBatch& b) const {
    Napi::Object o = Napi::Object::New(env_);
    o.Set("seq", static_cast<double>(b.last_sequence));
    o.Set("firstSeq", static_cast<double>(b.first_sequence));
    o.Set("records", records_);
    o.Set("deletes", deletes_);
    o.Set("rangeDeletes", range_deletes_);
    return o;
  }

 private:
  Napi::Env env_;
  uint64_t seq_;
  Napi::Array records_, deletes_, range_deletes_;
};

class FeedStartWorker final : public PromiseWorker {
 public:
  FeedStartWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, uint64_t since)
      : PromiseWorker(env, "flowdb.changes.start", std::move(h)), since_(since) {}
  Status Run() override {
    std::unique_ptr<ChangeFeed> feed;
    FLOWDB_RETURN_IF_ERROR(handle()->db->NewChangeFeed(since_, &feed));
    feed_ = std::move(feed);
    return Status::OK();
  }
  Napi::Value Result(Napi::Env env) override {
    return ChangeFeedWrap::NewInstance(env, handle(), std::move(feed_));
  }

 private:
  const uint64_t since_;
  std::shared_ptr<ChangeFeed> feed_;
};

}  // namespace

// A wait() in progress: a commit listener that, on the first commit past
// `after`, queues a call into JS through tsfn, which resolves the Promise.
// Settled exactly once, by that call, by ChangeFeedWrap::CancelWait or the
// wrap's finalizer, or by the thread-safe function's finalizer when the
// environment tears down first. While it waits, tsfn keeps the event loop
// alive, as a listening socket does.
struct CommitWait {
  Napi::Env env;
  napi_deferred deferred = nullptr;
  Napi::ThreadSafeFunction tsfn;
  std::shared_ptr<EngineHandle> handle;  // keeps the DB for RemoveCommitListener
  uint64_t listener = 0;
  std::atomic<bool> fired{false};
  bool settled = false;    // JS thread
  bool finalized = false;  // tsfn is gone (JS thread)

  explicit CommitWait(Napi::Env e) : env(e) {}

  // JS thread: stops the listener, settles the Promise (unless `resolve` is
  // false: the Promise is unreachable) and lets the thread-safe function go.
  void Settle(bool committed, bool resolve = true) {
    if (settled) return;
    settled = true;
    handle->db->RemoveCommitListener(listener);
    if (resolve) napi_resolve_deferred(env, deferred, Napi::Boolean::New(env, committed));
    if (!finalized) tsfn.Release();
  }
};

class FeedNextWorker final : public PromiseWorker {
 public:
  FeedNextWorker(Napi::Env env, ChangeFeedWrap* wrap, Napi::Object self, size_t max_bytes)
      : PromiseWorker(env, "flowdb.changes.next", wrap->handle_),
        feed_(wrap->feed_),
        self_(Napi::Persistent(self)),
        max_bytes_(max_bytes) {}
  Status Run() override { return feed_->Next(max_bytes_, &batches_); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, batches_.size());
    for (size_t i = 0; i < batches_.size(); i++) {
      BatchToJs conv(env, batches_[i].first_sequence);
      Status s = batches_[i].batch.Iterate(&conv);
      if (!s.ok()) return Napi::Value();
      out.Set(static_cast<uint32_t>(i), conv.Batch(batches_[i]));
    }
    return out;
  }

 private:
  std::shared_ptr<ChangeFeed> feed_;  // kept until the worker is gone, even if closed meanwhile
  Napi::ObjectReference self_;
  const size_t max_bytes_;
  std::vector<ChangeBatch> batches_;
};

Napi::Function ChangeFeedWrap::Define(Napi::Env env) {
  return DefineClass(env, "ChangeFeed",
                     {
                         InstanceMethod<&ChangeFeedWrap::Next>("next"),
                         InstanceMethod<&ChangeFeedWrap::Wait>("wait"),
                         InstanceMethod<&ChangeFeedWrap::Close>("close"),
                     });
}

Napi::Value ChangeFeedWrap::Start(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                                  uint64_t since) {
  auto* w = new FeedStartWorker(env, std::move(handle), since);
  return w->Start();
}

Napi::Value ChangeFeedWrap::NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                                        std::shared_ptr<ChangeFeed> feed) {
  FeedInit init{std::move(handle), std::move(feed)};
  napi_value ext;
  if (napi_create_external(env, &init, nullptr, nullptr, &ext) != napi_ok ||
      napi_type_tag_object(env, ext, &kFeedTag) != napi_ok) {
    return Napi::Value();
  }
  return NewFromClass(env, GetAddonData(env)->change_feed_class, ext);
}

ChangeFeedWrap::ChangeFeedWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<ChangeFeedWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !IsTaggedExternal(env, info[0], &kFeedTag)) {
    ThrowTypeError(env, "ChangeFeed cannot be constructed directly: use engine.changes()");
    return;
  }
  FeedInit* init = info[0].As<Napi::External<FeedInit>>().Data();
  handle_ = std::move(init->handle);
  feed_ = std::move(init->feed);
  db_ = handle_->db.get();
}

ChangeFeedWrap::~ChangeFeedWrap() {
  // Finalized by GC: no next() is in flight (it holds a reference), and a
  // pending wait's Promise is unreachable; its listener must still go.
  if (wait_ != nullptr) wait_->Settle(false, /*resolve=*/false);
}

Napi::Value ChangeFeedWrap::Next(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (feed_ == nullptr || handle_->closing) {
    return ThrowStatus(env, Status::Closed("change feed is closed"));
  }
  int64_t max_bytes;
  if (!ToInt64(env, info[0], "maxBytes", &max_bytes)) return env.Undefined();
  auto* w = new FeedNextWorker(env, this, info.This().As<Napi::Object>(),
                               static_cast<size_t>(std::max<int64_t>(max_bytes, 1)));
  return w->Start();
}

Napi::Value ChangeFeedWrap::Wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (feed_ == nullptr || handle_->closing || (wait_ != nullptr && !wait_->settled)) {
    return ResolvedPromise(env, Napi::Boolean::New(env, false));
  }
  PendingPromise p = PendingPromise::New(env);
  if (!p.ok()) return Napi::Value();
  auto wait = std::make_shared<CommitWait>(env);
  wait->deferred = p.deferred;
  wait->handle = handle_;
  // The finalizer's own reference: it may run after the wrap is gone.
  auto* held = new std::shared_ptr<CommitWait>(wait);
  wait->tsfn = Napi::ThreadSafeFunction::New(
      env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "flowdb.changes.wait", 0, 1,
      [](Napi::Env, std::shared_ptr<CommitWait>* w) {
        (*w)->finalized = true;
        (*w)->Settle(false, /*resolve=*/false);
        delete w;
      },
      held);
  const uint64_t after = feed_->position();
  auto fire = [wait](Napi::Env, Napi::Function) { wait->Settle(true); };
  wait->listener = db_->AddCommitListener([wait, after, fire](uint64_t last) {
    if (last > after && !wait->fired.exchange(true)) wait->tsfn.NonBlockingCall(fire);
  });
  wait_ = wait;
  // A commit between the caller's last next() and the listener above.
  if (db_->LatestSequence() > after) wait->Settle(true);
  return Napi::Value(env, p.promise);
}

void ChangeFeedWrap::CancelWait() {
  if (wait_ != nullptr) wait_->Settle(false);
  wait_.reset();
}

Napi::Value ChangeFeedWrap::Close(const Napi::CallbackInfo& info) {
  CancelWait();
  feed_.reset();  // a next() in flight holds its own reference
  return info.Env().Undefined();
}

}  // namespace flowdb::binding
