// A randomized model test of the document core: puts, adds, deletes (keys
// and ranges), clears and aborted transactions over two stores with unique,
// compound and multiEntry indexes, with reopens, compared after every step
// group with a std::map model (documents, and every index's entries derived
// from them).
//
// CI size by default; JSONDB_MODEL_OPS=<n> runs longer, JSONDB_MODEL_SEED=<s>
// replays a seed (printed on every run).

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "jsondb_test_util.h"

namespace flowdb::jsondb_test {
namespace {

struct ModelDoc {
  int id;
  std::optional<int> a;            // "a": number
  std::optional<std::string> s;    // "s": string key
  std::optional<int> u;            // "u": unique
  std::vector<std::string> tags;   // "tags": array, may hold an invalid element
  bool tags_bad_element = false;

  std::string Json() const {
    std::string j = "{\"id\":" + std::to_string(id);
    if (a) j += ",\"a\":" + std::to_string(*a);
    if (s) j += ",\"s\":\"" + *s + "\"";
    if (u) j += ",\"u\":" + std::to_string(*u);
    j += ",\"tags\":[";
    for (size_t i = 0; i < tags.size(); i++) j += (i ? ",\"" : "\"") + tags[i] + "\"";
    if (tags_bad_element) j += std::string(tags.empty() ? "" : ",") + "null";
    j += "]}";
    return j;
  }
};

using Store = std::map<std::string, ModelDoc>;  // encoded pk → doc
using Entries = std::set<std::pair<std::string, std::string>>;  // (index key, pk)

StoreSpec Spec(const std::string& name) {
  StoreSpec s;
  s.name = name;
  s.key_path = KeyPathSpec::String("id");
  s.indexes.push_back({"a", KeyPathSpec::String("a"), false, false});
  s.indexes.push_back({"as", KeyPathSpec::Array({"a", "s"}), false, false});
  s.indexes.push_back({"tags", KeyPathSpec::String("tags"), false, true});
  s.indexes.push_back({"u", KeyPathSpec::String("u"), true, false});
  return s;
}

Entries ModelIndex(const Store& store, const std::string& index) {
  Entries e;
  for (const auto& [pk, d] : store) {
    if (index == "a" && d.a) e.insert({N(*d.a), pk});
    if (index == "as" && d.a && d.s) e.insert({A({N(*d.a), S(*d.s)}), pk});
    if (index == "u" && d.u) e.insert({N(*d.u), pk});
    if (index == "tags") {
      for (const auto& t : d.tags) e.insert({S(t), pk});
    }
  }
  return e;
}

bool UniqueClash(const Store& store, const ModelDoc& d) {
  if (!d.u) return false;
  for (const auto& [pk, other] : store) {
    if (other.id != d.id && other.u == d.u) return true;
  }
  return false;
}

ModelDoc RandomDoc(test::Random* rnd) {
  ModelDoc d;
  d.id = static_cast<int>(rnd->Uniform(60));
  if (!rnd->OneIn(4)) d.a = static_cast<int>(rnd->Uniform(10));
  if (!rnd->OneIn(3)) d.s = std::string(1, static_cast<char>('a' + rnd->Uniform(4)));
  if (rnd->OneIn(2)) d.u = static_cast<int>(rnd->Uniform(200));
  int n = static_cast<int>(rnd->Uniform(4));
  std::set<std::string> seen;
  for (int i = 0; i < n; i++) {
    std::string t = "t" + std::to_string(rnd->Uniform(5));
    d.tags.push_back(t);  // duplicates allowed in the document
  }
  d.tags_bad_element = rnd->OneIn(5);
  return d;
}

void Check(JsonDB* db, const std::map<std::string, Store>& model, uint64_t seed, int step) {
  SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(step));
  for (const auto& [name, store] : model) {
    auto docs = All(db, {name, ""});
    ASSERT_EQ(docs.size(), store.size());
    size_t i = 0;
    for (const auto& [pk, d] : store) {
      ASSERT_EQ(docs[i].primary_key, pk);
      ASSERT_EQ(docs[i].value, d.Json());
      i++;
    }
    for (const char* index : {"a", "as", "tags", "u"}) {
      Entries want = ModelIndex(store, index);
      auto got = All(db, {name, index});
      ASSERT_EQ(got.size(), want.size()) << "index " << index;
      size_t j = 0;
      for (const auto& [ikey, pk] : want) {
        ASSERT_EQ(got[j].key, ikey) << "index " << index;
        ASSERT_EQ(got[j].primary_key, pk) << "index " << index;
        ASSERT_EQ(got[j].value, store.at(pk).Json());
        j++;
      }
    }
  }
}

TEST(JsonDBModel, RandomOpsAgainstMapModel) {
  uint64_t seed = std::chrono::steady_clock::now().time_since_epoch().count();
  if (const char* s = std::getenv("JSONDB_MODEL_SEED")) seed = std::strtoull(s, nullptr, 10);
  int ops = 1500;
  if (const char* s = std::getenv("JSONDB_MODEL_OPS")) ops = std::atoi(s);
  std::printf("jsondb model test: seed %llu, %d ops\n", static_cast<unsigned long long>(seed), ops);
  SCOPED_TRACE("seed " + std::to_string(seed));
  test::Random rnd(seed);

  std::string dir = test::TempDir("jsondb-model");
  JsonDBOptions o;
  o.db_options.sync_mode = SyncMode::kNone;
  o.db_options.memtable_size = 64 << 10;  // flushes and compactions happen
  std::unique_ptr<JsonDB> db;
  ASSERT_OK(JsonDB::Open(o, dir, &db));
  ASSERT_OK(db->ApplySchema({Spec("s1"), Spec("s2")}, nullptr));
  std::map<std::string, Store> model{{"s1", {}}, {"s2", {}}};

  int step = 0;
  while (step < ops) {
    // One transaction of 1-5 operations; one in eight aborts.
    auto txn = Begin(db.get(), TransactionMode::kReadWrite);
    auto pending = model;
    int n = 1 + static_cast<int>(rnd.Uniform(5));
    for (int k = 0; k < n && step < ops; k++, step++) {
      std::string name = rnd.OneIn(2) ? "s1" : "s2";
      Store& store = pending[name];
      uint64_t op = rnd.Uniform(100);
      if (op < 55) {
        ModelDoc d = RandomDoc(&rnd);
        bool add = rnd.OneIn(4);
        std::string pk = N(d.id);
        Status s = add ? txn->Add(name, d.Json(), nullptr, nullptr)
                       : txn->Put(name, d.Json(), nullptr, nullptr);
        bool clash = UniqueClash(store, d) || (add && store.count(pk));
        if (clash) {
          ASSERT_TRUE(s.IsConstraint()) << s.ToString() << " " << d.Json();
        } else {
          ASSERT_OK(s);
          store[pk] = d;
        }
      } else if (op < 75) {
        int id = static_cast<int>(rnd.Uniform(60));
        ASSERT_OK(txn->Delete(name, KeyRange::Only(N(id))));
        store.erase(N(id));
      } else if (op < 90) {
        int lo = static_cast<int>(rnd.Uniform(60)), hi = lo + static_cast<int>(rnd.Uniform(15));
        KeyRange r;
        r.has_lower = r.has_upper = true;
        r.lower = N(lo);
        r.upper = N(hi);
        r.lower_open = rnd.OneIn(2);
        r.upper_open = rnd.OneIn(2);
        ASSERT_OK(txn->Delete(name, r));
        for (auto it = store.begin(); it != store.end();) {
          it = r.Contains(it->first) ? store.erase(it) : std::next(it);
        }
      } else if (op < 93) {
        ASSERT_OK(txn->Clear(name));
        store.clear();
      } else {
        // A read of the transaction's own state through an index.
        uint64_t count = 0;
        ASSERT_OK(txn->Count({name, "tags"}, KeyRange::All(), &count));
        ASSERT_EQ(count, ModelIndex(store, "tags").size());
      }
    }
    if (rnd.OneIn(8)) {
      txn->Abort();
    } else {
      ASSERT_OK(txn->Commit());
      model = std::move(pending);
    }
    txn.reset();
    if (rnd.OneIn(60)) {
      ASSERT_OK(db->Close());
      db.reset();
      ASSERT_OK(JsonDB::Open(o, dir, &db));
    }
    if (rnd.OneIn(10)) {
      Check(db.get(), model, seed, step);
      if (HasFatalFailure()) return;
    }
  }
  Check(db.get(), model, seed, step);
  ASSERT_OK(db->Close());
  db.reset();
  ASSERT_OK(JsonDB::Open(o, dir, &db));
  Check(db.get(), model, seed, step);
  ASSERT_OK(db->Close());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flowdb::jsondb_test
