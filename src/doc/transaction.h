// TransactionImpl: a JsonDB transaction — snapshot, read set, WriteSet —
// and the document write path with index maintenance.
//
// Thread safety: as Transaction (one call at a time).

#ifndef FLOWDB_DOC_TRANSACTION_H_
#define FLOWDB_DOC_TRANSACTION_H_

#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "catalog.h"
#include "doc_keys.h"
#include "flowdb/jsondb.h"
#include "write_set.h"

namespace flowdb::doc {

class JsonDBImpl;

// The engine range [begin, end) that the key range `range` selects among the
// records with prefix `prefix` (prefix + encoded key [+ more]).
EngineRange ToEngineRange(const std::string& prefix, const KeyRange& range);

class TransactionImpl : public Transaction, public ReadRecorder {
 public:
  TransactionImpl(JsonDBImpl* db, std::shared_ptr<const Catalog> catalog,
                  const TransactionOptions& options);
  ~TransactionImpl() override;

  TransactionMode mode() const override { return mode_; }
  bool active() const override { return active_; }

  Status Put(std::string_view store, std::string_view json, const std::string* key,
             std::string* out_key) override;
  Status Add(std::string_view store, std::string_view json, const std::string* key,
             std::string* out_key) override;
  Status PutMany(std::string_view store, const std::vector<std::string_view>& jsons,
                 std::vector<std::string>* out_keys) override;
  Status Delete(std::string_view store, const KeyRange& range) override;
  Status Clear(std::string_view store) override;

  Status Get(std::string_view store, std::string_view key, std::string* value,
             bool* found) override;
  Status GetFirst(const DocSource& source, const KeyRange& range, bool keys_only,
                  DocRecord* record, bool* found) override;
  Status GetAll(const DocSource& source, const ReadRangeOptions& options,
                std::vector<DocRecord>* out) override;
  Status ForEach(const DocSource& source, const ReadRangeOptions& options,
                 const std::function<bool(const DocCursor&)>& visit) override;
  Status Count(const DocSource& source, const KeyRange& range, uint64_t* count) override;
  Status OpenCursor(const DocSource& source, const ReadRangeOptions& options,
                    std::unique_ptr<DocCursor>* cursor) override;
  Status RunQuery(const Query& query, std::unique_ptr<DocCursor>* cursor) override;
  Status CountQuery(const Query& query, uint64_t* count) override;

  Status PutValue(std::string_view store, std::string_view value, std::string_view primary_key,
                  const std::vector<ValueIndexKeys>& index_keys, bool add) override;
  Status GenerateKey(std::string_view store, double* key) override;
  Status RaiseKeyGenerator(std::string_view store, double key) override;

  Status CreateObjectStore(const StoreSpec& spec) override;
  Status DeleteObjectStore(std::string_view store) override;
  Status CreateIndex(std::string_view store, const IndexSpec& spec) override;
  Status DeleteIndex(std::string_view store, std::string_view index) override;
  Status RenameObjectStore(std::string_view store, std::string_view new_name) override;
  Status RenameIndex(std::string_view store, std::string_view index, std::string_view new_name) override;
  Status SetVersion(uint64_t version) override;
  std::vector<StoreSpec> Schema() const override;
  uint64_t version() const override { return catalog_->version; }

  Status Commit() override;
  void Abort() override;

  size_t RecordRange(size_t slot, std::string_view begin, std::string_view end) override;

  // --- for cursors and queries ---
  // The value of engine key `key` at the snapshot plus own writes.
  Status ReadValue(const std::string& key, std::string* value, bool* found);
  // ReadValue from the snapshot alone, unrecorded: for a key the caller
  // knows is not pending (and records itself).
  Status ReadEngine(const std::string& key, std::string* value, bool* found);
  // ReadValue for each of `keys` (any order), in that order: (*found)[i] and
  // (*values)[i] as ReadValue gives them, each key recorded as read. The
  // keys this transaction did not write are read in one DB::MultiGet;
  // `lookups` is the caller's scratch. The first engine error is returned.
  Status ReadValues(std::span<const std::string> keys, std::vector<std::string>* values,
                    std::vector<bool>* found, std::vector<PointLookup>* lookups);
  // A scan of engine `range` at the snapshot plus own writes (reads recorded).
  std::unique_ptr<OverlayScan> NewScan(EngineRange range, bool reverse);
  // Finds a store (and index, when `index` is not empty) in scope.
  Status Resolve(std::string_view store, std::string_view index, const StoreInfo** s,
                 const IndexInfo** i) const;
  const Catalog& catalog() const { return *catalog_; }
  // The extractor of a store: request 0 is the primary key path when the
  // store has one, then one request per index in StoreInfo order. Valid
  // until the calling thread's next call into any transaction.
  DocKeyExtractor* Extractor(const StoreInfo& store);

 private:
  Status CheckActive() const;
  Status CheckWritable(std::string_view store, const StoreInfo** info);
  // kConstraint if unique `index` holds `ikey` for a primary key other than
  // `pk` (as this transaction sees it); the scan is recorded as a read.
  Status CheckUnique(const IndexInfo& index, std::string_view ikey, std::string_view pk);
  Status PutOne(const StoreInfo& store, std::string_view json, const std::string* key, bool add,
                std::string* out_key);
  Status DeleteOne(const StoreInfo& store, const std::string& doc_key, std::string_view json);
  Status NextGeneratedKey(const StoreInfo& store, double* key);
  Status RaiseGenerator(const StoreInfo& store, double key);
  void RecordPoint(const std::string& key);
  // Opaque stores: one value's write, and the deletion of the values in
  // `range` with their index entries (from their value-keys records).
  Status PutValueOne(const StoreInfo& store, std::string_view value, std::string_view primary_key,
                     const std::vector<ValueIndexKeys>& index_keys, bool add);
  Status DeleteValues(const StoreInfo& store, const KeyRange& range);
  // Refuses a query an opaque store cannot answer from keys alone.
  Status CheckOpaqueQuery(const StoreInfo& store, const Query& query) const;
  // Versionchange transactions: applies `edit` to a copy of the catalog
  // (its writes undone if it fails) and makes the copy this transaction's.
  template <typename F>
  Status EditCatalog(F&& edit);
  // Fills a new index of a JSON store from the documents this transaction
  // sees.
  Status BackfillIndex(const StoreInfo& store, const IndexInfo& index);
  // Runs `body` so that on error nothing it wrote stays.
  template <typename F>
  Status Atomically(F&& body);

  JsonDBImpl* db_;
  std::shared_ptr<const Catalog> catalog_;
  TransactionMode mode_;
  std::set<std::string, std::less<>> scope_;  // empty: all stores
  const Snapshot* snapshot_ = nullptr;
  uint64_t snapshot_sequence_ = 0;
  ReadOptions read_options_;
  // Records this read-only transaction may still read (see
  // TransactionOptions::read_budget); null: no limit.
  uint64_t read_budget_ = 0;
  uint64_t* budget_ = nullptr;
  bool active_ = true;

  WriteSet writes_;
  std::vector<EngineRange> reads_;
  std::set<uint32_t> written_stores_;
  std::vector<PathKeys> scratch_, old_scratch_;
  std::string entry_key_;  // PutOne's index entry keys, built in place

  // Versionchange transactions (TransactionOptions::versionchange).
  bool versionchange_ = false;
  bool schema_changed_ = false;     // catalog_ is this transaction's own
  uint64_t base_generation_ = 0;    // the database's catalog at Begin
  // Catalogs replaced by schema edits, kept alive for the cursors and
  // StoreInfo references taken from them.
  std::vector<std::shared_ptr<const Catalog>> retired_catalogs_;
};

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_TRANSACTION_H_
