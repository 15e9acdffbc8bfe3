#include "doc_cursor.h"

#include <cstring>

#include "addon_data.h"
#include "convert.h"
#include "errors.h"
#include "worker.h"

namespace flowdb::binding {

namespace {

// Tags the External that carries a cursor's state into the constructor.
const napi_type_tag kDocCursorTag = {0x3c9a0e6b51f24d87ull, 0x9b17d2c48e6a035full};

struct CursorInit {
  std::shared_ptr<EngineHandle> handle;
  std::shared_ptr<DocCursorState> state;
};

class DocNextvWorker final : public PromiseWorker {
 public:
  DocNextvWorker(Napi::Env env, std::shared_ptr<EngineHandle> h, std::shared_ptr<DocCursorState> state,
                 uint32_t max_entries, size_t max_bytes)
      : PromiseWorker(env, "flowdb.jsondb.nextv", std::move(h)), state_(std::move(state)),
        max_entries_(max_entries), max_bytes_(max_bytes) {}

  // Moves the cursor (DocCursor::Seek) before this chunk is read.
  void SetSeek(std::string key, bool has_primary_key, std::string primary_key) {
    has_seek_ = true;
    seek_key_ = std::move(key);
    has_seek_primary_key_ = has_primary_key;
    seek_primary_key_ = std::move(primary_key);
  }

  Status Run() override {
    DocCursorState& s = *state_;
    // A read queued before the cursor was closed still runs (its caller may
    // be waiting for it; the JS reader drops a chunk nobody waits for).
    if (s.txn->ended()) return Status::TransactionInactive("the transaction has ended");
    if (!s.opened) {
      s.opened = true;
      Transaction* txn = s.txn->txn();
      FLOWDB_RETURN_IF_ERROR(s.spec.is_query ? txn->RunQuery(s.spec.query, &s.cursor)
                                             : txn->OpenCursor(s.spec.source, s.spec.options, &s.cursor));
    }
    if (has_seek_) {
      FLOWDB_RETURN_IF_ERROR(s.cursor->Seek(seek_key_, has_seek_primary_key_ ? &seek_primary_key_ : nullptr));
    }
    size_t bytes = 0;
    values_.assign(1, '[');
    // Keys are copied back to back into one buffer each (no allocation per
    // record); a store cursor's primary keys are its keys, kept once.
    size_t count = 0;
    while (count < max_entries_ && bytes < max_bytes_) {
      if (!s.cursor->Next()) {
        FLOWDB_RETURN_IF_ERROR(s.cursor->status());
        done_ = true;
        break;
      }
      if (count > 0) values_.push_back(',');
      std::string_view key = s.cursor->key(), pk = s.cursor->primary_key(), value = s.cursor->value();
      keys_.append(key);
      key_ends_.push_back(keys_.size());
      if (pks_differ_ || pk != key) {
        if (!pks_differ_) {
          // The first record whose primary key is not its key: the earlier
          // ones had equal keys.
          pks_differ_ = true;
          primary_keys_ = std::string_view(keys_).substr(0, keys_.size() - key.size());
          pk_ends_.assign(key_ends_.begin(), key_ends_.end() - 1);
        }
        primary_keys_.append(pk);
        pk_ends_.push_back(primary_keys_.size());
      }
      if (s.spec.binary_values) {
        binary_.emplace_back(value);
      } else {
        values_.append(value);
      }
      bytes += key.size() + pk.size() + value.size();
      count++;
    }
    values_.push_back(']');
    return Status::OK();
  }

  Napi::Value Result(Napi::Env env) override {
    if (done_) state_->ended = true;
    Napi::Object out = Napi::Object::New(env);
    out.Set("count", Napi::Number::New(env, static_cast<double>(key_ends_.size())));
    out.Set("done", Napi::Boolean::New(env, done_));
    Napi::Value keys = PackedDocKeysToJs(env, keys_, key_ends_);
    if (keys.IsEmpty()) return Napi::Value();
    out.Set("keys", keys);
    // A store cursor's keys are its primary keys: sent once.
    if (pks_differ_) {
      Napi::Value pks = PackedDocKeysToJs(env, primary_keys_, pk_ends_);
      if (pks.IsEmpty()) return Napi::Value();
      out.Set("primaryKeys", pks);
    }
    if (state_->spec.binary_values) {
      Napi::Array values = Napi::Array::New(env, binary_.size());
      for (size_t i = 0; i < binary_.size(); i++) values.Set(static_cast<uint32_t>(i), CopyToBuffer(env, binary_[i]));
      out.Set("values", values);
    } else {
      out.Set("values", Napi::String::New(env, values_));
    }
    return out;
  }


  void Settle() override {
    state_->in_flight = false;
    std::shared_ptr<TxnState> txn = state_->txn;
    if (state_->release_requested) state_->ReleaseCursor();
    txn->Done();
  }

 private:
  std::shared_ptr<DocCursorState> state_;
  uint32_t max_entries_;
  size_t max_bytes_;
  std::string keys_, primary_keys_;      // encoded keys back to back
  std::vector<size_t> key_ends_, pk_ends_;
  bool pks_differ_ = false;  // some primary key differs from its key
  std::string values_;
  std::vector<std::string> binary_;  // binary_values cursors
  bool done_ = false;
  bool has_seek_ = false;
  std::string seek_key_;
  bool has_seek_primary_key_ = false;
  std::string seek_primary_key_;
};

}  // namespace

bool ToCursorSpec(const Napi::CallbackInfo& info, bool is_query, DocCursorSpec* spec) {
  Napi::Env env = info.Env();
  spec->is_query = is_query;
  if (is_query) return ToDocQuery(env, info[0], info[1], &spec->query);
  if (!ToWtf8Name(env, info[0], "store", &spec->source.store)) return false;
  if (info[1].IsString()) {
    if (!ToWtf8Name(env, info[1], "index", &spec->source.index)) return false;
  } else if (!info[1].IsNull() && !info[1].IsUndefined()) {
    ThrowTypeError(env, "index must be a string or null");
    return false;
  }
  if (!ToDocRange(env, info[2], "range", &spec->options.range)) return false;
  std::string d = info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : "";
  if (d == "next") spec->options.direction = CursorDirection::kNext;
  else if (d == "prev") spec->options.direction = CursorDirection::kPrev;
  else if (d == "nextunique") spec->options.direction = CursorDirection::kNextUnique;
  else if (d == "prevunique") spec->options.direction = CursorDirection::kPrevUnique;
  else {
    ThrowRangeError(env, "direction must be 'next', 'prev', 'nextunique' or 'prevunique'");
    return false;
  }
  if (info.Length() > 4 && !info[4].IsUndefined()) {
    if (!info[4].IsBoolean()) {
      ThrowTypeError(env, "binaryValues must be a boolean");
      return false;
    }
    spec->binary_values = info[4].As<Napi::Boolean>().Value();
  }
  if (info.Length() > 5 && !info[5].IsUndefined()) {
    if (!info[5].IsBoolean()) {
      ThrowTypeError(env, "keysOnly must be a boolean");
      return false;
    }
    spec->options.keys_only = info[5].As<Napi::Boolean>().Value();
  }
  return true;
}

DocCursorState::DocCursorState(std::shared_ptr<TxnState> t, bool owns, DocCursorSpec s)
    : txn(std::move(t)), owns_txn(owns), spec(std::move(s)) {
  txn->cursors().insert(this);
}

DocCursorState::~DocCursorState() {
  cursor.reset();
  txn->cursors().erase(this);
  if (owns_txn) txn->Release();
}

void DocCursorState::ReleaseCursor() {
  if (released && !release_requested) return;
  if (in_flight) {
    release_requested = true;
    return;
  }
  release_requested = false;
  released = true;
  cursor.reset();  // before the transaction it reads
  txn->cursors().erase(this);
  if (owns_txn) txn->Release();
}

Napi::Function DocCursorWrap::Define(Napi::Env env) {
  return DefineClass(env, "DocCursor",
                     {
                         InstanceMethod<&DocCursorWrap::Nextv>("nextv"),
                         InstanceMethod<&DocCursorWrap::Close>("close"),
                     });
}

Napi::Value DocCursorWrap::NewInstance(Napi::Env env, std::shared_ptr<EngineHandle> handle,
                                       std::shared_ptr<TxnState> txn, bool owns_txn, DocCursorSpec spec) {
  auto init = std::make_unique<CursorInit>(CursorInit{std::move(handle), nullptr});
  init->state = std::make_shared<DocCursorState>(std::move(txn), owns_txn, std::move(spec));
  napi_value ext;
  if (napi_create_external(
          env, init.get(), [](napi_env, void* p, void*) { delete static_cast<CursorInit*>(p); },
          nullptr, &ext) != napi_ok) {
    return Napi::Value();
  }
  init.release();  // the External's finalizer owns it now
  if (napi_type_tag_object(env, ext, &kDocCursorTag) != napi_ok) return Napi::Value();
  return NewFromClass(env, GetAddonData(env)->doc_cursor_class, ext);
}

DocCursorWrap::DocCursorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DocCursorWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !IsTaggedExternal(env, info[0], &kDocCursorTag)) {
    ThrowTypeError(env, "DocCursor cannot be constructed directly: use store.iterate()");
    return;
  }
  CursorInit* init = info[0].As<Napi::External<CursorInit>>().Data();
  handle_ = init->handle;
  state_ = init->state;
}

DocCursorWrap::~DocCursorWrap() {
  if (state_) state_->ReleaseCursor();
}

Napi::Value DocCursorWrap::Nextv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!state_) return ThrowTypeError(env, "invalid DocCursor object");
  uint64_t max_entries, max_bytes;
  if (!ToUint64(env, info[0], "maxEntries", &max_entries) || !ToUint64(env, info[1], "maxBytes", &max_bytes)) {
    return env.Undefined();
  }
  if (max_entries == 0 || max_entries > 1000000) return ThrowRangeError(env, "maxEntries must be between 1 and 1000000");
  if (handle_->closing) return ThrowStatus(env, Status::Closed());
  if (state_->released || state_->release_requested) {
    return ThrowStatus(env, Status::InvalidArgument("the cursor is closed"));
  }
  if (state_->in_flight) return ThrowStatus(env, Status::Busy("a nextv of this cursor is in flight"));
  if (state_->ended) {
    // Exhausted: an empty, final chunk without a worker trip.
    Napi::Object out = Napi::Object::New(env);
    out.Set("count", Napi::Number::New(env, 0));
    out.Set("done", Napi::Boolean::New(env, true));
    out.Set("keys", Napi::Array::New(env));
    out.Set("primaryKeys", Napi::Array::New(env));
    out.Set("values", state_->spec.binary_values ? Napi::Value(Napi::Array::New(env)) : Napi::String::New(env, "[]"));
    return ResolvedPromise(env, out);
  }
  // Optional seek (IndexedDB continue(key) / continuePrimaryKey(key, pk)).
  bool has_seek = info.Length() > 2 && !info[2].IsUndefined();
  bool has_pk = info.Length() > 3 && !info[3].IsUndefined();
  std::string seek_key, seek_pk;
  if (has_seek && !ToDocKey(env, info[2], "key", &seek_key)) return env.Undefined();
  if (has_pk && (!has_seek || !ToDocKey(env, info[3], "primaryKey", &seek_pk))) {
    if (!has_seek) return ThrowTypeError(env, "primaryKey needs a key");
    return env.Undefined();
  }
  auto* w = new DocNextvWorker(env, handle_, state_, static_cast<uint32_t>(max_entries), max_bytes);
  if (has_seek) w->SetSeek(std::move(seek_key), has_pk, std::move(seek_pk));
  Napi::Value promise = state_->txn->Start(w);
  if (!promise.IsEmpty()) state_->in_flight = true;  // until the worker's Settle()
  return promise;
}

Napi::Value DocCursorWrap::Close(const Napi::CallbackInfo& info) {
  if (state_) state_->ReleaseCursor();
  return info.Env().Undefined();
}

}  // namespace flowdb::binding
