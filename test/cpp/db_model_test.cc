// Randomized model-based test of the engine: random puts, deletes, batches,
// flushes and reopens, compared after every step with a std::map model.
// FLOWDB_MODEL_SEEDS / FLOWDB_MODEL_OPS raise the size (npm test runs the
// small default).

#include <cstdlib>
#include <map>

#include "flowdb/db.h"
#include "flowdb/env.h"
#include "test_util.h"

namespace flowdb {
namespace {

int EnvInt(const char* name, int def) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoi(v) : def;
}

using ModelKey = std::pair<std::string, int64_t>;
using Model = std::map<ModelKey, std::string>;

class ModelRun {
 public:
  explicit ModelRun(uint64_t seed) : rnd_(seed), env_(NewMemEnv()) {
    options_.env = env_.get();
    options_.memtable_size = 64 << 10;  // many flushes
    options_.block_size = 512;
    options_.max_frozen_memtables = 1 + static_cast<int>(rnd_.Uniform(2));
    options_.compression = rnd_.OneIn(2) ? Compression::kLZ4 : Compression::kNone;
    options_.bloom_bits_per_key = rnd_.OneIn(4) ? 0 : 10;
  }

  void Run(int ops) {
    ASSERT_OK(DB::Open(options_, "/db", &db_));
    for (int i = 0; i < ops; i++) {
      SCOPED_TRACE("op " + std::to_string(i));
      uint64_t r = rnd_.Uniform(100);
      if (r < 45) {
        ASSERT_NO_FATAL_FAILURE(RandomBatch());
      } else if (r < 75) {
        ASSERT_NO_FATAL_FAILURE(CheckGet());
      } else if (r < 85) {
        ASSERT_NO_FATAL_FAILURE(CheckLatest());
      } else if (r < 95) {
        ASSERT_NO_FATAL_FAILURE(CheckScan());
      } else if (r < 98) {
        ASSERT_OK(db_->Flush());
      } else {
        db_.reset();
        ASSERT_OK(DB::Open(options_, "/db", &db_));
      }
    }
    ASSERT_NO_FATAL_FAILURE(CheckScanAll());
  }

 private:
  std::string Key() { return "k" + test::RandomKey(&rnd_, rnd_.Uniform(3)); }
  int64_t Ts() { return static_cast<int64_t>(rnd_.Uniform(20)) - 5; }

  void RandomBatch() {
    WriteBatch b;
    Model pending = model_;
    int n = 1 + static_cast<int>(rnd_.Uniform(rnd_.OneIn(10) ? 50 : 4));
    for (int i = 0; i < n; i++) {
      std::string k = Key();
      int64_t ts = Ts();
      if (rnd_.Uniform(4) == 0) {
        b.Delete(k, ts);
        pending.erase({k, ts});
      } else {
        std::string v = test::RandomBytes(&rnd_, rnd_.OneIn(20) ? 3000 : rnd_.Uniform(40));
        b.Put(k, ts, v);
        pending[{k, ts}] = v;
      }
    }
    ASSERT_OK(db_->Write(&b));
    model_ = std::move(pending);
  }

  void CheckGet() {
    std::string k = Key();
    int64_t ts = Ts();
    std::string v;
    Status s = db_->Get(ReadOptions(), k, ts, &v);
    auto it = model_.find({k, ts});
    if (it == model_.end()) {
      EXPECT_TRUE(s.IsNotFound()) << s.ToString();
    } else {
      ASSERT_OK(s);
      EXPECT_EQ(it->second, v);
    }
  }

  void CheckLatest() {
    std::string k = Key();
    Record r;
    Status s = db_->GetLatest(ReadOptions(), k, &r);
    auto it = model_.upper_bound({k, INT64_MAX});
    bool exists = it != model_.begin() && std::prev(it)->first.first == k;
    if (!exists) {
      EXPECT_TRUE(s.IsNotFound()) << s.ToString();
      return;
    }
    --it;
    ASSERT_OK(s);
    EXPECT_EQ(it->first.second, r.ts);
    EXPECT_EQ(it->second, r.value);
  }

  void CheckScan() {
    ScanOptions scan;
    if (rnd_.OneIn(2)) {
      scan.has_lower = true;
      scan.lower = Key();
      scan.lower_inclusive = rnd_.OneIn(2);
    }
    if (rnd_.OneIn(2)) {
      scan.has_upper = true;
      scan.upper = Key();
      scan.upper_inclusive = rnd_.OneIn(2);
    }
    if (rnd_.OneIn(2)) {
      scan.ts_min = Ts();
      scan.ts_max = scan.ts_min + static_cast<int64_t>(rnd_.Uniform(8));
    }
    scan.reverse = rnd_.OneIn(2);
    std::vector<ModelKey> want;
    for (const auto& [mk, v] : model_) {
      const auto& [k, ts] = mk;
      if (scan.has_lower && (k < scan.lower || (k == scan.lower && !scan.lower_inclusive))) continue;
      if (scan.has_upper && (k > scan.upper || (k == scan.upper && !scan.upper_inclusive))) continue;
      if (ts < scan.ts_min || ts > scan.ts_max) continue;
      want.push_back(mk);
    }
    if (scan.reverse) std::reverse(want.begin(), want.end());
    std::vector<ModelKey> got;
    std::unique_ptr<ScanCursor> c = db_->NewScan(ReadOptions(), scan);
    while (c->Next()) {
      got.emplace_back(std::string(c->key()), c->ts());
      EXPECT_EQ(model_[got.back()], c->value());
    }
    ASSERT_OK(c->status());
    EXPECT_EQ(want, got);
  }

  void CheckScanAll() {
    std::unique_ptr<RecordIterator> it = db_->NewIterator(ReadOptions());
    auto m = model_.begin();
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
      ASSERT_NE(m, model_.end());
      EXPECT_EQ(m->first.first, it->key());
      EXPECT_EQ(m->first.second, it->ts());
    }
    ASSERT_OK(it->status());
    EXPECT_EQ(m, model_.end());
    auto r = model_.rbegin();
    for (it->SeekToLast(); it->Valid(); it->Prev(), ++r) {
      ASSERT_NE(r, model_.rend());
      EXPECT_EQ(r->first.first, it->key());
      EXPECT_EQ(r->first.second, it->ts());
    }
    EXPECT_EQ(r, model_.rend());
  }

  test::Random rnd_;
  std::unique_ptr<Env> env_;
  Options options_;
  std::unique_ptr<DB> db_;
  Model model_;
};

TEST(DBModelTest, RandomOperationsMatchModel) {
  const int seeds = EnvInt("FLOWDB_MODEL_SEEDS", 12);
  const int ops = EnvInt("FLOWDB_MODEL_OPS", 1500);
  for (int seed = 1; seed <= seeds; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    ModelRun run(static_cast<uint64_t>(seed));
    ASSERT_NO_FATAL_FAILURE(run.Run(ops));
  }
}

}  // namespace
}  // namespace flowdb
