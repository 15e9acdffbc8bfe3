#include "iterator.h"

#include "addon_data.h"
#include "convert.h"
#include "errors.h"
#include "worker.h"

namespace flowdb::binding {

namespace {

void EncodeLE(char* dst, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) dst[i] = static_cast<char>(v >> (8 * i));
}

const napi_type_tag kCursorTag = {0x41f0c2d98a6b3e17ull, 0x9d8c7b6a5f4e3d2cull};

// What NewInstance hands the constructor.
struct CursorInit {
  std::shared_ptr<EngineHandle> handle;
  std::unique_ptr<ScanCursor> cursor;
};

}  // namespace

// Reads up to max_entries records (or about max_bytes) into one buffer:
//   entry := key_len u32 | value_len u32 | ts i64 | expire_at i64 | key | value
// (little-endian; expire_at INT64_MAX = never).
class NextvWorker final : public PromiseWorker {
 public:
  NextvWorker(Napi::Env env, IteratorWrap* it, Napi::Object self, uint32_t max_entries,
              size_t max_bytes)
      : PromiseWorker(env, "flowdb.iterator.nextv", it->handle_),
        it_(it),
        cursor_(it->cursor_.get()),
        self_(Napi::Persistent(self)),
        max_entries_(max_entries),
        max_bytes_(max_bytes) {
    it->busy_ = true;
  }

  Status Run() override {
    while (count_ < max_entries_ && out_.size() < max_bytes_) {
      if (!cursor_->Next()) {
        done_ = true;
        return cursor_->status();
      }
      std::string_view k = cursor_->key(), v = cursor_->value();
      char head[24];
      EncodeLE(head, k.size(), 4);
      EncodeLE(head + 4, v.size(), 4);
      EncodeLE(head + 8, static_cast<uint64_t>(cursor_->ts()), 8);
      EncodeLE(head + 16, static_cast<uint64_t>(cursor_->expire_at()), 8);
      out_.append(head, sizeof(head));
      out_.append(k.data(), k.size());
      out_.append(v.data(), v.size());
      count_++;
    }
    return Status::OK();
  }

  void Settle() override {
    it_->busy_ = false;
    if (done_) it_->ended_ = true;
    if (it_->released_) it_->cursor_.reset();  // closed while we ran
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("buffer", CopyToBuffer(env, out_));
    o.Set("count", Napi::Number::New(env, count_));
    o.Set("done", Napi::Boolean::New(env, done_));
    return o;
  }

 private:
  IteratorWrap* it_;
  ScanCursor* cursor_;
  Napi::ObjectReference self_;  // keeps the iterator (and it_) alive
  const uint32_t max_entries_;
  const size_t max_bytes_;
  std::string out_;
  uint32_t count_ = 0;
  bool done_ = false;
};

Napi::Function IteratorWrap::Define(Napi::Env env) {
  return DefineClass(env, "Iterator",
                     {
                         InstanceMethod<&IteratorWrap::Nextv>("nextv"),
                         InstanceMethod<&IteratorWrap::Close>("close"),
                     });
}

Napi::Object IteratorWrap::NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                                       std::unique_ptr<ScanCursor> cursor) {
  CursorInit init{std::move(handle), std::move(cursor)};
  Napi::External<CursorInit> ext = Napi::External<CursorInit>::New(env, &init);
  ext.TypeTag(&kCursorTag);
  return GetAddonData(env)->iterator_class.New({ext});
}

IteratorWrap::IteratorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<IteratorWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsExternal() ||
      !info[0].As<Napi::External<void>>().CheckTypeTag(&kCursorTag)) {
    ThrowTypeError(env, "Iterator cannot be constructed directly: use engine.scan()");
    return;
  }
  CursorInit* init = info[0].As<Napi::External<CursorInit>>().Data();
  handle_ = std::move(init->handle);
  cursor_ = std::move(init->cursor);
  handle_->iterators.insert(this);
}

IteratorWrap::~IteratorWrap() {
  // Finalized by GC: no nextv can be in flight (it holds a reference).
  if (handle_) handle_->iterators.erase(this);
  cursor_.reset();
}

void IteratorWrap::Release() {
  released_ = true;
  if (!busy_) cursor_.reset();
  if (handle_) handle_->iterators.erase(this);
}

Napi::Value IteratorWrap::Nextv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!handle_) return ThrowTypeError(env, "invalid Iterator object");
  if (released_) return ThrowStatus(env, Status::Closed("iterator is closed"));
  if (busy_) return ThrowStatus(env, Status::Busy("nextv() is already in flight"));
  uint64_t max_entries, max_bytes;
  if (!ToUint64(env, info[0], "maxEntries", &max_entries) ||
      !ToUint64(env, info[1], "maxBytes", &max_bytes)) {
    return env.Undefined();
  }
  if (max_entries == 0) return ThrowRangeError(env, "maxEntries must be at least 1");
  if (ended_) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("buffer", Napi::Buffer<char>::New(env, 0));
    o.Set("count", Napi::Number::New(env, 0));
    o.Set("done", Napi::Boolean::New(env, true));
    auto d = Napi::Promise::Deferred::New(env);
    d.Resolve(o);
    return d.Promise();
  }
  auto* w = new NextvWorker(env, this, Value(), static_cast<uint32_t>(std::min<uint64_t>(max_entries, UINT32_MAX)),
                            static_cast<size_t>(max_bytes));
  w->Queue();
  return w->Promise();
}

Napi::Value IteratorWrap::Close(const Napi::CallbackInfo& info) {
  if (handle_ && !released_) Release();
  return info.Env().Undefined();
}

}  // namespace flowdb::binding
