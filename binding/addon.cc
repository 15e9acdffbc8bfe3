// Module entry point: registers the native classes, the constants JS reads
// (defined here once), open(), and the env cleanup hook that closes engines
// left open when a worker thread or the process exits.

#include <napi.h>

#include "addon_data.h"
#include "convert.h"
#include "doc_key.h"
#include "engine.h"
#include "errors.h"
#include "flowdb/db.h"
#include "flowdb/write_batch.h"
#include "doc_cursor.h"
#include "doc_transaction.h"
#include "iterator.h"
#include "jsondb.h"
#include "key_path.h"
#include "worker.h"

#ifndef FLOWDB_VERSION
#define FLOWDB_VERSION "0.0.0"
#endif

namespace flowdb::binding {

namespace {

class OpenWorker final : public PromiseWorker {
 public:
  OpenWorker(Napi::Env env, std::string path, Options options, bool in_memory)
      : PromiseWorker(env, "flowdb.open", nullptr),
        path_(std::move(path)),
        options_(options),
        in_memory_(in_memory) {}

  Status Run() override {
    handle_ = std::make_shared<EngineHandle>();
    if (in_memory_) {
      handle_->mem_env = NewMemEnv();
      options_.env = handle_->mem_env.get();
      if (path_.empty()) path_ = "/flowdb-memory";
    }
    return DB::Open(options_, path_, &handle_->db);
  }

  Napi::Value Result(Napi::Env env) override {
    GetAddonData(env)->open_engines.insert(handle_);
    return EngineWrap::NewInstance(env, handle_);
  }

 private:
  std::string path_;
  Options options_;
  bool in_memory_;
  std::shared_ptr<EngineHandle> handle_;
};

// Reads a required numeric option as a non-negative integer.
bool GetSize(Napi::Env env, Napi::Object o, const char* name, uint64_t* out) {
  return ToUint64(env, o.Get(name), name, out);
}

}  // namespace

bool ToOpenOptions(const Napi::CallbackInfo& info, std::string* path_out, Options* opt_out,
                   bool* in_memory_out) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) {
    ThrowTypeError(env, "path must be a string");
    return false;
  }
  if (!info[1].IsObject()) {
    ThrowTypeError(env, "options must be an object");
    return false;
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  Napi::Object o = info[1].As<Napi::Object>();
  Options opt;
  bool in_memory = false;
  uint64_t sync_mode, sync_interval, memtable, frozen, block, restart, bloom, compression, cache,
      files, ttl, flush_interval, trigger, size_ratio, space_amp, ttl_basis;
  if (!ToBool(env, o.Get("inMemory"), "inMemory", &in_memory) ||
      !ToBool(env, o.Get("createIfMissing"), "createIfMissing", &opt.create_if_missing) ||
      !ToBool(env, o.Get("errorIfExists"), "errorIfExists", &opt.error_if_exists) ||
      !GetSize(env, o, "syncMode", &sync_mode) || !GetSize(env, o, "syncIntervalMs", &sync_interval) ||
      !GetSize(env, o, "memtableSize", &memtable) ||
      !GetSize(env, o, "maxFrozenMemtables", &frozen) || !GetSize(env, o, "blockSize", &block) ||
      !GetSize(env, o, "blockRestartInterval", &restart) ||
      !GetSize(env, o, "bloomBitsPerKey", &bloom) || !GetSize(env, o, "compression", &compression) ||
      !GetSize(env, o, "blockCacheSize", &cache) || !GetSize(env, o, "maxOpenFiles", &files) ||
      !GetSize(env, o, "defaultTtlUs", &ttl) || !GetSize(env, o, "flushIntervalMs", &flush_interval) ||
      !GetSize(env, o, "ttlBasis", &ttl_basis) ||
      !GetSize(env, o, "compactionTrigger", &trigger) ||
      !GetSize(env, o, "compactionSizeRatio", &size_ratio) ||
      !GetSize(env, o, "maxSpaceAmplification", &space_amp)) {
    return false;
  }
  if (sync_mode > 2) {
    ThrowRangeError(env, "syncMode must be 0, 1 or 2");
    return false;
  }
  if (compression > 1) {
    ThrowRangeError(env, "compression must be 0 or 1");
    return false;
  }
  if (frozen > 64 || restart > 1024 || bloom > 64 || files > (1u << 20) ||
      sync_interval > UINT32_MAX || flush_interval > UINT32_MAX || ttl_basis > 1 ||
      trigger == 1 || trigger > 1024 || size_ratio > 10000 || space_amp > 100000) {
    ThrowRangeError(env, "an option is out of range");
    return false;
  }
  if (path.empty() && !in_memory) {
    ThrowTypeError(env, "path must not be empty");
    return false;
  }
  opt.sync_mode = static_cast<SyncMode>(sync_mode);
  opt.sync_interval_ms = static_cast<uint32_t>(sync_interval);
  opt.memtable_size = memtable;
  opt.max_frozen_memtables = static_cast<int>(frozen);
  opt.block_size = block;
  opt.block_restart_interval = static_cast<int>(restart);
  opt.bloom_bits_per_key = static_cast<int>(bloom);
  opt.compression = static_cast<Compression>(compression);
  opt.block_cache_size = cache;
  opt.max_open_files = static_cast<int>(files);
  opt.default_ttl_us = static_cast<int64_t>(ttl);
  opt.flush_interval_ms = static_cast<uint32_t>(flush_interval);
  opt.ttl_basis = static_cast<Options::TtlBasis>(ttl_basis);
  opt.compaction_trigger = static_cast<int>(trigger);
  opt.compaction_size_ratio = static_cast<int>(size_ratio);
  opt.max_space_amplification = static_cast<int>(space_amp);
  *path_out = std::move(path);
  *opt_out = opt;
  *in_memory_out = in_memory;
  return true;
}

namespace {

// open(path, options) → Promise<Engine>. lib/engine.cjs validates and fills
// in defaults; this re-checks types so bad input cannot crash.
Napi::Value Open(const Napi::CallbackInfo& info) {
  std::string path;
  Options opt;
  bool in_memory;
  if (!ToOpenOptions(info, &path, &opt, &in_memory)) return info.Env().Undefined();
  auto* w = new OpenWorker(info.Env(), std::move(path), opt, in_memory);
  w->Queue();
  return w->Promise();
}

Napi::Object MakeConstants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  Napi::Object codes = Napi::Object::New(env);
  for (size_t i = 0; i < kNumErrorCodes; i++) codes.Set(kErrorCodes[i].key, kErrorCodes[i].code);
  codes.Freeze();
  c.Set("errorCodes", codes);
  Napi::Object sync = Napi::Object::New(env);
  sync.Set("always", static_cast<double>(SyncMode::kAlways));
  sync.Set("interval", static_cast<double>(SyncMode::kInterval));
  sync.Set("none", static_cast<double>(SyncMode::kNone));
  sync.Freeze();
  c.Set("syncModes", sync);
  Napi::Object comp = Napi::Object::New(env);
  comp.Set("none", static_cast<double>(Compression::kNone));
  comp.Set("lz4", static_cast<double>(Compression::kLZ4));
  comp.Freeze();
  c.Set("compression", comp);
  c.Set("formatVersion", FormatVersion());
  c.Set("maxKeySize", static_cast<double>(WriteBatch::kMaxKeySize));
  c.Set("maxValueSize", static_cast<double>(WriteBatch::kMaxValueSize));
  Napi::Object versions = Napi::Object::New(env);
  versions.Set("flowdb", FLOWDB_VERSION);
  versions.Set("lz4", LZ4VersionString());
  versions.Set("simdjson", doc::SimdjsonVersionString());
  versions.Set("format", FormatVersion());
  versions.Freeze();
  c.Set("versions", versions);
  c.Freeze();
  return c;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  data->engine_class = Napi::Persistent(EngineWrap::Define(env));
  data->iterator_class = Napi::Persistent(IteratorWrap::Define(env));
  data->jsondb_class = Napi::Persistent(JsonDBWrap::Define(env));
  data->doc_transaction_class = Napi::Persistent(DocTransactionWrap::Define(env));
  data->doc_cursor_class = Napi::Persistent(DocCursorWrap::Define(env));
  env.AddCleanupHook([env]() { CloseAllEngines(env); });
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("openJsonDB", Napi::Function::New(env, OpenJsonDB, "openJsonDB"));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass, "setErrorClass"));
  exports.Set("compareKeys", Napi::Function::New(env, CompareKeys, "compareKeys"));
  exports.Set("constants", MakeConstants(env));
  return exports;
}

}  // namespace

}  // namespace flowdb::binding

static Napi::Object InitFlowDB(Napi::Env env, Napi::Object exports) {
  return flowdb::binding::Init(env, exports);
}

NODE_API_MODULE(flowdb, InitFlowDB)
