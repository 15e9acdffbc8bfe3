// Module entry point: registers the native classes, the constants JS reads
// (defined here once), open(), and the env cleanup hook that closes engines
// left open when a worker thread or the process exits.

#include <napi.h>

#include <cctype>
#include <string>
#include <type_traits>
#include <utility>

#include "addon_data.h"
#include "change_feed.h"
#include "convert.h"
#include "doc_key.h"
#include "engine.h"
#include "errors.h"
#include "flowdb/db.h"
#include "flowdb/option_limits.h"
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
    // Registered first: if the object cannot be made (the environment is
    // terminating), the cleanup hook still closes the engine.
    GetAddonData(env)->open_engines.insert(handle_);
    return EngineWrap::NewInstance(env, handle_);
  }

 private:
  std::string path_;
  Options options_;
  bool in_memory_;
  std::shared_ptr<EngineHandle> handle_;
};

class RepairWorker final : public PromiseWorker {
 public:
  RepairWorker(Napi::Env env, std::string path, Options options)
      : PromiseWorker(env, "flowdb.repair", nullptr), path_(std::move(path)), options_(options) {}
  Status Run() override { return RepairDB(path_, options_, &report_); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("sstablesKept", static_cast<double>(report_.sstables_kept));
    o.Set("sstablesSalvaged", static_cast<double>(report_.sstables_salvaged));
    o.Set("sstablesDropped", static_cast<double>(report_.sstables_dropped));
    o.Set("walSegments", static_cast<double>(report_.wal_segments));
    o.Set("walRecords", static_cast<double>(report_.wal_records));
    o.Set("walRecordsDropped", static_cast<double>(report_.wal_records_dropped));
    o.Set("walBytesDropped", static_cast<double>(report_.wal_bytes_dropped));
    o.Set("entriesSalvaged", static_cast<double>(report_.entries_salvaged));
    o.Set("lastSequence", static_cast<double>(report_.last_sequence));
    o.Set("dropped", FileProblemsToJs(env, report_.dropped));
    Napi::Array lost = Napi::Array::New(env, report_.moved_to_lost.size());
    for (size_t i = 0; i < report_.moved_to_lost.size(); i++) {
      lost.Set(static_cast<uint32_t>(i), report_.moved_to_lost[i]);
    }
    o.Set("movedToLost", lost);
    return o;
  }

 private:
  std::string path_;
  Options options_;
  RepairReport report_;
};

// Reads the integer option `name` into *out, an Options field of type T.
// Only the type is checked here (an integer the field can hold): which
// values are allowed is DB::Open's decision (CheckOptions), and JS checks
// the same limits first (constants.optionLimits).
template <typename T>
bool GetInt(Napi::Env env, Napi::Object o, const char* name, T* out) {
  int64_t v;
  if (!ToInt64(env, o.Get(name), name, &v)) return false;
  if (!std::in_range<T>(v)) {
    ThrowRangeError(env, std::string(name) + " does not fit its " + std::to_string(sizeof(T) * 8) +
                             "-bit field");
    return false;
  }
  *out = static_cast<T>(v);
  return true;
}

// An enum option, read as its underlying integer.
template <typename E>
bool GetEnum(Napi::Env env, Napi::Object o, const char* name, E* out) {
  std::underlying_type_t<E> v;
  if (!GetInt(env, o, name, &v)) return false;
  *out = static_cast<E>(v);
  return true;
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
  if (!ToBool(env, o.Get("inMemory"), "inMemory", &in_memory) ||
      !ToBool(env, o.Get("createIfMissing"), "createIfMissing", &opt.create_if_missing) ||
      !ToBool(env, o.Get("errorIfExists"), "errorIfExists", &opt.error_if_exists) ||
      !GetEnum(env, o, "syncMode", &opt.sync_mode) ||
      !GetInt(env, o, "syncIntervalMs", &opt.sync_interval_ms) ||
      !GetEnum(env, o, "walRecovery", &opt.wal_recovery) ||
      !GetInt(env, o, "memtableSize", &opt.memtable_size) ||
      !GetInt(env, o, "maxFrozenMemtables", &opt.max_frozen_memtables) ||
      !GetInt(env, o, "blockSize", &opt.block_size) ||
      !GetInt(env, o, "blockRestartInterval", &opt.block_restart_interval) ||
      !GetInt(env, o, "bloomBitsPerKey", &opt.bloom_bits_per_key) ||
      !GetEnum(env, o, "compression", &opt.compression) ||
      !GetInt(env, o, "blockCacheSize", &opt.block_cache_size) ||
      !GetInt(env, o, "maxOpenFiles", &opt.max_open_files) ||
      !GetInt(env, o, "defaultTtlUs", &opt.default_ttl_us) ||
      !GetInt(env, o, "flushIntervalMs", &opt.flush_interval_ms) ||
      !GetEnum(env, o, "ttlBasis", &opt.ttl_basis) ||
      !GetInt(env, o, "compactionTrigger", &opt.compaction_trigger) ||
      !GetInt(env, o, "compactionSizeRatio", &opt.compaction_size_ratio) ||
      !GetInt(env, o, "maxSpaceAmplification", &opt.max_space_amplification) ||
      !GetInt(env, o, "walRetentionBytes", &opt.wal_retention_bytes)) {
    return false;
  }
  if (path.empty() && !in_memory) {
    ThrowTypeError(env, "path must not be empty");
    return false;
  }
  *path_out = std::move(path);
  *opt_out = opt;
  *in_memory_out = in_memory;
  return true;
}

namespace {

// open(path, options) → Promise<Engine>. lib/engine.cjs validates and fills
// in defaults; ToOpenOptions re-checks types so bad input cannot crash, and
// DB::Open checks the values.
Napi::Value Open(const Napi::CallbackInfo& info) {
  std::string path;
  Options opt;
  bool in_memory;
  if (!ToOpenOptions(info, &path, &opt, &in_memory)) return info.Env().Undefined();
  auto* w = new OpenWorker(info.Env(), std::move(path), opt, in_memory);
  return w->Start();
}

// An Options field name in the binding's spelling: memtable_size → memtableSize.
std::string CamelCase(const char* field) {
  std::string out;
  for (const char* p = field; *p != '\0'; p++) {
    if (*p == '_' && p[1] != '\0') {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(*++p)));
    } else {
      out += *p;
    }
  }
  return out;
}

// repair(path, options) → Promise<report>. options carries the SSTable
// settings (blockSize, blockRestartInterval, bloomBitsPerKey, compression)
// for the tables repair writes; lib/engine.cjs fills in defaults.
Napi::Value Repair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) return ThrowTypeError(env, "path must be a string");
  if (!info[1].IsObject()) return ThrowTypeError(env, "options must be an object");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  if (path.empty()) return ThrowTypeError(env, "path must not be empty");
  Napi::Object o = info[1].As<Napi::Object>();
  Options opt;
  if (!GetInt(env, o, "blockSize", &opt.block_size) ||
      !GetInt(env, o, "blockRestartInterval", &opt.block_restart_interval) ||
      !GetInt(env, o, "bloomBitsPerKey", &opt.bloom_bits_per_key) ||
      !GetEnum(env, o, "compression", &opt.compression)) {
    return env.Undefined();
  }
  // The engine's one option policy decides the values (as for open()).
  Status s = CheckOptions(opt);
  if (!s.ok()) return ThrowStatus(env, s);
  auto* w = new RepairWorker(env, std::move(path), opt);
  return w->Start();
}

// inspect(path) → { files: [{ name, kind, number, size }], options, optionsError }
// without opening the DB (InspectDB: no lock, nothing written). options is
// the OPTIONS file as stored, with each Options field under its name in
// open()'s spelling (memtable_size → memtableSize) and the other entries
// (format_version, comparator, extra.*) as written; null when the file is
// absent or unreadable, and optionsError is then the FlowDBError reading it
// gave (null when it is merely absent). Throws FLOWDB_NOT_FOUND if path does
// not exist, FLOWDB_IO_ERROR if it cannot be listed. Synchronous: it reads
// one directory listing and a file of at most 64 KiB.
Napi::Value Inspect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) return ThrowTypeError(env, "path must be a string");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  if (path.empty()) return ThrowTypeError(env, "path must not be empty");
  DBDirectoryInfo dir;
  Status s = InspectDB(path, &dir);
  if (!s.ok()) return ThrowStatus(env, s);
  Napi::Array files = Napi::Array::New(env, dir.files.size());
  for (size_t i = 0; i < dir.files.size(); i++) {
    const DBFileInfo& f = dir.files[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", f.name);
    o.Set("kind", f.kind);
    o.Set("number", static_cast<double>(f.number));
    o.Set("size", static_cast<double>(f.size));
    files.Set(static_cast<uint32_t>(i), o);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("files", files);
  if (dir.options_status.ok()) {
    // Fields of Options are stored under their C++ names; the other
    // entries carry '.' or are format markers and keep their spelling.
    static const char* const kVerbatim[] = {"format_version", "comparator"};
    Napi::Object options = Napi::Object::New(env);
    for (const auto& [name, value] : dir.options) {
      bool verbatim = name.find('.') != std::string::npos;
      for (const char* v : kVerbatim) verbatim = verbatim || name == v;
      options.Set(verbatim ? name : CamelCase(name.c_str()), value);
    }
    out.Set("options", options);
    out.Set("optionsError", env.Null());
  } else {
    out.Set("options", env.Null());
    out.Set("optionsError", dir.options_status.IsNotFound() ? env.Null()
                                                             : MakeError(env, dir.options_status));
  }
  return out;
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
  Napi::Object wal_recovery = Napi::Object::New(env);
  wal_recovery.Set("strict", static_cast<double>(WalRecovery::kStrict));
  wal_recovery.Set("salvage", static_cast<double>(WalRecovery::kSalvage));
  wal_recovery.Freeze();
  c.Set("walRecoveryModes", wal_recovery);
  Napi::Object comp = Napi::Object::New(env);
  comp.Set("none", static_cast<double>(Compression::kNone));
  comp.Set("lz4", static_cast<double>(Compression::kLZ4));
  comp.Freeze();
  c.Set("compression", comp);
  c.Set("formatVersion", FormatVersion());
  c.Set("maxKeySize", static_cast<double>(WriteBatch::kMaxKeySize));
  c.Set("maxValueSize", static_cast<double>(WriteBatch::kMaxValueSize));
  // The WriteBatch encoding lib/encoding.cjs writes.
  Napi::Object batch = Napi::Object::New(env);
  batch.Set("headerSize", static_cast<double>(WriteBatch::kHeaderSize));
  Napi::Object tags = Napi::Object::New(env);
  tags.Set("delete", static_cast<double>(WriteBatch::kTagDelete));
  tags.Set("put", static_cast<double>(WriteBatch::kTagPut));
  tags.Set("putExpiring", static_cast<double>(WriteBatch::kTagPutExpiring));
  tags.Set("deleteRange", static_cast<double>(WriteBatch::kTagDeleteRange));
  tags.Freeze();
  batch.Set("entryTypes", tags);
  batch.Freeze();
  c.Set("batchFormat", batch);
  // What getInto/getLatestInto return besides a byte count or a Buffer.
  Napi::Object into = Napi::Object::New(env);
  into.Set("notFound", kIntoNotFound);
  into.Set("wouldBlock", kIntoWouldBlock);
  into.Freeze();
  c.Set("getIntoResults", into);
  c.Set("nextvEntryHeaderSize", static_cast<double>(kNextvEntryHeaderSize));
  // { min, max } (and `excluded` when one value inside is refused) of each
  // numeric open() option, by its name in open()'s options object.
  Napi::Object limits = Napi::Object::New(env);
  for (const OptionLimit& l : OptionLimits()) {
    Napi::Object r = Napi::Object::New(env);
    r.Set("min", static_cast<double>(l.min));
    r.Set("max", static_cast<double>(l.max));
    if (l.excluded != OptionLimit::kNotExcluded) r.Set("excluded", static_cast<double>(l.excluded));
    r.Freeze();
    limits.Set(CamelCase(l.field), r);
  }
  limits.Freeze();
  c.Set("optionLimits", limits);
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
  data->change_feed_class = Napi::Persistent(ChangeFeedWrap::Define(env));
  env.AddCleanupHook([env]() { CloseAllEngines(env); });
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("repair", Napi::Function::New(env, Repair, "repair"));
  exports.Set("inspect", Napi::Function::New(env, Inspect, "inspect"));
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
