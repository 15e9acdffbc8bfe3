// The query planner (explain) and executor.

#include <algorithm>

#include "jsondb_test_util.h"

namespace flowdb::jsondb_test {
namespace {

QueryPredicate Eq(std::string path, std::string v) {
  return {std::move(path), QueryPredicate::Op::kEq, std::move(v), {}, {}};
}
QueryPredicate In(std::string path, std::vector<std::string> v) {
  return {std::move(path), QueryPredicate::Op::kIn, {}, {}, std::move(v)};
}
QueryPredicate Range(std::string path, const std::string* gt, const std::string* gte,
                     const std::string* lt, const std::string* lte) {
  KeyRange r;
  if (gt || gte) {
    r.has_lower = true;
    r.lower = gt ? *gt : *gte;
    r.lower_open = gt != nullptr;
  }
  if (lt || lte) {
    r.has_upper = true;
    r.upper = lt ? *lt : *lte;
    r.upper_open = lt != nullptr;
  }
  return {std::move(path), QueryPredicate::Op::kRange, {}, r, {}};
}

class JsonDBQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenMem();
    StoreSpec s;
    s.name = "cities";
    s.key_path = KeyPathSpec::String("id");
    s.indexes.push_back({"byName", KeyPathSpec::String("name"), true, false});
    s.indexes.push_back({"byPop", KeyPathSpec::String("pop"), false, false});
    s.indexes.push_back({"byCountryPop", KeyPathSpec::Array({"country", "pop"}), false, false});
    s.indexes.push_back({"byTag", KeyPathSpec::String("tags"), false, true});
    ASSERT_OK(db_->CreateObjectStore(s));
    const char* countries[] = {"NO", "IT", "FR"};
    auto t = Begin(db_.get(), TransactionMode::kReadWrite);
    for (int i = 0; i < 60; i++) {
      std::string doc = "{\"id\":" + std::to_string(i) + ",\"name\":\"c" + std::to_string(i) +
                        "\",\"country\":\"" + countries[i % 3] + "\"" +
                        (i % 10 == 9 ? std::string() : ",\"pop\":" + std::to_string((i * 37) % 100)) +
                        ",\"tags\":[\"t" + std::to_string(i % 4) + "\"]}";
      docs_.push_back(doc);
      ASSERT_OK(t->Put("cities", doc, nullptr, nullptr));
    }
    ASSERT_OK(t->Commit());
  }
  // The model: documents matching `pred`, ordered by `order`.
  std::vector<std::string> Model(const std::function<bool(int)>& pred) {
    std::vector<std::string> out;
    for (int i = 0; i < 60; i++) {
      if (pred(i)) out.push_back(docs_[i]);
    }
    return out;
  }
  static bool HasPop(int i) { return i % 10 != 9; }
  static int Pop(int i) { return (i * 37) % 100; }
  std::vector<std::string> Run(const Query& q) {
    auto t = Begin(db_.get(), TransactionMode::kReadOnly);
    return RunQuery(t.get(), q);
  }
  QueryPlan Explain(const Query& q) {
    QueryPlan p;
    Status s = db_->Explain(q, &p);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return p;
  }

  std::unique_ptr<JsonDB> db_;
  std::vector<std::string> docs_;
};

TEST_F(JsonDBQueryTest, EqualityUsesTheIndex) {
  Query q;
  q.store = "cities";
  q.where.push_back(Eq("name", S("c7")));
  QueryPlan p = Explain(q);
  EXPECT_EQ(p.index, "byName");
  ASSERT_EQ(p.ranges.size(), 1u);
  EXPECT_EQ(p.ranges[0].lower, S("c7"));
  EXPECT_TRUE(p.residual.empty());
  EXPECT_FALSE(p.sort);
  EXPECT_EQ(Run(q), (std::vector<std::string>{docs_[7]}));
  // Primary key equality.
  Query k;
  k.store = "cities";
  k.where.push_back(Eq("id", N(3)));
  EXPECT_EQ(Explain(k).index, "");
  EXPECT_EQ(Explain(k).index_key_path, (std::vector<std::string>{"id"}));
  EXPECT_EQ(Run(k), (std::vector<std::string>{docs_[3]}));
}

TEST_F(JsonDBQueryTest, CompoundEqualityPrefixPlusRange) {
  Query q;
  q.store = "cities";
  std::string lo = N(20), hi = N(60);
  q.where.push_back(Range("pop", nullptr, &lo, &hi, nullptr));
  q.where.push_back(Eq("country", S("IT")));
  q.has_order = true;
  q.order_by = "pop";
  QueryPlan p = Explain(q);
  EXPECT_EQ(p.index, "byCountryPop");
  ASSERT_EQ(p.ranges.size(), 1u);
  EXPECT_EQ(p.ranges[0].lower, std::string(1, '\x50') + S("IT") + N(20));
  EXPECT_EQ(p.ranges[0].upper, std::string(1, '\x50') + S("IT") + N(60));
  EXPECT_TRUE(p.ranges[0].upper_open);
  EXPECT_FALSE(p.sort);
  EXPECT_TRUE(p.residual.empty());
  std::vector<int> ids;
  for (int i = 0; i < 60; i++) {
    if (i % 3 == 1 && HasPop(i) && Pop(i) >= 20 && Pop(i) < 60) ids.push_back(i);
  }
  std::stable_sort(ids.begin(), ids.end(), [](int a, int b) { return Pop(a) < Pop(b); });
  std::vector<std::string> want;
  for (int i : ids) want.push_back(docs_[i]);
  EXPECT_EQ(Run(q), want);
  // Descending, offset and limit: the index walked backwards, stopping early.
  q.descending = true;
  q.offset = 1;
  q.limit = 2;
  p = Explain(q);
  EXPECT_TRUE(p.reverse);
  EXPECT_TRUE(p.early_stop);
  std::reverse(want.begin(), want.end());
  EXPECT_EQ(Run(q), std::vector<std::string>(want.begin() + 1, want.begin() + 3));
}

TEST_F(JsonDBQueryTest, InBecomesSeveralRanges) {
  Query q;
  q.store = "cities";
  q.where.push_back(In("country", {S("NO"), S("FR"), S("NO")}));
  std::string lo = N(90);
  q.where.push_back(Range("pop", nullptr, &lo, nullptr, nullptr));
  QueryPlan p = Explain(q);
  EXPECT_EQ(p.index, "byCountryPop");
  ASSERT_EQ(p.ranges.size(), 2u);  // FR, NO in key order, duplicates removed
  EXPECT_EQ(p.ranges[0].lower, std::string(1, '\x50') + S("FR") + N(90));
  auto got = Run(q);
  auto want = Model([](int i) { return i % 3 != 1 && HasPop(i) && Pop(i) >= 90; });
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  // An `in` alone on a single-path index.
  Query n;
  n.store = "cities";
  n.where.push_back(In("name", {S("c5"), S("c1"), S("zz")}));
  EXPECT_EQ(Explain(n).index, "byName");
  EXPECT_EQ(Explain(n).ranges.size(), 3u);
  EXPECT_EQ(Run(n), (std::vector<std::string>{docs_[1], docs_[5]}));
}

TEST_F(JsonDBQueryTest, ResidualFiltersAndSort) {
  // No index on country alone (the compound index needs pop constrained):
  // full scan with a residual filter, sorted by name.
  Query q;
  q.store = "cities";
  q.where.push_back(Eq("country", S("FR")));
  q.has_order = true;
  q.order_by = "name";
  q.descending = true;
  q.limit = 3;
  QueryPlan p = Explain(q);
  EXPECT_EQ(p.index, "");
  EXPECT_EQ(p.residual, (std::vector<std::string>{"country"}));
  EXPECT_TRUE(p.sort);
  EXPECT_FALSE(p.early_stop);
  auto all = Model([](int i) { return i % 3 == 2; });
  std::vector<std::pair<std::string, std::string>> by_name;
  for (int i = 2; i < 60; i += 3) by_name.push_back({"c" + std::to_string(i), docs_[i]});
  std::sort(by_name.begin(), by_name.end());
  std::vector<std::string> want;
  for (size_t i = by_name.size(); i-- > by_name.size() - 3;) want.push_back(by_name[i].second);
  EXPECT_EQ(Run(q), want);
  // multiEntry indexes are not used by queries (they hold elements).
  Query m;
  m.store = "cities";
  m.where.push_back(Eq("tags", S("t1")));
  EXPECT_EQ(Explain(m).index, "");
  EXPECT_TRUE(Run(m).empty());  // the value at "tags" is an array, not "t1"
  // Ordering alone by an index path would drop documents without it: sorted.
  Query o;
  o.store = "cities";
  o.has_order = true;
  o.order_by = "pop";
  EXPECT_TRUE(Explain(o).sort);
  auto got = Run(o);
  ASSERT_EQ(got.size(), 60u);  // documents without pop sort last
  EXPECT_EQ(got.back(), docs_[59]);
}

TEST_F(JsonDBQueryTest, CountReadsNoDocumentsWithoutResidual) {
  Query q;
  q.store = "cities";
  std::string lo = N(50);
  q.where.push_back(Range("pop", nullptr, &lo, nullptr, nullptr));
  QueryPlan p = Explain(q);
  EXPECT_EQ(p.index, "byPop");
  EXPECT_FALSE(p.reads_documents);
  auto t = Begin(db_.get(), TransactionMode::kReadOnly);
  uint64_t n = 0;
  ASSERT_OK(t->CountQuery(q, &n));
  EXPECT_EQ(n, Model([](int i) { return HasPop(i) && Pop(i) >= 50; }).size());
  q.offset = 3;
  q.limit = 5;
  ASSERT_OK(t->CountQuery(q, &n));
  EXPECT_EQ(n, 5u);
  q.where.push_back(Eq("country", S("NO")));
  q.offset = 0;
  q.limit = UINT64_MAX;
  p = Explain(q);
  EXPECT_EQ(p.index, "byCountryPop");
  ASSERT_OK(t->CountQuery(q, &n));
  EXPECT_EQ(n, Model([](int i) { return i % 3 == 0 && HasPop(i) && Pop(i) >= 50; }).size());
  Query bad;
  bad.store = "cities";
  bad.where.push_back(Eq("a..b", N(1)));
  EXPECT_TRUE(db_->Explain(bad, &p).IsInvalidArgument());
  bad.where[0] = Eq("a", "\x10");
  EXPECT_TRUE(db_->Explain(bad, &p).IsInvalidKey());
  bad.store = "nope";
  EXPECT_TRUE(db_->Explain(bad, &p).IsNotFound());
}

}  // namespace
}  // namespace flowdb::jsondb_test
