#include "jsondb_impl.h"

#include <algorithm>
#include <map>

#include "doc_format.h"
#include "doc_keys.h"
#include "query.h"
#include "transaction.h"

namespace flowdb {

Status JsonDB::Open(const JsonDBOptions& options, const std::string& path,
                    std::unique_ptr<JsonDB>* result) {
  auto impl = std::make_unique<doc::JsonDBImpl>();
  FLOWDB_RETURN_IF_ERROR(impl->OpenImpl(options, path));
  *result = std::move(impl);
  return Status::OK();
}

namespace doc {

namespace {

// Collects what a batch writes, for the commit log.
class WrittenCollector : public WriteBatch::Handler {
 public:
  std::vector<std::string> keys;
  std::vector<EngineRange> ranges;
  void Put(std::string_view key, int64_t, std::string_view, int64_t) override {
    keys.emplace_back(key);
  }
  void Delete(std::string_view key, int64_t) override { keys.emplace_back(key); }
  void DeleteRange(std::string_view start, std::string_view end) override {
    ranges.push_back({std::string(start), std::string(end)});
  }
};

bool SameIndexes(const StoreInfo& a, const StoreInfo& b) {
  if (a.id != b.id || a.indexes.size() != b.indexes.size()) return false;
  for (size_t i = 0; i < a.indexes.size(); i++) {
    if (a.indexes[i].id != b.indexes[i].id) return false;
  }
  return true;
}

}  // namespace

ReadSet::ReadSet(std::vector<EngineRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const EngineRange& a, const EngineRange& b) { return a.begin < b.begin; });
  for (auto& r : ranges) {
    if (!r.end.empty() && r.end <= r.begin) continue;
    if (!ranges_.empty()) {
      EngineRange& last = ranges_.back();
      if (last.end.empty() || r.begin <= last.end) {
        if (!last.end.empty() && (r.end.empty() || r.end > last.end)) last.end = std::move(r.end);
        continue;
      }
    }
    ranges_.push_back(std::move(r));
  }
}

bool ReadSet::Contains(std::string_view key) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), key,
                             [](std::string_view k, const EngineRange& r) { return k < r.begin; });
  if (it == ranges_.begin()) return false;
  --it;
  return it->Contains(key);
}

bool ReadSet::Overlaps(const EngineRange& range) const {
  // The first read range whose end lies past range.begin (ends increase).
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), range.begin,
                             [](const EngineRange& r, const std::string& b) {
                               return !r.end.empty() && r.end <= b;
                             });
  if (it == ranges_.end()) return false;
  return range.end.empty() || it->begin < range.end;
}

JsonDBImpl::JsonDBImpl() : dir_(std::make_shared<DirectoryState>()), root_(this) {
  auto catalog = std::make_shared<Catalog>();
  catalog->generation = Catalog::NewGeneration();
  catalog_ = std::move(catalog);
}

JsonDBImpl::JsonDBImpl(std::shared_ptr<DirectoryState> dir, JsonDBImpl* root, std::string name)
    : dir_(std::move(dir)), root_(root), name_(std::move(name)) {
  auto catalog = std::make_shared<Catalog>();
  catalog->generation = Catalog::NewGeneration();
  catalog_ = std::move(catalog);
}

JsonDBImpl::~JsonDBImpl() { Close().PermitUncheckedError(); }

Status JsonDBImpl::OpenImpl(const JsonDBOptions& options, const std::string& path) {
  Options db_options = options.db_options;
  if (options.in_memory) {
    mem_env_ = NewMemEnv();
    db_options.env = mem_env_.get();
  }
  db_options.stored_settings[kFormatSettingName] = kFormatVersion;
  FLOWDB_RETURN_IF_ERROR(DB::Open(db_options, path, &db_));
  ReadOptions ro;
  std::string v;
  Status s = db_->Get(ro, IdCounterKey(), 0, &v);
  if (s.ok()) {
    uint64_t next = 0;
    if (!GetFixed64BE(v, &next) || next == 0 || next > UINT32_MAX) {
      return Status::Corruption("jsondb: malformed id counter");
    }
    next_id_ = static_cast<uint32_t>(next);
  } else if (!s.IsNotFound()) {
    return s;
  }
  return LoadCatalog();
}

Status JsonDBImpl::Close() {
  if (root_ != this) return Status::OK();  // the directory's JsonDB closes the engine
  if (closed_.exchange(true) || db_ == nullptr) return Status::OK();
  return db_->Close();
}

std::shared_ptr<const Catalog> JsonDBImpl::catalog() const {
  std::lock_guard<std::mutex> lock(mu_);
  return catalog_;
}

std::vector<std::string> JsonDBImpl::ObjectStoreNames() const {
  std::vector<std::string> names;
  for (const auto& [name, store] : catalog()->stores) names.push_back(name);
  return names;
}

std::vector<StoreSpec> JsonDBImpl::Schema() const {
  std::vector<StoreSpec> specs;
  for (const auto& [name, store] : catalog()->stores) specs.push_back(store.ToSpec());
  return specs;
}

const Snapshot* JsonDBImpl::AcquireSnapshot(bool track) {
  std::lock_guard<std::mutex> lock(log_mu_);
  const Snapshot* snapshot = db_->GetSnapshot();
  if (snapshot != nullptr && track) readers_.insert(snapshot->sequence());
  return snapshot;
}

void JsonDBImpl::ReleaseSnapshot(const Snapshot* snapshot, bool track) {
  std::lock_guard<std::mutex> lock(log_mu_);
  if (track) {
    auto it = readers_.find(snapshot->sequence());
    if (it != readers_.end()) readers_.erase(it);
    TrimLog();
  }
  db_->ReleaseSnapshot(snapshot);
}

void JsonDBImpl::TrimLog() {
  // A record stays while some open read-write snapshot does not see it.
  while (!log_.empty() && (readers_.empty() || log_.front().after_sequence < *readers_.begin())) {
    log_.pop_front();
  }
}

Status JsonDBImpl::Begin(const TransactionOptions& options, std::unique_ptr<Transaction>* txn) {
  if (closed_) return Status::Closed();
  if (options.versionchange && (options.mode != TransactionMode::kReadWrite || !options.stores.empty())) {
    return Status::InvalidArgument("a versionchange transaction is read-write over every store");
  }
  auto catalog = this->catalog();
  for (const auto& name : options.stores) {
    if (catalog->FindStore(name) == nullptr) return Status::NotFound("no object store named", name);
  }
  auto t = std::make_unique<TransactionImpl>(this, std::move(catalog), options);
  if (!t->active()) return Status::Closed();
  *txn = std::move(t);
  return Status::OK();
}

Status JsonDBImpl::Explain(const Query& query, QueryPlan* plan) const {
  auto catalog = this->catalog();
  const StoreInfo* store = catalog->FindStore(query.store);
  if (store == nullptr) return Status::NotFound("no object store named", query.store);
  return PlanQuery(*store, query, plan);
}

Status JsonDBImpl::WriteAsLeader(WriteBatch* batch, const std::function<Status()>& leader) {
  if (closed_) return Status::Closed();
  class LeaderStep : public WriteCallback {
   public:
    explicit LeaderStep(const std::function<Status()>& fn) : fn_(fn) {}
    Status Callback(DB*) override { return fn_(); }

   private:
    const std::function<Status()>& fn_;
  } step(leader);
  return db_->Write(batch, &step);
}

WriteSet::WrittenKeys JsonDBImpl::OwnedKeys(std::vector<std::string> keys,
                                            std::vector<EngineRange> ranges) {
  auto owned = std::make_shared<std::vector<std::string>>(std::move(keys));
  std::sort(owned->begin(), owned->end());
  WriteSet::WrittenKeys out;
  out.keys.assign(owned->begin(), owned->end());
  out.ranges = std::move(ranges);
  out.storage = std::move(owned);
  return out;
}

void JsonDBImpl::Register(WriteSet::WrittenKeys written) {
  std::lock_guard<std::mutex> lock(log_mu_);
  // Kept even when no transaction is open: one may take its snapshot before
  // this write is applied.
  TrimLog();
  log_.push_back({db_->LatestSequence(), std::move(written.keys), std::move(written.ranges),
                  std::move(written.storage)});
}

Status JsonDBImpl::CommitWrites(uint64_t snapshot_sequence, const Catalog& catalog,
                                const std::set<uint32_t>& written_stores,
                                std::vector<EngineRange> reads, WriteSet* writes) {
  WriteBatch batch;
  writes->BuildBatch(&batch);
  WriteSet::WrittenKeys written = writes->TakeWrittenKeys();
  return WriteAsLeader(&batch, [&]() -> Status {
    // Index maintenance was computed under the transaction's schema.
    auto current = this->catalog();
    for (const auto& [name, store] : catalog.stores) {
      if (written_stores.count(store.id) == 0) continue;
      const StoreInfo* now = current->FindStore(name);
      if (now == nullptr || !SameIndexes(store, *now)) {
        return Status::Conflict("object store", name + " changed its schema during the transaction");
      }
    }
    FLOWDB_RETURN_IF_ERROR(ValidateReads(snapshot_sequence, std::move(reads)));
    Register(std::move(written));
    return Status::OK();
  });
}

// --- schema ---

Status JsonDBImpl::ChangeSchema(
    const std::function<Status(Catalog*, WriteBatch*, std::vector<SchemaChange>*)>& edit,
    std::vector<SchemaChange>* changes) {
  if (closed_) return Status::Closed();
  std::lock_guard<std::mutex> schema_lock(schema_mu_);
  WriteBatch batch;
  std::vector<SchemaChange> local;
  std::shared_ptr<const Catalog> before = catalog();
  uint32_t next_id_before = next_id_;
  bool swapped = false;
  Status s = WriteAsLeader(&batch, [&]() -> Status {
    auto next = std::make_shared<Catalog>(*before);
    next->generation = Catalog::NewGeneration();
    Status e = edit(next.get(), &batch, &local);
    if (!e.ok() || local.empty()) {
      batch.Clear();
      return e;
    }
    batch.Put(CatalogKey(name_), 0, next->Encode());
    std::string counter;
    PutFixed64BE(&counter, next_id_);
    batch.Put(IdCounterKey(), 0, counter);
    WrittenCollector written;
    FLOWDB_RETURN_IF_ERROR(batch.Iterate(&written));
    Register(OwnedKeys(std::move(written.keys), std::move(written.ranges)));
    std::lock_guard<std::mutex> lock(mu_);
    catalog_ = std::move(next);
    swapped = true;
    return Status::OK();
  });
  if (!s.ok()) {
    next_id_ = next_id_before;
    if (swapped) {
      std::lock_guard<std::mutex> lock(mu_);
      catalog_ = before;
    }
    return s;
  }
  if (changes != nullptr) *changes = std::move(local);
  return Status::OK();
}

Status JsonDBImpl::AddStore(Catalog* catalog, const StoreSpec& spec, WriteBatch* batch) {
  FLOWDB_RETURN_IF_ERROR(ValidateStoreSpec(spec));
  if (catalog->FindStore(spec.name) != nullptr) {
    return Status::Constraint("an object store named", spec.name + " exists");
  }
  StoreInfo store;
  store.id = NewId();
  store.name = spec.name;
  store.key_path = spec.key_path;
  store.auto_increment = spec.auto_increment;
  store.opaque_values = spec.opaque_values;
  for (const auto& index : spec.indexes) store.indexes.push_back({NewId(), index});
  std::sort(store.indexes.begin(), store.indexes.end(),
            [](const IndexInfo& a, const IndexInfo& b) { return a.spec.name < b.spec.name; });
  catalog->stores.emplace(spec.name, std::move(store));
  return Status::OK();
}

Status JsonDBImpl::DropStore(Catalog* catalog, std::string_view name, WriteBatch* batch) {
  StoreInfo* store = catalog->FindStore(name);
  if (store == nullptr) return Status::NotFound("no object store named", name);
  std::string p = IdPrefix(RecordKind::kDocument, store->id);
  batch->DeleteRange(p, PrefixSuccessor(p));
  batch->Delete(KeyGeneratorKey(store->id), 0);
  if (store->opaque_values) {
    std::string vp = IdPrefix(RecordKind::kValueKeys, store->id);
    batch->DeleteRange(vp, PrefixSuccessor(vp));
  }
  for (const auto& index : store->indexes) {
    std::string ip = IdPrefix(RecordKind::kIndexEntry, index.id);
    batch->DeleteRange(ip, PrefixSuccessor(ip));
  }
  catalog->stores.erase(catalog->stores.find(name));
  return Status::OK();
}

Status JsonDBImpl::AddIndex(Catalog* catalog, StoreInfo* store, const IndexSpec& spec,
                            WriteBatch* batch) {
  FLOWDB_RETURN_IF_ERROR(ValidateIndexSpec(spec));
  if (store->FindIndex(spec.name) != nullptr) {
    return Status::Constraint("an index named", spec.name + " exists in object store " + store->name);
  }
  IndexInfo index{NewId(), spec};
  // Backfill from every committed document (this runs as the write's leader
  // step: no commit can come between the scan and the batch).
  if (store->opaque_values) return AddOpaqueIndex(store, std::move(index), batch);
  DocKeyExtractor extractor({{spec.key_path, spec.multi_entry}});
  std::vector<PathKeys> keys;
  std::map<std::string, std::string> unique_seen;
  auto cursor = ScanDocuments(store->id);
  while (cursor->Next()) {
    std::string_view pk = cursor->key().substr(kIdPrefixSize);
    FLOWDB_RETURN_IF_ERROR(extractor.Extract(cursor->value(), &keys));
    if (keys[0].state != PathKeys::State::kKey) continue;
    for (const std::string& ikey : keys[0].keys) {
      FLOWDB_RETURN_IF_ERROR(CheckEngineSizes(pk, ikey.size(), 0));
      if (spec.unique && !unique_seen.emplace(ikey, std::string(pk)).second) {
        return Status::Constraint("unique index", spec.name + ": existing documents share a key");
      }
      batch->Put(IndexEntryKey(index.id, ikey, pk), 0, {});
    }
  }
  FLOWDB_RETURN_IF_ERROR(cursor->status());
  store->indexes.push_back(std::move(index));
  std::sort(store->indexes.begin(), store->indexes.end(),
            [](const IndexInfo& a, const IndexInfo& b) { return a.spec.name < b.spec.name; });
  (void)catalog;
  return Status::OK();
}

Status JsonDBImpl::DropIndex(StoreInfo* store, std::string_view name, WriteBatch* batch) {
  auto it = std::find_if(store->indexes.begin(), store->indexes.end(),
                         [&](const IndexInfo& i) { return i.spec.name == name; });
  if (it == store->indexes.end()) return Status::NotFound("no index named", name);
  std::string ip = IdPrefix(RecordKind::kIndexEntry, it->id);
  batch->DeleteRange(ip, PrefixSuccessor(ip));
  store->indexes.erase(it);
  return Status::OK();
}

Status JsonDBImpl::CreateObjectStore(const StoreSpec& spec) {
  return ChangeSchema(
      [&](Catalog* c, WriteBatch* b, std::vector<SchemaChange>* changes) -> Status {
        FLOWDB_RETURN_IF_ERROR(AddStore(c, spec, b));
        changes->push_back({SchemaChange::Kind::kCreateStore, spec.name, {}});
        return Status::OK();
      },
      nullptr);
}

Status JsonDBImpl::DeleteObjectStore(std::string_view store) {
  return ChangeSchema(
      [&](Catalog* c, WriteBatch* b, std::vector<SchemaChange>* changes) -> Status {
        FLOWDB_RETURN_IF_ERROR(DropStore(c, store, b));
        changes->push_back({SchemaChange::Kind::kDeleteStore, std::string(store), {}});
        return Status::OK();
      },
      nullptr);
}

Status JsonDBImpl::CreateIndex(std::string_view store, const IndexSpec& spec) {
  return ChangeSchema(
      [&](Catalog* c, WriteBatch* b, std::vector<SchemaChange>* changes) -> Status {
        StoreInfo* s = c->FindStore(store);
        if (s == nullptr) return Status::NotFound("no object store named", store);
        FLOWDB_RETURN_IF_ERROR(AddIndex(c, s, spec, b));
        changes->push_back({SchemaChange::Kind::kCreateIndex, std::string(store), spec.name});
        return Status::OK();
      },
      nullptr);
}

Status JsonDBImpl::DeleteIndex(std::string_view store, std::string_view index) {
  return ChangeSchema(
      [&](Catalog* c, WriteBatch* b, std::vector<SchemaChange>* changes) -> Status {
        StoreInfo* s = c->FindStore(store);
        if (s == nullptr) return Status::NotFound("no object store named", store);
        FLOWDB_RETURN_IF_ERROR(DropIndex(s, index, b));
        changes->push_back({SchemaChange::Kind::kDeleteIndex, std::string(store), std::string(index)});
        return Status::OK();
      },
      nullptr);
}

Status JsonDBImpl::ApplySchema(const std::vector<StoreSpec>& stores,
                               std::vector<SchemaChange>* changes) {
  std::vector<SchemaChange> local;
  Status s = ChangeSchema(
      [&](Catalog* c, WriteBatch* b, std::vector<SchemaChange>* out) -> Status {
        std::set<std::string_view> names;
        for (const auto& spec : stores) {
          FLOWDB_RETURN_IF_ERROR(ValidateStoreSpec(spec));
          if (!names.insert(spec.name).second) {
            return Status::InvalidArgument("object store listed twice:", spec.name);
          }
        }
        for (const auto& spec : stores) {
          StoreInfo* s = c->FindStore(spec.name);
          if (s == nullptr) {
            FLOWDB_RETURN_IF_ERROR(AddStore(c, spec, b));
            out->push_back({SchemaChange::Kind::kCreateStore, spec.name, {}});
            continue;
          }
          if (!(s->key_path == spec.key_path) || s->auto_increment != spec.auto_increment ||
              s->opaque_values != spec.opaque_values) {
            return Status::InvalidArgument("object store", spec.name +
                                                                 " exists with another keyPath, autoIncrement or value kind");
          }
          for (const auto& index : spec.indexes) {
            const IndexInfo* have = s->FindIndex(index.name);
            if (have != nullptr && !(have->spec == index)) {
              return Status::InvalidArgument("index", index.name + " of object store " + spec.name +
                                                           " exists with another definition");
            }
          }
          std::vector<std::string> drop;
          for (const auto& have : s->indexes) {
            bool listed = std::any_of(spec.indexes.begin(), spec.indexes.end(),
                                      [&](const IndexSpec& i) { return i.name == have.spec.name; });
            if (!listed) drop.push_back(have.spec.name);
          }
          for (const auto& name : drop) {
            FLOWDB_RETURN_IF_ERROR(DropIndex(s, name, b));
            out->push_back({SchemaChange::Kind::kDeleteIndex, spec.name, name});
          }
          for (const auto& index : spec.indexes) {
            if (s->FindIndex(index.name) != nullptr) continue;
            FLOWDB_RETURN_IF_ERROR(AddIndex(c, s, index, b));
            out->push_back({SchemaChange::Kind::kCreateIndex, spec.name, index.name});
          }
        }
        return Status::OK();
      },
      &local);
  if (s.ok() && changes != nullptr) *changes = std::move(local);
  return s;
}

// --- opaque stores, several databases ---

std::unique_ptr<ScanCursor> JsonDBImpl::ScanDocuments(uint32_t store_id) {
  std::string p = IdPrefix(RecordKind::kDocument, store_id);
  return db_->NewScan(ReadOptions(), EngineScanOptions({p, PrefixSuccessor(p)}));
}

Status JsonDBImpl::AddOpaqueIndex(StoreInfo* store, IndexInfo index, WriteBatch* batch) {
  // Runs as the write's leader step: the emptiness seen here is committed
  // state no commit can change before the batch.
  auto cursor = ScanDocuments(store->id);
  bool has_values = cursor->Next();
  FLOWDB_RETURN_IF_ERROR(cursor->status());
  if (has_values) {
    return Status::NotSupported("object store", store->name +
                                                    " holds opaque values: create the index in a versionchange "
                                                    "transaction and write each value again with its keys");
  }
  (void)batch;
  store->indexes.push_back(std::move(index));
  std::sort(store->indexes.begin(), store->indexes.end(),
            [](const IndexInfo& a, const IndexInfo& b) { return a.spec.name < b.spec.name; });
  return Status::OK();
}

Status JsonDBImpl::LoadCatalog() {
  std::string v;
  Status s = db_->Get(ReadOptions(), CatalogKey(name_), 0, &v);
  auto catalog = std::make_shared<Catalog>();
  if (s.ok()) {
    FLOWDB_RETURN_IF_ERROR(Catalog::Decode(v, catalog.get()));
  } else if (!s.IsNotFound()) {
    return s;
  }
  catalog->generation = Catalog::NewGeneration();
  std::lock_guard<std::mutex> lock(mu_);
  catalog_ = std::move(catalog);
  return Status::OK();
}

uint64_t JsonDBImpl::version() const { return catalog()->version; }

Status JsonDBImpl::SetVersion(uint64_t version) {
  return ChangeSchema(
      [&](Catalog* c, WriteBatch*, std::vector<SchemaChange>* changes) -> Status {
        if (version <= c->version) {
          return Status::InvalidArgument("database version", "must grow: " + std::to_string(version) +
                                                                 " is not above " + std::to_string(c->version));
        }
        c->version = version;
        changes->push_back({SchemaChange::Kind::kSetVersion, {}, {}});
        return Status::OK();
      },
      nullptr);
}

Status JsonDBImpl::ListDatabases(std::vector<DatabaseInfo>* out) {
  if (closed_) return Status::Closed();
  out->clear();
  std::string p = CatalogPrefix();
  auto cursor = db_->NewScan(ReadOptions(), EngineScanOptions({p, PrefixSuccessor(p)}));
  while (cursor->Next()) {
    Catalog c;
    FLOWDB_RETURN_IF_ERROR(Catalog::Decode(cursor->value(), &c));
    out->push_back({std::string(cursor->key().substr(p.size())), c.version});
  }
  return cursor->status();
}

Status JsonDBImpl::OpenDatabase(std::string_view name, JsonDB** db) {
  if (root_ != this) return root_->OpenDatabase(name, db);
  if (closed_) return Status::Closed();
  if (name.empty()) {
    *db = this;
    return Status::OK();
  }
  std::lock_guard<std::mutex> lock(databases_mu_);
  auto it = databases_.find(name);
  if (it == databases_.end()) {
    auto child = std::make_unique<JsonDBImpl>(dir_, this, std::string(name));
    {
      // A schema change of this name cannot run before the object exists,
      // but one of DeleteDatabase could: load under the schema lock.
      std::lock_guard<std::mutex> schema_lock(schema_mu_);
      FLOWDB_RETURN_IF_ERROR(child->LoadCatalog());
    }
    it = databases_.emplace(std::string(name), std::move(child)).first;
  }
  *db = it->second.get();
  return Status::OK();
}

Status JsonDBImpl::DeleteDatabase(std::string_view name) {
  JsonDB* handle = nullptr;
  FLOWDB_RETURN_IF_ERROR(OpenDatabase(name, &handle));
  auto* target = static_cast<JsonDBImpl*>(handle);
  std::lock_guard<std::mutex> schema_lock(schema_mu_);
  WriteBatch batch;
  auto empty = std::make_shared<Catalog>();
  empty->generation = Catalog::NewGeneration();
  std::shared_ptr<const Catalog> before = target->catalog();
  bool swapped = false;
  Status s = WriteAsLeader(&batch, [&]() -> Status {
    // Existence is decided by the stored catalog, read as the leader.
    std::string v;
    Status g = db_->Get(ReadOptions(), CatalogKey(target->name_), 0, &v);
    if (g.IsNotFound()) return Status::NotFound("no database named", target->name_);
    FLOWDB_RETURN_IF_ERROR(g);
    Catalog stored;
    FLOWDB_RETURN_IF_ERROR(Catalog::Decode(v, &stored));
    std::vector<std::string> names;
    for (const auto& entry : stored.stores) names.push_back(entry.first);
    for (const auto& store_name : names) FLOWDB_RETURN_IF_ERROR(DropStore(&stored, store_name, &batch));
    batch.Delete(CatalogKey(target->name_), 0);
    WrittenCollector written;
    FLOWDB_RETURN_IF_ERROR(batch.Iterate(&written));
    Register(OwnedKeys(std::move(written.keys), std::move(written.ranges)));
    std::lock_guard<std::mutex> lock(target->mu_);
    target->catalog_ = empty;
    swapped = true;
    return Status::OK();
  });
  if (!s.ok() && swapped) {
    std::lock_guard<std::mutex> lock(target->mu_);
    target->catalog_ = before;
  }
  return s;
}

// --- versionchange transactions ---

uint32_t JsonDBImpl::AllocateId() {
  std::lock_guard<std::mutex> lock(schema_mu_);
  return NewId();
}

Status JsonDBImpl::ValidateReads(uint64_t snapshot_sequence, std::vector<EngineRange> reads) {
  // Only commits registered since the snapshot can conflict, and none is
  // registered while the caller leads the write queue: most commits skip
  // building the read set. The transaction's tracked snapshot keeps those
  // records.
  if (reads.empty()) return Status::OK();
  {
    std::lock_guard<std::mutex> lock(log_mu_);
    if (log_.empty() || log_.back().after_sequence < snapshot_sequence) return Status::OK();
  }
  ReadSet read_set(std::move(reads));
  std::lock_guard<std::mutex> lock(log_mu_);
  for (auto it = log_.rbegin(); it != log_.rend() && it->after_sequence >= snapshot_sequence; ++it) {
    for (const auto& k : it->keys) {
      if (read_set.Contains(k)) return Status::Conflict("a key the transaction read was written since");
    }
    for (const auto& r : it->ranges) {
      if (read_set.Overlaps(r)) return Status::Conflict("a range the transaction read was written since");
    }
  }
  return Status::OK();
}

Status JsonDBImpl::CommitSchemaTransaction(uint64_t snapshot_sequence, uint64_t base_generation,
                                           std::shared_ptr<const Catalog> catalog,
                                           std::vector<EngineRange> reads, WriteSet* writes) {
  if (closed_) return Status::Closed();
  // Taken before the write, as ChangeSchema does: the id counter written
  // below covers every id handed out so far.
  std::lock_guard<std::mutex> schema_lock(schema_mu_);
  WriteBatch batch;
  writes->BuildBatch(&batch);
  batch.Put(CatalogKey(name_), 0, catalog->Encode());
  std::string counter;
  PutFixed64BE(&counter, next_id_);
  batch.Put(IdCounterKey(), 0, counter);
  WriteSet::WrittenKeys taken = writes->TakeWrittenKeys();
  std::vector<std::string> keys(taken.keys.begin(), taken.keys.end());
  keys.push_back(CatalogKey(name_));
  keys.push_back(IdCounterKey());
  WriteSet::WrittenKeys written = OwnedKeys(std::move(keys), std::move(taken.ranges));
  auto installed = std::make_shared<Catalog>(*catalog);
  installed->generation = Catalog::NewGeneration();
  std::shared_ptr<const Catalog> before;
  Status s = WriteAsLeader(&batch, [&]() -> Status {
    if (this->catalog()->generation != base_generation) {
      return Status::Conflict("database", name_ + " changed its schema during the versionchange transaction");
    }
    FLOWDB_RETURN_IF_ERROR(ValidateReads(snapshot_sequence, std::move(reads)));
    Register(std::move(written));
    std::lock_guard<std::mutex> lock(mu_);
    before = std::move(catalog_);
    catalog_ = std::move(installed);
    return Status::OK();
  });
  if (!s.ok() && before != nullptr) {  // the batch itself failed
    std::lock_guard<std::mutex> lock(mu_);
    catalog_ = std::move(before);
  }
  return s;
}

}  // namespace doc
}  // namespace flowdb
