// The document core's second front door, for the IndexedDB facade: several
// named databases with versions in one directory, and object stores of
// opaque values whose keys the caller computes.

#include <algorithm>
#include <filesystem>
#include <map>

#include "doc/catalog.h"
#include "doc/doc_format.h"
#include "jsondb_test_util.h"

namespace flowdb::jsondb_test {
namespace {

JsonDBOptions DiskOptions() {
  JsonDBOptions o;
  o.db_options.sync_mode = SyncMode::kNone;
  return o;
}

// An opaque store "books" (out-of-line keys unless key_path is given) with
// a unique index "byIsbn" and a multiEntry index "byTag".
StoreSpec Books(bool auto_increment = false) {
  StoreSpec s;
  s.name = "books";
  s.opaque_values = true;
  s.auto_increment = auto_increment;
  s.indexes.push_back({"byIsbn", KeyPathSpec::String("isbn"), true, false});
  s.indexes.push_back({"byTag", KeyPathSpec::String("tags"), false, true});
  return s;
}

JsonDB* OpenNamed(JsonDB* root, std::string_view name) {
  JsonDB* db = nullptr;
  Status s = root->OpenDatabase(name, &db);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return db;
}

Status PutV(JsonDB* db, const std::string& store, const std::string& value, const std::string& pk,
            std::vector<ValueIndexKeys> keys = {}, bool add = false) {
  auto t = Begin(db, TransactionMode::kReadWrite);
  FLOWDB_RETURN_IF_ERROR(t->PutValue(store, value, pk, keys, add));
  return t->Commit();
}

std::vector<std::string> PrimaryKeys(const std::vector<DocRecord>& r) {
  std::vector<std::string> v;
  for (const auto& x : r) v.push_back(x.primary_key);
  return v;
}

uint64_t CountOf(JsonDB* db, const DocSource& source, const KeyRange& range = KeyRange::All()) {
  auto t = Begin(db, TransactionMode::kReadOnly);
  uint64_t n = 0;
  Status s = t->Count(source, range, &n);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return n;
}

// Every engine key of the directory, for exact before/after comparisons.
std::vector<std::string> EngineKeys(JsonDB* db) {
  ScanOptions scan;
  scan.ts_min = scan.ts_max = 0;
  auto cursor = db->engine()->NewScan(ReadOptions(), scan);
  std::vector<std::string> keys;
  while (cursor->Next()) keys.emplace_back(cursor->key());
  EXPECT_TRUE(cursor->status().ok()) << cursor->status().ToString();
  return keys;
}

// A value with bytes JSON never holds (NUL, 0xff, invalid UTF-8).
const std::string kBinary("\xff\x00\x01{not json", 13);

TEST(JsonDBIdb, DatabasesAreIsolatedAndSurviveReopen) {
  std::string dir = test::TempDir("jsondb-idb-dbs");
  {
    std::unique_ptr<JsonDB> root;
    ASSERT_OK(JsonDB::Open(DiskOptions(), dir, &root));
    JsonDB* a = OpenNamed(root.get(), "alpha");
    JsonDB* b = OpenNamed(root.get(), "beta");
    EXPECT_EQ(OpenNamed(root.get(), "alpha"), a);  // one object per name
    EXPECT_EQ(OpenNamed(a, ""), root.get());
    EXPECT_EQ(a->name(), "alpha");
    EXPECT_EQ(a->version(), 0u);
    std::vector<DatabaseInfo> list;
    ASSERT_OK(root->ListDatabases(&list));
    EXPECT_TRUE(list.empty());  // nothing stored yet

    ASSERT_OK(a->SetVersion(3));
    EXPECT_TRUE(a->SetVersion(3).IsInvalidArgument());
    EXPECT_TRUE(a->SetVersion(2).IsInvalidArgument());
    ASSERT_OK(a->CreateObjectStore(Books()));
    ASSERT_OK(b->SetVersion(1));
    ASSERT_OK(b->CreateObjectStore(Books()));  // the same store name in another database
    ASSERT_OK(PutV(a, "books", "a-one", N(1), {{"byIsbn", {S("111")}}}));
    ASSERT_OK(PutV(b, "books", "b-one", N(1), {{"byIsbn", {S("111")}}}));  // unique per database
    EXPECT_EQ(Get(a, "books", N(1)), "a-one");
    EXPECT_EQ(Get(b, "books", N(1)), "b-one");
    EXPECT_TRUE(root->ObjectStoreNames().empty());
    ASSERT_OK(root->Close());
  }
  std::unique_ptr<JsonDB> root;
  ASSERT_OK(JsonDB::Open(DiskOptions(), dir, &root));
  std::vector<DatabaseInfo> list;
  ASSERT_OK(root->ListDatabases(&list));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "alpha");
  EXPECT_EQ(list[0].version, 3u);
  EXPECT_EQ(list[1].name, "beta");
  EXPECT_EQ(list[1].version, 1u);
  JsonDB* a = OpenNamed(root.get(), "alpha");
  JsonDB* b = OpenNamed(root.get(), "beta");
  EXPECT_EQ(a->version(), 3u);
  auto schema = a->Schema();
  ASSERT_EQ(schema.size(), 1u);
  EXPECT_EQ(schema[0], Books());
  EXPECT_TRUE(schema[0].opaque_values);
  EXPECT_EQ(Get(a, "books", N(1)), "a-one");
  EXPECT_EQ(Get(b, "books", N(1)), "b-one");
  EXPECT_EQ(All(a, {"books", "byIsbn"}, KeyRange::Only(S("111"))).size(), 1u);
  // Ids come from the one directory counter: new stores in either database
  // never reuse one.
  StoreSpec more;
  more.name = "more";
  ASSERT_OK(b->CreateObjectStore(more));
  std::string k5 = N(5);
  ASSERT_OK(Put(b, "more", "{\"x\":1}", &k5));
  EXPECT_EQ(Get(a, "books", N(1)), "a-one");
}

TEST(JsonDBIdb, DatabaseNamesAreBytes) {
  auto root = OpenMem();
  // "b", a lone surrogate D800 as the binding writes it, "eta"; and a name
  // that is a prefix of it.
  const std::string lone("b\xed\xa0\x80" "eta");
  ASSERT_OK(OpenNamed(root.get(), lone)->SetVersion(2));
  ASSERT_OK(OpenNamed(root.get(), "b")->SetVersion(1));
  std::vector<DatabaseInfo> list;
  ASSERT_OK(root->ListDatabases(&list));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "b");
  EXPECT_EQ(list[1].name, lone);
  EXPECT_EQ(list[1].version, 2u);
}

TEST(JsonDBIdb, DeleteDatabaseRemovesExactlyItsData) {
  auto root = OpenMem();
  StoreSpec json;
  json.name = "notes";
  json.key_path = KeyPathSpec::String("id");
  json.indexes.push_back({"byTitle", KeyPathSpec::String("title"), false, false});
  ASSERT_OK(root->CreateObjectStore(json));
  ASSERT_OK(Put(root.get(), "notes", R"({"id":1,"title":"t"})"));
  JsonDB* keep = OpenNamed(root.get(), "keep");
  ASSERT_OK(keep->SetVersion(1));
  ASSERT_OK(keep->CreateObjectStore(Books(true)));
  ASSERT_OK(PutV(keep, "books", "k", N(1), {{"byTag", {S("x"), S("y")}}}));
  std::vector<std::string> before = EngineKeys(root.get());

  JsonDB* gone = OpenNamed(root.get(), "gone");
  ASSERT_OK(gone->SetVersion(7));
  ASSERT_OK(gone->CreateObjectStore(Books(true)));
  StoreSpec plain = json;
  ASSERT_OK(gone->CreateObjectStore(plain));
  {
    auto t = Begin(gone, TransactionMode::kReadWrite);
    double k = 0;
    ASSERT_OK(t->GenerateKey("books", &k));
    ASSERT_OK(t->PutValue("books", "g", N(k), {{"byIsbn", {S("9")}}, {"byTag", {S("x")}}}, true));
    ASSERT_OK(t->Put("notes", R"({"id":2,"title":"u"})", nullptr, nullptr));
    ASSERT_OK(t->Commit());
  }
  // A transaction of the doomed database that began before the delete.
  auto late = Begin(gone, TransactionMode::kReadWrite);
  std::string v;
  bool found = false;
  ASSERT_OK(late->Get("books", N(1), &v, &found));
  EXPECT_TRUE(found);

  ASSERT_OK(root->DeleteDatabase("gone"));
  EXPECT_TRUE(root->DeleteDatabase("gone").IsNotFound());
  EXPECT_TRUE(root->DeleteDatabase("never").IsNotFound());
  // The engine holds exactly what it held before "gone" existed, apart
  // from the id counter (ids are never reused).
  std::vector<std::string> after = EngineKeys(root.get());
  EXPECT_EQ(after, before);
  EXPECT_EQ(gone->version(), 0u);
  EXPECT_TRUE(gone->ObjectStoreNames().empty());
  std::vector<DatabaseInfo> list;
  ASSERT_OK(root->ListDatabases(&list));
  ASSERT_EQ(list.size(), 2u);  // "" (it has a catalog) and "keep"
  EXPECT_EQ(list[0].name, "");
  EXPECT_EQ(list[0].version, 0u);
  EXPECT_EQ(list[1].name, "keep");

  ASSERT_OK(late->PutValue("books", "again", N(2), {}, false));
  EXPECT_TRUE(late->Commit().IsConflict());
  EXPECT_EQ(Get(keep, "books", N(1)), "k");
  EXPECT_EQ(Get(root.get(), "notes", N(1)), R"({"id":1,"title":"t"})");

  // Recreated under the same name: empty, a fresh generator.
  ASSERT_OK(gone->SetVersion(1));
  ASSERT_OK(gone->CreateObjectStore(Books(true)));
  auto t = Begin(gone, TransactionMode::kReadWrite);
  double k = 0;
  ASSERT_OK(t->GenerateKey("books", &k));
  EXPECT_EQ(k, 1);
  EXPECT_EQ(CountOf(gone, {"books", ""}), 0u);
}

TEST(JsonDBIdb, OpaqueValuesWithIndexMaintenance) {
  auto db = OpenMem();
  ASSERT_OK(db->CreateObjectStore(Books()));
  ASSERT_OK(PutV(db.get(), "books", kBinary, N(1), {{"byIsbn", {S("111")}}, {"byTag", {S("a"), S("b")}}}));
  ASSERT_OK(PutV(db.get(), "books", "two", N(2), {{"byTag", {S("b"), S("c"), S("b")}}}));
  ASSERT_OK(PutV(db.get(), "books", "three", S("k3")));  // no index keys at all
  EXPECT_EQ(Get(db.get(), "books", N(1)), kBinary);
  EXPECT_EQ(Values(All(db.get(), {"books", ""})), (std::vector<std::string>{kBinary, "two", "three"}));
  EXPECT_EQ(CountOf(db.get(), {"books", "byTag"}), 4u);  // a, b, b, c (duplicates removed)
  EXPECT_EQ(CountOf(db.get(), {"books", "byTag"}, KeyRange::Only(S("b"))), 2u);
  EXPECT_EQ(Values(All(db.get(), {"books", "byTag"}, KeyRange::Only(S("b")))),
            (std::vector<std::string>{kBinary, "two"}));

  // Overwrite: entries of the old value go, the new ones come.
  ASSERT_OK(PutV(db.get(), "books", "one v2", N(1), {{"byIsbn", {S("222")}}, {"byTag", {S("c")}}}));
  EXPECT_EQ(CountOf(db.get(), {"books", "byIsbn"}, KeyRange::Only(S("111"))), 0u);
  EXPECT_EQ(PrimaryKeys(All(db.get(), {"books", "byIsbn"})), (std::vector<std::string>{N(1)}));
  EXPECT_EQ(PrimaryKeys(All(db.get(), {"books", "byTag"})), (std::vector<std::string>{N(2), N(1), N(2)}));
  // Overwrite with no keys: every entry of the key goes.
  ASSERT_OK(PutV(db.get(), "books", "one v3", N(1)));
  EXPECT_EQ(PrimaryKeys(All(db.get(), {"books", "byTag"})), (std::vector<std::string>{N(2), N(2)}));
  EXPECT_EQ(CountOf(db.get(), {"books", "byIsbn"}), 0u);

  // add of an existing key.
  EXPECT_TRUE(PutV(db.get(), "books", "x", N(2), {}, true).IsConstraint());
  EXPECT_EQ(Get(db.get(), "books", N(2)), "two");

  // Cursor with values and a seek, over the index, in reverse.
  {
    auto t = Begin(db.get(), TransactionMode::kReadOnly);
    ReadRangeOptions o;
    o.direction = CursorDirection::kPrev;
    std::unique_ptr<DocCursor> c;
    ASSERT_OK(t->OpenCursor({"books", "byTag"}, o, &c));
    ASSERT_TRUE(c->Next());
    EXPECT_EQ(c->key(), S("c"));
    EXPECT_EQ(c->value(), "two");
    ASSERT_OK(c->Seek(S("b")));
    ASSERT_TRUE(c->Next());
    EXPECT_EQ(c->key(), S("b"));
    EXPECT_EQ(c->primary_key(), N(2));
    EXPECT_FALSE(c->Next());
    ASSERT_OK(c->status());
  }

  // Delete by key and by range remove the index entries.
  ASSERT_OK(PutV(db.get(), "books", "four", N(4), {{"byIsbn", {S("444")}}, {"byTag", {S("d")}}}));
  ASSERT_OK(Del(db.get(), "books", KeyRange::Only(N(2))));
  EXPECT_EQ(Get(db.get(), "books", N(2)), "<none>");
  EXPECT_EQ(PrimaryKeys(All(db.get(), {"books", "byTag"})), (std::vector<std::string>{N(4)}));
  KeyRange numbers;
  numbers.has_lower = numbers.has_upper = true;
  numbers.lower = N(0);
  numbers.upper = N(100);
  ASSERT_OK(Del(db.get(), "books", numbers));
  EXPECT_EQ(CountOf(db.get(), {"books", "byTag"}), 0u);
  EXPECT_EQ(CountOf(db.get(), {"books", "byIsbn"}), 0u);
  EXPECT_EQ(Values(All(db.get(), {"books", ""})), (std::vector<std::string>{"three"}));
  // A later put under a deleted key starts with no old entries.
  ASSERT_OK(PutV(db.get(), "books", "four again", N(4), {{"byIsbn", {S("444")}}}));
  EXPECT_EQ(CountOf(db.get(), {"books", "byIsbn"}), 1u);

  // clear drops values, entries and value-keys records.
  {
    auto t = Begin(db.get(), TransactionMode::kReadWrite);
    ASSERT_OK(t->Clear("books"));
    ASSERT_OK(t->Commit());
  }
  EXPECT_EQ(CountOf(db.get(), {"books", ""}), 0u);
  EXPECT_EQ(CountOf(db.get(), {"books", "byIsbn"}), 0u);
  for (const auto& k : EngineKeys(db.get())) {
    EXPECT_NE(static_cast<uint8_t>(k[0]), static_cast<uint8_t>(doc::RecordKind::kValueKeys));
  }
}

// Keys the engine cannot hold (over WriteBatch::kMaxKeySize once encoded
// with their prefix) fail the call that makes them with kInvalidKey and leave
// the transaction usable; before, such a write was accepted, readable inside
// the transaction and silently missing after commit.
TEST(JsonDBIdb, KeysTooLargeForTheEngineFailTheCall) {
  auto db = OpenMem();
  ASSERT_OK(db->CreateObjectStore(Books()));
  const std::string huge = S(std::string(WriteBatch::kMaxKeySize, 'x'));
  auto t = Begin(db.get(), TransactionMode::kReadWrite);
  Status s = t->PutValue("books", "v", huge, {}, false);
  EXPECT_TRUE(s.IsInvalidKey()) << s.ToString();
  EXPECT_NE(s.ToString().find("primary key is too large"), std::string::npos);
  s = t->PutValue("books", "v", N(1), {{"byIsbn", {huge}}}, false);
  EXPECT_TRUE(s.IsInvalidKey()) << s.ToString();
  EXPECT_NE(s.ToString().find("index key is too large"), std::string::npos);
  ASSERT_OK(t->PutValue("books", "kept", N(2), {{"byIsbn", {S("2")}}}, false));
  ASSERT_OK(t->Commit());
  EXPECT_EQ(CountOf(db.get(), {"books", ""}), 1u);
  EXPECT_EQ(CountOf(db.get(), {"books", "byIsbn"}), 1u);

  // JSON documents: an in-line key, an out-of-line key and an index key.
  StoreSpec docs;
  docs.name = "docs";
  docs.key_path = KeyPathSpec::String("id");
  docs.indexes.push_back({"byName", KeyPathSpec::String("name"), false, false});
  ASSERT_OK(db->CreateObjectStore(docs));
  const std::string long_string(WriteBatch::kMaxKeySize, 'y');
  auto w = Begin(db.get(), TransactionMode::kReadWrite);
  s = w->Put("docs", "{\"id\":\"" + long_string + "\"}", nullptr, nullptr);
  EXPECT_TRUE(s.IsInvalidKey()) << s.ToString();
  s = w->Put("docs", "{\"id\":1,\"name\":\"" + long_string + "\"}", nullptr, nullptr);
  EXPECT_TRUE(s.IsInvalidKey()) << s.ToString();
  ASSERT_OK(w->Put("docs", "{\"id\":2,\"name\":\"n\"}", nullptr, nullptr));
  ASSERT_OK(w->Commit());
  EXPECT_EQ(CountOf(db.get(), {"docs", ""}), 1u);
  EXPECT_EQ(CountOf(db.get(), {"docs", "byName"}), 1u);

  // An index created over a document whose key is too large for it fails
  // and leaves nothing behind.
  const std::string mid(WriteBatch::kMaxKeySize / 2 + 100, 'z');
  auto m = Begin(db.get(), TransactionMode::kReadWrite);
  std::string pk = S(mid);
  ASSERT_OK(m->Put("docs", "{\"id\":\"" + mid + "\",\"tag\":\"" + mid + "\"}", nullptr, &pk));
  ASSERT_OK(m->Commit());
  const auto before = EngineKeys(db.get());
  s = db->CreateIndex("docs", {"byTag", KeyPathSpec::String("tag"), false, false});
  EXPECT_TRUE(s.IsInvalidKey()) << s.ToString();
  EXPECT_EQ(EngineKeys(db.get()), before);
}

TEST(JsonDBIdb, OpaqueWritesAreCheckedAndAtomic) {
  auto db = OpenMem();
  ASSERT_OK(db->CreateObjectStore(Books()));
  ASSERT_OK(PutV(db.get(), "books", "one", N(1), {{"byIsbn", {S("111")}}}));
  // Unique: another key with the same isbn fails and writes nothing (the
  // byTag entry of the failed call is not left behind).
  auto t = Begin(db.get(), TransactionMode::kReadWrite);
  EXPECT_TRUE(t->PutValue("books", "two", N(2), {{"byTag", {S("t")}}, {"byIsbn", {S("111")}}}, false)
                  .IsConstraint());
  // The same key may keep its own unique entry.
  ASSERT_OK(t->PutValue("books", "one b", N(1), {{"byIsbn", {S("111")}}}, false));
  ASSERT_OK(t->Commit());
  EXPECT_EQ(CountOf(db.get(), {"books", "byTag"}), 0u);
  EXPECT_EQ(Get(db.get(), "books", N(2)), "<none>");
  EXPECT_EQ(Get(db.get(), "books", N(1)), "one b");

  EXPECT_TRUE(PutV(db.get(), "books", "x", N(3), {{"nope", {S("1")}}}).IsNotFound());
  EXPECT_TRUE(PutV(db.get(), "books", "x", N(3), {{"byTag", {S("1")}}, {"byTag", {S("2")}}}).IsInvalidArgument());
  EXPECT_TRUE(PutV(db.get(), "books", "x", N(3), {{"byIsbn", {S("1"), S("2")}}}).IsInvalidArgument());
  EXPECT_TRUE(PutV(db.get(), "books", "x", "\x10garbage").IsInvalidKey());
  EXPECT_TRUE(PutV(db.get(), "books", "x", N(3), {{"byTag", {std::string("\x30\x41", 2)}}}).IsInvalidKey());

  // JSON-only operations are refused on an opaque store, and PutValue on a
  // JSON store.
  {
    auto w = Begin(db.get(), TransactionMode::kReadWrite);
    std::string k = N(9);
    EXPECT_TRUE(w->Put("books", "{}", &k, nullptr).IsInvalidArgument());
    EXPECT_TRUE(w->Add("books", "{}", &k, nullptr).IsInvalidArgument());
    EXPECT_TRUE(w->PutMany("books", {"{}"}, nullptr).IsInvalidArgument());
    Query q;
    q.store = "books";
    q.where.push_back({"title", QueryPredicate::Op::kEq, S("x"), {}, {}});
    std::unique_ptr<DocCursor> c;
    Status s = w->RunQuery(q, &c);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.ToString().find("opaque"), std::string::npos);
    uint64_t n = 0;
    EXPECT_TRUE(w->CountQuery(q, &n).IsInvalidArgument());
    // A query an index answers alone runs.
    Query byIsbn;
    byIsbn.store = "books";
    byIsbn.where.push_back({"isbn", QueryPredicate::Op::kEq, S("111"), {}, {}});
    EXPECT_EQ(RunQuery(w.get(), byIsbn), (std::vector<std::string>{"one b"}));
  }
  StoreSpec json;
  json.name = "json";
  ASSERT_OK(db->CreateObjectStore(json));
  EXPECT_TRUE(PutV(db.get(), "json", "x", N(1)).IsInvalidArgument());
  // Read-only transactions refuse PutValue.
  auto r = Begin(db.get(), TransactionMode::kReadOnly);
  EXPECT_EQ(r->PutValue("books", "x", N(5), {}, false).subcode(), Status::SubCode::kTransactionReadOnly);
  // Indexes on an opaque store: only while it is empty.
  EXPECT_TRUE(db->CreateIndex("books", {"late", KeyPathSpec::String("y"), false, false}).IsNotSupported());
  StoreSpec empty = Books();
  empty.name = "empty";
  empty.indexes.clear();
  ASSERT_OK(db->CreateObjectStore(empty));
  ASSERT_OK(db->CreateIndex("empty", {"late", KeyPathSpec::String("y"), true, false}));
  ASSERT_OK(PutV(db.get(), "empty", "e", N(1), {{"late", {N(7)}}}));
  EXPECT_TRUE(PutV(db.get(), "empty", "f", N(2), {{"late", {N(7)}}}).IsConstraint());
  // ApplySchema refuses flipping the value kind.
  StoreSpec flipped = Books();
  flipped.opaque_values = false;
  EXPECT_TRUE(db->ApplySchema({flipped}, nullptr).IsInvalidArgument());
}

TEST(JsonDBIdb, KeyGenerator) {
  auto db = OpenMem();
  ASSERT_OK(db->CreateObjectStore(Books(true)));
  StoreSpec plain = Books(false);
  plain.name = "plain";
  ASSERT_OK(db->CreateObjectStore(plain));
  auto t = Begin(db.get(), TransactionMode::kReadWrite);
  double k = 0;
  ASSERT_OK(t->GenerateKey("books", &k));
  EXPECT_EQ(k, 1);
  ASSERT_OK(t->PutValue("books", "a", N(k), {{"byIsbn", {S("A")}}}, false));
  // Explicit numeric keys raise it (the floor of the key), others do not.
  ASSERT_OK(t->PutValue("books", "b", N(6.5), {}, false));
  ASSERT_OK(t->PutValue("books", "c", S("99"), {}, false));
  ASSERT_OK(t->PutValue("books", "d", N(-10), {}, false));
  ASSERT_OK(t->GenerateKey("books", &k));
  EXPECT_EQ(k, 7);
  ASSERT_OK(t->RaiseKeyGenerator("books", 20));
  ASSERT_OK(t->RaiseKeyGenerator("books", 3));  // never lowers
  ASSERT_OK(t->GenerateKey("books", &k));
  EXPECT_EQ(k, 21);
  EXPECT_TRUE(t->GenerateKey("plain", &k).IsInvalidArgument());
  ASSERT_OK(t->Commit());

  // An aborted transaction reverts the generator (IndexedDB: the current
  // number is part of the transaction's changes).
  auto aborted = Begin(db.get(), TransactionMode::kReadWrite);
  ASSERT_OK(aborted->GenerateKey("books", &k));
  EXPECT_EQ(k, 22);
  ASSERT_OK(aborted->RaiseKeyGenerator("books", 1000));
  aborted->Abort();
  // A call that fails reverts its own raise.
  auto failing = Begin(db.get(), TransactionMode::kReadWrite);
  EXPECT_TRUE(failing->PutValue("books", "x", N(1), {}, true).IsConstraint());  // exists
  // (raises to 501, then meets the unique key of 1)
  EXPECT_TRUE(failing->PutValue("books", "y", N(500), {{"byIsbn", {S("A")}}}, false).IsConstraint());
  ASSERT_OK(failing->GenerateKey("books", &k));
  EXPECT_EQ(k, 22);
  ASSERT_OK(failing->Commit());

  // Exhaustion at 2^53.
  auto big = Begin(db.get(), TransactionMode::kReadWrite);
  ASSERT_OK(big->PutValue("books", "max", N(9007199254740992.0), {}, false));
  EXPECT_TRUE(big->GenerateKey("books", &k).IsConstraint());
  big->Abort();
  // Persisted with the data.
  auto again = Begin(db.get(), TransactionMode::kReadWrite);
  ASSERT_OK(again->GenerateKey("books", &k));
  EXPECT_EQ(k, 23);
}

TEST(JsonDBIdb, ConcurrentTransactionsConflict) {
  auto db = OpenMem();
  ASSERT_OK(db->CreateObjectStore(Books(true)));
  ASSERT_OK(PutV(db.get(), "books", "one", N(1), {{"byIsbn", {S("111")}}}));
  // Two writers of the same unique key: the second to commit loses.
  auto a = Begin(db.get(), TransactionMode::kReadWrite);
  auto b = Begin(db.get(), TransactionMode::kReadWrite);
  ASSERT_OK(a->PutValue("books", "a", N(10), {{"byIsbn", {S("999")}}}, false));
  ASSERT_OK(b->PutValue("books", "b", N(11), {{"byIsbn", {S("999")}}}, false));
  ASSERT_OK(a->Commit());
  EXPECT_TRUE(b->Commit().IsConflict());
  EXPECT_EQ(Get(db.get(), "books", N(11)), "<none>");
  // Two users of the key generator.
  auto c = Begin(db.get(), TransactionMode::kReadWrite);
  auto d = Begin(db.get(), TransactionMode::kReadWrite);
  double kc = 0, kd = 0;
  ASSERT_OK(c->GenerateKey("books", &kc));
  ASSERT_OK(d->GenerateKey("books", &kd));
  EXPECT_EQ(kc, kd);
  ASSERT_OK(c->PutValue("books", "c", N(kc), {}, true));
  ASSERT_OK(d->PutValue("books", "d", N(kd), {}, true));
  ASSERT_OK(c->Commit());
  EXPECT_TRUE(d->Commit().IsConflict());
  // A reader of a range written since conflicts; disjoint writers do not.
  auto e = Begin(db.get(), TransactionMode::kReadWrite);
  auto f = Begin(db.get(), TransactionMode::kReadWrite);
  uint64_t n = 0;
  ASSERT_OK(e->Count({"books", ""}, KeyRange::All(), &n));
  ASSERT_OK(e->PutValue("books", "e", S("e"), {}, false));
  ASSERT_OK(f->PutValue("books", "f", S("f"), {}, false));
  ASSERT_OK(f->Commit());
  EXPECT_TRUE(e->Commit().IsConflict());
  // Databases of one directory never conflict with each other.
  JsonDB* other = OpenNamed(db.get(), "other");
  ASSERT_OK(other->CreateObjectStore(Books(true)));
  auto g = Begin(db.get(), TransactionMode::kReadWrite);
  auto h = Begin(other, TransactionMode::kReadWrite);
  ASSERT_OK(g->Count({"books", ""}, KeyRange::All(), &n));
  ASSERT_OK(h->Count({"books", ""}, KeyRange::All(), &n));
  ASSERT_OK(g->PutValue("books", "g", S("g"), {}, false));
  ASSERT_OK(h->PutValue("books", "h", S("g"), {}, false));
  ASSERT_OK(g->Commit());
  ASSERT_OK(h->Commit());
}

std::unique_ptr<Transaction> BeginUpgrade(JsonDB* db) {
  TransactionOptions o;
  o.mode = TransactionMode::kReadWrite;
  o.versionchange = true;
  std::unique_ptr<Transaction> t;
  Status s = db->Begin(o, &t);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return t;
}

TEST(JsonDBIdb, VersionChangeTransactionsAreAtomic) {
  std::string dir = test::TempDir("jsondb-idb-upgrade");
  std::unique_ptr<JsonDB> root;
  ASSERT_OK(JsonDB::Open(DiskOptions(), dir, &root));
  JsonDB* db = OpenNamed(root.get(), "lib");
  {
    // The first upgrade creates the store and writes to it.
    auto t = BeginUpgrade(db);
    ASSERT_OK(t->SetVersion(1));
    ASSERT_OK(t->CreateObjectStore(Books(true)));
    double k = 0;
    ASSERT_OK(t->GenerateKey("books", &k));
    ASSERT_OK(t->PutValue("books", "one", N(k), {{"byTag", {S("a")}}}, true));
    uint64_t n = 0;
    ASSERT_OK(t->Count({"books", "byTag"}, KeyRange::All(), &n));
    EXPECT_EQ(n, 1u);
    EXPECT_EQ(t->version(), 1u);
    EXPECT_EQ(db->version(), 0u);  // nothing visible before Commit
    EXPECT_TRUE(db->ObjectStoreNames().empty());
    ASSERT_OK(t->Commit());
  }
  EXPECT_EQ(db->version(), 1u);
  std::vector<StoreSpec> v1 = db->Schema();
  ASSERT_EQ(v1.size(), 1u);
  std::vector<std::string> keys_v1 = EngineKeys(root.get());

  // An upgrade that changes everything and aborts leaves nothing.
  for (bool commit : {false, true}) {
    auto t = BeginUpgrade(db);
    ASSERT_OK(t->SetVersion(2));
    ASSERT_OK(t->CreateIndex("books", {"byYear", KeyPathSpec::String("year"), true, false}));
    // The caller fills an opaque store's new index by writing values again.
    ASSERT_OK(t->PutValue("books", "one", N(1), {{"byYear", {N(1999)}}}, false));
    ASSERT_OK(t->DeleteIndex("books", "byTag"));
    ASSERT_OK(t->CreateObjectStore({"extra", KeyPathSpec::None(), false, {}, true}));
    ASSERT_OK(t->PutValue("extra", "x", S("x"), {}, false));
    ASSERT_OK(t->RenameObjectStore("extra", "extra2"));
    EXPECT_EQ(Get(db, "books", N(1)), "one");
    double k = 0;
    ASSERT_OK(t->GenerateKey("books", &k));
    EXPECT_EQ(k, 2);
    std::string v;
    bool found = false;
    ASSERT_OK(t->Get("extra2", S("x"), &v, &found));
    EXPECT_TRUE(found);
    EXPECT_TRUE(t->Get("extra", S("x"), &v, &found).IsNotFound());
    if (!commit) {
      t->Abort();
      EXPECT_EQ(db->version(), 1u);
      EXPECT_EQ(db->Schema(), v1);
      EXPECT_EQ(EngineKeys(root.get()), keys_v1);
      EXPECT_EQ(CountOf(db, {"books", "byTag"}), 1u);
      continue;
    }
    ASSERT_OK(t->Commit());
  }
  EXPECT_EQ(db->version(), 2u);
  EXPECT_EQ(db->ObjectStoreNames(), (std::vector<std::string>{"books", "extra2"}));
  EXPECT_EQ(PrimaryKeys(All(db, {"books", "byYear"})), (std::vector<std::string>{N(1)}));
  ASSERT_OK(root->Close());
  root.reset();
  ASSERT_OK(JsonDB::Open(DiskOptions(), dir, &root));
  db = OpenNamed(root.get(), "lib");
  EXPECT_EQ(db->version(), 2u);
  EXPECT_EQ(db->ObjectStoreNames(), (std::vector<std::string>{"books", "extra2"}));
  EXPECT_EQ(Get(db, "extra2", S("x")), "x");
  EXPECT_EQ(PrimaryKeys(All(db, {"books", "byYear"})), (std::vector<std::string>{N(1)}));
  EXPECT_EQ(db->Schema()[0].indexes.size(), 2u);  // byIsbn, byYear
  // The generator advanced by the committed upgrade only.
  auto t = Begin(db, TransactionMode::kReadWrite);
  double k = 0;
  ASSERT_OK(t->GenerateKey("books", &k));
  EXPECT_EQ(k, 3);
}

TEST(JsonDBIdb, VersionChangeTransactionRules) {
  auto db = OpenMem();
  // Schema methods outside a versionchange transaction, and a versionchange
  // transaction with a scope or read-only.
  auto plain = Begin(db.get(), TransactionMode::kReadWrite);
  EXPECT_TRUE(plain->CreateObjectStore(Books()).IsInvalidArgument());
  EXPECT_TRUE(plain->SetVersion(1).IsInvalidArgument());
  TransactionOptions bad;
  bad.versionchange = true;
  std::unique_ptr<Transaction> t;
  EXPECT_TRUE(db->Begin(bad, &t).IsInvalidArgument());
  bad.mode = TransactionMode::kReadWrite;
  bad.stores = {"x"};
  EXPECT_TRUE(db->Begin(bad, &t).IsInvalidArgument());

  // A JSON store's new index is filled in the transaction; a unique one over
  // violating documents fails and the transaction goes on.
  StoreSpec notes;
  notes.name = "notes";
  notes.key_path = KeyPathSpec::String("id");
  ASSERT_OK(db->CreateObjectStore(notes));
  ASSERT_OK(Put(db.get(), "notes", R"({"id":1,"t":"a"})"));
  ASSERT_OK(Put(db.get(), "notes", R"({"id":2,"t":"a"})"));
  auto up = BeginUpgrade(db.get());
  ASSERT_OK(up->Put("notes", R"({"id":3,"t":"b"})", nullptr, nullptr));
  EXPECT_TRUE(up->CreateIndex("notes", {"byT", KeyPathSpec::String("t"), true, false}).IsConstraint());
  ASSERT_OK(up->CreateIndex("notes", {"byT", KeyPathSpec::String("t"), false, false}));
  uint64_t n = 0;
  ASSERT_OK(up->Count({"notes", "byT"}, KeyRange::All(), &n));
  EXPECT_EQ(n, 3u);
  EXPECT_TRUE(up->CreateObjectStore(notes).IsConstraint());
  EXPECT_TRUE(up->RenameIndex("notes", "nope", "x").IsNotFound());
  EXPECT_TRUE(up->SetVersion(0).IsInvalidArgument());
  ASSERT_OK(up->SetVersion(4));
  // A schema change committed meanwhile makes the upgrade conflict.
  StoreSpec other;
  other.name = "other";
  ASSERT_OK(db->CreateObjectStore(other));
  EXPECT_TRUE(up->Commit().IsConflict());
  EXPECT_EQ(db->version(), 0u);
  EXPECT_EQ(Get(db.get(), "notes", N(3)), "<none>");

  // A transaction that began before an upgrade and writes a store it
  // changed conflicts.
  auto before = Begin(db.get(), TransactionMode::kReadWrite);
  auto up2 = BeginUpgrade(db.get());
  ASSERT_OK(up2->CreateIndex("notes", {"byT", KeyPathSpec::String("t"), false, false}));
  ASSERT_OK(up2->Commit());
  ASSERT_OK(before->Put("notes", R"({"id":5,"t":"c"})", nullptr, nullptr));
  EXPECT_TRUE(before->Commit().IsConflict());
  EXPECT_EQ(CountOf(db.get(), {"notes", "byT"}), 2u);
}

// Random puts, adds, deletes (key and range) and clears on an opaque store
// with a unique, a multiEntry and a plain index, in transactions that commit
// or abort; after each, the store and every index must equal what a plain
// model gives (index entries recomputed from the model's keys).
TEST(JsonDBIdb, OpaqueStoreMatchesModel) {
  struct Row {
    std::string value;
    std::vector<std::string> u, t, v;  // index keys per index
  };
  const uint64_t seed = 20261205;
  SCOPED_TRACE("seed " + std::to_string(seed));
  test::Random rnd(seed);
  auto db = OpenMem();
  StoreSpec spec;
  spec.name = "m";
  spec.opaque_values = true;
  spec.indexes.push_back({"t", KeyPathSpec::String("t"), false, true});
  spec.indexes.push_back({"u", KeyPathSpec::String("u"), true, false});
  spec.indexes.push_back({"v", KeyPathSpec::String("v"), false, false});
  ASSERT_OK(db->CreateObjectStore(spec));
  std::map<std::string, Row> model;  // by encoded primary key

  // A Number or a one-letter String key, among about n.
  auto random_key = [&](int n) {
    return rnd.OneIn(3) ? S(std::string(1, static_cast<char>('a' + rnd.Uniform(std::min(n, 26)))))
                        : N(static_cast<double>(rnd.Uniform(n)));
  };
  auto check = [&] {
    std::vector<std::string> values;
    for (const auto& [pk, row] : model) values.push_back(row.value);
    EXPECT_EQ(Values(All(db.get(), {"m", ""})), values);
    for (const char* name : {"t", "u", "v"}) {
      std::vector<std::pair<std::string, std::string>> want, got;
      for (const auto& [pk, row] : model) {
        const auto& keys = name[0] == 't' ? row.t : name[0] == 'u' ? row.u : row.v;
        for (const auto& k : keys) want.emplace_back(k, pk);
      }
      std::sort(want.begin(), want.end());
      for (const auto& r : All(db.get(), {"m", name})) got.emplace_back(r.key, r.primary_key);
      EXPECT_EQ(got, want) << "index " << name;
    }
  };

  for (int round = 0; round < 300; round++) {
    auto t = Begin(db.get(), TransactionMode::kReadWrite);
    std::map<std::string, Row> next = model;
    int ops = 1 + static_cast<int>(rnd.Uniform(6));
    for (int i = 0; i < ops; i++) {
      uint64_t op = rnd.Uniform(10);
      if (op < 6) {
        std::string pk = N(rnd.Uniform(30));
        Row row;
        row.value = test::RandomBytes(&rnd, rnd.Uniform(12));
        if (!rnd.OneIn(3)) row.u = {random_key(40)};
        for (int j = static_cast<int>(rnd.Uniform(4)); j > 0; j--) row.t.push_back(random_key(6));
        if (rnd.OneIn(2)) row.v = {random_key(5)};
        std::vector<ValueIndexKeys> keys;
        if (!row.u.empty()) keys.push_back({"u", row.u});
        if (!row.t.empty()) keys.push_back({"t", row.t});
        if (!row.v.empty()) keys.push_back({"v", row.v});
        std::sort(row.t.begin(), row.t.end());
        row.t.erase(std::unique(row.t.begin(), row.t.end()), row.t.end());
        bool add = rnd.OneIn(4);
        bool exists = next.count(pk) != 0;
        bool clash = false;
        for (const auto& [other, r] : next) {
          if (other != pk && !row.u.empty() && r.u == row.u) clash = true;
        }
        Status s = t->PutValue("m", row.value, pk, keys, add);
        if ((add && exists) || clash) {
          EXPECT_TRUE(s.IsConstraint()) << s.ToString();
        } else {
          ASSERT_OK(s);
          next[pk] = row;
        }
      } else if (op < 8) {
        std::string pk = N(rnd.Uniform(30));
        ASSERT_OK(t->Delete("m", KeyRange::Only(pk)));
        next.erase(pk);
      } else if (op < 9) {
        KeyRange r;
        r.has_lower = r.has_upper = true;
        double lo = static_cast<double>(rnd.Uniform(30));
        r.lower = N(lo);
        r.upper = N(lo + static_cast<double>(rnd.Uniform(8)));
        r.lower_open = rnd.OneIn(2);
        ASSERT_OK(t->Delete("m", r));
        for (auto it = next.begin(); it != next.end();) {
          it = r.Contains(it->first) ? next.erase(it) : std::next(it);
        }
      } else if (rnd.OneIn(3)) {
        ASSERT_OK(t->Clear("m"));
        next.clear();
      }
    }
    if (rnd.OneIn(4)) {
      t->Abort();
    } else {
      ASSERT_OK(t->Commit());
      model = std::move(next);
    }
    check();
    if (HasFailure()) return;
  }
  EXPECT_GT(model.size(), 0u);
}

TEST(JsonDBIdb, CatalogVersions) {
  // A database without version and opaque stores keeps the version-1
  // catalog (readable by builds that know only version 1); a newer catalog
  // version is refused clearly.
  doc::Catalog c;
  doc::StoreInfo s;
  s.id = 1;
  s.name = "s";
  c.stores.emplace("s", s);
  std::string v1 = c.Encode();
  EXPECT_EQ(v1.substr(0, 4), std::string("\0\0\0\1", 4));
  c.version = 5;
  std::string v2 = c.Encode();
  EXPECT_EQ(v2.substr(0, 4), std::string("\0\0\0\2", 4));
  doc::Catalog back;
  ASSERT_OK(doc::Catalog::Decode(v2, &back));
  EXPECT_EQ(back.version, 5u);
  c.version = 0;
  c.stores["s"].opaque_values = true;
  std::string v2b = c.Encode();
  EXPECT_EQ(v2b.substr(0, 4), std::string("\0\0\0\2", 4));
  ASSERT_OK(doc::Catalog::Decode(v2b, &back));
  EXPECT_TRUE(back.stores["s"].opaque_values);
  std::string v3 = v2;
  v3[3] = 3;
  EXPECT_TRUE(doc::Catalog::Decode(v3, &back).IsNotSupported());
  // Version 1 never carries the opaque flag.
  std::string bad = v1;
  ASSERT_GT(bad.size(), 4u);
  // flags byte of store "s": after version(4) count(4) id(4) name(4+1) keypath(1+4)
  bad[4 + 4 + 4 + 5 + 5] = 2;
  EXPECT_TRUE(doc::Catalog::Decode(bad, &back).IsCorruption());
}

}  // namespace
}  // namespace flowdb::jsondb_test
