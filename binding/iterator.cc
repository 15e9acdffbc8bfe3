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

// Reads up to max_entries records (or about max_bytes) from cursor into out:
//   entry := key_len u32 | value_len u32 | ts i64 | expire_at i64 | key | value
// (little-endian; expire_at INT64_MAX = never). *done: the cursor ended
// (or failed: the status says which).
Status FillChunk(ScanCursor* cursor, uint32_t max_entries, size_t max_bytes, std::string* out,
                 uint32_t* count, bool* done) {
  while (*count < max_entries && out->size() < max_bytes) {
    if (!cursor->Next()) {
      *done = true;
      return cursor->status();
    }
    std::string_view k = cursor->key(), v = cursor->value();
    char head[kNextvEntryHeaderSize];
    EncodeLE(head, k.size(), 4);
    EncodeLE(head + 4, v.size(), 4);
    EncodeLE(head + 8, static_cast<uint64_t>(cursor->ts()), 8);
    EncodeLE(head + 16, static_cast<uint64_t>(cursor->expire_at()), 8);
    out->append(head, sizeof(head));
    out->append(k.data(), k.size());
    out->append(v.data(), v.size());
    ++*count;
  }
  return Status::OK();
}

// { buffer, count, done }: what nextv resolves to and nextvMemory returns.
Napi::Object ChunkObject(Napi::Env env, const std::string& out, uint32_t count, bool done) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("buffer", CopyToBuffer(env, out));
  o.Set("count", Napi::Number::New(env, count));
  o.Set("done", Napi::Boolean::New(env, done));
  return o;
}

}  // namespace

// nextv's work: FillChunk on a worker thread.
class NextvWorker final : public PromiseWorker {
 public:
  NextvWorker(Napi::Env env, IteratorWrap* it, Napi::Object self, uint32_t max_entries,
              size_t max_bytes)
      : PromiseWorker(env, "flowdb.iterator.nextv", it->handle_),
        it_(it),
        cursor_(it->cursor_.get()),
        self_(Napi::Persistent(self)),
        max_entries_(max_entries),
        max_bytes_(max_bytes) {}

  Status Run() override {
    Status s = FillChunk(cursor_, max_entries_, max_bytes_, &out_, &count_, &done_);
    cursor_->Commit();
    return s;
  }

  void Settle() override {
    it_->busy_ = false;
    if (done_) it_->ended_ = true;
    if (it_->released_) it_->cursor_.reset();  // closed while we ran
  }

  Napi::Value Result(Napi::Env env) override { return ChunkObject(env, out_, count_, done_); }

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
                         InstanceMethod<&IteratorWrap::NextvMemory>("nextvMemory"),
                         InstanceMethod<&IteratorWrap::Close>("close"),
                     });
}

Napi::Value IteratorWrap::NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                                      std::unique_ptr<ScanCursor> cursor) {
  // The constructor moves the cursor out of `init`; if it never runs, the
  // cursor is released when `init` goes out of scope.
  CursorInit init{std::move(handle), std::move(cursor)};
  napi_value ext;
  if (napi_create_external(env, &init, nullptr, nullptr, &ext) != napi_ok ||
      napi_type_tag_object(env, ext, &kCursorTag) != napi_ok) {
    return Napi::Value();
  }
  return NewFromClass(env, GetAddonData(env)->iterator_class, ext);
}

IteratorWrap::IteratorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<IteratorWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !IsTaggedExternal(env, info[0], &kCursorTag)) {
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

bool IteratorWrap::CheckNextv(const Napi::CallbackInfo& info, uint32_t* max_entries,
                              size_t* max_bytes) {
  Napi::Env env = info.Env();
  if (!handle_) {
    ThrowTypeError(env, "invalid Iterator object");
    return false;
  }
  if (released_) {
    ThrowStatus(env, Status::Closed("iterator is closed"));
    return false;
  }
  if (busy_) {
    ThrowStatus(env, Status::Busy("nextv() is already in flight"));
    return false;
  }
  uint64_t entries, bytes;
  if (!ToUint64(env, info[0], "maxEntries", &entries) ||
      !ToUint64(env, info[1], "maxBytes", &bytes)) {
    return false;
  }
  if (entries == 0) {
    ThrowRangeError(env, "maxEntries must be at least 1");
    return false;
  }
  *max_entries = static_cast<uint32_t>(std::min<uint64_t>(entries, UINT32_MAX));
  *max_bytes = static_cast<size_t>(bytes);
  return true;
}

Napi::Value IteratorWrap::Nextv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t max_entries;
  size_t max_bytes;
  if (!CheckNextv(info, &max_entries, &max_bytes)) return env.Undefined();
  if (ended_) return ResolvedPromise(env, ChunkObject(env, std::string(), 0, true));
  auto* w = new NextvWorker(env, this, Value(), max_entries, max_bytes);
  Napi::Value promise = w->Start();
  if (!promise.IsEmpty()) busy_ = true;  // until the worker's Settle()
  return promise;
}

// nextvMemory(maxEntries, maxBytes) → { buffer, count, done } read on this
// thread from memtables and cached blocks only, or null when the chunk
// needs a file read: then nothing was consumed and nextv() goes on from
// the same place on a worker.
Napi::Value IteratorWrap::NextvMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t max_entries;
  size_t max_bytes;
  if (!CheckNextv(info, &max_entries, &max_bytes)) return env.Undefined();
  if (ended_) return ChunkObject(env, std::string(), 0, true);
  std::string out;
  uint32_t count = 0;
  bool done = false;
  cursor_->SetMemoryOnly(true);
  Status s = FillChunk(cursor_.get(), max_entries, max_bytes, &out, &count, &done);
  const bool would_block = s.IsWouldBlock();
  if (!would_block) cursor_->Commit();
  cursor_->SetMemoryOnly(false);
  if (would_block) return env.Null();
  if (done) ended_ = true;
  if (!s.ok()) return ThrowStatus(env, s);
  return ChunkObject(env, out, count, done);
}

Napi::Value IteratorWrap::Close(const Napi::CallbackInfo& info) {
  if (handle_ && !released_) Release();
  return info.Env().Undefined();
}

}  // namespace flowdb::binding
