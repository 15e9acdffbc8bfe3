#include "doc_calls.h"

#include <cmath>
#include <cstring>
#include <functional>

#include "convert.h"
#include "doc_cursor.h"
#include "errors.h"
#include "jsondb.h"

namespace flowdb::binding {

namespace {

// Store and index names as WTF-8 (convert.h); the other strings this reads
// (directions, ops, paths) are ASCII or identifiers, the same in UTF-8.
bool ToName(Napi::Env env, Napi::Value v, const char* what, std::string* out) {
  return ToWtf8Name(env, v, what, out);
}

// An index name, or null/undefined for the store itself.
bool ToSource(Napi::Env env, const std::string& store, Napi::Value index, DocSource* out) {
  out->store = store;
  if (index.IsNull() || index.IsUndefined()) return true;
  return ToName(env, index, "index", &out->index);
}

// `key` (a point) when given, else `range` (a KeyRange or null).
bool ToPointOrRange(Napi::Env env, Napi::Value key, Napi::Value range, KeyRange* out, bool* point) {
  *point = !key.IsUndefined();
  if (*point) {
    std::string k;
    if (!ToDocKey(env, key, "key", &k)) return false;
    *out = KeyRange::Only(std::move(k));
    return true;
  }
  return ToDocRange(env, range, "range", out);
}

bool ToDirection(Napi::Env env, Napi::Value v, CursorDirection* out) {
  std::string d;
  if (!ToName(env, v, "direction", &d)) return false;
  if (d == "next") *out = CursorDirection::kNext;
  else if (d == "prev") *out = CursorDirection::kPrev;
  else if (d == "nextunique") *out = CursorDirection::kNextUnique;
  else if (d == "prevunique") *out = CursorDirection::kPrevUnique;
  else {
    ThrowRangeError(env, "direction must be 'next', 'prev', 'nextunique' or 'prevunique'");
    return false;
  }
  return true;
}

// A limit: -1 (none) or a non-negative integer.
bool ToLimit(Napi::Env env, Napi::Value v, uint64_t* out) {
  if (v.IsNumber() && v.As<Napi::Number>().DoubleValue() == -1) {
    *out = std::numeric_limits<uint64_t>::max();
    return true;
  }
  return ToUint64(env, v, "limit", out);
}

class StoreCall : public DocCall {
 public:
  explicit StoreCall(std::string store) : store_(std::move(store)) {}
  const std::string& store() const override { return store_; }

 protected:
  std::string store_;
};

class PutCall final : public StoreCall {
 public:
  PutCall(std::string store, std::string json, bool has_key, std::string key, bool no_overwrite)
      : StoreCall(std::move(store)), json_(std::move(json)), has_key_(has_key),
        key_(std::move(key)), no_overwrite_(no_overwrite) {}
  bool writes() const override { return true; }
  Status Run(Transaction* txn) override {
    const std::string* key = has_key_ ? &key_ : nullptr;
    return no_overwrite_ ? txn->Add(store_, json_, key, &out_key_) : txn->Put(store_, json_, key, &out_key_);
  }
  Napi::Value Result(Napi::Env env) override { return DocKeyToJs(env, out_key_); }

 private:
  std::string json_;
  bool has_key_;
  std::string key_;
  bool no_overwrite_;
  std::string out_key_;
};

class PutManyCall final : public StoreCall {
 public:
  // `texts`: the documents' JSON texts, each ended by '\n' (JSON text
  // never holds a raw newline), `count` of them.
  PutManyCall(std::string store, std::string texts, size_t count)
      : StoreCall(std::move(store)), texts_(std::move(texts)), count_(count) {}
  bool writes() const override { return true; }
  Status Run(Transaction* txn) override {
    std::vector<std::string_view> views;
    views.reserve(count_);
    std::string_view rest = texts_;
    while (!rest.empty()) {
      size_t end = rest.find('\n');
      if (end == std::string_view::npos) break;
      views.push_back(rest.substr(0, end));
      rest.remove_prefix(end + 1);
    }
    if (views.size() != count_ || !rest.empty()) {
      return Status::InvalidArgument("putMany: the documents do not match their count");
    }
    keys_.clear();
    return txn->PutMany(store_, views, &keys_);
  }
  Napi::Value Result(Napi::Env env) override {
    return DocKeysToJs(env, std::vector<std::string_view>(keys_.begin(), keys_.end()));
  }

 private:
  std::string texts_;
  size_t count_;
  std::vector<std::string> keys_;
};

// get and getKey: the first record in a range (or at a key).
class GetCall final : public StoreCall {
 public:
  GetCall(DocSource source, KeyRange range, bool point, bool keys_only, bool binary = false)
      : StoreCall(source.store), source_(std::move(source)), range_(std::move(range)),
        point_(point), keys_only_(keys_only), binary_(binary) {}
  Status Run(Transaction* txn) override {
    if (point_ && source_.index.empty() && !keys_only_) {
      return txn->Get(source_.store, range_.lower, &record_.value, &found_);
    }
    return txn->GetFirst(source_, range_, keys_only_, &record_, &found_);
  }
  Napi::Value Result(Napi::Env env) override {
    if (!found_) return env.Undefined();
    if (keys_only_) return DocKeyToJs(env, record_.primary_key);
    if (binary_) return CopyToBuffer(env, record_.value);
    return Napi::String::New(env, record_.value);
  }

 private:
  DocSource source_;
  KeyRange range_;
  bool point_;
  bool keys_only_;
  bool binary_;  // the value as a Buffer (opaque stores), not JSON text
  DocRecord record_;
  bool found_ = false;
};

class GetAllCall final : public StoreCall {
 public:
  GetAllCall(DocSource source, ReadRangeOptions options, bool binary = false)
      : StoreCall(source.store), source_(std::move(source)), options_(std::move(options)), binary_(binary) {}
  Status Run(Transaction* txn) override {
    records_.clear();
    text_.clear();
    keys_.clear();
    key_ends_.clear();
    if (binary_ && !options_.keys_only) return txn->GetAll(source_, options_, &records_);
    if (options_.keys_only) {
      // The primary keys back to back, key_ends_ marking where each ends.
      return txn->ForEach(source_, options_, [this](const DocCursor& c) {
        keys_.append(c.primary_key());
        key_ends_.push_back(keys_.size());
        return true;
      });
    }
    // The documents as one JSON array text, written as they are read.
    text_.push_back('[');
    Status s = txn->ForEach(source_, options_, [this](const DocCursor& c) {
      std::string_view v = c.value();
      if (text_.size() > 1) text_.push_back(',');
      text_.append(v);
      return true;
    });
    text_.push_back(']');
    return s;
  }
  Napi::Value Result(Napi::Env env) override {
    if (!options_.keys_only && binary_) {
      Napi::Array values = Napi::Array::New(env, records_.size());
      for (size_t i = 0; i < records_.size(); i++) {
        values.Set(static_cast<uint32_t>(i), CopyToBuffer(env, records_[i].value));
      }
      return values;
    }
    if (!options_.keys_only) return Napi::String::New(env, text_);
    return PackedDocKeysToJs(env, keys_, key_ends_);
  }

 private:
  DocSource source_;
  ReadRangeOptions options_;
  bool binary_;  // values as Buffers (opaque stores), not one JSON array text
  std::vector<DocRecord> records_;  // binary values
  std::string text_;                // JSON values: "[doc,doc,...]"
  std::string keys_;                // keys only: the encoded primary keys
  std::vector<size_t> key_ends_;
};

// putValue(store, value, key, indexKeys, noOverwrite): an opaque value with
// the caller's keys (Transaction::PutValue).
class PutValueCall final : public StoreCall {
 public:
  PutValueCall(std::string store, std::string value, std::string key, std::vector<ValueIndexKeys> index_keys,
               bool no_overwrite)
      : StoreCall(std::move(store)), value_(std::move(value)), key_(std::move(key)),
        index_keys_(std::move(index_keys)), no_overwrite_(no_overwrite) {}
  bool writes() const override { return true; }
  Status Run(Transaction* txn) override { return txn->PutValue(store_, value_, key_, index_keys_, no_overwrite_); }
  Napi::Value Result(Napi::Env env) override { return DocKeyToJs(env, key_); }

 private:
  std::string value_;
  std::string key_;
  std::vector<ValueIndexKeys> index_keys_;
  bool no_overwrite_;
};

// putValues(puts): several putValue calls in one worker trip, each on its
// own: `puts` is an array of [store, value, key, indexKeys, noOverwrite].
// The result has, per put in order, null (written) or the FlowDBError it
// met (that put changed nothing; the others still ran, as separate
// IndexedDB requests do).
class PutValuesCall final : public DocCall {
 public:
  struct Item {
    std::string store;
    std::string value;
    std::string key;
    std::vector<ValueIndexKeys> index_keys;
    bool no_overwrite = false;
  };
  explicit PutValuesCall(std::vector<Item> items) : items_(std::move(items)) {}
  const std::string& store() const override { return items_.front().store; }
  bool writes() const override { return true; }
  Status Run(Transaction* txn) override {
    statuses_.clear();
    statuses_.reserve(items_.size());
    for (const Item& it : items_) {
      statuses_.push_back(txn->PutValue(it.store, it.value, it.key, it.index_keys, it.no_overwrite));
    }
    return Status::OK();
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, statuses_.size());
    for (size_t i = 0; i < statuses_.size(); i++) {
      Napi::Value v = statuses_[i].ok() ? env.Null() : MakeError(env, statuses_[i]);
      if (v.IsEmpty()) return Napi::Value();
      out.Set(static_cast<uint32_t>(i), v);
    }
    return out;
  }

 private:
  std::vector<Item> items_;
  std::vector<Status> statuses_;
};

// generateKey(store) → the key generator's next number;
// raiseKeyGenerator(store, n) → undefined.
class KeyGeneratorCall final : public StoreCall {
 public:
  KeyGeneratorCall(std::string store, bool raise, double n)
      : StoreCall(std::move(store)), raise_(raise), n_(n) {}
  bool writes() const override { return true; }
  Status Run(Transaction* txn) override {
    return raise_ ? txn->RaiseKeyGenerator(store_, n_) : txn->GenerateKey(store_, &n_);
  }
  Napi::Value Result(Napi::Env env) override {
    return raise_ ? env.Undefined() : Napi::Number::New(env, n_);
  }

 private:
  bool raise_;
  double n_;
};

// A schema change of a versionchange transaction (the Transaction method
// `op` runs), or txnSchema: the schema and version it sees.
class SchemaCall final : public StoreCall {
 public:
  SchemaCall(std::string store, std::function<Status(Transaction*)> op)
      : StoreCall(std::move(store)), op_(std::move(op)) {}
  bool writes() const override { return true; }
  Status Run(Transaction* txn) override {
    if (op_) return op_(txn);
    schema_ = txn->Schema();
    version_ = txn->version();
    return Status::OK();
  }
  Napi::Value Result(Napi::Env env) override {
    if (op_) return env.Undefined();
    Napi::Object o = Napi::Object::New(env);
    o.Set("version", Napi::Number::New(env, static_cast<double>(version_)));
    o.Set("stores", SchemaToJs(env, schema_));
    return o;
  }

 private:
  std::function<Status(Transaction*)> op_;  // empty: txnSchema
  std::vector<StoreSpec> schema_;
  uint64_t version_ = 0;
};

// putValue's index keys: an array of [indexName, keys] pairs, keys an array
// of JS keys (multiEntry already expanded).
bool ToValueIndexKeys(Napi::Env env, Napi::Value v, std::vector<ValueIndexKeys>* out) {
  if (v.IsUndefined() || v.IsNull()) return true;
  if (!v.IsArray()) {
    ThrowTypeError(env, "indexKeys must be an array of [indexName, keys] pairs");
    return false;
  }
  Napi::Array a = v.As<Napi::Array>();
  out->resize(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value pair = a.Get(i);
    if (!pair.IsArray() || pair.As<Napi::Array>().Length() != 2) {
      ThrowTypeError(env, "indexKeys must be an array of [indexName, keys] pairs");
      return false;
    }
    Napi::Array p = pair.As<Napi::Array>();
    if (!ToName(env, p.Get(0u), "index name", &(*out)[i].index)) return false;
    Napi::Value keys = p.Get(1u);
    if (!keys.IsArray()) {
      ThrowTypeError(env, "index keys must be an array of keys");
      return false;
    }
    Napi::Array k = keys.As<Napi::Array>();
    (*out)[i].keys.resize(k.Length());
    for (uint32_t j = 0; j < k.Length(); j++) {
      if (!ToDocKey(env, k.Get(j), "index key", &(*out)[i].keys[j])) return false;
    }
  }
  return true;
}

class CountCall final : public StoreCall {
 public:
  CountCall(DocSource source, KeyRange range)
      : StoreCall(source.store), source_(std::move(source)), range_(std::move(range)) {}
  Status Run(Transaction* txn) override { return txn->Count(source_, range_, &count_); }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(count_)); }

 private:
  DocSource source_;
  KeyRange range_;
  uint64_t count_ = 0;
};

class DeleteCall final : public StoreCall {
 public:
  DeleteCall(std::string store, KeyRange range) : StoreCall(std::move(store)), range_(std::move(range)) {}
  bool writes() const override { return true; }
  Status Run(Transaction* txn) override { return txn->Delete(store_, range_); }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }

 private:
  KeyRange range_;
};

class ClearCall final : public StoreCall {
 public:
  explicit ClearCall(std::string store) : StoreCall(std::move(store)) {}
  bool writes() const override { return true; }
  Status Run(Transaction* txn) override { return txn->Clear(store_); }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
};

// query(store, description, kind): kind 0 = the documents (a JSON array
// text), 1 = their count.
class QueryCall final : public StoreCall {
 public:
  QueryCall(Query query, bool count) : StoreCall(query.store), query_(std::move(query)), count_only_(count) {}
  Status Run(Transaction* txn) override {
    if (count_only_) return txn->CountQuery(query_, &count_);
    std::unique_ptr<DocCursor> cursor;
    FLOWDB_RETURN_IF_ERROR(txn->RunQuery(query_, &cursor));
    text_.assign(1, '[');
    bool first = true;
    while (cursor->Next()) {
      if (!first) text_.push_back(',');
      first = false;
      text_.append(cursor->value());
    }
    text_.push_back(']');
    return cursor->status();
  }
  Napi::Value Result(Napi::Env env) override {
    if (count_only_) return Napi::Number::New(env, static_cast<double>(count_));
    return Napi::String::New(env, text_);
  }

 private:
  Query query_;
  bool count_only_;
  uint64_t count_ = 0;
  std::string text_;
};

bool ReadRangeArgs(const Napi::CallbackInfo& info, DocSource* source, ReadRangeOptions* options) {
  Napi::Env env = info.Env();
  std::string store;
  return ToName(env, info[0], "store", &store) && ToSource(env, store, info[1], source) &&
         ToDocRange(env, info[2], "range", &options->range) && ToLimit(env, info[3], &options->limit) &&
         ToDirection(env, info[4], &options->direction);
}

}  // namespace

bool ToDocRange(Napi::Env env, Napi::Value v, const char* what, KeyRange* out) {
  *out = KeyRange::All();
  if (v.IsNull() || v.IsUndefined()) return true;
  if (!v.IsObject()) {
    ThrowTypeError(env, std::string(what) + " must be a KeyRange");
    return false;
  }
  Napi::Object o = v.As<Napi::Object>();
  Napi::Value lower = o.Get("lower"), upper = o.Get("upper");
  if (env.IsExceptionPending()) return false;
  if (!lower.IsUndefined()) {
    out->has_lower = true;
    if (!ToDocKey(env, lower, "range.lower", &out->lower)) return false;
    if (!ToBool(env, o.Get("lowerOpen"), "range.lowerOpen", &out->lower_open)) return false;
  }
  if (!upper.IsUndefined()) {
    out->has_upper = true;
    if (!ToDocKey(env, upper, "range.upper", &out->upper)) return false;
    if (!ToBool(env, o.Get("upperOpen"), "range.upperOpen", &out->upper_open)) return false;
  }
  return true;
}

namespace {

// A query description from lib/jsondb/query-builder.cjs as a flowdb::Query.
bool ToQuery(Napi::Env env, const std::string& store, Napi::Value v, Query* q) {
  if (!v.IsObject()) {
    ThrowTypeError(env, "query must be an object");
    return false;
  }
  Napi::Object o = v.As<Napi::Object>();
  q->store = store;
  Napi::Value where = o.Get("where");
  if (!where.IsArray()) {
    ThrowTypeError(env, "query.where must be an array");
    return false;
  }
  Napi::Array preds = where.As<Napi::Array>();
  for (uint32_t i = 0; i < preds.Length(); i++) {
    Napi::Value pv = preds.Get(i);
    if (!pv.IsObject()) {
      ThrowTypeError(env, "query.where entries must be objects");
      return false;
    }
    Napi::Object p = pv.As<Napi::Object>();
    QueryPredicate pred;
    std::string op;
    if (!ToName(env, p.Get("path"), "query path", &pred.path) || !ToName(env, p.Get("op"), "query op", &op)) {
      return false;
    }
    if (op == "eq") {
      pred.op = QueryPredicate::Op::kEq;
      if (!ToDocKey(env, p.Get("value"), "query value", &pred.value)) return false;
    } else if (op == "in") {
      pred.op = QueryPredicate::Op::kIn;
      Napi::Value vals = p.Get("values");
      if (!vals.IsArray()) {
        ThrowTypeError(env, "query values must be an array");
        return false;
      }
      Napi::Array a = vals.As<Napi::Array>();
      pred.values.resize(a.Length());
      for (uint32_t j = 0; j < a.Length(); j++) {
        if (!ToDocKey(env, a.Get(j), "query value", &pred.values[j])) return false;
      }
    } else if (op == "range") {
      pred.op = QueryPredicate::Op::kRange;
      KeyRange& r = pred.range;
      for (const char* name : {"gt", "gte", "lt", "lte"}) {
        Napi::Value b = p.Get(name);
        if (b.IsUndefined()) continue;
        bool lower = name[0] == 'g';
        bool open = name[2] == '\0';
        if (!ToDocKey(env, b, "query bound", lower ? &r.lower : &r.upper)) return false;
        (lower ? r.has_lower : r.has_upper) = true;
        (lower ? r.lower_open : r.upper_open) = open;
      }
    } else {
      ThrowRangeError(env, "query op must be 'eq', 'in' or 'range'");
      return false;
    }
    q->where.push_back(std::move(pred));
  }
  Napi::Value order = o.Get("orderBy");
  if (order.IsObject()) {
    Napi::Object ob = order.As<Napi::Object>();
    std::string direction;
    if (!ToName(env, ob.Get("path"), "orderBy path", &q->order_by) ||
        !ToName(env, ob.Get("direction"), "orderBy direction", &direction)) {
      return false;
    }
    q->has_order = true;
    q->descending = direction == "desc";
  }
  Napi::Value offset = o.Get("offset"), limit = o.Get("limit");
  if (!ToUint64(env, offset, "query offset", &q->offset)) return false;
  if (limit.IsNumber() && std::isinf(limit.As<Napi::Number>().DoubleValue())) {
    q->limit = std::numeric_limits<uint64_t>::max();
  } else if (!ToUint64(env, limit, "query limit", &q->limit)) {
    return false;
  }
  return true;
}

}  // namespace

bool ToDocQuery(Napi::Env env, Napi::Value store, Napi::Value description, Query* q) {
  std::string name;
  return ToName(env, store, "store", &name) && ToQuery(env, name, description, q);
}

std::unique_ptr<DocCall> MakeDocCall(const Napi::CallbackInfo& info, const char* method) {
  Napi::Env env = info.Env();
  std::string m(method);
  std::string store;
  if (m == "setVersion") {
    uint64_t version;
    if (!ToUint64(env, info[0], "version", &version)) return nullptr;
    return std::make_unique<SchemaCall>("", [version](Transaction* t) { return t->SetVersion(version); });
  }
  if (m == "txnSchema") return std::make_unique<SchemaCall>("", nullptr);
  if (m == "putValues") {
    if (!info[0].IsArray() || info[0].As<Napi::Array>().Length() == 0) {
      ThrowTypeError(env, "puts must be a non-empty array of [store, value, key, indexKeys, noOverwrite]");
      return nullptr;
    }
    Napi::Array puts = info[0].As<Napi::Array>();
    std::vector<PutValuesCall::Item> items(puts.Length());
    for (uint32_t i = 0; i < puts.Length(); i++) {
      Napi::Value pv = puts.Get(i);
      if (!pv.IsArray() || pv.As<Napi::Array>().Length() != 5) {
        ThrowTypeError(env, "puts must be a non-empty array of [store, value, key, indexKeys, noOverwrite]");
        return nullptr;
      }
      Napi::Array p = pv.As<Napi::Array>();
      PutValuesCall::Item& it = items[i];
      if (!ToName(env, p.Get(0u), "store", &it.store) || !ToBytes(env, p.Get(1u), "value", &it.value) ||
          !ToDocKey(env, p.Get(2u), "key", &it.key) || !ToValueIndexKeys(env, p.Get(3u), &it.index_keys) ||
          !ToBool(env, p.Get(4u), "noOverwrite", &it.no_overwrite)) {
        return nullptr;
      }
    }
    return std::make_unique<PutValuesCall>(std::move(items));
  }
  if (!ToName(env, info[0], "store", &store)) return nullptr;
  if (m == "createObjectStore") {
    StoreSpec spec;
    spec.name = store;
    if (!ToDocKeyPath(env, info[1], &spec.key_path) || !ToBool(env, info[2], "autoIncrement", &spec.auto_increment) ||
        (!info[3].IsUndefined() && !ToBool(env, info[3], "opaqueValues", &spec.opaque_values))) {
      return nullptr;
    }
    return std::make_unique<SchemaCall>(store, [spec](Transaction* t) { return t->CreateObjectStore(spec); });
  }
  if (m == "deleteObjectStore") {
    return std::make_unique<SchemaCall>(store, [store](Transaction* t) { return t->DeleteObjectStore(store); });
  }
  if (m == "createIndex") {
    IndexSpec spec;
    if (!ToName(env, info[1], "index name", &spec.name) || !ToDocKeyPath(env, info[2], &spec.key_path) ||
        !ToBool(env, info[3], "unique", &spec.unique) || !ToBool(env, info[4], "multiEntry", &spec.multi_entry)) {
      return nullptr;
    }
    return std::make_unique<SchemaCall>(store, [store, spec](Transaction* t) { return t->CreateIndex(store, spec); });
  }
  if (m == "deleteIndex" || m == "renameObjectStore") {
    std::string name;
    if (!ToName(env, info[1], m == "deleteIndex" ? "index name" : "new name", &name)) return nullptr;
    if (m == "deleteIndex") {
      return std::make_unique<SchemaCall>(store, [store, name](Transaction* t) { return t->DeleteIndex(store, name); });
    }
    return std::make_unique<SchemaCall>(store, [store, name](Transaction* t) { return t->RenameObjectStore(store, name); });
  }
  if (m == "renameIndex") {
    std::string index, name;
    if (!ToName(env, info[1], "index name", &index) || !ToName(env, info[2], "new name", &name)) return nullptr;
    return std::make_unique<SchemaCall>(store,
                                        [store, index, name](Transaction* t) { return t->RenameIndex(store, index, name); });
  }
  if (m == "put") {
    std::string json, key;
    bool no_overwrite;
    if (!ToName(env, info[1], "document", &json)) return nullptr;
    bool has_key = !info[2].IsUndefined();
    if (has_key && !ToDocKey(env, info[2], "key", &key)) return nullptr;
    if (!ToBool(env, info[3], "noOverwrite", &no_overwrite)) return nullptr;
    return std::make_unique<PutCall>(std::move(store), std::move(json), has_key, std::move(key), no_overwrite);
  }
  if (m == "putMany") {
    std::string texts;
    uint64_t count;
    if (!ToName(env, info[1], "documents", &texts) || !ToUint64(env, info[2], "count", &count)) {
      return nullptr;
    }
    return std::make_unique<PutManyCall>(std::move(store), std::move(texts), static_cast<size_t>(count));
  }
  if (m == "get" || m == "getKey" || m == "getValue") {
    DocSource source;
    KeyRange range;
    bool point;
    if (!ToSource(env, store, info[1], &source) || !ToPointOrRange(env, info[2], info[3], &range, &point)) {
      return nullptr;
    }
    return std::make_unique<GetCall>(std::move(source), std::move(range), point, m == "getKey", m == "getValue");
  }
  if (m == "getAll" || m == "getAllKeys" || m == "getAllValues") {
    DocSource source;
    ReadRangeOptions options;
    if (!ReadRangeArgs(info, &source, &options)) return nullptr;
    options.keys_only = m == "getAllKeys";
    return std::make_unique<GetAllCall>(std::move(source), std::move(options), m == "getAllValues");
  }
  if (m == "putValue") {
    std::string value, key;
    std::vector<ValueIndexKeys> index_keys;
    bool no_overwrite;
    if (!ToBytes(env, info[1], "value", &value) || !ToDocKey(env, info[2], "key", &key) ||
        !ToValueIndexKeys(env, info[3], &index_keys) || !ToBool(env, info[4], "noOverwrite", &no_overwrite)) {
      return nullptr;
    }
    return std::make_unique<PutValueCall>(std::move(store), std::move(value), std::move(key),
                                          std::move(index_keys), no_overwrite);
  }
  if (m == "generateKey") return std::make_unique<KeyGeneratorCall>(std::move(store), false, 0);
  if (m == "raiseKeyGenerator") {
    if (!info[1].IsNumber() || std::isnan(info[1].As<Napi::Number>().DoubleValue())) {
      ThrowTypeError(env, "key must be a number");
      return nullptr;
    }
    return std::make_unique<KeyGeneratorCall>(std::move(store), true, info[1].As<Napi::Number>().DoubleValue());
  }
  if (m == "count") {
    DocSource source;
    KeyRange range;
    if (!ToSource(env, store, info[1], &source) || !ToDocRange(env, info[2], "range", &range)) return nullptr;
    return std::make_unique<CountCall>(std::move(source), std::move(range));
  }
  if (m == "delete") {
    KeyRange range;
    bool point;
    if (!ToPointOrRange(env, info[1], info[2], &range, &point)) return nullptr;
    return std::make_unique<DeleteCall>(std::move(store), std::move(range));
  }
  if (m == "clear") return std::make_unique<ClearCall>(std::move(store));
  if (m == "query") {
    Query q;
    uint32_t kind;
    if (!ToQuery(env, store, info[1], &q)) return nullptr;
    if (!info[2].IsNumber() || (kind = info[2].As<Napi::Number>().Uint32Value()) > 1) {
      ThrowRangeError(env, "query kind must be 0 (documents) or 1 (count)");
      return nullptr;
    }
    return std::make_unique<QueryCall>(std::move(q), kind == 1);
  }
  ThrowTypeError(env, "unknown document call");
  return nullptr;
}

const char* DocCallName(const char* method) {
  static const char* const kNames[][2] = {
      {"put", "flowdb.jsondb.put"},           {"putMany", "flowdb.jsondb.putMany"},
      {"get", "flowdb.jsondb.get"},           {"getKey", "flowdb.jsondb.getKey"},
      {"getAll", "flowdb.jsondb.getAll"},     {"getAllKeys", "flowdb.jsondb.getAllKeys"},
      {"count", "flowdb.jsondb.count"},       {"delete", "flowdb.jsondb.delete"},
      {"clear", "flowdb.jsondb.clear"},       {"query", "flowdb.jsondb.query"},
      {"getValue", "flowdb.jsondb.getValue"}, {"getAllValues", "flowdb.jsondb.getAllValues"},
      {"putValue", "flowdb.jsondb.putValue"}, {"generateKey", "flowdb.jsondb.generateKey"},
      {"putValues", "flowdb.jsondb.putValues"},
      {"raiseKeyGenerator", "flowdb.jsondb.raiseKeyGenerator"},
      {"createObjectStore", "flowdb.jsondb.createObjectStore"}, {"deleteObjectStore", "flowdb.jsondb.deleteObjectStore"},
      {"createIndex", "flowdb.jsondb.createIndex"}, {"deleteIndex", "flowdb.jsondb.deleteIndex"},
      {"renameObjectStore", "flowdb.jsondb.renameObjectStore"}, {"renameIndex", "flowdb.jsondb.renameIndex"},
      {"setVersion", "flowdb.jsondb.setVersion"}, {"txnSchema", "flowdb.jsondb.schema"},
  };
  for (const auto& n : kNames) {
    if (std::strcmp(n[0], method) == 0) return n[1];
  }
  return "flowdb.jsondb";
}

// --- TxnState -----------------------------------------------------------------

void TxnState::Enqueue(Napi::AsyncWorker* w) {
  if (busy_) {
    queued_.push_back(w);
    return;
  }
  busy_ = true;
  w->Queue();
}

Napi::Value TxnState::Start(PromiseWorker* w) {
  if (!w->HasPromise()) {
    delete w;
    return Napi::Value();
  }
  handle_->pending++;  // the worker's EndOp() counts it down as it settles
  Napi::Value p = w->Promise();
  Enqueue(w);
  return p;
}

void TxnState::Done() {
  busy_ = false;
  if (!queued_.empty()) {
    Napi::AsyncWorker* next = queued_.front();
    queued_.pop_front();
    busy_ = true;
    next->Queue();
    return;
  }
  if (release_requested_) ReleaseNow();
}

void TxnState::Release() {
  ended_ = true;
  if (busy_ || !queued_.empty()) {
    release_requested_ = true;
    return;
  }
  ReleaseNow();
}

void TxnState::ReleaseWhenIdle() {
  if (busy_ || !queued_.empty()) {
    release_requested_ = true;
    return;
  }
  ReleaseNow();
}

void TxnState::ReleaseNow() {
  ended_ = true;
  release_requested_ = false;
  if (txn_ == nullptr && cursors_.empty()) return;
  for (DocCursorState* c : std::set<DocCursorState*>(cursors_)) c->ReleaseCursor();
  cursors_.clear();
  txn_.reset();
}

}  // namespace flowdb::binding
