// JsonDBImpl: owns the engine and the catalog, runs schema operations, and
// keeps the commit log that optimistic transactions validate against.
//
// Commit protocol (snapshot isolation + OCC): a transaction takes an engine
// snapshot (sequence S) at Begin. Each commit that writes registers, while
// its write leads the engine's write queue, a CommitRecord stamped with the
// engine's latest sequence L at that moment (its batch gets sequences > L).
// A transaction with snapshot S must not have read anything a record with
// L >= S wrote (such a commit is invisible to it); validation and
// registration happen in the same leader-exclusive step, so no commit slips
// between them. Records older than every open read-write snapshot are
// trimmed.
//
// Thread safety: as JsonDB.

#ifndef FLOWDB_DOC_JSONDB_IMPL_H_
#define FLOWDB_DOC_JSONDB_IMPL_H_

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "catalog.h"
#include "flowdb/db.h"
#include "flowdb/env.h"
#include "flowdb/jsondb.h"
#include "flowdb/write_callback.h"
#include "write_set.h"

namespace flowdb::doc {

// What one committed write changed, for later validations.
struct CommitRecord {
  uint64_t after_sequence = 0;          // the engine's latest sequence before it
  std::vector<std::string_view> keys;   // sorted; the bytes live in `storage`
  std::vector<EngineRange> ranges;
  std::shared_ptr<const void> storage;
};

// A transaction's reads, merged for validation.
class ReadSet {
 public:
  explicit ReadSet(std::vector<EngineRange> ranges);
  bool Contains(std::string_view key) const;
  bool Overlaps(const EngineRange& range) const;
  bool empty() const { return ranges_.empty(); }

 private:
  std::vector<EngineRange> ranges_;  // sorted by begin, disjoint
};

class JsonDBImpl;

// What every database of one directory shares: the engine, the id counter,
// schema serialization and the commit log (ids are unique in the directory,
// so one log validates transactions of every database).
struct DirectoryState {
  std::unique_ptr<Env> mem_env;
  std::unique_ptr<DB> db;
  std::atomic<bool> closed{false};
  std::mutex schema_mu;  // serializes schema operations of all databases; guards next_id
  uint32_t next_id = 1;
  std::mutex log_mu;  // guards log, readers
  std::deque<CommitRecord> log;
  std::multiset<uint64_t> readers;
};

class JsonDBImpl : public JsonDB {
 public:
  // The directory's database "" (OpenImpl opens the directory).
  JsonDBImpl();
  // Database `name` of the directory `dir` (root: the database "").
  JsonDBImpl(std::shared_ptr<DirectoryState> dir, JsonDBImpl* root, std::string name);
  ~JsonDBImpl() override;

  Status OpenImpl(const JsonDBOptions& options, const std::string& path);

  Status CreateObjectStore(const StoreSpec& spec) override;
  Status DeleteObjectStore(std::string_view store) override;
  Status CreateIndex(std::string_view store, const IndexSpec& spec) override;
  Status DeleteIndex(std::string_view store, std::string_view index) override;
  Status ApplySchema(const std::vector<StoreSpec>& stores,
                     std::vector<SchemaChange>* changes) override;
  std::vector<std::string> ObjectStoreNames() const override;
  std::vector<StoreSpec> Schema() const override;
  Status Begin(const TransactionOptions& options, std::unique_ptr<Transaction>* txn) override;
  Status Explain(const Query& query, QueryPlan* plan) const override;
  DB* engine() override { return db_.get(); }
  Status Close() override;

  const std::string& name() const override { return name_; }
  uint64_t version() const override;
  Status SetVersion(uint64_t version) override;
  Status ListDatabases(std::vector<DatabaseInfo>* out) override;
  Status OpenDatabase(std::string_view name, JsonDB** db) override;
  Status DeleteDatabase(std::string_view name) override;

  // --- for transactions ---
  DB* db() const { return db_.get(); }
  std::shared_ptr<const Catalog> catalog() const;
  // Takes an engine snapshot; `track` (read-write transactions) keeps the
  // commit records its validation needs until ReleaseSnapshot.
  const Snapshot* AcquireSnapshot(bool track);
  void ReleaseSnapshot(const Snapshot* snapshot, bool track);
  // Commits a transaction's writes: validates `reads` (taken at
  // `snapshot_sequence` under `catalog`; the stores it wrote must be
  // unchanged) against later commits, registers `writes`, and applies them
  // in one batch. Consumes `writes` (its keys move into the commit log).
  // Commits a versionchange transaction: fails with kConflict unless this
  // database's catalog is still the one of generation `base_generation`,
  // validates `reads` as CommitWrites does, and applies `writes` with the
  // new `catalog` (and the id counter) in one batch, then installs it.
  Status CommitSchemaTransaction(uint64_t snapshot_sequence, uint64_t base_generation,
                                 std::shared_ptr<const Catalog> catalog, std::vector<EngineRange> reads,
                                 WriteSet* writes);
  // A new store or index id for a versionchange transaction (persisted with
  // the next schema commit; an aborted transaction's ids are never reused).
  uint32_t AllocateId();
  Status CommitWrites(uint64_t snapshot_sequence, const Catalog& catalog,
                      const std::set<uint32_t>& written_stores, std::vector<EngineRange> reads,
                      WriteSet* writes);

 private:
  // Runs `leader` while this write leads the engine's write queue (it may
  // add to `batch`), then applies `batch`.
  Status WriteAsLeader(WriteBatch* batch, const std::function<Status()>& leader);
  // A scan of the committed documents of store `store_id` (latest state).
  std::unique_ptr<ScanCursor> ScanDocuments(uint32_t store_id);
  // Appends a commit record (REQUIRES: inside WriteAsLeader's leader step).
  // `written.keys` are sorted and point into `written.storage`.
  void Register(WriteSet::WrittenKeys written);
  // A commit record's keys from plain strings (sorted here, kept alive by
  // the record).
  static WriteSet::WrittenKeys OwnedKeys(std::vector<std::string> keys,
                                         std::vector<EngineRange> ranges);
  void TrimLog();  // REQUIRES: log_mu_ held
  // Applies a new catalog built from the current one by `edit`, with the
  // data changes it needs, as one write. `edit` runs as the write's leader
  // step, so it sees every committed document.
  Status ChangeSchema(const std::function<Status(Catalog* catalog, WriteBatch* batch,
                                                 std::vector<SchemaChange>* changes)>& edit,
                      std::vector<SchemaChange>* changes);
  // Schema edits, run inside ChangeSchema's leader step.
  Status AddStore(Catalog* catalog, const StoreSpec& spec, WriteBatch* batch);
  Status DropStore(Catalog* catalog, std::string_view name, WriteBatch* batch);
  Status AddIndex(Catalog* catalog, StoreInfo* store, const IndexSpec& spec, WriteBatch* batch);
  Status DropIndex(StoreInfo* store, std::string_view name, WriteBatch* batch);
  // AddIndex for an opaque store: the core cannot read keys from its values,
  // so the index is created here only while the store is empty
  // (kNotSupported otherwise: Transaction::CreateIndex in a versionchange
  // transaction lets the caller supply the keys).
  Status AddOpaqueIndex(StoreInfo* store, IndexInfo index, WriteBatch* batch);
  uint32_t NewId() { return next_id_++; }
  // kConflict if a commit registered after `snapshot_sequence` wrote what
  // `reads` covers (REQUIRES: inside WriteAsLeader's leader step).
  Status ValidateReads(uint64_t snapshot_sequence, std::vector<EngineRange> reads);
  // Reads this database's catalog from the engine (empty if absent).
  Status LoadCatalog();

  // The directory's shared state; the members below alias into it.
  std::shared_ptr<DirectoryState> dir_;
  std::unique_ptr<Env>& mem_env_ = dir_->mem_env;
  std::unique_ptr<DB>& db_ = dir_->db;
  std::atomic<bool>& closed_ = dir_->closed;
  std::mutex& schema_mu_ = dir_->schema_mu;
  uint32_t& next_id_ = dir_->next_id;
  std::mutex& log_mu_ = dir_->log_mu;
  std::deque<CommitRecord>& log_ = dir_->log;
  std::multiset<uint64_t>& readers_ = dir_->readers;

  JsonDBImpl* root_;  // the database "" (this for itself)
  std::string name_;

  mutable std::mutex mu_;  // guards catalog_
  std::shared_ptr<const Catalog> catalog_;

  // Root only: the other databases opened, by name.
  std::mutex databases_mu_;
  std::map<std::string, std::unique_ptr<JsonDBImpl>, std::less<>> databases_;
};

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_JSONDB_IMPL_H_
