// Document store transactions: snapshot isolation with optimistic
// concurrency control.
//
// What snapshot isolation as implemented here allows and refuses:
// - a transaction reads the state committed before it began plus its own
//   writes, whatever commits meanwhile;
// - at commit it fails with kConflict if a transaction that committed after
//   it began wrote a key it read or a key inside a range it read (so lost
//   updates, write skew over anything read, and phantoms in ranges read by
//   cursors, counts and queries are refused: the commit order is then a
//   serial order for the reads it made);
// - writes it did not read do not conflict (two blind puts of different
//   keys both commit; the later commit's value wins for the same key of an
//   unindexed store), except through unique indexes, the key generator and
//   the old document a put must read to update indexes;
// - read-only transactions never conflict.

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "jsondb_test_util.h"

namespace flowdb::jsondb_test {
namespace {

class JsonDBTxnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenMem();
    StoreSpec acc;
    acc.name = "acc";
    acc.key_path = KeyPathSpec::String("id");
    acc.indexes.push_back({"byOwner", KeyPathSpec::String("owner"), false, false});
    acc.indexes.push_back({"byEmail", KeyPathSpec::String("email"), true, false});
    ASSERT_OK(db_->CreateObjectStore(acc));
    StoreSpec log;
    log.name = "log";
    log.auto_increment = true;
    ASSERT_OK(db_->CreateObjectStore(log));
    StoreSpec kv;
    kv.name = "kv";
    ASSERT_OK(db_->CreateObjectStore(kv));
  }
  Transaction* RW() {
    txns_.push_back(Begin(db_.get(), TransactionMode::kReadWrite));
    return txns_.back().get();
  }
  Transaction* RO() {
    txns_.push_back(Begin(db_.get(), TransactionMode::kReadOnly));
    return txns_.back().get();
  }
  std::string Read(Transaction* t, const std::string& store, const std::string& key) {
    std::string v;
    bool found = false;
    Status s = t->Get(store, key, &v, &found);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return found ? v : "<none>";
  }

  std::unique_ptr<JsonDB> db_;
  std::vector<std::unique_ptr<Transaction>> txns_;
};

TEST_F(JsonDBTxnTest, ReadYourWrites) {
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":1,"owner":"ann","email":"a"})"));
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":2,"owner":"bob","email":"b"})"));
  Transaction* t = RW();
  ASSERT_OK(t->Put("acc", R"({"id":3,"owner":"ann","email":"c"})", nullptr, nullptr));
  ASSERT_OK(t->Put("acc", R"({"id":2,"owner":"ann","email":"b2"})", nullptr, nullptr));
  ASSERT_OK(t->Delete("acc", KeyRange::Only(N(1))));
  EXPECT_EQ(Read(t, "acc", N(1)), "<none>");
  EXPECT_EQ(Read(t, "acc", N(3)), R"({"id":3,"owner":"ann","email":"c"})");
  ReadRangeOptions o;
  o.range = KeyRange::Only(S("ann"));
  std::vector<DocRecord> recs;
  ASSERT_OK(t->GetAll({"acc", "byOwner"}, o, &recs));
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].primary_key, N(2));
  EXPECT_EQ(recs[0].value, R"({"id":2,"owner":"ann","email":"b2"})");
  EXPECT_EQ(recs[1].primary_key, N(3));
  uint64_t n = 0;
  ASSERT_OK(t->Count({"acc", ""}, KeyRange::All(), &n));
  EXPECT_EQ(n, 2u);
  ASSERT_OK(t->Count({"acc", "byEmail"}, KeyRange::Only(S("b")), &n));
  EXPECT_EQ(n, 0u);
  Query q;
  q.store = "acc";
  q.where.push_back({"owner", QueryPredicate::Op::kEq, S("ann"), {}, {}});
  EXPECT_EQ(RunQuery(t, q).size(), 2u);
  ASSERT_OK(t->CountQuery(q, &n));
  EXPECT_EQ(n, 2u);
  // Unique checks see own writes too.
  EXPECT_TRUE(t->Put("acc", R"({"id":9,"email":"c"})", nullptr, nullptr).IsConstraint());
  ASSERT_OK(t->Put("acc", R"({"id":9,"email":"a"})", nullptr, nullptr));  // doc 1 is deleted
  // Clear then write: the later write survives the clear.
  Transaction* u = RW();
  ASSERT_OK(u->Put("kv", R"("a")", &recs[0].primary_key, nullptr));
  ASSERT_OK(u->Clear("kv"));
  std::string k7 = N(7);
  ASSERT_OK(u->Put("kv", R"("b")", &k7, nullptr));
  ASSERT_OK(u->Count({"kv", ""}, KeyRange::All(), &n));
  EXPECT_EQ(n, 1u);
  ASSERT_OK(u->Commit());
  EXPECT_EQ(All(db_.get(), {"kv", ""}).size(), 1u);
  // Others do not see uncommitted writes.
  EXPECT_EQ(Get(db_.get(), "acc", N(3)), "<none>");
  ASSERT_OK(t->Commit());
  EXPECT_EQ(Get(db_.get(), "acc", N(3)), R"({"id":3,"owner":"ann","email":"c"})");
  EXPECT_EQ(Get(db_.get(), "acc", N(1)), "<none>");
  EXPECT_EQ(All(db_.get(), {"acc", "byEmail"}, KeyRange::Only(S("a"))).size(), 1u);
}

// getAll over an index fetches its documents in batches (DB::MultiGet):
// the answers, their order and the reads recorded for validation are those
// of one read per entry, across batch boundaries, with own writes, forward
// and backward, and with a limit.
TEST_F(JsonDBTxnTest, IndexGetAllReadsDocumentsInBatches) {
  // 300 accounts of ann with ids in a scattered order, some of bob's.
  std::map<int, std::string> docs;  // ann's, by id
  {
    Transaction* w = RW();
    for (int i = 0; i < 400; i++) {
      const int id = (i * 7919) % 1000;
      const char* owner = i % 4 == 3 ? "bob" : "ann";
      std::string json = "{\"id\":" + std::to_string(id) + ",\"owner\":\"" + owner +
                         "\",\"n\":" + std::to_string(i) + "}";
      ASSERT_OK(w->Put("acc", json, nullptr, nullptr));
      if (owner[0] == 'a') docs[id] = json;
    }
    ASSERT_OK(w->Commit());
  }
  Transaction* t = RW();
  // Own writes: a new one, a change, a deletion, and one moved to bob.
  const std::string added = R"({"id":5000,"owner":"ann","n":-1})";
  ASSERT_OK(t->Put("acc", added, nullptr, nullptr));
  docs[5000] = added;
  auto it = std::next(docs.begin(), 130);  // past the first batch
  const std::string changed = "{\"id\":" + std::to_string(it->first) + R"(,"owner":"ann","n":-2})";
  ASSERT_OK(t->Put("acc", changed, nullptr, nullptr));
  it->second = changed;
  auto del = std::next(docs.begin(), 5);
  ASSERT_OK(t->Delete("acc", KeyRange::Only(N(del->first))));
  docs.erase(del);
  auto moved = std::next(docs.begin(), 200);
  ASSERT_OK(t->Put("acc", "{\"id\":" + std::to_string(moved->first) + R"(,"owner":"bob"})", nullptr,
                   nullptr));
  docs.erase(moved);

  for (CursorDirection dir : {CursorDirection::kNext, CursorDirection::kPrev}) {
    ReadRangeOptions o;
    o.range = KeyRange::Only(S("ann"));
    o.direction = dir;
    std::vector<DocRecord> recs;
    ASSERT_OK(t->GetAll({"acc", "byOwner"}, o, &recs));
    ASSERT_EQ(docs.size(), recs.size());
    size_t i = 0;
    auto check = [&](const std::pair<const int, std::string>& d) {
      EXPECT_EQ(N(d.first), recs[i].primary_key) << i;
      EXPECT_EQ(S("ann"), recs[i].key) << i;
      EXPECT_EQ(d.second, recs[i].value) << i;
      i++;
    };
    if (dir == CursorDirection::kNext) {
      for (const auto& d : docs) check(d);
    } else {
      for (auto r = docs.rbegin(); r != docs.rend(); ++r) check(*r);
    }
  }
  ASSERT_OK(t->Commit());

  // A limited getAll reads the index only up to its last record: a new
  // entry after it does not conflict, a change to a document it returned
  // does.
  for (bool later : {true, false}) {
    Transaction* a = RW();
    ReadRangeOptions o;
    o.range = KeyRange::Only(S("ann"));
    o.limit = 3;
    std::vector<DocRecord> recs;
    ASSERT_OK(a->GetAll({"acc", "byOwner"}, o, &recs));
    ASSERT_EQ(3u, recs.size());
    std::string k = N(1);
    ASSERT_OK(a->Put("kv", "1", &k, nullptr));
    const std::string id = later ? std::to_string(std::next(docs.begin(), 10)->first) + ".5"
                                 : std::to_string(std::next(docs.begin())->first);
    ASSERT_OK(Put(db_.get(), "acc", "{\"id\":" + id + R"(,"owner":"ann","n":7})"));
    EXPECT_EQ(later, a->Commit().ok()) << later;
  }
}

TEST_F(JsonDBTxnTest, AbortAndInactive) {
  Transaction* t = RW();
  ASSERT_OK(t->Put("acc", R"({"id":1,"owner":"x"})", nullptr, nullptr));
  t->Abort();
  EXPECT_EQ(Get(db_.get(), "acc", N(1)), "<none>");
  EXPECT_TRUE(All(db_.get(), {"acc", "byOwner"}).empty());
  Status s = t->Put("acc", R"({"id":1})", nullptr, nullptr);
  EXPECT_EQ(s.subcode(), Status::SubCode::kTransactionInactive);
  EXPECT_EQ(t->Commit().subcode(), Status::SubCode::kTransactionInactive);
  Transaction* r = RO();
  EXPECT_EQ(r->Put("acc", R"({"id":1})", nullptr, nullptr).subcode(), Status::SubCode::kTransactionReadOnly);
  // Scope.
  txns_.push_back(Begin(db_.get(), TransactionMode::kReadWrite, {"kv"}));
  std::string k = N(1);
  EXPECT_TRUE(txns_.back()->Put("acc", R"({"id":1})", nullptr, nullptr).IsNotFound());
  ASSERT_OK(txns_.back()->Put("kv", "1", &k, nullptr));
  TransactionOptions o;
  o.stores = {"missing"};
  std::unique_ptr<Transaction> x;
  EXPECT_TRUE(db_->Begin(o, &x).IsNotFound());
}

TEST_F(JsonDBTxnTest, LostUpdateConflicts) {
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":1,"balance":10})"));
  Transaction* a = RW();
  Transaction* b = RW();
  EXPECT_EQ(Read(a, "acc", N(1)), R"({"id":1,"balance":10})");
  EXPECT_EQ(Read(b, "acc", N(1)), R"({"id":1,"balance":10})");
  ASSERT_OK(a->Put("acc", R"({"id":1,"balance":11})", nullptr, nullptr));
  ASSERT_OK(b->Put("acc", R"({"id":1,"balance":12})", nullptr, nullptr));
  ASSERT_OK(a->Commit());
  Status s = b->Commit();
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(Get(db_.get(), "acc", N(1)), R"({"id":1,"balance":11})");
  // A transaction that began after a's commit sees it and commits.
  Transaction* c = RW();
  EXPECT_EQ(Read(c, "acc", N(1)), R"({"id":1,"balance":11})");
  ASSERT_OK(c->Put("acc", R"({"id":1,"balance":13})", nullptr, nullptr));
  ASSERT_OK(c->Commit());
}

TEST_F(JsonDBTxnTest, WriteSkewOnUniqueIndexConflicts) {
  // Both insert the same unique email under different keys: each checked the
  // index range at its snapshot and found it free.
  Transaction* a = RW();
  Transaction* b = RW();
  ASSERT_OK(a->Put("acc", R"({"id":1,"email":"same"})", nullptr, nullptr));
  ASSERT_OK(b->Put("acc", R"({"id":2,"email":"same"})", nullptr, nullptr));
  ASSERT_OK(b->Commit());
  EXPECT_TRUE(a->Commit().IsConflict());
  EXPECT_EQ(All(db_.get(), {"acc", "byEmail"}).size(), 1u);
  EXPECT_EQ(Get(db_.get(), "acc", N(1)), "<none>");
}

TEST_F(JsonDBTxnTest, PhantomsInReadRangesConflict) {
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":1,"owner":"ann"})"));
  // a counts ann's accounts through the index, then writes elsewhere.
  Transaction* a = RW();
  uint64_t n = 0;
  ASSERT_OK(a->Count({"acc", "byOwner"}, KeyRange::Only(S("ann")), &n));
  EXPECT_EQ(n, 1u);
  std::string k = N(100);
  ASSERT_OK(a->Put("kv", R"({"annCount":1})", &k, nullptr));
  // b adds a document that a's range would now include.
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":2,"owner":"ann"})"));
  EXPECT_TRUE(a->Commit().IsConflict());

  // Same through a query and a cursor; a write outside the ranges read does
  // not conflict.
  Transaction* q = RW();
  Query query;
  query.store = "acc";
  query.where.push_back({"owner", QueryPredicate::Op::kEq, S("bob"), {}, {}});
  EXPECT_TRUE(RunQuery(q, query).empty());
  ASSERT_OK(q->Put("kv", R"(1)", &k, nullptr));
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":3,"owner":"cat"})"));
  ASSERT_OK(q->Commit());

  Transaction* c = RW();
  std::unique_ptr<DocCursor> cur;
  ReadRangeOptions o;
  ASSERT_OK(c->OpenCursor({"acc", ""}, o, &cur));
  ASSERT_TRUE(cur->Next());  // read [start, key 1]
  ASSERT_OK(c->Put("kv", R"(2)", &k, nullptr));
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":50})"));  // past what the cursor read
  cur.reset();
  ASSERT_OK(c->Commit());

  Transaction* d = RW();
  ASSERT_OK(d->OpenCursor({"acc", ""}, o, &cur));
  while (cur->Next()) {
  }
  ASSERT_OK(d->Put("kv", R"(3)", &k, nullptr));
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":60})"));  // inside the full range read
  cur.reset();
  EXPECT_TRUE(d->Commit().IsConflict());
}

TEST_F(JsonDBTxnTest, ReadOnlyNeverConflictsAndSeesItsSnapshot) {
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":1,"v":1})"));
  Transaction* r = RO();
  EXPECT_EQ(Read(r, "acc", N(1)), R"({"id":1,"v":1})");
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":1,"v":2})"));
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":2,"v":2})"));
  EXPECT_EQ(Read(r, "acc", N(1)), R"({"id":1,"v":1})");
  uint64_t n = 0;
  ASSERT_OK(r->Count({"acc", ""}, KeyRange::All(), &n));
  EXPECT_EQ(n, 1u);
  ASSERT_OK(r->Commit());
}

TEST_F(JsonDBTxnTest, BlindWritesAndGeneratorConflicts) {
  // Blind puts of different keys of an unindexed store both commit.
  Transaction* a = RW();
  Transaction* b = RW();
  std::string k1 = N(1), k2 = N(2);
  ASSERT_OK(a->Put("kv", "1", &k1, nullptr));
  ASSERT_OK(b->Put("kv", "2", &k2, nullptr));
  ASSERT_OK(a->Commit());
  ASSERT_OK(b->Commit());
  // Two transactions drawing from one key generator: the second conflicts
  // rather than reuse the key.
  Transaction* c = RW();
  Transaction* d = RW();
  std::string kc, kd;
  ASSERT_OK(c->Put("log", R"("c")", nullptr, &kc));
  ASSERT_OK(d->Put("log", R"("d")", nullptr, &kd));
  EXPECT_EQ(kc, kd);
  ASSERT_OK(c->Commit());
  EXPECT_TRUE(d->Commit().IsConflict());
  EXPECT_EQ(Get(db_.get(), "log", kc), R"("c")");
}

TEST_F(JsonDBTxnTest, SchemaChangeConflictsWithWriters) {
  Transaction* a = RW();
  ASSERT_OK(a->Put("acc", R"({"id":1,"owner":"x","tag":"t"})", nullptr, nullptr));
  ASSERT_OK(db_->CreateIndex("acc", {"byTag", KeyPathSpec::String("tag"), false, false}));
  EXPECT_TRUE(a->Commit().IsConflict());
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":1,"owner":"x","tag":"t"})"));
  EXPECT_EQ(All(db_.get(), {"acc", "byTag"}).size(), 1u);
}

TEST_F(JsonDBTxnTest, AtomicCommitAcrossStores) {
  std::string dir = test::TempDir("jsondb-atomic");
  JsonDBOptions o;
  o.db_options.sync_mode = SyncMode::kAlways;
  {
    std::unique_ptr<JsonDB> db;
    ASSERT_OK(JsonDB::Open(o, dir, &db));
    StoreSpec a, b;
    a.name = "a";
    a.key_path = KeyPathSpec::String("id");
    a.indexes.push_back({"byV", KeyPathSpec::String("v"), false, false});
    b.name = "b";
    b.auto_increment = true;
    ASSERT_OK(db->ApplySchema({a, b}, nullptr));
    auto t = Begin(db.get(), TransactionMode::kReadWrite);
    for (int i = 0; i < 100; i++) {
      ASSERT_OK(t->Put("a", "{\"id\":" + std::to_string(i) + ",\"v\":" + std::to_string(i % 7) + "}", nullptr, nullptr));
      ASSERT_OK(t->Put("b", std::to_string(i), nullptr, nullptr));
    }
    uint64_t before = db->engine()->GetStats().write_groups;
    ASSERT_OK(t->Commit());
    // One engine write for the whole transaction.
    EXPECT_EQ(db->engine()->GetStats().write_groups, before + 1);
    ASSERT_OK(db->Close());
  }
  std::unique_ptr<JsonDB> db;
  ASSERT_OK(JsonDB::Open(o, dir, &db));
  EXPECT_EQ(All(db.get(), {"a", ""}).size(), 100u);
  EXPECT_EQ(All(db.get(), {"a", "byV"}).size(), 100u);
  EXPECT_EQ(All(db.get(), {"b", ""}).size(), 100u);
  ASSERT_OK(db->Close());
  std::filesystem::remove_all(dir);
}

TEST_F(JsonDBTxnTest, ConcurrentIncrementsWithRetries) {
  ASSERT_OK(Put(db_.get(), "acc", R"({"id":1,"n":0})"));
  constexpr int kThreads = 4, kEach = 50;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; th++) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; i++) {
        while (true) {
          TransactionOptions o;
          o.mode = TransactionMode::kReadWrite;
          std::unique_ptr<Transaction> t;
          ASSERT_OK(db_->Begin(o, &t));
          std::string v;
          bool found = false;
          ASSERT_OK(t->Get("acc", N(1), &v, &found));
          int n = std::stoi(v.substr(v.find("\"n\":") + 4));
          ASSERT_OK(t->Put("acc", "{\"id\":1,\"n\":" + std::to_string(n + 1) + "}", nullptr, nullptr));
          Status s = t->Commit();
          if (s.ok()) break;
          ASSERT_TRUE(s.IsConflict()) << s.ToString();
          conflicts++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Get(db_.get(), "acc", N(1)), "{\"id\":1,\"n\":" + std::to_string(kThreads * kEach) + "}");
}

// A read budget bounds the records a read-only transaction reads; past it
// every read fails with Busy (the binding then hands the call to a worker).
TEST_F(JsonDBTxnTest, ReadBudgetFailsReadsPastItWithBusy) {
  for (int i = 0; i < 50; i++) {
    ASSERT_OK(Put(db_.get(), "acc",
                  R"({"id":)" + std::to_string(i) + R"(,"owner":"o)" + std::to_string(i % 5) +
                      R"(","email":"e)" + std::to_string(i) + R"("})"));
  }
  auto budgeted = [&](uint64_t budget) {
    TransactionOptions options;
    options.read_budget = budget;
    std::unique_ptr<Transaction> t;
    EXPECT_OK(db_->Begin(options, &t));
    return t;
  };
  uint64_t n = 0;
  // 10 index entries and their 10 documents, then the scan's end: 21 reads.
  ReadRangeOptions owner;
  owner.range = KeyRange::Only(S("o3"));
  std::vector<DocRecord> records;
  ASSERT_OK(budgeted(21)->GetAll({"acc", "byOwner"}, owner, &records));
  EXPECT_EQ(records.size(), 10u);
  records.clear();
  EXPECT_TRUE(budgeted(20)->GetAll({"acc", "byOwner"}, owner, &records).IsWouldBlock());
  ASSERT_OK(budgeted(11)->Count({"acc", "byOwner"}, owner.range, &n));
  EXPECT_EQ(n, 10u);
  EXPECT_TRUE(budgeted(10)->Count({"acc", "byOwner"}, owner.range, &n).IsWouldBlock());
  // Point reads count one each.
  auto t = budgeted(2);
  EXPECT_EQ(Read(t.get(), "acc", N(1)), R"({"id":1,"owner":"o1","email":"e1"})");
  EXPECT_EQ(Read(t.get(), "acc", N(2)), R"({"id":2,"owner":"o2","email":"e2"})");
  std::string v;
  bool found = false;
  EXPECT_TRUE(t->Get("acc", N(3), &v, &found).IsWouldBlock());
  // No budget in read-write transactions.
  TransactionOptions rw;
  rw.mode = TransactionMode::kReadWrite;
  rw.read_budget = 1;
  std::unique_ptr<Transaction> w;
  ASSERT_OK(db_->Begin(rw, &w));
  ASSERT_OK(w->Count({"acc", ""}, KeyRange::All(), &n));
  EXPECT_EQ(n, 50u);
}

// ForEach visits what GetAll returns, in order, and stops when told to.
// Count agrees with it with and without pending writes to merge.
TEST_F(JsonDBTxnTest, ForEachAndCountMatchGetAll) {
  for (int i = 0; i < 20; i++) {
    ASSERT_OK(Put(db_.get(), "acc",
                  R"({"id":)" + std::to_string(i) + R"(,"owner":"o)" + std::to_string(i % 3) +
                      R"(","email":"e)" + std::to_string(i) + R"("})"));
  }
  for (bool pending : {false, true}) {
    Transaction* t = RW();
    if (pending) {
      ASSERT_OK(t->Put("acc", R"({"id":100,"owner":"o1","email":"x"})", nullptr, nullptr));
      ASSERT_OK(t->Delete("acc", KeyRange::Only(N(1))));
    }
    for (const char* index : {"", "byOwner"}) {
      ReadRangeOptions options;
      if (*index != '\0') options.range = KeyRange::Only(S("o1"));
      std::vector<DocRecord> all;
      ASSERT_OK(t->GetAll({"acc", index}, options, &all));
      std::vector<DocRecord> seen;
      ASSERT_OK(t->ForEach({"acc", index}, options, [&](const DocCursor& c) {
        seen.push_back({std::string(c.key()), std::string(c.primary_key()), std::string(c.value())});
        return true;
      }));
      ASSERT_EQ(seen.size(), all.size());
      for (size_t i = 0; i < all.size(); i++) {
        EXPECT_EQ(seen[i].key, all[i].key);
        EXPECT_EQ(seen[i].primary_key, all[i].primary_key);
        EXPECT_EQ(seen[i].value, all[i].value);
      }
      uint64_t n = 0;
      ASSERT_OK(t->Count({"acc", index}, options.range, &n));
      EXPECT_EQ(n, all.size());
      size_t visits = 0;
      ASSERT_OK(t->ForEach({"acc", index}, options, [&](const DocCursor&) { return ++visits < 3; }));
      EXPECT_EQ(visits, 3u);
    }
    uint64_t n = 0;
    ASSERT_OK(t->Count({"acc", ""}, KeyRange::All(), &n));
    EXPECT_EQ(n, 20u);  // pending: one added, one deleted
    ASSERT_OK(t->Count({"acc", "byOwner"}, KeyRange::Only(S("o1")), &n));
    EXPECT_EQ(n, 7u);  // ids 1, 4, … 19 (pending: 100 in, 1 out)
  }
}

}  // namespace
}  // namespace flowdb::jsondb_test
