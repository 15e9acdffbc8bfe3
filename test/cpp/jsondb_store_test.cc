// The document core: catalog, object stores, index maintenance, key
// generator, schema operations.

#include <filesystem>

#include "jsondb_test_util.h"

namespace flowdb::jsondb_test {
namespace {

StoreSpec Users() {
  StoreSpec s;
  s.name = "users";
  s.key_path = KeyPathSpec::String("id");
  s.indexes.push_back({"byEmail", KeyPathSpec::String("email"), true, false});
  s.indexes.push_back({"byTag", KeyPathSpec::String("tags"), false, true});
  s.indexes.push_back({"byCityAge", KeyPathSpec::Array({"city", "age"}), false, false});
  return s;
}

std::vector<std::string> PrimaryKeys(const std::vector<DocRecord>& r) {
  std::vector<std::string> v;
  for (const auto& x : r) v.push_back(x.primary_key);
  return v;
}

TEST(JsonDBStore, CatalogSurvivesReopen) {
  std::string dir = test::TempDir("jsondb-catalog");
  JsonDBOptions o;
  o.db_options.sync_mode = SyncMode::kNone;
  {
    std::unique_ptr<JsonDB> db;
    ASSERT_OK(JsonDB::Open(o, dir, &db));
    ASSERT_OK(db->CreateObjectStore(Users()));
    StoreSpec logs;
    logs.name = "logs";
    logs.auto_increment = true;
    ASSERT_OK(db->CreateObjectStore(logs));
    ASSERT_OK(Put(db.get(), "users", R"({"id":1,"email":"a@x","tags":["x","y"],"city":"Oslo","age":30})"));
    ASSERT_OK(db->DeleteIndex("users", "byTag"));
    ASSERT_OK(db->Close());
  }
  std::unique_ptr<JsonDB> db;
  ASSERT_OK(JsonDB::Open(o, dir, &db));
  EXPECT_EQ(db->ObjectStoreNames(), (std::vector<std::string>{"logs", "users"}));
  StoreSpec want = Users();
  want.indexes.erase(want.indexes.begin() + 1);
  // Indexes come back sorted by name.
  std::swap(want.indexes[0], want.indexes[1]);
  auto schema = db->Schema();
  ASSERT_EQ(schema.size(), 2u);
  EXPECT_EQ(schema[1], want);
  EXPECT_TRUE(schema[0].auto_increment);
  EXPECT_EQ(Get(db.get(), "users", N(1)), R"({"id":1,"email":"a@x","tags":["x","y"],"city":"Oslo","age":30})");
  EXPECT_EQ(All(db.get(), {"users", "byEmail"}, KeyRange::Only(S("a@x"))).size(), 1u);
  // Ids are not reused: a new index after reopen gets a fresh id and an empty range.
  ASSERT_OK(db->CreateIndex("users", {"byTag", KeyPathSpec::String("tags"), false, true}));
  EXPECT_EQ(All(db.get(), {"users", "byTag"}).size(), 2u);
  ASSERT_OK(db->Close());
  // Another document format version is refused.
  JsonDBOptions other = o;
  other.db_options.stored_settings["jsondb.format"] = "0";
  std::unique_ptr<DB> engine;
  Options eo = o.db_options;
  eo.stored_settings["jsondb.format"] = "999";
  Status s = DB::Open(eo, dir, &engine);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  std::filesystem::remove_all(dir);
}

TEST(JsonDBStore, IndexMaintenanceOnPutUpdateDelete) {
  auto db = OpenMem();
  ASSERT_OK(db->CreateObjectStore(Users()));
  ASSERT_OK(Put(db.get(), "users", R"({"id":1,"email":"a@x","tags":["x","y","x",{"o":1}],"city":"Oslo","age":30})"));
  ASSERT_OK(Put(db.get(), "users", R"({"id":2,"email":"b@x","tags":"y","city":"Oslo","age":25})"));
  ASSERT_OK(Put(db.get(), "users", R"({"id":3,"tags":[],"city":"Rome"})"));  // no email, no age

  EXPECT_EQ(PrimaryKeys(All(db.get(), {"users", "byEmail"})), (std::vector<std::string>{N(1), N(2)}));
  // multiEntry: duplicates removed, invalid elements skipped, a scalar is one entry.
  auto tags = All(db.get(), {"users", "byTag"});
  ASSERT_EQ(tags.size(), 3u);
  EXPECT_EQ(tags[0].key, S("x"));
  EXPECT_EQ(tags[1].key, S("y"));
  EXPECT_EQ(tags[1].primary_key, N(1));
  EXPECT_EQ(tags[2].primary_key, N(2));
  // Compound: ordered by city then age; doc 3 lacks age so is not indexed.
  auto ca = All(db.get(), {"users", "byCityAge"});
  ASSERT_EQ(ca.size(), 2u);
  EXPECT_EQ(ca[0].key, A({S("Oslo"), N(25)}));
  EXPECT_EQ(ca[0].primary_key, N(2));
  EXPECT_EQ(ca[1].value, Get(db.get(), "users", N(1)));

  // Update: old entries go, new ones come.
  ASSERT_OK(Put(db.get(), "users", R"({"id":1,"email":"c@x","tags":["z"],"city":"Oslo","age":31})"));
  EXPECT_TRUE(All(db.get(), {"users", "byEmail"}, KeyRange::Only(S("a@x"))).empty());
  EXPECT_EQ(All(db.get(), {"users", "byEmail"}, KeyRange::Only(S("c@x"))).size(), 1u);
  EXPECT_TRUE(All(db.get(), {"users", "byTag"}, KeyRange::Only(S("x"))).empty());
  EXPECT_EQ(All(db.get(), {"users", "byCityAge"}, KeyRange::Only(A({S("Oslo"), N(31)}))).size(), 1u);

  // Delete: every entry goes.
  ASSERT_OK(Del(db.get(), "users", KeyRange::Only(N(1))));
  EXPECT_EQ(Get(db.get(), "users", N(1)), "<none>");
  EXPECT_EQ(PrimaryKeys(All(db.get(), {"users", "byEmail"})), (std::vector<std::string>{N(2)}));
  EXPECT_EQ(All(db.get(), {"users", "byTag"}).size(), 1u);
  EXPECT_EQ(All(db.get(), {"users", "byCityAge"}).size(), 1u);

  // Range delete and clear.
  ASSERT_OK(Put(db.get(), "users", R"({"id":4,"email":"d@x","city":"Oslo","age":1})"));
  KeyRange r;
  r.has_lower = true;
  r.lower = N(2);
  r.has_upper = true;
  r.upper = N(3);
  ASSERT_OK(Del(db.get(), "users", r));
  EXPECT_EQ(PrimaryKeys(All(db.get(), {"users", ""})), (std::vector<std::string>{N(4)}));
  EXPECT_EQ(PrimaryKeys(All(db.get(), {"users", "byEmail"})), (std::vector<std::string>{N(4)}));
  auto t = Begin(db.get(), TransactionMode::kReadWrite);
  ASSERT_OK(t->Clear("users"));
  ASSERT_OK(t->Commit());
  EXPECT_TRUE(All(db.get(), {"users", ""}).empty());
  EXPECT_TRUE(All(db.get(), {"users", "byEmail"}).empty());
  EXPECT_TRUE(All(db.get(), {"users", "byCityAge"}).empty());
}

TEST(JsonDBStore, UniqueAndAddConstraints) {
  auto db = OpenMem();
  ASSERT_OK(db->CreateObjectStore(Users()));
  ASSERT_OK(Put(db.get(), "users", R"({"id":1,"email":"a@x"})"));
  Status s = Put(db.get(), "users", R"({"id":2,"email":"a@x"})");
  EXPECT_TRUE(s.IsConstraint()) << s.ToString();
  EXPECT_EQ(Get(db.get(), "users", N(2)), "<none>");
  // The same document may keep its own unique key.
  ASSERT_OK(Put(db.get(), "users", R"({"id":1,"email":"a@x","v":2})"));
  s = Add(db.get(), "users", R"({"id":1,"email":"z@x"})");
  EXPECT_TRUE(s.IsConstraint()) << s.ToString();
  EXPECT_TRUE(All(db.get(), {"users", "byEmail"}, KeyRange::Only(S("z@x"))).empty());

  // A failed call leaves its transaction usable and unchanged.
  auto t = Begin(db.get(), TransactionMode::kReadWrite);
  ASSERT_OK(t->Put("users", R"({"id":5,"email":"e@x"})", nullptr, nullptr));
  s = t->Put("users", R"({"id":6,"email":"e@x","tags":["q"]})", nullptr, nullptr);
  EXPECT_TRUE(s.IsConstraint());
  std::vector<std::string_view> many = {R"({"id":7,"email":"f@x"})", R"({"id":8,"email":"f@x"})"};
  EXPECT_TRUE(t->PutMany("users", many, nullptr).IsConstraint());
  ASSERT_OK(t->Commit());
  EXPECT_NE(Get(db.get(), "users", N(5)), "<none>");
  EXPECT_EQ(Get(db.get(), "users", N(6)), "<none>");
  EXPECT_EQ(Get(db.get(), "users", N(7)), "<none>");
  EXPECT_TRUE(All(db.get(), {"users", "byTag"}).empty());
}

// A put in key order into a transaction that wrote nothing before the
// call skips the write set's map (WriteSet::CanAppend); it must leave what
// the map path leaves. The reference database takes the map path: each of
// its transactions first writes to another store.
TEST(JsonDBStore, AppendedPutsMatchTheWriteSetPath) {
  StoreSpec people;
  people.name = "people";
  people.key_path = KeyPathSpec::String("id");
  people.indexes.push_back({"byTag", KeyPathSpec::String("tags"), false, true});
  people.indexes.push_back({"byCityAge", KeyPathSpec::Array({"city", "age"}), false, false});
  people.indexes.push_back({"byAge", KeyPathSpec::String("age"), false, false});
  StoreSpec other;
  other.name = "other";
  other.key_path = KeyPathSpec::String("id");
  auto fast = OpenMem();
  auto slow = OpenMem();
  for (JsonDB* db : {fast.get(), slow.get()}) {
    ASSERT_OK(db->CreateObjectStore(people));
    ASSERT_OK(db->CreateObjectStore(other));
  }
  auto doc = [](int id, int v) {
    return "{\"id\":" + std::to_string(id) + ",\"tags\":[\"t" + std::to_string(v % 3) + "\",\"t" +
           std::to_string(v % 5) + "\"],\"city\":\"c" + std::to_string(v % 4) + "\",\"age\":" +
           std::to_string(v % 7) + "}";
  };
  // Batches: in key order over existing documents (their old index entries
  // go), with a key out of order and a repeated key (both leave the append
  // path mid-call), and a single put.
  std::vector<std::vector<std::string>> batches = {
      {doc(1, 1), doc(2, 2), doc(4, 4), doc(9, 9)},
      {doc(2, 20), doc(3, 3), doc(4, 4), doc(5, 50), doc(10, 10)},
      {doc(6, 6), doc(8, 8), doc(7, 7), doc(11, 11)},
      {doc(12, 1), doc(13, 2), doc(13, 3), doc(14, 4)},
      {doc(1, 100)},
  };
  for (const auto& batch : batches) {
    std::vector<std::string_view> views(batch.begin(), batch.end());
    auto f = Begin(fast.get(), TransactionMode::kReadWrite);
    std::vector<std::string> fast_keys, slow_keys;
    ASSERT_OK(f->PutMany("people", views, &fast_keys));
    // Read-your-writes after the call, through the index and the store.
    std::vector<DocRecord> seen;
    ReadRangeOptions all;
    ASSERT_OK(f->GetAll({"people", "byAge"}, all, &seen));
    ASSERT_OK(f->Commit());
    auto s = Begin(slow.get(), TransactionMode::kReadWrite);
    ASSERT_OK(s->Put("other", R"({"id":0})", nullptr, nullptr));
    ASSERT_OK(s->PutMany("people", views, &slow_keys));
    std::vector<DocRecord> slow_seen;
    ASSERT_OK(s->GetAll({"people", "byAge"}, all, &slow_seen));
    ASSERT_OK(s->Commit());
    EXPECT_EQ(fast_keys, slow_keys);
    EXPECT_EQ(PrimaryKeys(seen), PrimaryKeys(slow_seen));
    for (const char* source : {"", "byTag", "byCityAge", "byAge"}) {
      SCOPED_TRACE(source);
      auto a = All(fast.get(), {"people", source});
      auto b = All(slow.get(), {"people", source});
      ASSERT_EQ(a.size(), b.size());
      for (size_t i = 0; i < a.size(); i++) {
        EXPECT_EQ(a[i].key, b[i].key);
        EXPECT_EQ(a[i].primary_key, b[i].primary_key);
        EXPECT_EQ(a[i].value, b[i].value);
      }
    }
  }
  // A failed call on the append path leaves nothing and the transaction
  // usable.
  auto t = Begin(fast.get(), TransactionMode::kReadWrite);
  std::vector<std::string_view> bad = {R"({"id":20,"age":1})", R"({"id":21,"age":2})", R"({"age":3})"};
  EXPECT_TRUE(t->PutMany("people", bad, nullptr).IsInvalidKey());
  ASSERT_OK(t->Put("people", R"({"id":22,"age":1})", nullptr, nullptr));
  ASSERT_OK(t->Commit());
  EXPECT_EQ(Get(fast.get(), "people", N(20)), "<none>");
  EXPECT_EQ(Get(fast.get(), "people", N(21)), "<none>");
  // Age 2: ids 1 and 9.
  EXPECT_EQ(PrimaryKeys(All(fast.get(), {"people", "byAge"}, KeyRange::Only(N(2)))).size(), 2u);
}

TEST(JsonDBStore, InvalidKeys) {
  auto db = OpenMem();
  ASSERT_OK(db->CreateObjectStore(Users()));
  StoreSpec outline;
  outline.name = "kv";
  ASSERT_OK(db->CreateObjectStore(outline));
  EXPECT_TRUE(Put(db.get(), "users", R"({"email":"a@x"})").IsInvalidKey());
  EXPECT_TRUE(Put(db.get(), "users", R"({"id":true})").IsInvalidKey());
  EXPECT_TRUE(Put(db.get(), "users", R"({"id":{"a":1}})").IsInvalidKey());
  std::string k = N(1);
  EXPECT_TRUE(Put(db.get(), "users", R"({"id":1})", &k).IsInvalidKey());
  EXPECT_TRUE(Put(db.get(), "kv", R"(1)").IsInvalidKey());
  std::string bad = "\x10\x01";
  EXPECT_TRUE(Put(db.get(), "kv", R"(1)", &bad).IsInvalidKey());
  EXPECT_TRUE(Put(db.get(), "users", R"({"id":1)").IsInvalidArgument());
  EXPECT_TRUE(Put(db.get(), "nope", R"({"id":1})").IsNotFound());
  ASSERT_OK(Put(db.get(), "kv", R"("v")", &k));
  EXPECT_EQ(Get(db.get(), "kv", k), R"("v")");
  // Compound primary key.
  StoreSpec pairs;
  pairs.name = "pairs";
  pairs.key_path = KeyPathSpec::Array({"a", "b"});
  ASSERT_OK(db->CreateObjectStore(pairs));
  ASSERT_OK(Put(db.get(), "pairs", R"({"a":"x","b":2})"));
  EXPECT_EQ(Get(db.get(), "pairs", A({S("x"), N(2)})), R"({"a":"x","b":2})");
  EXPECT_TRUE(Put(db.get(), "pairs", R"({"a":"x"})").IsInvalidKey());
  // "" (the value itself) inside a compound key path.
  StoreSpec wrapped;
  wrapped.name = "wrapped";
  wrapped.key_path = KeyPathSpec::Array({""});
  ASSERT_OK(db->CreateObjectStore(wrapped));
  ASSERT_OK(Put(db.get(), "wrapped", R"("w")"));
  EXPECT_EQ(Get(db.get(), "wrapped", A({S("w")})), R"("w")");
  EXPECT_TRUE(Put(db.get(), "wrapped", R"({"a":1})").IsInvalidKey());
  // Bad schema definitions.
  StoreSpec bad_store;
  bad_store.name = "b";
  bad_store.key_path = KeyPathSpec::String("a..b");
  EXPECT_TRUE(db->CreateObjectStore(bad_store).IsInvalidArgument());
  EXPECT_TRUE(db->CreateIndex("users", {"m", KeyPathSpec::Array({"a", "b"}), false, true}).IsInvalidArgument());
  EXPECT_TRUE(db->CreateIndex("users", {"byEmail", KeyPathSpec::String("x"), false, false}).IsConstraint());
  EXPECT_TRUE(db->CreateObjectStore(Users()).IsConstraint());
}

TEST(JsonDBStore, KeyGenerator) {
  std::string dir = test::TempDir("jsondb-keygen");
  JsonDBOptions o;
  o.db_options.sync_mode = SyncMode::kNone;
  std::unique_ptr<JsonDB> db;
  ASSERT_OK(JsonDB::Open(o, dir, &db));
  StoreSpec s;
  s.name = "items";
  s.key_path = KeyPathSpec::String("meta.id");
  s.auto_increment = true;
  ASSERT_OK(db->CreateObjectStore(s));
  StoreSpec t;
  t.name = "plain";
  t.auto_increment = true;
  ASSERT_OK(db->CreateObjectStore(t));
  std::string key;
  ASSERT_OK(Put(db.get(), "items", R"({"name":"a"})", nullptr, &key));
  EXPECT_EQ(key, N(1));
  EXPECT_EQ(Get(db.get(), "items", N(1)), R"({"meta":{"id":1},"name":"a"})");
  ASSERT_OK(Put(db.get(), "items", R"({"meta":{"id":10.5}})"));
  ASSERT_OK(Put(db.get(), "items", R"({"meta":{"id":"str"}})"));  // not a number: no effect
  ASSERT_OK(Put(db.get(), "items", R"({"name":"b"})", nullptr, &key));
  EXPECT_EQ(key, N(11));
  // An aborted transaction's generated keys are not used up? IndexedDB: they are
  // transactional, so the next key is the same after an abort.
  {
    auto tx = Begin(db.get(), TransactionMode::kReadWrite);
    ASSERT_OK(tx->Put("plain", "1", nullptr, &key));
    EXPECT_EQ(key, N(1));
    tx->Abort();
  }
  ASSERT_OK(Put(db.get(), "plain", "1", nullptr, &key));
  EXPECT_EQ(key, N(1));
  ASSERT_OK(db->Close());
  db.reset();
  ASSERT_OK(JsonDB::Open(o, dir, &db));
  ASSERT_OK(Put(db.get(), "items", R"({"name":"c"})", nullptr, &key));
  EXPECT_EQ(key, N(12));
  // A step that is not an object cannot take the key.
  Status st = Put(db.get(), "items", R"({"meta":5})");
  EXPECT_TRUE(st.IsInvalidKey()) << st.ToString();
  // Exhaustion at 2^53.
  ASSERT_OK(Put(db.get(), "items", R"({"meta":{"id":9007199254740992}})"));
  EXPECT_TRUE(Put(db.get(), "items", R"({"name":"d"})").IsConstraint());
  ASSERT_OK(db->Close());
  std::filesystem::remove_all(dir);
}

TEST(JsonDBStore, CreateIndexBackfillsAtomically) {
  auto db = OpenMem();
  StoreSpec s;
  s.name = "p";
  s.key_path = KeyPathSpec::String("id");
  ASSERT_OK(db->CreateObjectStore(s));
  for (int i = 0; i < 50; i++) {
    ASSERT_OK(Put(db.get(), "p", "{\"id\":" + std::to_string(i) + ",\"g\":" + std::to_string(i % 5) +
                                     (i == 7 ? "" : ",\"u\":" + std::to_string(i)) + "}"));
  }
  ASSERT_OK(db->CreateIndex("p", {"byG", KeyPathSpec::String("g"), false, false}));
  EXPECT_EQ(All(db.get(), {"p", "byG"}, KeyRange::Only(N(3))).size(), 10u);
  ASSERT_OK(db->CreateIndex("p", {"byU", KeyPathSpec::String("u"), true, false}));
  EXPECT_EQ(All(db.get(), {"p", "byU"}).size(), 49u);
  // A unique index over violating data fails and leaves nothing.
  Status st = db->CreateIndex("p", {"uG", KeyPathSpec::String("g"), true, false});
  EXPECT_TRUE(st.IsConstraint()) << st.ToString();
  EXPECT_EQ(db->Schema()[0].indexes.size(), 2u);
  auto t = Begin(db.get(), TransactionMode::kReadOnly);
  uint64_t n = 0;
  EXPECT_TRUE(t->Count({"p", "uG"}, KeyRange::All(), &n).IsNotFound());
  t.reset();
  // applySchema: idempotent, atomic, refuses conflicts, reports changes.
  StoreSpec want = s;
  want.indexes.push_back({"byG", KeyPathSpec::String("g"), false, false});
  want.indexes.push_back({"byH", KeyPathSpec::String("h"), false, false});
  StoreSpec other;
  other.name = "q";
  std::vector<SchemaChange> changes;
  ASSERT_OK(db->ApplySchema({want, other}, &changes));
  EXPECT_EQ(changes, (std::vector<SchemaChange>{{SchemaChange::Kind::kDeleteIndex, "p", "byU"},
                                                {SchemaChange::Kind::kCreateIndex, "p", "byH"},
                                                {SchemaChange::Kind::kCreateStore, "q", ""}}));
  ASSERT_OK(db->ApplySchema({want, other}, &changes));
  EXPECT_TRUE(changes.empty());
  StoreSpec conflicting = want;
  conflicting.indexes[0].unique = true;
  StoreSpec third;
  third.name = "r";
  EXPECT_TRUE(db->ApplySchema({third, conflicting}, &changes).IsInvalidArgument());
  EXPECT_EQ(db->ObjectStoreNames(), (std::vector<std::string>{"p", "q"}));
  // A failing unique backfill inside applySchema leaves the earlier steps undone too.
  StoreSpec bad = want;
  bad.indexes.push_back({"uG", KeyPathSpec::String("g"), true, false});
  EXPECT_TRUE(db->ApplySchema({third, bad}, &changes).IsConstraint());
  EXPECT_EQ(db->ObjectStoreNames(), (std::vector<std::string>{"p", "q"}));
  // deleteObjectStore removes documents and index entries.
  ASSERT_OK(db->DeleteObjectStore("p"));
  ASSERT_OK(db->CreateObjectStore(s));
  EXPECT_TRUE(All(db.get(), {"p", ""}).empty());
  EXPECT_TRUE(db->DeleteObjectStore("zz").IsNotFound());
}

TEST(JsonDBStore, CursorsAndDirections) {
  auto db = OpenMem();
  StoreSpec s;
  s.name = "p";
  s.key_path = KeyPathSpec::String("id");
  s.indexes.push_back({"byG", KeyPathSpec::String("g"), false, false});
  ASSERT_OK(db->CreateObjectStore(s));
  for (int i = 1; i <= 6; i++) {
    ASSERT_OK(Put(db.get(), "p", "{\"id\":" + std::to_string(i) + ",\"g\":" + std::to_string(i % 3) + "}"));
  }
  auto pk = [](const std::vector<DocRecord>& r) {
    std::string s;
    for (const auto& x : r) {
      std::string_view in = x.primary_key;
      doc::Key k;
      EXPECT_TRUE(doc::DecodeKey(&in, &k).ok());
      s += std::to_string(static_cast<int>(k.number));
    }
    return s;
  };
  EXPECT_EQ(pk(All(db.get(), {"p", "byG"})), "361425");
  EXPECT_EQ(pk(All(db.get(), {"p", "byG"}, KeyRange::All(), CursorDirection::kPrev)), "524163");
  EXPECT_EQ(pk(All(db.get(), {"p", "byG"}, KeyRange::All(), CursorDirection::kNextUnique)), "312");
  EXPECT_EQ(pk(All(db.get(), {"p", "byG"}, KeyRange::All(), CursorDirection::kPrevUnique)), "213");
  EXPECT_EQ(pk(All(db.get(), {"p", ""}, KeyRange::All(), CursorDirection::kPrev)), "654321");
  KeyRange open;
  open.has_lower = open.has_upper = true;
  open.lower = N(0);
  open.lower_open = true;
  open.upper = N(2);
  EXPECT_EQ(pk(All(db.get(), {"p", "byG"}, open)), "1425");
  // continue(key) and continuePrimaryKey.
  auto t = Begin(db.get(), TransactionMode::kReadOnly);
  std::unique_ptr<DocCursor> c;
  ASSERT_OK(t->OpenCursor({"p", "byG"}, {}, &c));
  ASSERT_TRUE(c->Next());
  ASSERT_OK(c->Seek(N(1)));
  ASSERT_TRUE(c->Next());
  EXPECT_EQ(c->primary_key(), N(1));
  std::string p5 = N(5);
  ASSERT_OK(c->Seek(N(2), &p5));
  ASSERT_TRUE(c->Next());
  EXPECT_EQ(c->primary_key(), N(5));
  EXPECT_FALSE(c->Seek(N(1)).ok());
  EXPECT_FALSE(c->Next());
  ASSERT_OK(c->status());
  uint64_t n = 0;
  ASSERT_OK(t->Count({"p", "byG"}, KeyRange::Only(N(0)), &n));
  EXPECT_EQ(n, 2u);
  DocRecord rec;
  bool found = false;
  ASSERT_OK(t->GetFirst({"p", "byG"}, KeyRange::Only(N(2)), true, &rec, &found));
  EXPECT_TRUE(found);
  EXPECT_EQ(rec.primary_key, N(2));
  EXPECT_TRUE(rec.value.empty());
}

}  // namespace
}  // namespace flowdb::jsondb_test
