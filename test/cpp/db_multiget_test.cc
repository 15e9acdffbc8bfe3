// DB::MultiGet against a std::map model, with the records spread over the
// active memtable, a frozen memtable and several SSTables, with deletions,
// range deletions, expiry and snapshots; and its call-level errors.

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "flowdb/db.h"
#include "test_util.h"

namespace flowdb {
namespace {

// Holds every new SSTable file (a flush's output) until Open(): a memtable
// switched meanwhile stays frozen, readable but not yet flushed.
class FlushGateEnv : public ManualClockEnv {
 public:
  explicit FlushGateEnv(Env* target) : ManualClockEnv(target) {}
  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    if (f.find("/sst/") != std::string::npos) {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return open_; });
    }
    return ManualClockEnv::NewWritableFile(f, r);
  }
  void Close() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = false;
  }
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
};

struct Want {
  std::string value;
  int64_t expire_at = kNoExpiry;
};
using Model = std::map<std::pair<std::string, int64_t>, Want>;

class MultiGetTest : public ::testing::Test {
 protected:
  MultiGetTest() : base_(NewMemEnv()), env_(base_.get()) {
    env_.SetNowMicros(1'000'000);
    options_.env = &env_;
    options_.memtable_size = 64 << 10;
    options_.block_size = 256;  // many data blocks per SSTable
    options_.compaction_trigger = 0;
    options_.max_frozen_memtables = 2;
  }
  ~MultiGetTest() override {
    env_.Open();
    if (db_ != nullptr) EXPECT_OK(db_->Close());
  }

  static std::string KeyOf(int i) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "key%05d", i);
    return buf;
  }

  void Put(const std::string& k, int64_t ts, const std::string& v, int64_t exp = kNoExpiry) {
    WriteBatch b;
    b.Put(k, ts, v, exp);
    ASSERT_OK(db_->Write(&b));
    model_[{k, ts}] = Want{v, exp};
  }
  void Delete(const std::string& k, int64_t ts) {
    WriteBatch b;
    b.Delete(k, ts);
    ASSERT_OK(db_->Write(&b));
    model_.erase({k, ts});
  }
  void DeleteRange(const std::string& a, const std::string& b) {
    ASSERT_OK(db_->DeleteRange(a, b));
    for (auto it = model_.lower_bound({a, INT64_MIN}); it != model_.end() && it->first.first < b;) {
      it = model_.erase(it);
    }
  }

  // Checks a MultiGet of `ids` at ro against `model`, and against Get.
  void Check(const ReadOptions& ro, const Model& model,
             const std::vector<std::pair<std::string, int64_t>>& ids) {
    std::vector<PointLookup> lookups;
    for (const auto& [k, ts] : ids) lookups.push_back({k, ts});
    std::vector<std::string> values;
    std::vector<Status> statuses;
    std::vector<int64_t> exps;
    ASSERT_OK(db_->MultiGet(ro, lookups, &values, &statuses, &exps));
    ASSERT_EQ(ids.size(), statuses.size());
    size_t found = 0;
    for (size_t i = 0; i < ids.size(); i++) {
      SCOPED_TRACE(ids[i].first + "@" + std::to_string(ids[i].second));
      auto it = model.find(ids[i]);
      std::string v;
      Status single = db_->Get(ro, ids[i].first, ids[i].second, &v);
      if (it == model.end() || it->second.expire_at <= env_.NowMicros()) {
        EXPECT_TRUE(statuses[i].IsNotFound()) << statuses[i].ToString();
        EXPECT_TRUE(single.IsNotFound()) << single.ToString();
        EXPECT_EQ("", values[i]);
      } else {
        found++;
        ASSERT_OK(statuses[i]);
        EXPECT_EQ(it->second.value, values[i]);
        EXPECT_EQ(it->second.expire_at, exps[i]);
        ASSERT_OK(single);
      }
    }
    checked_found_ += found;
  }

  // Every (key, ts) the test may have written, plus keys written nowhere,
  // in ascending order.
  std::vector<std::pair<std::string, int64_t>> AllIds() const {
    std::vector<std::pair<std::string, int64_t>> ids;
    for (int i = -2; i < 1300; i += 1) {
      for (int64_t ts : {0, 1, 7}) ids.emplace_back(i < 0 ? "a" + KeyOf(-i) : KeyOf(i), ts);
    }
    ids.emplace_back("zz-absent", 0);
    return ids;
  }

  std::unique_ptr<Env> base_;
  FlushGateEnv env_;
  Options options_;
  std::unique_ptr<DB> db_;
  Model model_;
  size_t checked_found_ = 0;
};

TEST_F(MultiGetTest, MatchesModelAcrossMemtablesAndSSTables) {
  ASSERT_OK(DB::Open(options_, "/db", &db_));
  // SSTable 1: keys 0..999 at ts 0 and 1.
  for (int i = 0; i < 1000; i++) {
    Put(KeyOf(i), 0, "v0-" + std::to_string(i));
    if (i % 3 == 0) Put(KeyOf(i), 1, "v1-" + std::to_string(i));
  }
  ASSERT_OK(db_->Flush());
  // SSTable 2: overwrites, deletions (tombstones over older files), expiring
  // records, and a range deletion.
  for (int i = 0; i < 1000; i += 7) Put(KeyOf(i), 0, "w0-" + std::to_string(i));
  for (int i = 1; i < 1000; i += 11) Delete(KeyOf(i), 0);
  for (int i = 2; i < 1000; i += 13) Put(KeyOf(i), 7, "ttl", env_.NowMicros() + 100);
  DeleteRange(KeyOf(500), KeyOf(520));
  ASSERT_OK(db_->Flush());
  const Snapshot* snap = db_->GetSnapshot();
  const Model at_snap = model_;
  // SSTable 3, then a frozen memtable held unflushed, then the active one.
  for (int i = 900; i < 1200; i++) Put(KeyOf(i), 1, "x1-" + std::to_string(i));
  ASSERT_OK(db_->Flush());
  env_.Close();
  for (int i = 0; i < 1000 && db_->GetStats().frozen_memtables == 0; i += 3) {
    Put(KeyOf(i), 0, std::string(200, 'f') + std::to_string(i));
  }
  ASSERT_EQ(1u, db_->GetStats().frozen_memtables);
  for (int i = 5; i < 1300; i += 17) Put(KeyOf(i), 0, "m-" + std::to_string(i));
  for (int i = 4; i < 1000; i += 19) Delete(KeyOf(i), 1);
  DeleteRange(KeyOf(600), KeyOf(610));
  EXPECT_GE(db_->GetStats().sstables, 3u);

  std::vector<std::pair<std::string, int64_t>> ids = AllIds();
  ASSERT_NO_FATAL_FAILURE(Check(ReadOptions(), model_, ids));
  // Some expire: invisible at once.
  env_.AdvanceMicros(100);
  ASSERT_NO_FATAL_FAILURE(Check(ReadOptions(), model_, ids));
  // Shuffled, with every lookup twice.
  std::vector<std::pair<std::string, int64_t>> shuffled = ids;
  shuffled.insert(shuffled.end(), ids.begin(), ids.end());
  test::Random rnd(7);
  for (size_t i = shuffled.size(); i > 1; i--) std::swap(shuffled[i - 1], shuffled[rnd.Uniform(i)]);
  ASSERT_NO_FATAL_FAILURE(Check(ReadOptions(), model_, shuffled));
  // At the snapshot: none of the later writes.
  ReadOptions at;
  at.snapshot = snap;
  ASSERT_NO_FATAL_FAILURE(Check(at, at_snap, ids));
  // After the frozen memtable is flushed and everything compacted.
  env_.Open();
  ASSERT_OK(db_->Flush());
  ASSERT_NO_FATAL_FAILURE(Check(ReadOptions(), model_, shuffled));
  ASSERT_NO_FATAL_FAILURE(Check(at, at_snap, ids));
  db_->ReleaseSnapshot(snap);
  ASSERT_OK(db_->CompactAll());
  ASSERT_NO_FATAL_FAILURE(Check(ReadOptions(), model_, ids));
  EXPECT_GT(checked_found_, 5000u);  // the checks saw records, not only misses
}

TEST_F(MultiGetTest, EmptyInputAndCallErrors) {
  ASSERT_OK(DB::Open(options_, "/db", &db_));
  Put("a", 0, "1");
  std::vector<std::string> values{"x"};
  std::vector<Status> statuses{Status::NotFound("")};
  ASSERT_OK(db_->MultiGet(ReadOptions(), {}, &values, &statuses));
  EXPECT_TRUE(values.empty());
  EXPECT_TRUE(statuses.empty());

  // A snapshot of another DB: an error for the call, outputs untouched.
  std::unique_ptr<Env> other_env = NewMemEnv();
  Options other_options;
  other_options.env = other_env.get();
  std::unique_ptr<DB> other;
  ASSERT_OK(DB::Open(other_options, "/other", &other));
  const Snapshot* foreign = other->GetSnapshot();
  ReadOptions ro;
  ro.snapshot = foreign;
  PointLookup one[] = {{"a", 0}};
  values = {"x"};
  EXPECT_TRUE(db_->MultiGet(ro, one, &values, &statuses).IsInvalidArgument());
  EXPECT_EQ(std::vector<std::string>{"x"}, values);
  other->ReleaseSnapshot(foreign);
  ASSERT_OK(other->Close());

  ASSERT_OK(db_->MultiGet(ReadOptions(), one, &values, &statuses));
  ASSERT_OK(statuses[0]);
  EXPECT_EQ("1", values[0]);
  ASSERT_OK(db_->Close());
  EXPECT_TRUE(db_->MultiGet(ReadOptions(), one, &values, &statuses).IsClosed());
  db_.reset();
}

// Under memory_only, a lookup that needs an uncached data block is Busy
// (would block), as Get is; the memtable's answers still come back.
TEST_F(MultiGetTest, MemoryOnlyReportsWouldBlockPerLookup) {
  options_.block_cache_size = 0;
  ASSERT_OK(DB::Open(options_, "/db", &db_));
  Put("on-disk", 0, "d");
  ASSERT_OK(db_->Flush());
  Put("in-memory", 0, "m");
  ReadOptions ro;
  ro.memory_only = true;
  std::string v;
  Status single = db_->Get(ro, "on-disk", 0, &v);
  ASSERT_TRUE(single.IsWouldBlock()) << single.ToString();
  PointLookup lookups[] = {{"on-disk", 0}, {"in-memory", 0}};
  std::vector<std::string> values;
  std::vector<Status> statuses;
  ASSERT_OK(db_->MultiGet(ro, lookups, &values, &statuses));
  EXPECT_EQ(single.code(), statuses[0].code()) << statuses[0].ToString() << " vs " << single.ToString();
  EXPECT_EQ(single.IsWouldBlock(), statuses[0].IsWouldBlock());
  ASSERT_OK(statuses[1]);
  EXPECT_EQ("m", values[1]);
}

}  // namespace
}  // namespace flowdb
