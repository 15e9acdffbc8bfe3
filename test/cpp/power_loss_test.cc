// Randomized power-loss test: real workloads (batches of puts and deletes,
// range deletes, flushes, manual and background compactions, snapshots) run
// on a PowerLossEnv until a random cut point, the power goes out (unsynced
// pages torn or reordered, unsynced directory changes reverted), the DB is
// reopened and its whole contents compared with a model.
//
// Rules checked after every reopen, for syncMode 'always':
//  - every acknowledged write is there (else: "lost");
//  - the contents equal the acknowledged writes, plus possibly the one write
//    that failed or was in flight when the session ended, applied whole
//    (else: "wrong": a half-applied batch, a resurrected or damaged record);
//  - the open itself succeeds (else: "open failed").
// Some sessions also get injected EIO on syncs (of the MANIFEST, of
// SSTables, or of anything) while compactions run; they end at the first
// failed write and reopen with or without a power loss.
//
// Size: FLOWDB_POWER_LOSS_TRIALS trials per case (default: the CI size);
// FLOWDB_POWER_LOSS_SEED picks the first seed. scripts/power-loss.sh runs
// the large size. Each case prints its cut points and outcomes.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <thread>

#include "env/power_loss_env.h"
#include "flowdb/db.h"
#include "flowdb/env.h"
#include "test_util.h"

namespace flowdb {
namespace {

using Model = test::RecordModel;
using ModelApplier = test::RecordModelApplier;

Model Applied(Model m, const WriteBatch& batch) {
  ModelApplier applier(&m);
  batch.Iterate(&applier).PermitUncheckedError();
  return m;
}

// Totals over the trials of one case, printed at its end.
struct Tally {
  uint64_t trials = 0, sessions = 0, cut_points = 0, power_losses = 0, clean_reopens = 0;
  uint64_t opens_interrupted = 0, injected_sync_failures = 0, acked_batches = 0;
  uint64_t torn_files = 0, zeroed_pages = 0, reverted_entries = 0, lost_dirs = 0;
  uint64_t inflight_applied = 0, inflight_dropped = 0;
  uint64_t ok = 0, lost = 0, wrong = 0, open_failed = 0, read_failed = 0, snapshot_wrong = 0;
  uint64_t unsynced_batches_lost = 0, open_corruption = 0;  // kInterval / kNone only

  void Print(const char* name) const {
    std::printf(
        "[power-loss %s] trials=%llu sessions=%llu cut_points=%llu power_losses=%llu "
        "clean_reopens=%llu opens_interrupted=%llu injected_sync_failures=%llu "
        "acked_batches=%llu torn_files=%llu zeroed_pages=%llu reverted_entries=%llu "
        "lost_dirs=%llu inflight_applied=%llu inflight_dropped=%llu | checks ok=%llu "
        "lost=%llu wrong=%llu open_failed=%llu read_failed=%llu snapshot_wrong=%llu\n",
        name, (unsigned long long)trials, (unsigned long long)sessions,
        (unsigned long long)cut_points, (unsigned long long)power_losses,
        (unsigned long long)clean_reopens, (unsigned long long)opens_interrupted,
        (unsigned long long)injected_sync_failures, (unsigned long long)acked_batches,
        (unsigned long long)torn_files, (unsigned long long)zeroed_pages,
        (unsigned long long)reverted_entries, (unsigned long long)lost_dirs,
        (unsigned long long)inflight_applied, (unsigned long long)inflight_dropped,
        (unsigned long long)ok, (unsigned long long)lost, (unsigned long long)wrong,
        (unsigned long long)open_failed, (unsigned long long)read_failed,
        (unsigned long long)snapshot_wrong);
    if (unsynced_batches_lost + open_corruption > 0) {
      std::printf("[power-loss %s] unsynced batches lost=%llu opens refused as corrupt=%llu\n", name,
                  (unsigned long long)unsynced_batches_lost, (unsigned long long)open_corruption);
    }
    std::fflush(stdout);
  }
};

// Where sync failures are injected in a trial.
struct SyncFailurePlan {
  uint32_t one_in = 0;  // 0: none
  const char* pattern = "";
};

struct TrialConfig {
  bool precreate_dir = true;  // the DB directory exists and is durable before the trial
  int sessions = 3;
  int ops_per_session = 160;
  bool injected_failures = false;
  // kInterval / kNone: a power loss may drop the writes since the last sync;
  // what remains must be the state after some prefix of them (or the open
  // must fail with Corruption naming a WAL segment; counted, not a failure).
  SyncMode sync_mode = SyncMode::kAlways;
};

class PowerLossTrial {
 public:
  PowerLossTrial(uint64_t seed, const TrialConfig& config, Tally* tally)
      : seed_(seed), rnd_(seed), config_(config), tally_(tally), base_(NewMemEnv()),
        env_(base_.get()) {
    options_.env = &env_;
    options_.sync_mode = config.sync_mode;
    options_.sync_interval_ms = 2;
    options_.memtable_size = 64 << 10;
    options_.block_size = rnd_.OneIn(2) ? 512 : 2048;
    options_.max_frozen_memtables = 1 + static_cast<int>(rnd_.Uniform(2));
    options_.compression = rnd_.OneIn(2) ? Compression::kLZ4 : Compression::kNone;
    options_.bloom_bits_per_key = rnd_.OneIn(4) ? 0 : 10;
    const int triggers[] = {2, 3, 4};
    options_.compaction_trigger = triggers[rnd_.Uniform(3)];
  }

  // Runs one session without a cut and returns how many Env operations it
  // took: the range cut points are drawn from.
  uint64_t Calibrate() {
    PrepareDir();
    std::unique_ptr<DB> db;
    EXPECT_OK(DB::Open(options_, kDbName, &db));
    if (db == nullptr) return 1000;
    const uint64_t start = env_.operations();
    RunWorkload(db.get());
    db.reset();
    return std::max<uint64_t>(env_.operations() - start, 10);
  }

  // Runs the sessions of the trial; a failed check is recorded in the
  // tally and reported with the seed through ADD_FAILURE.
  void Run(uint64_t ops_range) {
    tally_->trials++;
    PrepareDir();
    for (int session = 0; session < config_.sessions; session++) {
      tally_->sessions++;
      const bool cut = !rnd_.OneIn(5);
      // Some cuts land early, during open and recovery.
      const uint64_t cut_at = rnd_.OneIn(6) ? rnd_.Uniform(40) : rnd_.Uniform(ops_range + 40);
      if (cut) env_.SetCutAfter(static_cast<int64_t>(cut_at));
      if (config_.injected_failures) InjectSyncFailures();
      std::unique_ptr<DB> db;
      Status s = DB::Open(options_, kDbName, &db);
      if (!s.ok()) {
        if (env_.power_off()) {
          // The power went out during the open: nothing was acknowledged.
          tally_->opens_interrupted++;
          tally_->cut_points++;
          PowerLoss();
          continue;
        }
        if (env_.injected_sync_failures() > injected_seen_) {
          // An injected failure during recovery: the open may fail.
          injected_seen_ = env_.injected_sync_failures();
          env_.SetSyncFailures(0, "", 0);
          continue;
        }
        if (lossy_window_ && s.IsCorruption() && s.ToString().find("wal/") != std::string::npos) {
          tally_->open_corruption++;  // out-of-order unsynced pages of the WAL
          return;
        }
        Fail("open failed", s.ToString());
        tally_->open_failed++;
        return;
      }
      if (!Check(db.get())) return;
      RunWorkload(db.get());
      db.reset();
      tally_->injected_sync_failures += env_.injected_sync_failures() - injected_seen_;
      injected_seen_ = env_.injected_sync_failures();
      if (env_.power_off()) tally_->cut_points++;
      if (env_.power_off() || rnd_.Uniform(3) != 0) {
        PowerLoss();
      } else {
        env_.SetCutAfter(-1);
        env_.SetSyncFailures(0, "", 0);
        tally_->clean_reopens++;
      }
    }
    // The final reopen, with nothing injected.
    if (env_.power_off()) PowerLoss();
    env_.SetCutAfter(-1);
    env_.SetSyncFailures(0, "", 0);
    std::unique_ptr<DB> db;
    Status s = DB::Open(options_, kDbName, &db);
    if (!s.ok() && lossy_window_ && s.IsCorruption() &&
        s.ToString().find("wal/") != std::string::npos) {
      tally_->open_corruption++;
      return;
    }
    if (!s.ok()) {
      Fail("final open failed", s.ToString());
      tally_->open_failed++;
      return;
    }
    Check(db.get());
  }

 private:
  static constexpr const char* kDbName = "/db";

  void PrepareDir() {
    if (!config_.precreate_dir) return;
    EXPECT_OK(env_.CreateDir(kDbName));
    EXPECT_OK(env_.SyncDir("/"));
  }

  void InjectSyncFailures() {
    static const SyncFailurePlan kPlans[] = {
        {3, "MANIFEST"}, {8, "/sst/"}, {60, ""}, {4, "/wal/"}, {2, "CURRENT"}};
    const SyncFailurePlan& plan = kPlans[rnd_.Uniform(std::size(kPlans))];
    env_.SetSyncFailures(plan.one_in, plan.pattern, rnd_.Next());
  }

  void PowerLoss() {
    if (options_.sync_mode != SyncMode::kAlways) lossy_window_ = true;
    PowerLossEnv::LossReport report;
    EXPECT_OK(env_.SimulatePowerLoss(rnd_.Next(), &report));
    tally_->power_losses++;
    tally_->torn_files += report.files_torn;
    tally_->zeroed_pages += report.pages_zeroed;
    tally_->reverted_entries += report.entries_reverted;
    tally_->lost_dirs += report.dirs_lost;
  }

  void Fail(const std::string& what, const std::string& detail) {
    ADD_FAILURE() << what << " (seed " << seed_ << ", compaction_trigger "
                  << options_.compaction_trigger << "): " << detail;
  }

  std::string Key(uint64_t i) const {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "key%03u", static_cast<unsigned>(i));
    return buf;
  }

  // A value no other write stores: names the batch, the key and the ts.
  std::string Value(const std::string& key, int64_t ts) {
    std::string v = "b" + std::to_string(next_batch_) + "/" + key + "/" + std::to_string(ts) + "/";
    v.append(20 + rnd_.Uniform(380), static_cast<char>('a' + rnd_.Uniform(26)));
    return v;
  }

  WriteBatch RandomBatch() {
    WriteBatch batch;
    const uint64_t n = 1 + rnd_.Uniform(8);
    for (uint64_t i = 0; i < n; i++) {
      const std::string key = Key(rnd_.Uniform(120));
      const int64_t ts = static_cast<int64_t>(rnd_.Uniform(3));
      const uint64_t r = rnd_.Uniform(100);
      if (r < 80) {
        batch.Put(key, ts, Value(key, ts));
      } else if (r < 97) {
        batch.Delete(key, ts);
      } else {
        const uint64_t a = rnd_.Uniform(120);
        batch.DeleteRange(Key(a), Key(a + 1 + rnd_.Uniform(6)));
      }
    }
    next_batch_++;
    return batch;
  }

  // Writes until the session's budget is spent or a write fails; the model
  // follows the acknowledged writes, and pending_ holds the failed one.
  void RunWorkload(DB* db) {
    std::atomic<bool> stop{false};
    std::thread maintenance([&, seed = rnd_.Next()] {
      test::Random r(seed);
      while (!stop.load()) {
        std::this_thread::sleep_for(std::chrono::microseconds(r.Uniform(3000)));
        const uint64_t what = r.Uniform(10);
        Status s = what < 4 ? db->Flush() : what < 6 ? db->CompactAll() : Status::OK();
        if (!s.ok() && !s.IsBusy()) break;
      }
    });
    const Snapshot* snapshot = nullptr;
    Model snapshot_model;
    pending_.reset();
    prefix_states_.clear();
    if (options_.sync_mode != SyncMode::kAlways) prefix_states_.push_back(model_);
    for (int i = 0; i < config_.ops_per_session; i++) {
      const uint64_t r = rnd_.Uniform(100);
      if (r < 4 && snapshot == nullptr) {
        snapshot = db->GetSnapshot();
        snapshot_model = model_;
      } else if (r < 8 && snapshot != nullptr) {
        CheckSnapshot(db, snapshot, snapshot_model);
        db->ReleaseSnapshot(snapshot);
        snapshot = nullptr;
      }
      Status s;
      WriteBatch batch = RandomBatch();
      if (r >= 8 && r < 11) {
        // A range delete on its own, through DB::DeleteRange.
        const uint64_t a = rnd_.Uniform(120);
        const std::string start = Key(a), end = Key(a + 1 + rnd_.Uniform(10));
        batch.Clear();
        batch.DeleteRange(start, end);
        s = db->DeleteRange(start, end);
      } else {
        s = db->Write(&batch);
      }
      if (!s.ok()) {
        pending_ = batch;
        break;
      }
      model_ = Applied(std::move(model_), batch);
      tally_->acked_batches++;
      if (options_.sync_mode != SyncMode::kAlways) prefix_states_.push_back(model_);
    }
    if (snapshot != nullptr) {
      CheckSnapshot(db, snapshot, snapshot_model);
      db->ReleaseSnapshot(snapshot);
    }
    stop.store(true);
    maintenance.join();
  }

  // Reads at a snapshot must show exactly the model of that time (or fail).
  void CheckSnapshot(DB* db, const Snapshot* snapshot, const Model& expected) {
    ReadOptions ro;
    ro.snapshot = snapshot;
    Model actual;
    std::unique_ptr<RecordIterator> it = db->NewIterator(ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      actual[{std::string(it->key()), it->ts()}] = std::string(it->value());
    }
    if (!it->status().ok()) return;  // I/O after the cut may fail; no data returned wrong
    if (actual != expected) {
      tally_->snapshot_wrong++;
      Fail("snapshot read differs from the model", Describe(actual, expected));
    }
  }

  static std::string Describe(const Model& actual, const Model& expected) {
    std::string out;
    int shown = 0;
    for (const auto& [k, v] : expected) {
      auto it = actual.find(k);
      if (it == actual.end() || it->second != v) {
        if (shown++ < 5) {
          out += " expected " + k.first + "@" + std::to_string(k.second) + "=" +
                 v.substr(0, v.find('/')) + " got " +
                 (it == actual.end() ? "nothing" : it->second.substr(0, it->second.find('/')));
          out += ";";
        }
      }
    }
    for (const auto& [k, v] : actual) {
      if (!expected.count(k) && shown++ < 10) {
        out += " unexpected " + k.first + "@" + std::to_string(k.second) + "=" +
               v.substr(0, v.find('/')) + ";";
      }
    }
    return out;
  }

  // Compares the reopened DB with the model (and the model plus the pending
  // write); on a match the model becomes what the DB holds.
  bool Check(DB* db) {
    Model actual;
    std::unique_ptr<RecordIterator> it = db->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      actual[{std::string(it->key()), it->ts()}] = std::string(it->value());
    }
    if (!it->status().ok()) {
      tally_->read_failed++;
      Fail("full scan after reopen failed", it->status().ToString());
      return false;
    }
    // Point reads agree with the scan.
    for (int i = 0; i < 20 && !model_.empty(); i++) {
      auto m = model_.begin();
      std::advance(m, rnd_.Uniform(model_.size()));
      std::string value;
      Status s = db->Get(ReadOptions(), m->first.first, m->first.second, &value);
      auto a = actual.find(m->first);
      const bool consistent = a == actual.end() ? s.IsNotFound() : (s.ok() && value == a->second);
      if (!consistent) {
        tally_->read_failed++;
        Fail("point read disagrees with the scan", m->first.first + ": " + s.ToString());
        return false;
      }
    }
    if (lossy_window_) {
      // Unsynced writes may be gone, but only from the end.
      lossy_window_ = false;
      for (size_t i = prefix_states_.size(); i-- > 0;) {
        if (actual == prefix_states_[i]) {
          tally_->unsynced_batches_lost += prefix_states_.size() - 1 - i;
          if (pending_) tally_->inflight_dropped++;
          tally_->ok++;
          model_ = prefix_states_[i];
          pending_.reset();
          return true;
        }
      }
    }
    if (actual == model_) {
      if (pending_) tally_->inflight_dropped++;
      tally_->ok++;
      pending_.reset();
      return true;
    }
    if (pending_) {
      Model with_pending = Applied(model_, *pending_);
      if (actual == with_pending) {
        tally_->inflight_applied++;
        tally_->ok++;
        model_ = std::move(with_pending);
        pending_.reset();
        return true;
      }
    }
    // Classify: lost if an acknowledged record is missing or older; wrong
    // if the DB holds something no acceptable state has.
    bool lost = false;
    for (const auto& [k, v] : model_) {
      auto a = actual.find(k);
      if (a == actual.end() || a->second != v) lost = true;
    }
    if (lost) {
      tally_->lost++;
      Fail("acknowledged writes lost", Describe(actual, model_));
    } else {
      tally_->wrong++;
      Fail("records no acknowledged state holds", Describe(actual, model_));
    }
    return false;
  }

  const uint64_t seed_;
  test::Random rnd_;
  const TrialConfig config_;
  Tally* const tally_;
  std::unique_ptr<Env> base_;
  PowerLossEnv env_;
  Options options_;
  Model model_;
  std::optional<WriteBatch> pending_;
  // kInterval / kNone: the model after each acknowledged write of the
  // session, and whether a power loss since the last check may have cut them.
  std::vector<Model> prefix_states_;
  bool lossy_window_ = false;
  uint64_t next_batch_ = 0;
  uint64_t injected_seen_ = 0;
};

void RunCase(const char* name, const TrialConfig& config, int64_t default_trials) {
  const int64_t trials = test::EnvInt("FLOWDB_POWER_LOSS_TRIALS", default_trials);
  const uint64_t first_seed = static_cast<uint64_t>(test::EnvInt("FLOWDB_POWER_LOSS_SEED", 1));
  uint64_t ops_range;
  {
    Tally unused;
    TrialConfig calib = config;
    calib.injected_failures = false;
    PowerLossTrial trial(first_seed, calib, &unused);
    ops_range = trial.Calibrate();
  }
  Tally tally;
  for (int64_t t = 0; t < trials; t++) {
    PowerLossTrial trial(first_seed + static_cast<uint64_t>(t), config, &tally);
    trial.Run(ops_range);
    if (::testing::Test::HasFailure() && std::getenv("FLOWDB_POWER_LOSS_KEEP_GOING") == nullptr) {
      break;
    }
  }
  tally.Print(name);
}

TEST(PowerLossTest, CutPointsWithTornPages) {
  TrialConfig config;
  RunCase("cuts", config, 25);
}

TEST(PowerLossTest, InjectedSyncFailuresDuringCompactions) {
  TrialConfig config;
  config.injected_failures = true;
  RunCase("sync-failures", config, 25);
}

// syncMode 'none' and 'interval': a power loss loses only a suffix of the
// unsynced writes.
TEST(PowerLossTest, SyncModeNone) {
  TrialConfig config;
  config.sync_mode = SyncMode::kNone;
  RunCase("sync-none", config, 10);
}

TEST(PowerLossTest, SyncModeInterval) {
  TrialConfig config;
  config.sync_mode = SyncMode::kInterval;
  RunCase("sync-interval", config, 10);
}

// A new database: the directory itself must become durable.
TEST(PowerLossTest, NewDatabaseDirectory) {
  TrialConfig config;
  config.precreate_dir = false;
  config.sessions = 1;
  config.ops_per_session = 20;
  RunCase("new-directory", config, 25);
}

// A new database in folders that do not exist yet: createIfMissing makes
// them, and each new folder's entry in its parent must be durable too, or a
// power loss right after the open takes the database with it.
TEST(PowerLossTest, NewDatabaseInNewParentDirectories) {
  std::unique_ptr<Env> base = NewMemEnv();
  PowerLossEnv env(base.get());
  ASSERT_OK(env.CreateDir("/data"));
  ASSERT_OK(env.SyncDir("/"));
  Options options;
  options.env = &env;
  options.sync_mode = SyncMode::kAlways;
  const std::string dbname = "/data/app/user/db";
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, dbname, &db));
  WriteBatch b;
  b.Put("k", 1, "v");
  ASSERT_OK(db->Write(&b));
  db.reset();
  PowerLossEnv::LossReport report;
  ASSERT_OK(env.SimulatePowerLoss(1, &report));
  options.create_if_missing = false;
  ASSERT_OK(DB::Open(options, dbname, &db));
  std::string v;
  ASSERT_OK(db->Get(ReadOptions(), "k", 1, &v));
  EXPECT_EQ("v", v);
}

}  // namespace
}  // namespace flowdb
