// JsonDB: an IndexedDB-shaped store of JSON documents on a FlowDB engine.
//
// A JsonDB holds named object stores; each maps a primary key to a JSON
// document and may carry secondary indexes. Keys follow IndexedDB's key
// model and order (Number < Date < String < Binary < Array); at this API
// they are always ENCODED KEYS: the order-preserving byte encoding of the
// document key codec (src/doc/key_codec.h), whose bytewise order is the
// IndexedDB key order. Documents cross as JSON text (UTF-8).
//
// Every read and write happens in a Transaction: snapshot isolation with
// optimistic concurrency control. A transaction reads the state committed
// before it began plus its own writes; Commit() checks that nothing it read
// (points and key ranges, including ranges covered by cursors, counts,
// queries, unique-index checks and key-generator reads) was changed by a
// transaction that committed after it began, then applies all its writes as
// one engine WriteBatch (one WAL record: all or nothing after a crash).
// A loser gets Status::Conflict and nothing of it is applied; read-only
// transactions never conflict. A "non-transactional" call is a transaction
// of its own: Begin, one call, Commit (the caller may retry it on Conflict).
//
// Errors (see flowdb/status.h): kNotFound for an unknown store or index (or
// one outside the transaction's scope); kConstraint for a unique-index
// violation, an add of an existing key or an exhausted key generator;
// kConflict at commit; kInvalidArgument with SubCode kInvalidKey for a key
// or key path that yields no valid key, kTransactionReadOnly for a write in a
// read-only transaction, kTransactionInactive after Commit/Abort; plain
// kInvalidArgument for malformed JSON or bad schema definitions.
// A failed call changes nothing in its transaction, which stays active.

#ifndef FLOWDB_INCLUDE_JSONDB_H_
#define FLOWDB_INCLUDE_JSONDB_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flowdb/options.h"
#include "flowdb/status.h"

namespace flowdb {

class DB;

// An IndexedDB key path. kNone: out-of-line keys (object stores only).
// kString: one path, "" (the value itself) or dotted identifiers "a.b.c".
// kArray: several such paths (not ""), giving an Array (compound) key.
struct KeyPathSpec {
  enum class Kind : uint8_t { kNone = 0, kString = 1, kArray = 2 };
  Kind kind = Kind::kNone;
  std::vector<std::string> paths;  // exactly one for kString

  static KeyPathSpec None() { return {}; }
  static KeyPathSpec String(std::string path) {
    KeyPathSpec k;
    k.kind = Kind::kString;
    k.paths.push_back(std::move(path));
    return k;
  }
  static KeyPathSpec Array(std::vector<std::string> paths) {
    KeyPathSpec k;
    k.kind = Kind::kArray;
    k.paths = std::move(paths);
    return k;
  }
  bool operator==(const KeyPathSpec&) const = default;
};

// A secondary index of an object store. unique: no two documents may have
// the same index key (kConstraint). multi_entry: an Array key at the key path
// gives one entry per distinct valid element (invalid elements skipped);
// not allowed with an array key path. A document whose key path yields no
// valid key has no entry in the index.
struct IndexSpec {
  std::string name;
  KeyPathSpec key_path;
  bool unique = false;
  bool multi_entry = false;
  bool operator==(const IndexSpec&) const = default;
};

// An object store. With a key path the primary key comes from each document
// (in-line keys); without one the caller passes it (out-of-line keys).
// auto_increment: a key generator supplies missing keys (1, 2, ...; explicit
// numeric keys raise it; at most 2^53, then kConstraint); with a key path
// the generated key is written into the stored document at that path.
//
// opaque_values: the store holds opaque values (the IndexedDB facade's
// structured clones) instead of JSON: the core never parses them, the
// caller computes every key (Transaction::PutValue) and the key path fields
// are only recorded for the caller. Such a store refuses JSON writes (Put,
// Add, PutMany) and queries that need document values (residual predicates
// or a sort by a path no index orders); JSON stores refuse PutValue.
struct StoreSpec {
  std::string name;
  KeyPathSpec key_path;
  bool auto_increment = false;
  std::vector<IndexSpec> indexes;
  bool opaque_values = false;
  bool operator==(const StoreSpec&) const = default;
};

// One change made by a schema operation (ApplySchema reports these).
struct SchemaChange {
  // kSetVersion: JsonDB::SetVersion (ApplySchema never reports it).
  enum class Kind : uint8_t { kCreateStore, kDeleteStore, kCreateIndex, kDeleteIndex, kSetVersion };
  Kind kind;
  std::string store;
  std::string index;  // empty for store changes
  bool operator==(const SchemaChange&) const = default;
};

// A range of encoded keys (IndexedDB IDBKeyRange). An absent bound is
// unbounded; *_open excludes the bound itself.
struct KeyRange {
  bool has_lower = false;
  std::string lower;
  bool lower_open = false;
  bool has_upper = false;
  std::string upper;
  bool upper_open = false;

  // Every key.
  static KeyRange All() { return {}; }
  // Exactly `key`.
  static KeyRange Only(std::string key) {
    KeyRange r;
    r.has_lower = r.has_upper = true;
    r.lower = key;
    r.upper = std::move(key);
    return r;
  }
  // True iff encoded `key` lies in the range.
  bool Contains(std::string_view key) const {
    if (has_lower && (lower_open ? key <= lower : key < lower)) return false;
    if (has_upper && (upper_open ? key >= upper : key > upper)) return false;
    return true;
  }
  // True iff no key can lie in the range.
  bool Empty() const {
    return has_lower && has_upper &&
           (lower > upper || (lower == upper && (lower_open || upper_open)));
  }
};

// Cursor directions (IndexedDB IDBCursorDirection). The *Unique forms
// visit only the first record (in primary key order) of each distinct key;
// over an object store they equal kNext/kPrev.
enum class CursorDirection : uint8_t { kNext = 0, kNextUnique, kPrev, kPrevUnique };

// What a read addresses: an object store, or one of its indexes.
struct DocSource {
  std::string store;
  std::string index;  // empty: the object store itself
};

// One record returned by a read. For an object store key == primary_key;
// for an index, key is the index key. All encoded keys; value is JSON text
// (empty when values were not requested).
struct DocRecord {
  std::string key;
  std::string primary_key;
  std::string value;
};

// Options of GetAll and cursors.
struct ReadRangeOptions {
  KeyRange range;
  CursorDirection direction = CursorDirection::kNext;
  // At most this many records (GetAll only; a cursor stops when the caller
  // stops).
  uint64_t limit = std::numeric_limits<uint64_t>::max();
  // Return keys and primary keys only: an index read then fetches no
  // document.
  bool keys_only = false;
};

// A cursor over the records of an object store, an index or a query result,
// in the order chosen at creation. It reads its transaction's snapshot plus
// the transaction's writes as of each step (a record written after it passed
// that position is not revisited).
//
// Thread safety: as its Transaction (one call at a time on either, from any
// thread). Destroy every cursor before its Transaction. For chunked
// delivery call Next() repeatedly on a worker thread and copy out the views.
class DocCursor {
 public:
  virtual ~DocCursor() = default;

  // Moves to the next record; false at the end or on error (status() says
  // which).
  virtual bool Next() = 0;
  // IndexedDB continue(key) / continuePrimaryKey(key, primaryKey): the next
  // Next() returns the first record at or after `key` in the cursor's
  // direction (and, when primary_key is given, at or after (key, primary_key);
  // only for index cursors in kNext/kPrev). Positions behind the cursor are
  // not revisited. Query cursors: kNotSupported.
  virtual Status Seek(std::string_view key, const std::string* primary_key = nullptr) = 0;

  // REQUIRES: the last Next() returned true. Views valid until the cursor
  // moves or its transaction writes.
  virtual std::string_view key() const = 0;
  virtual std::string_view primary_key() const = 0;
  virtual std::string_view value() const = 0;  // empty for keys_only cursors
  virtual Status status() const = 0;
};

// A query: predicates on dotted document paths (values and bounds are
// encoded keys and compare as IndexedDB keys; a document whose path holds no
// valid key matches no predicate), then an order, then offset and limit.
struct QueryPredicate {
  enum class Op : uint8_t {
    kEq,     // value at path == value
    kRange,  // range.Contains(value at path)
    kIn,     // value at path is one of values
  };
  std::string path;  // "" = the document itself; else "a.b.c"
  Op op = Op::kEq;
  std::string value;                // kEq
  KeyRange range;                   // kRange
  std::vector<std::string> values;  // kIn
};

struct Query {
  std::string store;
  std::vector<QueryPredicate> where;  // all must hold
  bool has_order = false;
  std::string order_by;               // a dotted path; documents without a
                                      // valid key there sort last (asc)
  bool descending = false;
  uint64_t offset = 0;
  uint64_t limit = std::numeric_limits<uint64_t>::max();
};

// How a query runs (JsonDB::Explain). Keys in `ranges` are in the chosen
// index's key space (encoded; an equality prefix of a compound index is an
// encoded Array prefix, see src/doc/doc_format.h).
struct QueryPlan {
  std::string index;                 // empty: the object store (primary key)
  std::vector<std::string> index_key_path;  // the paths the index covers
  std::vector<KeyRange> ranges;      // scanned in order; several for `in`
  bool reverse = false;              // the index is walked backwards
  std::vector<std::string> residual; // paths of predicates filtered per document
  bool sort = false;                 // results sorted after filtering
  bool reads_documents = true;       // false: a count answered from keys alone
  uint64_t offset = 0;
  uint64_t limit = std::numeric_limits<uint64_t>::max();
  bool early_stop = false;           // the scan stops once offset+limit are found
};

// The index keys a caller extracted from an opaque value for one index of
// its store: encoded keys, multiEntry already expanded (distinct). Empty:
// the value has no entry in that index.
struct ValueIndexKeys {
  std::string index;
  std::vector<std::string> keys;
};

// A database of a directory (JsonDB::ListDatabases).
struct DatabaseInfo {
  std::string name;      // bytes as given to OpenDatabase
  uint64_t version = 0;  // IndexedDB version; 0 = never set
};

enum class TransactionMode : uint8_t { kReadOnly = 0, kReadWrite = 1 };

// Options for JsonDB::Begin.
struct TransactionOptions {
  // The object stores the transaction may touch; empty: all stores.
  std::vector<std::string> stores;
  TransactionMode mode = TransactionMode::kReadOnly;
  // Read-only transactions only: serve every read from memory (memtables,
  // cached blocks); a read that would need file I/O fails with Status::WouldBlock
  // and the caller retries elsewhere (a JS-thread getSync).
  bool memory_only = false;
  // Read-only transactions only: at most this many records (engine entries
  // stepped over by scans, documents read by key) before a read fails with
  // Status::WouldBlock; 0: no limit. With memory_only, lets a thread that must not
  // block for long (Node's JS thread) try a small read first and hand a
  // large one to a worker.
  uint64_t read_budget = 0;
  // A schema transaction (IndexedDB "upgrade transaction"): read-write over
  // every store (`stores` must be empty), and the only kind that may call
  // the Transaction schema methods. Its schema changes, version change and
  // data writes commit together as one batch or not at all; Commit fails
  // with kConflict if the database's schema changed after Begin.
  bool versionchange = false;
};

// A transaction (see the file comment for its isolation and errors).
//
// Thread safety: not thread-safe; one call at a time, from any thread (the
// binding runs calls on worker threads in turn). Distinct transactions may be
// used concurrently. Destroying an active transaction aborts it. Destroy it
// before its JsonDB is closed.
class Transaction {
 public:
  virtual ~Transaction() = default;

  virtual TransactionMode mode() const = 0;
  // False once Commit or Abort was called (even if Commit failed).
  virtual bool active() const = 0;

  // Writes `json` to `store`; *out_key (may be null) receives the encoded
  // primary key. `key` (may be null) is the out-of-line key: required for a
  // store without key path and without key generator, refused (kInvalidKey)
  // for a store with a key path. With a key generator a missing key is
  // generated. put overwrites; add fails with kConstraint if the key exists.
  virtual Status Put(std::string_view store, std::string_view json, const std::string* key,
                     std::string* out_key) = 0;
  virtual Status Add(std::string_view store, std::string_view json, const std::string* key,
                     std::string* out_key) = 0;
  // Puts every document (in-line keys or a key generator required) as one
  // call: all or none. out_keys (may be null) receives the keys in order.
  virtual Status PutMany(std::string_view store, const std::vector<std::string_view>& jsons,
                         std::vector<std::string>* out_keys) = 0;
  // Deletes every document whose primary key is in `range` (and its index
  // entries).
  virtual Status Delete(std::string_view store, const KeyRange& range) = 0;
  // Deletes every document of `store` (the key generator is kept).
  virtual Status Clear(std::string_view store) = 0;

  // The document with primary key `key`: *found false (and *value untouched)
  // if none.
  virtual Status Get(std::string_view store, std::string_view key, std::string* value,
                     bool* found) = 0;
  // The first record of `source` in `range` (key order): IndexedDB get and
  // getKey on stores and indexes. keys_only skips the document.
  virtual Status GetFirst(const DocSource& source, const KeyRange& range, bool keys_only,
                          DocRecord* record, bool* found) = 0;
  // Records of `source` selected by `options`, appended to *out in order.
  virtual Status GetAll(const DocSource& source, const ReadRangeOptions& options,
                        std::vector<DocRecord>* out) = 0;
  // GetAll without copies: calls `visit` with a cursor on each selected
  // record, in order (its views valid during the call only). `visit`
  // returns false to stop early (not an error).
  virtual Status ForEach(const DocSource& source, const ReadRangeOptions& options,
                         const std::function<bool(const DocCursor&)>& visit) = 0;
  // Number of records of `source` in `range` (an index counts entries); reads
  // no document.
  virtual Status Count(const DocSource& source, const KeyRange& range, uint64_t* count) = 0;
  // A cursor over `source`.
  virtual Status OpenCursor(const DocSource& source, const ReadRangeOptions& options,
                            std::unique_ptr<DocCursor>* cursor) = 0;

  // Runs `query`: a cursor over the matching documents in order, offset and
  // limit applied (key() and primary_key() are the primary key).
  virtual Status RunQuery(const Query& query, std::unique_ptr<DocCursor>* cursor) = 0;
  // Number of documents `query` matches (offset and limit applied); reads no
  // document when the plan has no residual predicate.
  virtual Status CountQuery(const Query& query, uint64_t* count) = 0;

  // --- opaque-value stores (StoreSpec::opaque_values) ---

  // Writes `value` (bytes the core does not interpret) under encoded
  // `primary_key` in opaque store `store`, with the index entries
  // `index_keys` (one element per index of the store that has keys for this
  // value; indexes not listed get no entry; an unknown index is kNotFound,
  // an index listed twice or a malformed key kInvalidArgument/kInvalidKey).
  // The entries of a value this replaces are removed (the core keeps each
  // value's index keys in a record of their own, doc_format.h). add: fails
  // with kConstraint if the key exists; a unique index that already holds
  // one of the keys for another primary key: kConstraint. With a key
  // generator, a Number primary key raises it (IndexedDB "possibly update
  // the key generator"). Nothing is written on error.
  virtual Status PutValue(std::string_view store, std::string_view value,
                          std::string_view primary_key,
                          const std::vector<ValueIndexKeys>& index_keys, bool add) = 0;
  // The next key of the key generator of `store` (an auto_increment store,
  // opaque or not): *key is 1, 2, ...; transactional like a write (an
  // aborted transaction or a failed call leaves the generator as it was, as
  // IndexedDB requires). kConstraint once the generator passed 2^53;
  // kInvalidArgument for a store without key generator.
  virtual Status GenerateKey(std::string_view store, double* key) = 0;
  // Raises the key generator of `store` so that it never generates `key` or
  // below (no-op for keys < 1 or below the current number; keys >= 2^53
  // exhaust it). PutValue does this itself for Number primary keys.
  virtual Status RaiseKeyGenerator(std::string_view store, double key) = 0;

  // --- schema changes inside a versionchange transaction ---
  //
  // Each applies to this transaction's view at once (later calls see the
  // new stores and indexes) and reaches the database only with Commit;
  // Abort drops them with the data writes, as IndexedDB aborts an upgrade.
  // Outside a versionchange transaction they fail with kInvalidArgument;
  // other errors as the JsonDB methods of the same names.

  // Creates a store (and spec.indexes).
  virtual Status CreateObjectStore(const StoreSpec& spec) = 0;
  // Deletes a store with its records, indexes and key generator.
  virtual Status DeleteObjectStore(std::string_view store) = 0;
  // Creates an index. Over a JSON store it is filled from the documents as
  // this transaction sees them (kConstraint for a unique index they
  // violate); over an opaque store it starts empty and the caller fills it
  // by writing each value again with PutValue and its full index keys.
  virtual Status CreateIndex(std::string_view store, const IndexSpec& spec) = 0;
  // Deletes an index and its entries.
  virtual Status DeleteIndex(std::string_view store, std::string_view index) = 0;
  // Renames a store or an index (kConstraint if the new name is taken).
  virtual Status RenameObjectStore(std::string_view store, std::string_view new_name) = 0;
  virtual Status RenameIndex(std::string_view store, std::string_view index,
                             std::string_view new_name) = 0;
  // Sets the database version (kInvalidArgument unless above the current).
  virtual Status SetVersion(uint64_t version) = 0;
  // The schema and version as this transaction sees them.
  virtual std::vector<StoreSpec> Schema() const = 0;
  virtual uint64_t version() const = 0;

  // Validates and applies the writes (see the file comment). A read-only
  // transaction, or one that wrote nothing, just ends. The transaction is
  // inactive afterwards whatever the result.
  virtual Status Commit() = 0;
  // Drops the writes. Idempotent.
  virtual void Abort() = 0;
};

// Options for JsonDB::Open.
struct JsonDBOptions {
  // Engine options (sync mode, memtable size, ...). Open adds the setting
  // "jsondb.format" to db_options.stored_settings: a directory written by
  // another document format version fails to open (kInvalidArgument).
  Options db_options;
  // Keep everything in memory (an Env of its own, owned by the JsonDB; the
  // path is then only a name). Ignores db_options.env.
  bool in_memory = false;
};

// The document store.
//
// Thread safety: every method may be called concurrently from any thread.
// Schema operations are serialized among themselves and commit like a
// transaction: a transaction that began before a schema change of a store in
// its scope and writes fails with kConflict; its reads stay on its own
// snapshot of the schema. Close() requires every Transaction and DocCursor
// to be destroyed first.
class JsonDB {
 public:
  JsonDB() = default;
  JsonDB(const JsonDB&) = delete;
  JsonDB& operator=(const JsonDB&) = delete;
  virtual ~JsonDB() = default;  // closes if open

  // Opens (creating if allowed) the document store in directory `path`.
  // On error *result is left empty.
  static Status Open(const JsonDBOptions& options, const std::string& path,
                     std::unique_ptr<JsonDB>* result);

  // Creates a store and the indexes in spec.indexes in one atomic step.
  // kConstraint if the name exists; kInvalidArgument for an invalid key path,
  // auto_increment with an array or "" key path, or duplicate index names.
  virtual Status CreateObjectStore(const StoreSpec& spec) = 0;
  // Deletes a store, its documents, indexes and key generator. kNotFound if
  // absent.
  virtual Status DeleteObjectStore(std::string_view store) = 0;
  // Creates an index and fills it from the existing documents, in one atomic
  // batch. A unique index over documents that violate it fails with
  // kConstraint and leaves nothing behind. kConstraint if the name exists.
  virtual Status CreateIndex(std::string_view store, const IndexSpec& spec) = 0;
  // Deletes an index and its entries. kNotFound if absent.
  virtual Status DeleteIndex(std::string_view store, std::string_view index) = 0;
  // Makes the schema match `stores` in one atomic step: creates missing
  // stores and indexes (backfilled), deletes indexes of a listed store that
  // are not listed; stores not listed are kept. Refuses (kInvalidArgument,
  // nothing changed) a store whose key path or auto_increment differs from
  // the stored one, or an index whose definition differs. Idempotent:
  // *changes (may be null) receives what changed, empty if nothing.
  virtual Status ApplySchema(const std::vector<StoreSpec>& stores,
                             std::vector<SchemaChange>* changes) = 0;
  // Object store names, sorted (IndexedDB DOMStringList order).
  virtual std::vector<std::string> ObjectStoreNames() const = 0;
  // The current schema, stores sorted by name, indexes by name.
  virtual std::vector<StoreSpec> Schema() const = 0;

  // Starts a transaction. kNotFound if a listed store does not exist.
  virtual Status Begin(const TransactionOptions& options, std::unique_ptr<Transaction>* txn) = 0;

  // The plan RunQuery would use now. kNotFound for an unknown store.
  virtual Status Explain(const Query& query, QueryPlan* plan) const = 0;

  // --- several databases in one directory (the IndexedDB facade) ---
  //
  // A directory holds named databases, each with its own catalog (object
  // stores, indexes) and an IndexedDB version. The JsonDB that Open returns
  // is the database named "" and also owns the directory: the engine, the
  // id counter and the commit log are shared by all its databases, so
  // transactions of different databases never conflict (their keys differ)
  // and each commit stays one engine batch. A database exists once its
  // catalog was written (a schema change or SetVersion).

  // This database's name ("" for the one Open returns).
  virtual const std::string& name() const = 0;
  // This database's IndexedDB version: 0 until SetVersion.
  virtual uint64_t version() const = 0;
  // Sets the version as a schema change (atomic, conflicts like one).
  // kInvalidArgument unless version > the current version.
  virtual Status SetVersion(uint64_t version) = 0;
  // Every database of the directory that exists (name order, bytewise).
  virtual Status ListDatabases(std::vector<DatabaseInfo>* out) = 0;
  // The database `name` of this directory, created empty (version 0, not
  // stored until its first schema change) if absent. *db is owned by the
  // directory's JsonDB (valid until it is destroyed; its Close closes the
  // engine for all); the same name always gives the same object. Close()
  // on a database other than "" is a no-op.
  virtual Status OpenDatabase(std::string_view name, JsonDB** db) = 0;
  // Deletes database `name` — its catalog, documents, values, index entries
  // and key generators — in one atomic engine batch. Afterwards its object
  // (if opened) is empty with version 0; transactions of it that began
  // before and write fail with kConflict. kNotFound if it does not exist.
  virtual Status DeleteDatabase(std::string_view name) = 0;

  // The engine underneath (stats, flush, compaction). Owned by the JsonDB.
  virtual DB* engine() = 0;

  // Closes the engine. Idempotent; later calls return Status::Closed.
  virtual Status Close() = 0;
};

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_JSONDB_H_
