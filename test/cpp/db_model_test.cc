// Randomized model-based test of the engine: random puts, deletes, range
// deletes, TTLs under a manual clock, snapshots, patches, flushes,
// compactions, whole-file expiry and reopens, compared after every read with
// a std::map model. FLOWDB_MODEL_SEEDS / FLOWDB_MODEL_OPS raise the size
// (npm test runs the small default).

#include <algorithm>
#include <cstdlib>
#include <map>

#include "flowdb/db.h"
#include "flowdb/env.h"
#include "test_util.h"

namespace flowdb {
namespace {

struct ModelValue {
  std::string value;
  int64_t expire_at = kNoExpiry;
};
using ModelKey = std::pair<std::string, int64_t>;
using Model = std::map<ModelKey, ModelValue>;

class ModelRun {
 public:
  explicit ModelRun(uint64_t seed) : rnd_(seed), base_(NewMemEnv()), env_(base_.get()) {
    env_.SetNowMicros(1'700'000'000'000'000);
    options_.env = &env_;
    options_.memtable_size = 64 << 10;  // many flushes
    options_.block_size = 512;
    options_.max_frozen_memtables = 1 + static_cast<int>(rnd_.Uniform(2));
    options_.compression = rnd_.OneIn(2) ? Compression::kLZ4 : Compression::kNone;
    options_.bloom_bits_per_key = rnd_.OneIn(4) ? 0 : 10;
    const int triggers[] = {0, 2, 3, 4};
    options_.compaction_trigger = triggers[rnd_.Uniform(4)];
  }
  ~ModelRun() { ReleaseAll(); }

  void Run(int ops) {
    ASSERT_OK(DB::Open(options_, "/db", &db_));
    for (int i = 0; i < ops; i++) {
      SCOPED_TRACE("op " + std::to_string(i));
      uint64_t r = rnd_.Uniform(1000);
      if (r < 400) {
        ASSERT_NO_FATAL_FAILURE(RandomBatch());
      } else if (r < 420) {
        ASSERT_NO_FATAL_FAILURE(RandomDeleteRange());
      } else if (r < 440) {
        ASSERT_NO_FATAL_FAILURE(RandomPatch());
      } else if (r < 460) {
        env_.AdvanceMicros(static_cast<int64_t>(rnd_.Uniform(40)));
      } else if (r < 480) {
        TakeSnapshot();
      } else if (r < 490) {
        ReleaseOne();
      } else if (r < 620) {
        ASSERT_NO_FATAL_FAILURE(CheckGet());
      } else if (r < 680) {
        ASSERT_NO_FATAL_FAILURE(CheckMultiGet());
      } else if (r < 780) {
        ASSERT_NO_FATAL_FAILURE(CheckLatest());
      } else if (r < 930) {
        ASSERT_NO_FATAL_FAILURE(CheckScan());
      } else if (r < 960) {
        ASSERT_OK(db_->Flush());
      } else if (r < 975) {
        ASSERT_OK(db_->CompactAll());
      } else if (r < 985) {
        uint64_t files = 0, entries = 0;
        ASSERT_OK(db_->DropExpiredFiles(&files, &entries));
        dropped_files_ += files;
      } else {
        ReleaseAll();
        db_.reset();
        ASSERT_OK(DB::Open(options_, "/db", &db_));
      }
    }
    ASSERT_NO_FATAL_FAILURE(CheckScanAll());
    ASSERT_OK(db_->CompactAll());
    ASSERT_NO_FATAL_FAILURE(CheckScanAll());
  }

  uint64_t dropped_files() const { return dropped_files_; }

 private:
  struct Snap {
    const Snapshot* snapshot;
    Model model;
  };

  std::string Key() { return "k" + test::RandomKey(&rnd_, rnd_.Uniform(3)); }
  int64_t Ts() { return static_cast<int64_t>(rnd_.Uniform(20)) - 5; }
  int64_t Now() { return env_.NowMicros(); }
  bool Live(const ModelValue& v) { return v.expire_at > env_.NowMicros(); }

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
        int64_t exp = rnd_.OneIn(3) ? Now() + static_cast<int64_t>(rnd_.Uniform(100)) : kNoExpiry;
        b.Put(k, ts, v, exp);
        pending[{k, ts}] = ModelValue{v, exp};
      }
    }
    ASSERT_OK(db_->Write(&b));
    model_ = std::move(pending);
  }

  void RandomDeleteRange() {
    std::string a = Key(), b = Key();
    if (a == b) b.push_back('\0');
    if (b < a) std::swap(a, b);
    ASSERT_OK(db_->DeleteRange(a, b));
    for (auto it = model_.lower_bound({a, INT64_MIN}); it != model_.end() && it->first.first < b;) {
      it = model_.erase(it);
    }
  }

  void RandomPatch() {
    std::string k = Key();
    int64_t ts = Ts();
    PatchOptions p;
    if (rnd_.OneIn(2)) {
      p.set_value = true;
      p.value = test::RandomBytes(&rnd_, rnd_.Uniform(20));
    }
    if (rnd_.OneIn(2)) {
      p.set_expire_at = true;
      p.expire_at = rnd_.OneIn(2) ? kNoExpiry : Now() + static_cast<int64_t>(rnd_.Uniform(100));
    }
    Record out;
    Status s = db_->Patch(k, ts, p, &out);
    auto it = model_.find({k, ts});
    if (it == model_.end() || !Live(it->second)) {
      EXPECT_TRUE(s.IsNotFound()) << s.ToString();
      return;
    }
    ASSERT_OK(s);
    if (p.set_value) it->second.value = p.value;
    if (p.set_expire_at) it->second.expire_at = p.expire_at;
    EXPECT_EQ(it->second.value, out.value);
    EXPECT_EQ(it->second.expire_at, out.expire_at);
  }

  void TakeSnapshot() {
    const Snapshot* s = db_->GetSnapshot();
    ASSERT_NE(nullptr, s);
    snaps_.push_back(Snap{s, model_});
  }
  void ReleaseOne() {
    if (snaps_.empty()) return;
    size_t i = rnd_.Uniform(snaps_.size());
    db_->ReleaseSnapshot(snaps_[i].snapshot);
    snaps_.erase(snaps_.begin() + static_cast<ptrdiff_t>(i));
  }
  void ReleaseAll() {
    for (auto& s : snaps_) db_->ReleaseSnapshot(s.snapshot);
    snaps_.clear();
  }

  // Reads at the present or at a random open snapshot; *model is what they
  // must see.
  ReadOptions PickView(const Model** model) {
    ReadOptions ro;
    *model = &model_;
    if (!snaps_.empty() && rnd_.OneIn(3)) {
      const Snap& s = snaps_[rnd_.Uniform(snaps_.size())];
      ro.snapshot = s.snapshot;
      *model = &s.model;
    }
    return ro;
  }

  void CheckGet() {
    const Model* model;
    ReadOptions ro = PickView(&model);
    std::string k = Key();
    int64_t ts = Ts();
    std::string v;
    int64_t exp = 0;
    Status s = db_->Get(ro, k, ts, &v, &exp);
    auto it = model->find({k, ts});
    if (it == model->end() || !Live(it->second)) {
      EXPECT_TRUE(s.IsNotFound()) << s.ToString();
    } else {
      ASSERT_OK(s);
      EXPECT_EQ(it->second.value, v);
      EXPECT_EQ(it->second.expire_at, exp);
    }
  }

  // A MultiGet of random lookups (some live in the model, some repeated,
  // some absent everywhere, sorted or not) answers each as the model and as
  // Get at the same view.
  void CheckMultiGet() {
    const Model* model;
    ReadOptions ro = PickView(&model);
    const size_t n = 1 + rnd_.Uniform(rnd_.OneIn(4) ? 200 : 20);
    std::vector<ModelKey> ids;
    for (size_t i = 0; i < n; i++) {
      if (!ids.empty() && rnd_.OneIn(8)) {
        ids.push_back(ids[rnd_.Uniform(ids.size())]);
      } else if (!model->empty() && rnd_.OneIn(2)) {
        auto it = model->lower_bound({Key(), Ts()});
        if (it == model->end()) it = model->begin();
        ids.push_back(it->first);
      } else {
        ids.emplace_back(Key(), Ts());
      }
    }
    if (rnd_.OneIn(2)) std::sort(ids.begin(), ids.end());
    std::vector<PointLookup> lookups;
    for (const auto& [k, ts] : ids) lookups.push_back({k, ts});
    std::vector<std::string> values{"stale"};
    std::vector<Status> statuses;
    std::vector<int64_t> exps;
    ASSERT_OK(db_->MultiGet(ro, lookups, &values, &statuses, &exps));
    ASSERT_EQ(n, values.size());
    ASSERT_EQ(n, statuses.size());
    ASSERT_EQ(n, exps.size());
    for (size_t i = 0; i < n; i++) {
      SCOPED_TRACE("lookup " + std::to_string(i));
      auto it = model->find(ids[i]);
      std::string v;
      int64_t exp = 0;
      Status single = db_->Get(ro, ids[i].first, ids[i].second, &v, &exp);
      if (it == model->end() || !Live(it->second)) {
        EXPECT_TRUE(statuses[i].IsNotFound()) << statuses[i].ToString();
        EXPECT_TRUE(single.IsNotFound()) << single.ToString();
        EXPECT_EQ("", values[i]);
      } else {
        ASSERT_OK(statuses[i]);
        EXPECT_EQ(it->second.value, values[i]);
        EXPECT_EQ(it->second.expire_at, exps[i]);
        ASSERT_OK(single);
        EXPECT_EQ(v, values[i]);
      }
    }
  }

  void CheckLatest() {
    const Model* model;
    ReadOptions ro = PickView(&model);
    std::string k = Key();
    Record r;
    Status s = db_->GetLatest(ro, k, &r);
    const ModelValue* want = nullptr;
    int64_t want_ts = 0;
    for (auto it = model->lower_bound({k, INT64_MIN}); it != model->end() && it->first.first == k;
         ++it) {
      if (Live(it->second)) {
        want = &it->second;
        want_ts = it->first.second;
      }
    }
    if (want == nullptr) {
      EXPECT_TRUE(s.IsNotFound()) << s.ToString();
      return;
    }
    ASSERT_OK(s);
    EXPECT_EQ(want_ts, r.ts);
    EXPECT_EQ(want->value, r.value);
  }

  void CheckScan() {
    const Model* model;
    ReadOptions ro = PickView(&model);
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
    for (const auto& [mk, v] : *model) {
      const auto& [k, ts] = mk;
      if (!Live(v)) continue;
      if (scan.has_lower && (k < scan.lower || (k == scan.lower && !scan.lower_inclusive))) continue;
      if (scan.has_upper && (k > scan.upper || (k == scan.upper && !scan.upper_inclusive))) continue;
      if (ts < scan.ts_min || ts > scan.ts_max) continue;
      want.push_back(mk);
    }
    if (scan.reverse) std::reverse(want.begin(), want.end());
    std::vector<ModelKey> got;
    std::unique_ptr<ScanCursor> c = db_->NewScan(ro, scan);
    while (c->Next()) {
      got.emplace_back(std::string(c->key()), c->ts());
      auto it = model->find(got.back());
      if (it != model->end()) EXPECT_EQ(it->second.value, c->value());
    }
    ASSERT_OK(c->status());
    EXPECT_EQ(want, got);
  }

  void CheckScanAll() {
    std::vector<ModelKey> want;
    for (const auto& [mk, v] : model_) {
      if (Live(v)) want.push_back(mk);
    }
    std::unique_ptr<RecordIterator> it = db_->NewIterator(ReadOptions());
    std::vector<ModelKey> got;
    for (it->SeekToFirst(); it->Valid(); it->Next()) got.emplace_back(std::string(it->key()), it->ts());
    ASSERT_OK(it->status());
    EXPECT_EQ(want, got);
    got.clear();
    for (it->SeekToLast(); it->Valid(); it->Prev()) got.emplace_back(std::string(it->key()), it->ts());
    std::reverse(got.begin(), got.end());
    EXPECT_EQ(want, got);
  }

  test::Random rnd_;
  std::unique_ptr<Env> base_;
  ManualClockEnv env_;
  Options options_;
  std::unique_ptr<DB> db_;
  Model model_;
  std::vector<Snap> snaps_;
  uint64_t dropped_files_ = 0;
};

TEST(DBModelTest, RandomOperationsMatchModel) {
  const int seeds = static_cast<int>(test::EnvInt("FLOWDB_MODEL_SEEDS", 12));
  const int ops = static_cast<int>(test::EnvInt("FLOWDB_MODEL_OPS", 1500));
  uint64_t dropped = 0;
  for (int seed = 1; seed <= seeds; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    ModelRun run(static_cast<uint64_t>(seed));
    ASSERT_NO_FATAL_FAILURE(run.Run(ops));
    dropped += run.dropped_files();
  }
  std::printf("model test: %d seeds x %d ops, %llu SSTables dropped whole\n", seeds, ops,
              static_cast<unsigned long long>(dropped));
}

}  // namespace
}  // namespace flowdb
