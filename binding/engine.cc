#include "engine.h"

#include <cstring>
#include <limits>

#include "addon_data.h"
#include "change_feed.h"
#include "convert.h"
#include "errors.h"
#include "iterator.h"
#include "jsondb.h"
#include "worker.h"

namespace flowdb::binding {

namespace {

// Tags the External that carries an EngineHandle into the constructor.
const napi_type_tag kEngineHandleTag = {0x8e2f5a1c3b7d4e90ull, 0xa5c3e1f70b2d4968ull};
const napi_type_tag kSnapshotTag = {0x2c6b9e14d07a5f83ull, 0x7f13a8c2e96d0b45ull};

class WriteWorker final : public PromiseWorker {
 public:
  WriteWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, std::string rep)
      : PromiseWorker(env, "flowdb.write", std::move(h)), rep_(std::move(rep)) {}
  Status Run() override {
    WriteBatch batch;
    FLOWDB_RETURN_IF_ERROR(WriteBatch::FromRep(std::move(rep_), &batch));
    return handle()->db->Write(&batch);
  }

 private:
  std::string rep_;
};

class GetWorker final : public PromiseWorker {
 public:
  GetWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, std::string key, int64_t ts,
            ReadOptions ro, std::shared_ptr<const Snapshot> pin)
      : PromiseWorker(env, "flowdb.get", std::move(h)),
        key_(std::move(key)),
        ts_(ts),
        ro_(ro),
        pin_(std::move(pin)) {}
  Status Run() override {
    Status s = handle()->db->Get(ro_, key_, ts_, &value_);
    found_ = s.ok();
    return s.IsNotFound() ? Status::OK() : s;
  }
  Napi::Value Result(Napi::Env env) override {
    return found_ ? CopyToBuffer(env, value_) : env.Undefined();
  }
  void Settle() override { pin_.reset(); }  // before a parked close may start

 private:
  std::string key_;
  int64_t ts_;
  ReadOptions ro_;
  std::shared_ptr<const Snapshot> pin_;  // keeps ro_.snapshot alive
  std::string value_;
  bool found_ = false;
};

Napi::Value RecordToJs(Napi::Env env, const Record& r) {
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, Int64ToJs(env, r.ts));
  out.Set(1u, CopyToBuffer(env, r.value));
  out.Set(2u, ExpireToJs(env, r.expire_at));
  return out;
}

class GetLatestWorker final : public PromiseWorker {
 public:
  GetLatestWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, std::string key, ReadOptions ro,
                  std::shared_ptr<const Snapshot> pin)
      : PromiseWorker(env, "flowdb.getLatest", std::move(h)),
        key_(std::move(key)),
        ro_(ro),
        pin_(std::move(pin)) {}
  Status Run() override {
    Status s = handle()->db->GetLatest(ro_, key_, &record_);
    found_ = s.ok();
    return s.IsNotFound() ? Status::OK() : s;
  }
  Napi::Value Result(Napi::Env env) override {
    return found_ ? RecordToJs(env, record_) : env.Undefined();
  }
  void Settle() override { pin_.reset(); }  // before a parked close may start

 private:
  std::string key_;
  ReadOptions ro_;
  std::shared_ptr<const Snapshot> pin_;  // keeps ro_.snapshot alive
  Record record_;
  bool found_ = false;
};

class DeleteRangeWorker final : public PromiseWorker {
 public:
  DeleteRangeWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, std::string start,
                    std::string end)
      : PromiseWorker(env, "flowdb.deleteRange", std::move(h)),
        start_(std::move(start)),
        end_(std::move(end)) {}
  Status Run() override { return handle()->db->DeleteRange(start_, end_); }

 private:
  std::string start_, end_;
};

class PatchWorker final : public PromiseWorker {
 public:
  PatchWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, std::string key, int64_t ts,
              PatchOptions patch)
      : PromiseWorker(env, "flowdb.patch", std::move(h)),
        key_(std::move(key)),
        ts_(ts),
        patch_(std::move(patch)) {}
  Status Run() override { return handle()->db->Patch(key_, ts_, patch_, &record_); }
  Napi::Value Result(Napi::Env env) override { return RecordToJs(env, record_); }

 private:
  std::string key_;
  int64_t ts_;
  PatchOptions patch_;
  Record record_;
};

class CompactWorker final : public PromiseWorker {
 public:
  CompactWorker(Napi::Env env, std::shared_ptr<EngineHandle> h)
      : PromiseWorker(env, "flowdb.compact", std::move(h)) {}
  Status Run() override { return handle()->db->CompactAll(); }
};

class VerifyWorker final : public PromiseWorker {
 public:
  VerifyWorker(Napi::Env env, std::shared_ptr<EngineHandle> h)
      : PromiseWorker(env, "flowdb.verify", std::move(h)) {}
  Status Run() override { return handle()->db->Verify(&report_); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("ok", report_.problems.empty());
    o.Set("sstables", static_cast<double>(report_.sstables));
    o.Set("sstableBytes", static_cast<double>(report_.sstable_bytes));
    o.Set("dataBlocks", static_cast<double>(report_.data_blocks));
    o.Set("entries", static_cast<double>(report_.entries));
    o.Set("walSegments", static_cast<double>(report_.wal_segments));
    o.Set("walRecords", static_cast<double>(report_.wal_records));
    o.Set("problems", FileProblemsToJs(env, report_.problems));
    return o;
  }

 private:
  VerifyReport report_;
};

class GcWorker final : public PromiseWorker {
 public:
  GcWorker(Napi::Env env, std::shared_ptr<EngineHandle> h)
      : PromiseWorker(env, "flowdb.gc", std::move(h)) {}
  Status Run() override { return handle()->db->DropExpiredFiles(&files_, &entries_); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("files", static_cast<double>(files_));
    o.Set("records", static_cast<double>(entries_));
    return o;
  }

 private:
  uint64_t files_ = 0, entries_ = 0;
};

class FlushWorker final : public PromiseWorker {
 public:
  FlushWorker(Napi::Env env, std::shared_ptr<EngineHandle> h)
      : PromiseWorker(env, "flowdb.flush", std::move(h)) {}
  Status Run() override { return handle()->db->Flush(); }
};

class CheckpointWorker final : public PromiseWorker {
 public:
  CheckpointWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, DB* db, std::string dir)
      : PromiseWorker(env, "flowdb.checkpoint", std::move(h)), db_(db), dir_(std::move(dir)) {}
  Status Run() override { return db_->Checkpoint(dir_, Env::Default(), &sequence_); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("sequence", static_cast<double>(sequence_));
    return out;
  }

 private:
  DB* db_;  // the handle's engine (lives as long as the handle)
  std::string dir_;
  uint64_t sequence_ = 0;
};

class ResumeWorker final : public PromiseWorker {
 public:
  ResumeWorker(Napi::Env env, std::shared_ptr<EngineHandle> h)
      : PromiseWorker(env, "flowdb.resume", std::move(h)) {}
  Status Run() override { return handle()->db->Resume(); }
};

class CloseWorker final : public PromiseWorker {
 public:
  // Not counted as pending: it is the operation that waits for the others.
  CloseWorker(Napi::Env env, std::shared_ptr<EngineHandle> h)
      : PromiseWorker(env, "flowdb.close", nullptr), engine_(std::move(h)) {}
  Status Run() override { return engine_->db->Close(); }
  void Settle() override { engine_->closed = true; }

 private:
  std::shared_ptr<EngineHandle> engine_;
};

// Reads an optional snapshot handle from snapshotCreate (undefined = the
// latest state) into ro->snapshot; *pin (may be null) receives a reference
// that keeps it alive for a read that outlives the call. A snapshot that was
// released, or that belongs to another engine, is refused
// (FLOWDB_INVALID_ARGUMENT): a read never runs at an unpinned sequence.
bool ToSnapshot(Napi::Env env, Napi::Value v, const EngineHandle* engine, ReadOptions* ro,
                std::shared_ptr<const Snapshot>* pin = nullptr) {
  if (v.IsUndefined()) return true;
  void* data = nullptr;
  if (!IsTaggedExternal(env, v, &kSnapshotTag) || napi_get_value_external(env, v, &data) != napi_ok) {
    ThrowTypeError(env, "snapshot must be a Snapshot from engine.snapshot()");
    return false;
  }
  const SnapshotRef& ref = **static_cast<std::shared_ptr<SnapshotRef>*>(data);
  if (ref.engine != engine) {
    ThrowStatus(env, Status::InvalidArgument("snapshot belongs to another engine"));
    return false;
  }
  if (ref.pin == nullptr) {
    ThrowStatus(env, Status::InvalidArgument("snapshot was released"));
    return false;
  }
  ro->snapshot = ref.pin.get();
  if (pin != nullptr) *pin = ref.pin;
  return true;
}

// Parses the iterator options object built by lib/scan.cjs.
bool ParseScanOptions(Napi::Env env, Napi::Object o, ScanOptions* scan) {
  Napi::Value lower = o.Get("lower"), upper = o.Get("upper");
  if (!lower.IsUndefined()) {
    scan->has_lower = true;
    if (!ToBytes(env, lower, "lower", &scan->lower)) return false;
    if (!ToBool(env, o.Get("lowerInclusive"), "lowerInclusive", &scan->lower_inclusive)) return false;
  }
  if (!upper.IsUndefined()) {
    scan->has_upper = true;
    if (!ToBytes(env, upper, "upper", &scan->upper)) return false;
    if (!ToBool(env, o.Get("upperInclusive"), "upperInclusive", &scan->upper_inclusive)) return false;
  }
  Napi::Value ts_min = o.Get("tsMin"), ts_max = o.Get("tsMax"), reverse = o.Get("reverse");
  if (!ts_min.IsUndefined() && !ToInt64(env, ts_min, "tsMin", &scan->ts_min)) return false;
  if (!ts_max.IsUndefined() && !ToInt64(env, ts_max, "tsMax", &scan->ts_max)) return false;
  if (!reverse.IsUndefined() && !ToBool(env, reverse, "reverse", &scan->reverse)) return false;
  return true;
}

}  // namespace

Napi::Function EngineWrap::Define(Napi::Env env) {
  return DefineClass(env, "Engine",
                     {
                         InstanceMethod<&EngineWrap::Write>("write"),
                         InstanceMethod<&EngineWrap::Get>("get"),
                         InstanceMethod<&EngineWrap::GetLatest>("getLatest"),
                         InstanceMethod<&EngineWrap::SetSharedBuffer>("setSharedBuffer"),
                         InstanceMethod<&EngineWrap::GetInto>("getInto"),
                         InstanceMethod<&EngineWrap::GetLatestInto>("getLatestInto"),
                         InstanceMethod<&EngineWrap::NewIterator>("iterator"),
                         InstanceMethod<&EngineWrap::DeleteRange>("deleteRange"),
                         InstanceMethod<&EngineWrap::Patch>("patch"),
                         InstanceMethod<&EngineWrap::SnapshotCreate>("snapshotCreate"),
                         InstanceMethod<&EngineWrap::SnapshotRelease>("snapshotRelease"),
                         InstanceMethod<&EngineWrap::Flush>("flush"),
                         InstanceMethod<&EngineWrap::Resume>("resume"),
                         InstanceMethod<&EngineWrap::Compact>("compact"),
                         InstanceMethod<&EngineWrap::Gc>("gc"),
                         InstanceMethod<&EngineWrap::Stats>("stats"),
                         InstanceMethod<&EngineWrap::Verify>("verify"),
                         InstanceMethod<&EngineWrap::Checkpoint>("checkpoint"),
                         InstanceMethod<&EngineWrap::StartChangeFeed>("changeFeed"),
                         InstanceMethod<&EngineWrap::Close>("close"),
                     });
}

Napi::Value NewHandleObject(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                            const napi_type_tag* tag, const Napi::FunctionReference& cls) {
  auto boxed = std::make_unique<std::shared_ptr<EngineHandle>>(std::move(handle));
  napi_value ext;
  if (napi_create_external(
          env, boxed.get(),
          [](napi_env, void* p, void*) { delete static_cast<std::shared_ptr<EngineHandle>*>(p); },
          nullptr, &ext) != napi_ok) {
    return Napi::Value();
  }
  boxed.release();  // the External's finalizer owns it now
  if (napi_type_tag_object(env, ext, tag) != napi_ok) return Napi::Value();
  return NewFromClass(env, cls, ext);
}

Napi::Value EngineWrap::NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle) {
  return NewHandleObject(env, std::move(handle), &kEngineHandleTag, GetAddonData(env)->engine_class);
}

EngineWrap::EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !IsTaggedExternal(env, info[0], &kEngineHandleTag)) {
    ThrowTypeError(env, "Engine cannot be constructed directly: use Engine.open()");
    return;
  }
  handle_ = *info[0].As<Napi::External<std::shared_ptr<EngineHandle>>>().Data();
}

bool CheckHandleOpen(Napi::Env env, const EngineHandle* handle, const char* invalid_object) {
  if (handle == nullptr) {
    ThrowTypeError(env, invalid_object);
    return false;
  }
  if (handle->closing) {
    ThrowStatus(env, Status::Closed());
    return false;
  }
  return true;
}

bool EngineWrap::CheckOpen(Napi::Env env) const {
  return CheckHandleOpen(env, handle_.get(), "invalid Engine object");
}

Napi::Value EngineWrap::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::string rep;
  if (!ToBytes(env, info[0], "batch", &rep)) return env.Undefined();
  auto* w = new WriteWorker(env, handle_, std::move(rep));
  return w->Start();
}

Napi::Value EngineWrap::Get(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::string key;
  int64_t ts;
  ReadOptions ro;
  std::shared_ptr<const Snapshot> pin;
  if (!ToKey(env, info[0], "key", &key) || !ToInt64(env, info[1], "ts", &ts) ||
      !ToSnapshot(env, info[2], handle_.get(), &ro, &pin)) {
    return env.Undefined();
  }
  auto* w = new GetWorker(env, handle_, std::move(key), ts, ro, std::move(pin));
  return w->Start();
}

Napi::Value EngineWrap::GetLatest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::string key;
  ReadOptions ro;
  std::shared_ptr<const Snapshot> pin;
  if (!ToKey(env, info[0], "key", &key) || !ToSnapshot(env, info[1], handle_.get(), &ro, &pin)) {
    return env.Undefined();
  }
  auto* w = new GetLatestWorker(env, handle_, std::move(key), ro, std::move(pin));
  return w->Start();
}

Napi::Value EngineWrap::SetSharedBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    return ThrowTypeError(env, "shared buffer must be a Uint8Array");
  }
  Napi::Uint8Array a = info[0].As<Napi::Uint8Array>();
  shared_ref_ = Napi::Persistent(a);
  shared_data_ = reinterpret_cast<char*>(a.Data());
  shared_size_ = a.ByteLength();
  return env.Undefined();
}

namespace {

void PutInt64LE(char* dst, int64_t v) {
  for (int i = 0; i < 8; i++) dst[i] = static_cast<char>(static_cast<uint64_t>(v) >> (8 * i));
}

}  // namespace

// getInto(key, ts, memoryOnly, snapshot?) → -1 (absent) | -2 (memoryOnly and the read
// needs file I/O) | n (the value is in the shared buffer's first n bytes) |
// Buffer (a value larger than the shared buffer).
Napi::Value EngineWrap::GetInto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  thread_local std::string key;
  thread_local std::string value;
  int64_t ts;
  bool memory_only;
  ReadOptions ro;
  if (!ToKey(env, info[0], "key", &key) || !ToInt64(env, info[1], "ts", &ts) ||
      !ToBool(env, info[2], "memoryOnly", &memory_only) ||
      !ToSnapshot(env, info[3], handle_.get(), &ro)) {
    return env.Undefined();
  }
  ro.memory_only = memory_only;
  Status s = handle_->db->Get(ro, key, ts, &value);
  if (s.IsNotFound()) return Napi::Number::New(env, kIntoNotFound);
  if (s.IsWouldBlock()) return Napi::Number::New(env, kIntoWouldBlock);
  if (!s.ok()) return ThrowStatus(env, s);
  if (shared_data_ == nullptr || value.size() > shared_size_) return CopyToBuffer(env, value);
  std::memcpy(shared_data_, value.data(), value.size());
  return Napi::Number::New(env, static_cast<double>(value.size()));
}

// getLatestInto(key, memoryOnly, snapshot?) → like getInto, with the record laid out as
// ts (int64 LE) | expire_at (int64 LE, INT64_MAX = never) | value.
Napi::Value EngineWrap::GetLatestInto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  thread_local std::string key;
  bool memory_only;
  ReadOptions ro;
  if (!ToKey(env, info[0], "key", &key) || !ToBool(env, info[1], "memoryOnly", &memory_only) ||
      !ToSnapshot(env, info[2], handle_.get(), &ro)) {
    return env.Undefined();
  }
  ro.memory_only = memory_only;
  thread_local Record r;
  Status s = handle_->db->GetLatest(ro, key, &r);
  if (s.IsNotFound()) return Napi::Number::New(env, kIntoNotFound);
  if (s.IsWouldBlock()) return Napi::Number::New(env, kIntoWouldBlock);
  if (!s.ok()) return ThrowStatus(env, s);
  size_t n = 16 + r.value.size();
  char* dst = shared_data_;
  Napi::Buffer<char> big;
  if (shared_data_ == nullptr || n > shared_size_) {
    big = Napi::Buffer<char>::New(env, n);
    dst = big.Data();
  }
  PutInt64LE(dst, r.ts);
  PutInt64LE(dst + 8, r.expire_at);
  std::memcpy(dst + 16, r.value.data(), r.value.size());
  if (dst != shared_data_) return big;
  return Napi::Number::New(env, static_cast<double>(n));
}

Napi::Value EngineWrap::NewIterator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  ScanOptions scan;
  ReadOptions ro;
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    if (!info[0].IsObject()) return ThrowTypeError(env, "iterator options must be an object");
    Napi::Object o = info[0].As<Napi::Object>();
    if (!ParseScanOptions(env, o, &scan) ||
        !ToSnapshot(env, o.Get("snapshot"), handle_.get(), &ro)) {
      return env.Undefined();
    }
  }
  std::unique_ptr<ScanCursor> cursor = handle_->db->NewScan(ro, scan);
  return IteratorWrap::NewInstance(env, handle_, std::move(cursor));
}

Napi::Value EngineWrap::DeleteRange(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::string start, end;
  if (!ToKey(env, info[0], "start", &start) || !ToKey(env, info[1], "end", &end)) {
    return env.Undefined();
  }
  if (!(start < end)) return ThrowRangeError(env, "deleteRange needs start < end");
  auto* w = new DeleteRangeWorker(env, handle_, std::move(start), std::move(end));
  return w->Start();
}

// patch(key, ts, value: Buffer | undefined, expireAt: int64 | undefined)
Napi::Value EngineWrap::Patch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  std::string key;
  int64_t ts;
  PatchOptions patch;
  if (!ToKey(env, info[0], "key", &key) || !ToInt64(env, info[1], "ts", &ts)) {
    return env.Undefined();
  }
  if (!info[2].IsUndefined()) {
    patch.set_value = true;
    if (!ToBytes(env, info[2], "value", &patch.value)) return env.Undefined();
  }
  if (!info[3].IsUndefined()) {
    patch.set_expire_at = true;
    if (!ToInt64(env, info[3], "expireAt", &patch.expire_at)) return env.Undefined();
  }
  auto* w = new PatchWorker(env, handle_, std::move(key), ts, std::move(patch));
  return w->Start();
}

// snapshotCreate() → [handle, sequence]: the handle (an External) is what
// reads and snapshotRelease take.
Napi::Value EngineWrap::SnapshotCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  DB* db = handle_->db.get();
  const Snapshot* snap = db->GetSnapshot();
  if (snap == nullptr) return ThrowStatus(env, Status::Closed());
  auto ref = std::make_shared<SnapshotRef>();
  ref->engine = handle_.get();
  ref->pin = std::shared_ptr<const Snapshot>(snap, [db](const Snapshot* s) { db->ReleaseSnapshot(s); });
  handle_->snapshots.insert(ref);
  // Plain Node-API calls, each checked: while a worker terminates they fail,
  // and node-addon-api's wrappers would then abort the process.
  auto* boxed = new std::shared_ptr<SnapshotRef>(ref);
  napi_value ext;
  if (napi_create_external(
          env, boxed,
          [](napi_env, void* data, void*) { delete static_cast<std::shared_ptr<SnapshotRef>*>(data); },
          nullptr, &ext) != napi_ok) {
    delete boxed;
    handle_->snapshots.erase(ref);
    ref->pin.reset();
    return Napi::Value();
  }
  napi_value out, sequence;
  if (napi_type_tag_object(env, ext, &kSnapshotTag) != napi_ok ||
      napi_create_array_with_length(env, 2, &out) != napi_ok ||
      napi_create_double(env, static_cast<double>(snap->sequence()), &sequence) != napi_ok ||
      napi_set_element(env, out, 0, ext) != napi_ok ||
      napi_set_element(env, out, 1, sequence) != napi_ok) {
    return Napi::Value();  // the finalizer frees the box; close() releases the snapshot
  }
  return Napi::Value(env, out);
}

// snapshotRelease(handle): idempotent; a no-op once the engine closed or for
// another engine's snapshot.
Napi::Value EngineWrap::SnapshotRelease(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!handle_) return ThrowTypeError(env, "invalid Engine object");
  void* data = nullptr;
  if (!IsTaggedExternal(env, info[0], &kSnapshotTag) ||
      napi_get_value_external(env, info[0], &data) != napi_ok) {
    return ThrowTypeError(env, "snapshot must be a handle from snapshotCreate()");
  }
  const std::shared_ptr<SnapshotRef>& ref = *static_cast<std::shared_ptr<SnapshotRef>*>(data);
  if (ref->engine == handle_.get() && handle_->snapshots.erase(ref) > 0) ref->pin.reset();
  return env.Undefined();
}

Napi::Value EngineWrap::Compact(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  auto* w = new CompactWorker(env, handle_);
  return w->Start();
}

Napi::Value EngineWrap::Gc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  auto* w = new GcWorker(env, handle_);
  return w->Start();
}

Napi::Value EngineWrap::Verify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  auto* w = new VerifyWorker(env, handle_);
  return w->Start();
}

Napi::Array FileProblemsToJs(Napi::Env env, const std::vector<FileProblem>& problems) {
  Napi::Array out = Napi::Array::New(env, problems.size());
  for (size_t i = 0; i < problems.size(); i++) {
    Napi::Object p = Napi::Object::New(env);
    p.Set("file", problems[i].file);
    p.Set("offset", static_cast<double>(problems[i].offset));
    p.Set("message", problems[i].message);
    out.Set(static_cast<uint32_t>(i), p);
  }
  return out;
}

Napi::Value EngineWrap::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  auto* w = new FlushWorker(env, handle_);
  return w->Start();
}

Napi::Value StartCheckpoint(Napi::Env env, std::shared_ptr<EngineHandle> handle, DB* db,
                            Napi::Value dir) {
  if (!dir.IsString() || dir.As<Napi::String>().Utf8Value().empty()) {
    Napi::TypeError::New(env, "checkpoint() needs a directory path").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  auto* w = new CheckpointWorker(env, std::move(handle), db, dir.As<Napi::String>().Utf8Value());
  return w->Start();
}

Napi::Value EngineWrap::Checkpoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  return StartCheckpoint(env, handle_, handle_->db.get(), info[0]);
}

Napi::Value EngineWrap::StartChangeFeed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  uint64_t since;
  if (!ToUint64(env, info[0], "since", &since)) return env.Undefined();
  return ChangeFeedWrap::Start(env, handle_, since);
}

Napi::Value EngineWrap::Resume(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  auto* w = new ResumeWorker(env, handle_);
  return w->Start();
}

Napi::Value EngineWrap::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  DBStats st = handle_->db->GetStats();
  Napi::Object o = Napi::Object::New(env);
  auto set = [&](const char* name, uint64_t v) { o.Set(name, static_cast<double>(v)); };
  set("lastSequence", st.last_sequence);
  set("recordsWritten", st.records_written);
  set("bytesWritten", st.bytes_written);
  set("walSyncs", st.wal_syncs);
  set("writeGroups", st.write_groups);
  set("flushes", st.flushes);
  set("stallMicros", st.stall_micros);
  set("memtableBytes", st.memtable_bytes);
  set("frozenMemtables", st.frozen_memtables);
  set("sstables", st.sstables);
  set("sstableBytes", st.sstable_bytes);
  set("largestSstableBytes", st.largest_sstable_bytes);
  set("blockCacheHits", st.block_cache_hits);
  set("blockCacheMisses", st.block_cache_misses);
  set("blockCacheBytes", st.block_cache_bytes);
  set("bloomUseful", st.bloom_useful);
  set("stalls", st.stalls);
  set("flushBytes", st.flush_bytes);
  set("compactions", st.compactions);
  set("compactionBytesRead", st.compaction_bytes_read);
  set("compactionBytesWritten", st.compaction_bytes_written);
  set("compactionRecordsDropped", st.compaction_entries_dropped);
  set("gcRuns", st.gc_runs);
  set("gcFiles", st.gc_files);
  set("gcRecords", st.gc_records);
  set("walSkippedRegions", st.wal_skipped_regions);
  set("walSkippedBytes", st.wal_skipped_bytes);
  set("rangeDeletions", st.range_deletions);
  set("snapshots", st.snapshots);
  set("tableReaders", st.table_readers);
  set("gets", st.gets);
  set("getSstProbes", st.get_sst_probes);
  auto latency = [&](const char* name, const LatencySummary& l) {
    Napi::Object h = Napi::Object::New(env);
    h.Set("count", static_cast<double>(l.count));
    h.Set("sum", static_cast<double>(l.sum));
    h.Set("p50", l.p50);
    h.Set("p90", l.p90);
    h.Set("p99", l.p99);
    h.Set("max", l.max);
    o.Set(name, h);
  };
  latency("writeLatency", st.write_latency);
  latency("readLatency", st.read_latency);
  latency("flushLatency", st.flush_latency);
  latency("compactionLatency", st.compaction_latency);
  return o;
}

Napi::Value EngineWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!handle_) return ThrowTypeError(env, "invalid Engine object");
  if (handle_->closing) return ResolvedPromise(env, env.Undefined());
  // The Promise first: when it cannot be made (the environment is
  // terminating), nothing changes and the cleanup hook closes the engine.
  auto* w = new CloseWorker(env, handle_);
  if (!w->HasPromise()) {
    delete w;
    return Napi::Value();
  }
  handle_->closing = true;
  // Cursors pin engine state: release them before the engine closes.
  for (IteratorWrap* it : std::set<IteratorWrap*>(handle_->iterators)) it->Release();
  handle_->ReleaseSnapshots();
  GetAddonData(env)->open_engines.erase(handle_);
  Napi::Value p = w->Promise();
  if (handle_->pending == 0) {
    w->Queue();
  } else {
    handle_->parked_close = w;
  }
  return p;
}

void CloseAllEngines(Napi::Env env) {
  AddonData* data = GetAddonData(env);
  if (data == nullptr) return;
  for (const auto& h : data->open_engines) {
    h->closing = true;
    h->tearing_down = true;
    h->WaitForExecuting();
    if (h->jsondb) CloseJsonDBNow(h.get());
    for (IteratorWrap* it : std::set<IteratorWrap*>(h->iterators)) it->Release();
    h->ReleaseSnapshots();
    if (h->db) h->db->Close().PermitUncheckedError();
  }
  data->open_engines.clear();
}

}  // namespace flowdb::binding
