#include "transaction.h"

#include <algorithm>
#include <cmath>

#include "doc_cursor.h"
#include "doc_format.h"
#include "jsondb_impl.h"
#include "query.h"

namespace flowdb::doc {

namespace {

void SetReadSnapshot(ReadOptions* options, const Snapshot* snapshot) {
  options->snapshot = snapshot;
}

bool IsInline(const StoreInfo& store) { return store.key_path.kind != KeyPathSpec::Kind::kNone; }

// The index keys of request `i` (empty unless it yielded keys).
const std::vector<std::string>& KeysOf(const std::vector<PathKeys>& x, size_t i) {
  static const std::vector<std::string> kNone;
  return x[i].state == PathKeys::State::kKey ? x[i].keys : kNone;
}

}  // namespace

EngineRange ToEngineRange(const std::string& prefix, const KeyRange& range) {
  EngineRange r;
  if (range.has_lower) {
    r.begin = prefix + range.lower;
    if (range.lower_open) r.begin = PrefixSuccessor(r.begin);
  } else {
    r.begin = prefix;
  }
  if (range.has_upper) {
    r.end = prefix + range.upper;
    if (!range.upper_open) r.end = PrefixSuccessor(r.end);
  } else {
    r.end = PrefixSuccessor(prefix);
  }
  if (r.end < r.begin) r.end = r.begin;
  return r;
}

TransactionImpl::TransactionImpl(JsonDBImpl* db, std::shared_ptr<const Catalog> catalog,
                                 const TransactionOptions& options)
    : db_(db), catalog_(std::move(catalog)), mode_(options.mode) {
  versionchange_ = options.versionchange;
  base_generation_ = catalog_->generation;
  for (const auto& s : options.stores) scope_.insert(s);
  snapshot_ = db_->AcquireSnapshot(mode_ == TransactionMode::kReadWrite);
  snapshot_sequence_ = snapshot_->sequence();
  SetReadSnapshot(&read_options_, snapshot_);
  read_options_.memory_only = options.memory_only && mode_ == TransactionMode::kReadOnly;
  if (options.read_budget > 0 && mode_ == TransactionMode::kReadOnly) {
    read_budget_ = options.read_budget;
    budget_ = &read_budget_;
  }
}

TransactionImpl::~TransactionImpl() { Abort(); }

void TransactionImpl::Abort() {
  if (snapshot_ != nullptr) {
    db_->ReleaseSnapshot(snapshot_, mode_ == TransactionMode::kReadWrite);
    snapshot_ = nullptr;
  }
  active_ = false;
}

Status TransactionImpl::CheckActive() const {
  if (!active_) return Status::TransactionInactive("the transaction has finished");
  return Status::OK();
}

Status TransactionImpl::Resolve(std::string_view store, std::string_view index,
                                const StoreInfo** s, const IndexInfo** i) const {
  FLOWDB_RETURN_IF_ERROR(CheckActive());
  if (!scope_.empty() && scope_.find(store) == scope_.end()) {
    return Status::NotFound("object store not in the transaction's scope:", store);
  }
  const StoreInfo* info = catalog_->FindStore(store);
  if (info == nullptr) return Status::NotFound("no object store named", store);
  *s = info;
  if (i != nullptr) {
    *i = nullptr;
    if (!index.empty()) {
      *i = info->FindIndex(index);
      if (*i == nullptr) return Status::NotFound("no index named", index);
    }
  }
  return Status::OK();
}

Status TransactionImpl::CheckWritable(std::string_view store, const StoreInfo** info) {
  FLOWDB_RETURN_IF_ERROR(Resolve(store, {}, info, nullptr));
  if (mode_ != TransactionMode::kReadWrite) {
    return Status::TransactionReadOnly("write in a read-only transaction");
  }
  return Status::OK();
}

DocKeyExtractor* TransactionImpl::Extractor(const StoreInfo& store) {
  // Extractors (each with its own parser and buffers) are kept per thread
  // and reused by later transactions under the same schema; one is used only
  // within a call.
  thread_local std::map<std::pair<uint64_t, uint32_t>, std::unique_ptr<DocKeyExtractor>> cache;
  auto key = std::make_pair(catalog_->generation, store.id);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second.get();
  if (cache.size() >= 64) cache.clear();
  std::vector<KeyPathRequest> requests;
  if (IsInline(store)) requests.push_back({store.key_path, false});
  for (const auto& index : store.indexes) {
    requests.push_back({index.spec.key_path, index.spec.multi_entry});
  }
  auto& slot = cache[key];
  slot = std::make_unique<DocKeyExtractor>(std::move(requests));
  return slot.get();
}

void TransactionImpl::RecordPoint(const std::string& key) {
  if (mode_ != TransactionMode::kReadWrite) return;
  std::string end = key;
  end.push_back('\0');
  reads_.push_back({key, std::move(end)});
}

size_t TransactionImpl::RecordRange(size_t slot, std::string_view begin, std::string_view end) {
  if (mode_ != TransactionMode::kReadWrite) return slot;
  if (slot == kNewSlot || slot >= reads_.size()) {
    reads_.push_back({std::string(begin), std::string(end)});
    return reads_.size() - 1;
  }
  reads_[slot].begin.assign(begin);
  reads_[slot].end.assign(end);
  return slot;
}

Status TransactionImpl::ReadValue(const std::string& key, std::string* value, bool* found) {
  RecordPoint(key);
  switch (writes_.Find(key, value)) {
    case WriteSet::Lookup::kValue:
      *found = true;
      return Status::OK();
    case WriteSet::Lookup::kDeleted:
      *found = false;
      return Status::OK();
    case WriteSet::Lookup::kAbsent:
      break;
  }
  return ReadEngine(key, value, found);
}

Status TransactionImpl::ReadEngine(const std::string& key, std::string* value, bool* found) {
  if (budget_ != nullptr) {
    if (*budget_ == 0) return Status::WouldBlock("jsondb: the read budget is spent");
    --*budget_;
  }
  std::string v;
  Status s = db_->db()->Get(read_options_, key, 0, &v);
  if (s.IsNotFound()) {
    *found = false;
    return Status::OK();
  }
  FLOWDB_RETURN_IF_ERROR(s);
  *found = true;
  if (value != nullptr) *value = std::move(v);
  return Status::OK();
}

Status TransactionImpl::ReadValues(std::span<const std::string> keys,
                                   std::vector<std::string>* values, std::vector<bool>* found,
                                   std::vector<PointLookup>* lookups) {
  const size_t n = keys.size();
  values->resize(n);
  found->assign(n, false);
  lookups->clear();
  // Position in `keys` of each lookup: its key's view points into `keys`.
  thread_local std::vector<size_t> where;
  where.clear();
  for (size_t i = 0; i < n; i++) {
    RecordPoint(keys[i]);
    switch (writes_.Find(keys[i], &(*values)[i])) {
      case WriteSet::Lookup::kValue:
        (*found)[i] = true;
        break;
      case WriteSet::Lookup::kDeleted:
        break;
      case WriteSet::Lookup::kAbsent:
        lookups->push_back({keys[i], 0});
        where.push_back(i);
        break;
    }
  }
  if (lookups->empty()) return Status::OK();
  if (budget_ != nullptr) {
    if (*budget_ < lookups->size()) {
      *budget_ = 0;
      return Status::WouldBlock("jsondb: the read budget is spent");
    }
    *budget_ -= lookups->size();
  }
  thread_local std::vector<std::string> got;
  thread_local std::vector<Status> statuses;
  FLOWDB_RETURN_IF_ERROR(db_->db()->MultiGet(read_options_, *lookups, &got, &statuses));
  for (size_t j = 0; j < where.size(); j++) {
    if (statuses[j].IsNotFound()) continue;
    FLOWDB_RETURN_IF_ERROR(statuses[j]);
    (*found)[where[j]] = true;
    (*values)[where[j]].swap(got[j]);
  }
  return Status::OK();
}

std::unique_ptr<OverlayScan> TransactionImpl::NewScan(EngineRange range, bool reverse) {
  return std::make_unique<OverlayScan>(db_->db(), read_options_, &writes_, std::move(range),
                                       reverse, mode_ == TransactionMode::kReadWrite ? this : nullptr,
                                       budget_);
}

template <typename F>
Status TransactionImpl::Atomically(F&& body) {
  // Reads made by a failed call stay recorded: validating them is harmless.
  size_t mark = writes_.Mark();
  Status s = body();
  if (!s.ok()) writes_.RollbackTo(mark);
  // The outermost call is over: nothing will roll back to an earlier mark.
  writes_.ClearUndo();
  return s;
}

// --- key generator ---

Status TransactionImpl::NextGeneratedKey(const StoreInfo& store, double* key) {
  std::string gen_key = KeyGeneratorKey(store.id);
  std::string v;
  bool found = false;
  FLOWDB_RETURN_IF_ERROR(ReadValue(gen_key, &v, &found));
  uint64_t current = 1;
  if (found && !GetFixed64BE(v, &current)) return Status::Corruption("jsondb: malformed key generator");
  if (current > static_cast<uint64_t>(kMaxGeneratedKey)) {
    return Status::Constraint("the key generator of object store", store.name + " is exhausted");
  }
  *key = static_cast<double>(current);
  std::string next;
  PutFixed64BE(&next, current + 1);
  writes_.Put(gen_key, next);
  return Status::OK();
}

Status TransactionImpl::RaiseGenerator(const StoreInfo& store, double key) {
  if (!(key >= 1)) return Status::OK();
  std::string gen_key = KeyGeneratorKey(store.id);
  std::string v;
  bool found = false;
  FLOWDB_RETURN_IF_ERROR(ReadValue(gen_key, &v, &found));
  uint64_t current = 1;
  if (found && !GetFixed64BE(v, &current)) return Status::Corruption("jsondb: malformed key generator");
  double floor_key = std::floor(key);
  if (floor_key < static_cast<double>(current)) return Status::OK();
  uint64_t next = floor_key >= kMaxGeneratedKey ? static_cast<uint64_t>(kMaxGeneratedKey) + 1
                                                : static_cast<uint64_t>(floor_key) + 1;
  std::string enc;
  PutFixed64BE(&enc, next);
  writes_.Put(gen_key, enc);
  return Status::OK();
}

// --- writes ---

Status TransactionImpl::CheckUnique(const IndexInfo& index, std::string_view ikey,
                                    std::string_view pk) {
  std::string prefix = IndexEntryKey(index.id, ikey, {});
  auto scan = NewScan({prefix, PrefixSuccessor(prefix)}, false);
  while (scan->Next()) {
    if (scan->key().substr(prefix.size()) != pk) {
      return Status::Constraint("unique index", index.spec.name + " already holds this key");
    }
  }
  return scan->status();
}

Status TransactionImpl::PutOne(const StoreInfo& store, std::string_view json,
                               const std::string* key, bool add, std::string* out_key) {
  if (store.opaque_values) {
    return Status::InvalidArgument("object store", store.name + " holds opaque values: use PutValue");
  }
  DocKeyExtractor* extractor = Extractor(store);
  FLOWDB_RETURN_IF_ERROR(extractor->Extract(json, &scratch_));
  const size_t first_index = IsInline(store) ? 1 : 0;
  std::string pk;
  std::string injected;
  bool generated = false;
  if (IsInline(store)) {
    if (key != nullptr) {
      return Status::InvalidKey("object store", store.name + " uses in-line keys: no key argument");
    }
    const PathKeys& x = scratch_[0];
    if (x.state == PathKeys::State::kKey) {
      pk = x.keys[0];
    } else if (x.state == PathKeys::State::kMissing && store.auto_increment) {
      double n = 0;
      FLOWDB_RETURN_IF_ERROR(NextGeneratedKey(store, &n));
      FLOWDB_RETURN_IF_ERROR(InjectNumberKey(json, store.key_path.paths[0], n, &injected));
      json = injected;
      FLOWDB_RETURN_IF_ERROR(extractor->Extract(json, &scratch_));
      if (scratch_[0].state != PathKeys::State::kKey) {
        return Status::InvalidKey("the generated key could not be stored at the key path");
      }
      pk = scratch_[0].keys[0];
      generated = true;
    } else {
      return Status::InvalidKey("the document's key path \"" + store.key_path.paths[0] +
                                "\" does not yield a valid key");
    }
  } else if (key != nullptr) {
    FLOWDB_RETURN_IF_ERROR(CheckEncodedKey(*key));
    pk = *key;
  } else if (store.auto_increment) {
    double n = 0;
    FLOWDB_RETURN_IF_ERROR(NextGeneratedKey(store, &n));
    pk = EncodeNumberKey(n);
    generated = true;
  } else {
    return Status::InvalidKey("object store", store.name + " has out-of-line keys: a key is required");
  }
  if (store.auto_increment && !generated) {
    double v = 0;
    if (DecodeNumberKey(pk, &v)) FLOWDB_RETURN_IF_ERROR(RaiseGenerator(store, v));
  }

  size_t longest_index_key = 0;
  for (size_t i = 0; i < store.indexes.size(); i++) {
    for (const std::string& ikey : KeysOf(scratch_, first_index + i)) {
      longest_index_key = std::max(longest_index_key, ikey.size());
    }
  }
  FLOWDB_RETURN_IF_ERROR(CheckEngineSizes(pk, longest_index_key, json.size()));

  std::string doc_key = DocumentKey(store.id, pk);
  bool has_indexes = !store.indexes.empty();
  // Documents put in key order into a transaction that wrote nothing
  // before this call skip the write set's sorted map (WriteSet::CanAppend):
  // no pending write can hold their keys, so only the engine is read.
  // Unique checks scan the pending writes and key generators read them:
  // those stores take the map.
  bool append = !store.auto_increment && writes_.CanAppend(doc_key);
  for (const IndexInfo& index : store.indexes) append = append && !index.spec.unique;
  bool old_found = false;
  std::string old_json;
  if (add || has_indexes) {
    std::string* old = has_indexes ? &old_json : nullptr;
    if (append) RecordPoint(doc_key);
    FLOWDB_RETURN_IF_ERROR(append ? ReadEngine(doc_key, old, &old_found)
                                  : ReadValue(doc_key, old, &old_found));
    if (add && old_found) {
      return Status::Constraint("a document with this key already exists in object store",
                                store.name);
    }
  }
  if (old_found && has_indexes) {
    FLOWDB_RETURN_IF_ERROR(extractor->Extract(old_json, &old_scratch_));
  }
  // Unique checks before any index write.
  for (size_t i = 0; i < store.indexes.size(); i++) {
    const IndexInfo& index = store.indexes[i];
    if (!index.spec.unique) continue;
    for (const std::string& ikey : KeysOf(scratch_, first_index + i)) {
      FLOWDB_RETURN_IF_ERROR(CheckUnique(index, ikey, pk));
    }
  }
  // Index entry keys are built in one reused buffer: the write set copies
  // them into its arena.
  auto entry_key = [&](const IndexInfo& index, const std::string& ikey) -> std::string_view {
    entry_key_.clear();
    entry_key_.push_back(static_cast<char>(RecordKind::kIndexEntry));
    AppendId(&entry_key_, index.id);
    entry_key_.append(ikey);
    entry_key_.append(pk);
    return entry_key_;
  };
  auto write_entry = [&](const IndexInfo& index, const std::string& ikey, bool deleted) {
    std::string_view key = entry_key(index, ikey);
    if (append) {
      writes_.Append(key, {}, deleted);
    } else if (deleted) {
      writes_.Delete(key);
    } else {
      writes_.Put(key, {});
    }
  };
  for (size_t i = 0; i < store.indexes.size(); i++) {
    const IndexInfo& index = store.indexes[i];
    const auto& now = KeysOf(scratch_, first_index + i);
    if (old_found) {
      for (const std::string& ikey : KeysOf(old_scratch_, first_index + i)) {
        if (std::find(now.begin(), now.end(), ikey) == now.end()) write_entry(index, ikey, true);
      }
    }
    for (const std::string& ikey : now) write_entry(index, ikey, false);
  }
  if (append) {
    writes_.AppendRun(doc_key, json);
  } else {
    writes_.Put(doc_key, json);
  }
  written_stores_.insert(store.id);
  if (out_key != nullptr) *out_key = std::move(pk);
  return Status::OK();
}

Status TransactionImpl::Put(std::string_view store, std::string_view json, const std::string* key,
                            std::string* out_key) {
  const StoreInfo* info = nullptr;
  FLOWDB_RETURN_IF_ERROR(CheckWritable(store, &info));
  return Atomically([&] { return PutOne(*info, json, key, false, out_key); });
}

Status TransactionImpl::Add(std::string_view store, std::string_view json, const std::string* key,
                            std::string* out_key) {
  const StoreInfo* info = nullptr;
  FLOWDB_RETURN_IF_ERROR(CheckWritable(store, &info));
  return Atomically([&] { return PutOne(*info, json, key, true, out_key); });
}

Status TransactionImpl::PutMany(std::string_view store, const std::vector<std::string_view>& jsons,
                                std::vector<std::string>* out_keys) {
  const StoreInfo* info = nullptr;
  FLOWDB_RETURN_IF_ERROR(CheckWritable(store, &info));
  std::vector<std::string> keys;
  keys.reserve(jsons.size());
  Status s = Atomically([&]() -> Status {
    for (std::string_view json : jsons) {
      std::string k;
      FLOWDB_RETURN_IF_ERROR(PutOne(*info, json, nullptr, false, &k));
      keys.push_back(std::move(k));
    }
    return Status::OK();
  });
  if (s.ok() && out_keys != nullptr) *out_keys = std::move(keys);
  return s;
}

Status TransactionImpl::DeleteOne(const StoreInfo& store, const std::string& doc_key,
                                  std::string_view json) {
  if (!store.indexes.empty()) {
    DocKeyExtractor* extractor = Extractor(store);
    FLOWDB_RETURN_IF_ERROR(extractor->Extract(json, &old_scratch_));
    std::string_view pk = std::string_view(doc_key).substr(kIdPrefixSize);
    const size_t first_index = IsInline(store) ? 1 : 0;
    for (size_t i = 0; i < store.indexes.size(); i++) {
      for (const std::string& ikey : KeysOf(old_scratch_, first_index + i)) {
        writes_.Delete(IndexEntryKey(store.indexes[i].id, ikey, pk));
      }
    }
  }
  writes_.Delete(doc_key);
  return Status::OK();
}

Status TransactionImpl::Delete(std::string_view store, const KeyRange& range) {
  const StoreInfo* info = nullptr;
  FLOWDB_RETURN_IF_ERROR(CheckWritable(store, &info));
  if (range.Empty()) return Status::OK();
  written_stores_.insert(info->id);
  if (info->opaque_values) return Atomically([&] { return DeleteValues(*info, range); });
  std::string prefix = IdPrefix(RecordKind::kDocument, info->id);
  return Atomically([&]() -> Status {
    bool point = range.has_lower && range.has_upper && range.lower == range.upper;
    if (info->indexes.empty()) {
      // Nothing to maintain: no need to read the documents.
      if (point) {
        writes_.Delete(prefix + range.lower);
      } else {
        writes_.DeleteRange(ToEngineRange(prefix, range));
      }
      return Status::OK();
    }
    if (point) {
      std::string doc_key = prefix + range.lower;
      std::string json;
      bool found = false;
      FLOWDB_RETURN_IF_ERROR(ReadValue(doc_key, &json, &found));
      if (!found) return Status::OK();
      return DeleteOne(*info, doc_key, json);
    }
    std::vector<std::pair<std::string, std::string>> docs;
    auto scan = NewScan(ToEngineRange(prefix, range), false);
    while (scan->Next()) docs.emplace_back(scan->key(), scan->value());
    FLOWDB_RETURN_IF_ERROR(scan->status());
    for (const auto& [k, json] : docs) FLOWDB_RETURN_IF_ERROR(DeleteOne(*info, k, json));
    return Status::OK();
  });
}

Status TransactionImpl::Clear(std::string_view store) {
  const StoreInfo* info = nullptr;
  FLOWDB_RETURN_IF_ERROR(CheckWritable(store, &info));
  written_stores_.insert(info->id);
  std::string prefix = IdPrefix(RecordKind::kDocument, info->id);
  writes_.DeleteRange({prefix, PrefixSuccessor(prefix)});
  for (const auto& index : info->indexes) {
    std::string p = IdPrefix(RecordKind::kIndexEntry, index.id);
    writes_.DeleteRange({p, PrefixSuccessor(p)});
  }
  if (info->opaque_values) {
    std::string p = IdPrefix(RecordKind::kValueKeys, info->id);
    writes_.DeleteRange({p, PrefixSuccessor(p)});
  }
  writes_.ClearUndo();
  return Status::OK();
}

// --- reads ---

Status TransactionImpl::Get(std::string_view store, std::string_view key, std::string* value,
                            bool* found) {
  const StoreInfo* info = nullptr;
  FLOWDB_RETURN_IF_ERROR(Resolve(store, {}, &info, nullptr));
  return ReadValue(DocumentKey(info->id, key), value, found);
}

Status TransactionImpl::GetFirst(const DocSource& source, const KeyRange& range, bool keys_only,
                                 DocRecord* record, bool* found) {
  ReadRangeOptions options;
  options.range = range;
  options.limit = 1;
  options.keys_only = keys_only;
  std::vector<DocRecord> out;
  FLOWDB_RETURN_IF_ERROR(GetAll(source, options, &out));
  *found = !out.empty();
  if (*found) *record = std::move(out[0]);
  return Status::OK();
}

Status TransactionImpl::GetAll(const DocSource& source, const ReadRangeOptions& options,
                               std::vector<DocRecord>* out) {
  return ForEach(source, options, [out](const DocCursor& c) {
    DocRecord& r = out->emplace_back();
    r.key.assign(c.key());
    r.primary_key.assign(c.primary_key());
    r.value.assign(c.value());
    return true;
  });
}

Status TransactionImpl::ForEach(const DocSource& source, const ReadRangeOptions& options,
                                const std::function<bool(const DocCursor&)>& visit) {
  const StoreInfo* store = nullptr;
  const IndexInfo* index = nullptr;
  FLOWDB_RETURN_IF_ERROR(Resolve(source.store, source.index, &store, &index));
  // This loop steps the cursor up to options.limit times and no further:
  // it may read that far ahead.
  std::unique_ptr<DocCursor> cursor = NewDocCursor(this, *store, index, options, options.limit);
  for (uint64_t n = 0; n < options.limit && cursor->Next(); n++) {
    if (!visit(*cursor)) break;
  }
  return cursor->status();
}

Status TransactionImpl::Count(const DocSource& source, const KeyRange& range, uint64_t* count) {
  const StoreInfo* store = nullptr;
  const IndexInfo* index = nullptr;
  FLOWDB_RETURN_IF_ERROR(Resolve(source.store, source.index, &store, &index));
  std::string prefix = index == nullptr ? IdPrefix(RecordKind::kDocument, store->id)
                                        : IdPrefix(RecordKind::kIndexEntry, index->id);
  *count = 0;
  if (range.Empty()) return Status::OK();
  EngineRange engine_range = ToEngineRange(prefix, range);
  if (!writes_.empty()) {
    // Pending writes to merge: the overlay decides what the range holds.
    auto scan = NewScan(std::move(engine_range), false);
    scan->SetKeysOnly(true);
    uint64_t n = 0;
    while (scan->Next()) n++;
    FLOWDB_RETURN_IF_ERROR(scan->status());
    *count = n;
    return Status::OK();
  }
  // Nothing pending (every read-only transaction): the snapshot's records
  // are the answer, counted on the engine cursor without copying a key.
  // The whole range counts as read, as a finished overlay scan records it.
  if (mode_ == TransactionMode::kReadWrite) {
    RecordRange(kNewSlot, engine_range.begin, engine_range.end);
  }
  std::unique_ptr<ScanCursor> cursor =
      db_->db()->NewScan(read_options_, EngineScanOptions(std::move(engine_range)));
  if (read_options_.memory_only) cursor->SetMemoryOnly(true);
  uint64_t n = 0;
  for (;;) {
    // The budget counts each engine step, the last (finding the end) too.
    if (budget_ != nullptr) {
      if (*budget_ == 0) return Status::WouldBlock("jsondb: the read budget is spent");
      --*budget_;
    }
    if (!cursor->Next()) break;
    n++;
  }
  FLOWDB_RETURN_IF_ERROR(cursor->status());
  *count = n;
  return Status::OK();
}

Status TransactionImpl::OpenCursor(const DocSource& source, const ReadRangeOptions& options,
                                   std::unique_ptr<DocCursor>* cursor) {
  const StoreInfo* store = nullptr;
  const IndexInfo* index = nullptr;
  FLOWDB_RETURN_IF_ERROR(Resolve(source.store, source.index, &store, &index));
  *cursor = NewDocCursor(this, *store, index, options);
  return Status::OK();
}

Status TransactionImpl::RunQuery(const Query& query, std::unique_ptr<DocCursor>* cursor) {
  const StoreInfo* store = nullptr;
  FLOWDB_RETURN_IF_ERROR(Resolve(query.store, {}, &store, nullptr));
  if (store->opaque_values) FLOWDB_RETURN_IF_ERROR(CheckOpaqueQuery(*store, query));
  return RunQueryCursor(this, *store, query, cursor);
}

Status TransactionImpl::CountQuery(const Query& query, uint64_t* count) {
  const StoreInfo* store = nullptr;
  FLOWDB_RETURN_IF_ERROR(Resolve(query.store, {}, &store, nullptr));
  if (store->opaque_values) FLOWDB_RETURN_IF_ERROR(CheckOpaqueQuery(*store, query));
  return CountQueryResults(this, *store, query, count);
}

// --- commit ---

Status TransactionImpl::Commit() {
  FLOWDB_RETURN_IF_ERROR(CheckActive());
  if (schema_changed_) {
    Status c = db_->CommitSchemaTransaction(snapshot_sequence_, base_generation_, catalog_,
                                            std::move(reads_), &writes_);
    Abort();
    return c;
  }
  Status s;
  if (mode_ == TransactionMode::kReadWrite && !writes_.empty()) {
    s = db_->CommitWrites(snapshot_sequence_, *catalog_, written_stores_, std::move(reads_), &writes_);
  }
  Abort();
  return s;
}

}  // namespace flowdb::doc

// --- opaque-value stores (the IndexedDB facade's front door) ---

namespace flowdb::doc {

namespace {

void PutU32BE(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

bool GetU32BE(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  uint32_t r = 0;
  for (int i = 0; i < 4; i++) r = (r << 8) | static_cast<unsigned char>((*in)[i]);
  in->remove_prefix(4);
  *v = r;
  return true;
}

// A value-keys record (doc_format.h): index id → its encoded keys.
using ValueKeys = std::map<uint32_t, std::vector<std::string>>;

std::string EncodeValueKeys(const ValueKeys& keys) {
  std::string out;
  for (const auto& [id, list] : keys) {
    if (list.empty()) continue;
    PutU32BE(&out, id);
    PutU32BE(&out, static_cast<uint32_t>(list.size()));
    for (const auto& k : list) out.append(k);
  }
  return out;
}

Status DecodeValueKeys(std::string_view in, ValueKeys* out) {
  out->clear();
  while (!in.empty()) {
    uint32_t id = 0, n = 0;
    if (!GetU32BE(&in, &id) || !GetU32BE(&in, &n) || n > in.size()) {
      return Status::Corruption("jsondb: malformed value-keys record");
    }
    auto& list = (*out)[id];
    for (uint32_t i = 0; i < n; i++) {
      std::string_view rest = in;
      FLOWDB_RETURN_IF_ERROR(SkipEncodedKey(&rest));
      list.emplace_back(in.substr(0, in.size() - rest.size()));
      in = rest;
    }
  }
  return Status::OK();
}

}  // namespace

Status TransactionImpl::CheckOpaqueQuery(const StoreInfo& store, const Query& query) const {
  QueryPlan plan;
  FLOWDB_RETURN_IF_ERROR(PlanQuery(store, query, &plan));
  if (!plan.residual.empty() || plan.sort) {
    return Status::InvalidArgument(
        "object store", store.name + " holds opaque values: a query must be answered by an index or the "
                                     "primary key alone (no filter or order on other paths)");
  }
  return Status::OK();
}

Status TransactionImpl::PutValue(std::string_view store, std::string_view value,
                                 std::string_view primary_key,
                                 const std::vector<ValueIndexKeys>& index_keys, bool add) {
  const StoreInfo* info = nullptr;
  FLOWDB_RETURN_IF_ERROR(CheckWritable(store, &info));
  if (!info->opaque_values) {
    return Status::InvalidArgument("object store", info->name + " holds JSON documents: use Put or Add");
  }
  return Atomically([&] { return PutValueOne(*info, value, primary_key, index_keys, add); });
}

Status TransactionImpl::PutValueOne(const StoreInfo& store, std::string_view value,
                                    std::string_view primary_key,
                                    const std::vector<ValueIndexKeys>& index_keys, bool add) {
  FLOWDB_RETURN_IF_ERROR(CheckEncodedKey(primary_key));
  // The new entries by index id, keys distinct and sorted.
  ValueKeys now;
  for (const ValueIndexKeys& given : index_keys) {
    const IndexInfo* index = store.FindIndex(given.index);
    if (index == nullptr) return Status::NotFound("no index named", given.index);
    if (now.count(index->id) != 0) {
      return Status::InvalidArgument("index listed twice:", given.index);
    }
    std::vector<std::string>& keys = now[index->id];
    for (const std::string& k : given.keys) {
      FLOWDB_RETURN_IF_ERROR(CheckEncodedKey(k));
      keys.push_back(k);
    }
    if (!index->spec.multi_entry && keys.size() > 1) {
      return Status::InvalidArgument("index", given.index + " is not multiEntry: at most one key per value");
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  }
  size_t longest_index_key = 0;
  for (const auto& [id, keys] : now) {
    for (const std::string& k : keys) longest_index_key = std::max(longest_index_key, k.size());
  }
  FLOWDB_RETURN_IF_ERROR(CheckEngineSizes(primary_key, longest_index_key, value.size()));
  std::string pk(primary_key);
  if (store.auto_increment) {
    double v = 0;
    if (DecodeNumberKey(pk, &v)) FLOWDB_RETURN_IF_ERROR(RaiseGenerator(store, v));
  }
  std::string doc_key = DocumentKey(store.id, pk);
  if (add) {
    bool exists = false;
    FLOWDB_RETURN_IF_ERROR(ReadValue(doc_key, nullptr, &exists));
    if (exists) {
      return Status::Constraint("a value with this key already exists in object store", store.name);
    }
  }
  // The entries of the value this replaces (none if absent).
  std::string keys_key = ValueKeysKey(store.id, pk);
  ValueKeys old;
  if (!store.indexes.empty()) {
    std::string stored;
    bool found = false;
    FLOWDB_RETURN_IF_ERROR(ReadValue(keys_key, &stored, &found));
    if (found) FLOWDB_RETURN_IF_ERROR(DecodeValueKeys(stored, &old));
  }
  // Unique checks before any index write.
  for (const IndexInfo& index : store.indexes) {
    if (!index.spec.unique) continue;
    auto it = now.find(index.id);
    if (it == now.end()) continue;
    for (const std::string& ikey : it->second) {
      FLOWDB_RETURN_IF_ERROR(CheckUnique(index, ikey, pk));
    }
  }
  for (const IndexInfo& index : store.indexes) {
    static const std::vector<std::string> kNone;
    auto n = now.find(index.id);
    const std::vector<std::string>& fresh = n == now.end() ? kNone : n->second;
    auto o = old.find(index.id);  // ids of deleted indexes are never looked up
    if (o != old.end()) {
      for (const std::string& ikey : o->second) {
        if (!std::binary_search(fresh.begin(), fresh.end(), ikey)) {
          writes_.Delete(IndexEntryKey(index.id, ikey, pk));
        }
      }
    }
    for (const std::string& ikey : fresh) writes_.Put(IndexEntryKey(index.id, ikey, pk), {});
  }
  std::string encoded = EncodeValueKeys(now);
  if (!encoded.empty()) {
    writes_.Put(keys_key, encoded);
  } else if (!old.empty()) {
    writes_.Delete(keys_key);
  }
  writes_.Put(doc_key, value);
  written_stores_.insert(store.id);
  return Status::OK();
}

Status TransactionImpl::DeleteValues(const StoreInfo& store, const KeyRange& range) {
  std::string prefix = IdPrefix(RecordKind::kDocument, store.id);
  std::string keys_prefix = IdPrefix(RecordKind::kValueKeys, store.id);
  bool point = range.has_lower && range.has_upper && range.lower == range.upper;
  if (point) {
    writes_.Delete(prefix + range.lower);
  } else {
    writes_.DeleteRange(ToEngineRange(prefix, range));
  }
  if (store.indexes.empty()) {
    // No index entries to find; stale value-keys records of deleted indexes
    // go with the range.
    if (point) {
      writes_.Delete(keys_prefix + range.lower);
    } else {
      writes_.DeleteRange(ToEngineRange(keys_prefix, range));
    }
    return Status::OK();
  }
  // The value-keys records name the index entries to delete; values without
  // index keys have none.
  std::vector<std::pair<std::string, std::string>> records;
  auto scan = NewScan(ToEngineRange(keys_prefix, range), false);
  while (scan->Next()) records.emplace_back(scan->key(), scan->value());
  FLOWDB_RETURN_IF_ERROR(scan->status());
  ValueKeys keys;
  for (const auto& [k, v] : records) {
    FLOWDB_RETURN_IF_ERROR(DecodeValueKeys(v, &keys));
    std::string_view pk = std::string_view(k).substr(kIdPrefixSize);
    for (const IndexInfo& index : store.indexes) {
      auto it = keys.find(index.id);
      if (it == keys.end()) continue;
      for (const std::string& ikey : it->second) writes_.Delete(IndexEntryKey(index.id, ikey, pk));
    }
    writes_.Delete(k);
  }
  return Status::OK();
}

Status TransactionImpl::GenerateKey(std::string_view store, double* key) {
  const StoreInfo* info = nullptr;
  FLOWDB_RETURN_IF_ERROR(CheckWritable(store, &info));
  if (!info->auto_increment) {
    return Status::InvalidArgument("object store", info->name + " has no key generator");
  }
  written_stores_.insert(info->id);
  return Atomically([&] { return NextGeneratedKey(*info, key); });
}

Status TransactionImpl::RaiseKeyGenerator(std::string_view store, double key) {
  const StoreInfo* info = nullptr;
  FLOWDB_RETURN_IF_ERROR(CheckWritable(store, &info));
  if (!info->auto_increment) {
    return Status::InvalidArgument("object store", info->name + " has no key generator");
  }
  if (std::isnan(key)) return Status::InvalidKey("a key generator cannot be raised to NaN");
  written_stores_.insert(info->id);
  return Atomically([&] { return RaiseGenerator(*info, key); });
}

}  // namespace flowdb::doc

// --- versionchange transactions: schema changes with the data ---

namespace flowdb::doc {

namespace {

void SortIndexes(StoreInfo* store) {
  std::sort(store->indexes.begin(), store->indexes.end(),
            [](const IndexInfo& a, const IndexInfo& b) { return a.spec.name < b.spec.name; });
}

}  // namespace

template <typename F>
Status TransactionImpl::EditCatalog(F&& edit) {
  FLOWDB_RETURN_IF_ERROR(CheckActive());
  if (!versionchange_) {
    return Status::InvalidArgument("schema changes need a versionchange transaction");
  }
  auto next = std::make_shared<Catalog>(*catalog_);
  next->generation = Catalog::NewGeneration();
  FLOWDB_RETURN_IF_ERROR(Atomically([&] { return edit(next.get()); }));
  retired_catalogs_.push_back(std::move(catalog_));
  catalog_ = std::move(next);
  schema_changed_ = true;
  return Status::OK();
}

std::vector<StoreSpec> TransactionImpl::Schema() const {
  std::vector<StoreSpec> specs;
  for (const auto& [name, store] : catalog_->stores) specs.push_back(store.ToSpec());
  return specs;
}

Status TransactionImpl::CreateObjectStore(const StoreSpec& spec) {
  return EditCatalog([&](Catalog* c) -> Status {
    FLOWDB_RETURN_IF_ERROR(ValidateStoreSpec(spec));
    if (c->FindStore(spec.name) != nullptr) {
      return Status::Constraint("an object store named", spec.name + " exists");
    }
    StoreInfo store;
    store.id = db_->AllocateId();
    store.name = spec.name;
    store.key_path = spec.key_path;
    store.auto_increment = spec.auto_increment;
    store.opaque_values = spec.opaque_values;
    for (const auto& index : spec.indexes) store.indexes.push_back({db_->AllocateId(), index});
    SortIndexes(&store);
    c->stores.emplace(spec.name, std::move(store));
    return Status::OK();
  });
}

Status TransactionImpl::DeleteObjectStore(std::string_view name) {
  return EditCatalog([&](Catalog* c) -> Status {
    StoreInfo* store = c->FindStore(name);
    if (store == nullptr) return Status::NotFound("no object store named", name);
    for (RecordKind kind : {RecordKind::kDocument, RecordKind::kValueKeys}) {
      std::string p = IdPrefix(kind, store->id);
      writes_.DeleteRange({p, PrefixSuccessor(p)});
    }
    for (const auto& index : store->indexes) {
      std::string p = IdPrefix(RecordKind::kIndexEntry, index.id);
      writes_.DeleteRange({p, PrefixSuccessor(p)});
    }
    writes_.Delete(KeyGeneratorKey(store->id));
    c->stores.erase(c->stores.find(name));
    return Status::OK();
  });
}

Status TransactionImpl::BackfillIndex(const StoreInfo& store, const IndexInfo& index) {
  DocKeyExtractor extractor({{index.spec.key_path, index.spec.multi_entry}});
  std::vector<PathKeys> keys;
  std::map<std::string, std::string> unique_seen;
  std::string p = IdPrefix(RecordKind::kDocument, store.id);
  std::vector<std::pair<std::string, std::string>> entries;
  auto scan = NewScan({p, PrefixSuccessor(p)}, false);
  while (scan->Next()) {
    std::string pk(scan->key().substr(kIdPrefixSize));
    FLOWDB_RETURN_IF_ERROR(extractor.Extract(scan->value(), &keys));
    for (const std::string& ikey : KeysOf(keys, 0)) {
      FLOWDB_RETURN_IF_ERROR(CheckEngineSizes(pk, ikey.size(), 0));
      if (index.spec.unique && !unique_seen.emplace(ikey, pk).second) {
        return Status::Constraint("unique index", index.spec.name + ": existing documents share a key");
      }
      entries.emplace_back(ikey, pk);
    }
  }
  FLOWDB_RETURN_IF_ERROR(scan->status());
  for (const auto& [ikey, pk] : entries) writes_.Put(IndexEntryKey(index.id, ikey, pk), {});
  return Status::OK();
}

Status TransactionImpl::CreateIndex(std::string_view store_name, const IndexSpec& spec) {
  return EditCatalog([&](Catalog* c) -> Status {
    StoreInfo* store = c->FindStore(store_name);
    if (store == nullptr) return Status::NotFound("no object store named", store_name);
    FLOWDB_RETURN_IF_ERROR(ValidateIndexSpec(spec));
    if (store->FindIndex(spec.name) != nullptr) {
      return Status::Constraint("an index named", spec.name + " exists in object store " + store->name);
    }
    IndexInfo index{db_->AllocateId(), spec};
    // An opaque store's index starts empty: its values' keys come from the
    // caller (PutValue of each value with its full index keys).
    if (!store->opaque_values) FLOWDB_RETURN_IF_ERROR(BackfillIndex(*store, index));
    store->indexes.push_back(std::move(index));
    SortIndexes(store);
    return Status::OK();
  });
}

Status TransactionImpl::DeleteIndex(std::string_view store_name, std::string_view name) {
  return EditCatalog([&](Catalog* c) -> Status {
    StoreInfo* store = c->FindStore(store_name);
    if (store == nullptr) return Status::NotFound("no object store named", store_name);
    auto it = std::find_if(store->indexes.begin(), store->indexes.end(),
                           [&](const IndexInfo& i) { return i.spec.name == name; });
    if (it == store->indexes.end()) return Status::NotFound("no index named", name);
    std::string p = IdPrefix(RecordKind::kIndexEntry, it->id);
    writes_.DeleteRange({p, PrefixSuccessor(p)});
    store->indexes.erase(it);
    return Status::OK();
  });
}

Status TransactionImpl::RenameObjectStore(std::string_view name, std::string_view new_name) {
  return EditCatalog([&](Catalog* c) -> Status {
    auto it = c->stores.find(name);
    if (it == c->stores.end()) return Status::NotFound("no object store named", name);
    if (name == new_name) return Status::OK();
    if (c->FindStore(new_name) != nullptr) {
      return Status::Constraint("an object store named", std::string(new_name) + " exists");
    }
    auto node = c->stores.extract(it);
    node.key() = std::string(new_name);
    node.mapped().name = std::string(new_name);
    c->stores.insert(std::move(node));
    return Status::OK();
  });
}

Status TransactionImpl::RenameIndex(std::string_view store_name, std::string_view name,
                                    std::string_view new_name) {
  return EditCatalog([&](Catalog* c) -> Status {
    StoreInfo* store = c->FindStore(store_name);
    if (store == nullptr) return Status::NotFound("no object store named", store_name);
    auto it = std::find_if(store->indexes.begin(), store->indexes.end(),
                           [&](const IndexInfo& i) { return i.spec.name == name; });
    if (it == store->indexes.end()) return Status::NotFound("no index named", name);
    if (name == new_name) return Status::OK();
    if (store->FindIndex(new_name) != nullptr) {
      return Status::Constraint("an index named", std::string(new_name) + " exists in object store " +
                                                      store->name);
    }
    it->spec.name = std::string(new_name);
    SortIndexes(store);
    return Status::OK();
  });
}

Status TransactionImpl::SetVersion(uint64_t version) {
  return EditCatalog([&](Catalog* c) -> Status {
    if (version <= c->version) {
      return Status::InvalidArgument("database version", "must grow: " + std::to_string(version) +
                                                             " is not above " + std::to_string(c->version));
    }
    c->version = version;
    return Status::OK();
  });
}

}  // namespace flowdb::doc
