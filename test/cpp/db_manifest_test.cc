// Durability of the file set: a failed manifest write while flushes and
// compactions run, a manifest that lost its tail, the directory entries
// made durable at open, and Resume after a write-path I/O error.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "db/filename.h"
#include "env/fault_injection_env.h"
#include "flowdb/db.h"
#include "test_util.h"

namespace flowdb {
namespace {

// Holds one thread at a point until the test lets it go on.
class Gate {
 public:
  // Called by the held thread: blocks until Open().
  void Arrive() {
    std::unique_lock<std::mutex> l(mu_);
    arrived_ = true;
    cv_.notify_all();
    cv_.wait(l, [this] { return open_; });
  }
  void WaitArrived() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return arrived_; });
  }
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool arrived_ = false, open_ = false;
};

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A DB over an in-memory file system with fault injection, in which every
// write is synced before it is acknowledged, and a record of which write
// batches were acknowledged.
class ManifestTest : public ::testing::Test {
 protected:
  ManifestTest() : mem_(NewMemEnv()), fault_(mem_.get()) {
    options_.env = &fault_;
    options_.sync_mode = SyncMode::kAlways;
    options_.memtable_size = 64 << 10;
    options_.block_size = 1024;
    options_.compaction_trigger = 0;
  }
  ~ManifestTest() override {
    db_.reset();
    fault_.SetSyncHook(nullptr);
  }

  Status Open() {
    db_.reset();
    return DB::Open(options_, dbname_, &db_);
  }

  // Writes batch i (kRecords records); remembers it if acknowledged.
  static constexpr int kRecords = 5;
  Status WriteBatchNo(int i) {
    WriteBatch b;
    for (int j = 0; j < kRecords; j++) b.Put(Key(i, j), i, Value(i, j));
    Status s = db_->Write(&b);
    if (s.ok()) {
      std::lock_guard<std::mutex> l(acked_mu_);
      acked_.push_back(i);
    }
    return s;
  }
  // Writes the next n batches, each acknowledged.
  void WriteBatches(int n) {
    for (int k = 0; k < n; k++) ASSERT_OK(WriteBatchNo(next_batch_++));
  }
  static std::string Key(int i, int j) { return "k" + std::to_string(j) + "-" + std::to_string(i); }
  static std::string Value(int i, int j) {
    return "v" + std::to_string(i) + "." + std::to_string(j) + std::string(40, 'x');
  }

  // Reads back every acknowledged batch, by point reads and by a full scan.
  void ExpectAcknowledgedBatches() {
    size_t missing = 0;
    for (int i : acked_) {
      for (int j = 0; j < kRecords; j++) {
        std::string v;
        Status s = db_->Get(ReadOptions(), Key(i, j), i, &v);
        if (!s.ok() || v != Value(i, j)) {
          if (missing++ < 3) ADD_FAILURE() << "batch " << i << " record " << j << ": " << s.ToString();
        }
      }
    }
    EXPECT_EQ(0u, missing) << "of " << acked_.size() * kRecords << " acknowledged records";
    std::unique_ptr<ScanCursor> c = db_->NewScan(ReadOptions(), ScanOptions());
    size_t n = 0;
    while (c->Next()) n++;
    EXPECT_OK(c->status());
    EXPECT_EQ(acked_.size() * kRecords, n);
  }

  // Closes, reopens without fault hooks, and checks every acknowledged batch
  // (then once more after a second reopen). With power_loss, what was not
  // synced is dropped first.
  void ReopenAndCheck(bool power_loss) {
    db_.reset();
    fault_.SetSyncHook(nullptr);
    if (power_loss) ASSERT_OK(fault_.DropUnsyncedData());
    for (int round = 0; round < 2; round++) {
      SCOPED_TRACE(round);
      ASSERT_OK(Open());
      ExpectAcknowledgedBatches();
      WriteBatches(3);  // the reopened DB takes writes
    }
  }

  // Opens an empty DB.
  void Fresh() {
    db_.reset();
    fault_.SetSyncHook(nullptr);
    if (mem_->FileExists(dbname_)) ASSERT_OK(DestroyDB(dbname_, options_));
    acked_.clear();
    ASSERT_OK(Open());
  }

  // Makes the next manifest sync (only that one) fail with EIO.
  void FailNextManifestSync() {
    auto armed = std::make_shared<std::atomic<bool>>(true);
    fault_.SetSyncHook([armed](const std::string& f) {
      if (f.find("/MANIFEST-") != std::string::npos && armed->exchange(false)) {
        return Status::IOError(f, "injected fdatasync failure");
      }
      return Status::OK();
    });
  }

  std::string ManifestPath() {
    std::string current;
    EXPECT_OK(ReadFileToString(mem_.get(), CurrentFileName(dbname_), &current));
    if (!current.empty()) current.pop_back();  // the newline
    return dbname_ + "/" + current;
  }
  std::string ReadFile(const std::string& path) {
    std::string data;
    EXPECT_OK(ReadFileToString(mem_.get(), path, &data));
    return data;
  }
  void WriteFile(const std::string& path, const std::string& data) {
    ASSERT_OK(WriteStringToFile(mem_.get(), data, path, /*sync=*/false));
  }

  std::unique_ptr<Env> mem_;
  FaultInjectionEnv fault_;
  Options options_;
  const std::string dbname_ = "/db";
  std::unique_ptr<DB> db_;
  std::mutex acked_mu_;  // guards acked_ while several threads write
  std::vector<int> acked_;
  std::atomic<int> next_batch_{0};
};

// --- Hole: a failed manifest sync while a flush and a compaction race -------

// The flush's manifest edit fails its sync while a compaction merges; the
// compaction then commits. The failed edit is in the manifest file, so the
// compaction's commit must not make its output (or the WAL it retires) go.
TEST_F(ManifestTest, FlushManifestSyncFailsWhileCompactionRuns) {
  for (bool power_loss : {false, true}) {
    SCOPED_TRACE(power_loss ? "power loss" : "reopen");
    ASSERT_NO_FATAL_FAILURE(Fresh());
    for (int round = 0; round < 3; round++) {
      WriteBatches(20);
      ASSERT_OK(db_->Flush());
    }
    Gate merge;  // holds the compaction before its output is synced
    std::atomic<int> table_syncs{0};
    std::atomic<bool> fail_manifest{false};
    fault_.SetSyncHook([&](const std::string& f) {
      if (EndsWith(f, ".sst") && table_syncs.fetch_add(1) == 0) merge.Arrive();
      if (f.find("/MANIFEST-") != std::string::npos && fail_manifest.exchange(false)) {
        return Status::IOError(f, "injected fdatasync failure");
      }
      return Status::OK();
    });
    Status compacted;
    std::thread compactor([&] { compacted = db_->CompactAll(); });
    merge.WaitArrived();
    WriteBatches(20);
    fail_manifest = true;
    Status flushed = db_->Flush();
    EXPECT_TRUE(flushed.IsIOError()) << flushed.ToString();
    merge.Open();
    compactor.join();
    // Read-only since the flush failed, and a merge must not commit into a
    // manifest whose state is unknown.
    EXPECT_FALSE(compacted.ok());
    EXPECT_FALSE(WriteBatchNo(next_batch_++).ok());
    ReopenAndCheck(power_loss);
  }
}

// The mirror: the compaction's manifest edit fails its sync while a flush
// is under way; the flush then commits after it.
TEST_F(ManifestTest, CompactionManifestSyncFailsWhileFlushCommits) {
  for (bool power_loss : {false, true}) {
    SCOPED_TRACE(power_loss ? "power loss" : "reopen");
    ASSERT_NO_FATAL_FAILURE(Fresh());
    for (int round = 0; round < 3; round++) {
      WriteBatches(20);
      ASSERT_OK(db_->Flush());
    }
    Gate merge, flush;  // each held before its output SSTable is synced
    std::atomic<int> table_syncs{0};
    std::atomic<bool> fail_manifest{false};
    fault_.SetSyncHook([&](const std::string& f) {
      if (EndsWith(f, ".sst")) {
        int n = table_syncs.fetch_add(1);
        if (n == 0) merge.Arrive();
        if (n == 1) flush.Arrive();
      }
      if (f.find("/MANIFEST-") != std::string::npos && fail_manifest.exchange(false)) {
        return Status::IOError(f, "injected fdatasync failure");
      }
      return Status::OK();
    });
    Status compacted, flushed;
    std::thread compactor([&] { compacted = db_->CompactAll(); });
    merge.WaitArrived();
    WriteBatches(20);
    std::thread flusher([&] { flushed = db_->Flush(); });
    flush.WaitArrived();  // the flush has started: it will try to commit
    fail_manifest = true;
    merge.Open();
    compactor.join();
    EXPECT_TRUE(compacted.IsIOError()) << compacted.ToString();
    flush.Open();
    flusher.join();
    EXPECT_FALSE(flushed.ok());
    ReopenAndCheck(power_loss);
  }
}

// The races above, at random points: writers and automatic compactions run
// while one manifest sync (the fail_at-th) fails; then the DB is resumed or
// not, closed with or without a power loss, and every acknowledged batch must
// be back. FLOWDB_MANIFEST_STRESS_RUNS sets the number of runs.
TEST_F(ManifestTest, RandomManifestSyncFailureWhileWritersAndCompactionsRun) {
  const char* runs_env = std::getenv("FLOWDB_MANIFEST_STRESS_RUNS");
  const int runs = runs_env != nullptr ? std::atoi(runs_env) : 16;
  options_.compaction_trigger = 3;
  for (int run = 0; run < runs; run++) {
    test::Random rnd(run + 1);
    const int fail_at = 2 + static_cast<int>(rnd.Uniform(12));
    const bool resume = rnd.OneIn(2), power_loss = rnd.OneIn(2);
    SCOPED_TRACE("run " + std::to_string(run) + ": manifest sync " + std::to_string(fail_at) +
                 " fails" + (resume ? ", resumed" : "") + (power_loss ? ", power loss" : ""));
    ASSERT_NO_FATAL_FAILURE(Fresh());
    std::atomic<int> manifest_syncs{0};
    std::atomic<bool> failed{false};
    fault_.SetSyncHook([&](const std::string& f) {
      if (f.find("/MANIFEST-") != std::string::npos && ++manifest_syncs == fail_at) {
        return Status::IOError(f, "injected fdatasync failure");
      }
      // Slow table syncs widen the window in which flushes and merges overlap.
      if (EndsWith(f, ".sst")) std::this_thread::sleep_for(std::chrono::microseconds(300));
      return Status::OK();
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < 2; t++) {
      writers.emplace_back([&] {
        for (int k = 0; k < 1000 && !failed; k++) {
          if (!WriteBatchNo(next_batch_++).ok()) failed = true;
        }
      });
    }
    for (auto& w : writers) w.join();
    if (failed && resume) {
      ASSERT_OK(db_->Resume());
      WriteBatches(20);
      ASSERT_OK(db_->Flush());
    }
    ReopenAndCheck(power_loss);
  }
  options_.compaction_trigger = 0;
}

// --- Hole: a manifest that lost its tail ------------------------------------

// After flushes and a compaction whose edits were acted upon (WALs retired,
// inputs deleted), losing the last edit (a flush's or the compaction's) must
// be reported, not opened as an older file set.
TEST_F(ManifestTest, LostManifestTailThatWasActedUponIsCorruption) {
  for (bool end_with_flush : {false, true}) {
    SCOPED_TRACE(end_with_flush ? "last edit: flush" : "last edit: compaction");
    ASSERT_NO_FATAL_FAILURE(Fresh());
    for (int round = 0; round < 3; round++) {
      WriteBatches(20);
      ASSERT_OK(db_->Flush());
    }
    ASSERT_OK(db_->CompactAll());
    if (end_with_flush) {
      WriteBatches(20);
      ASSERT_OK(db_->Flush());
    }
    db_.reset();
    const std::string manifest = ManifestPath();
    const std::string intact = ReadFile(manifest);
    for (size_t n : {20, 30, 40, 50, 60}) {
      for (bool zero : {false, true}) {
        SCOPED_TRACE(std::to_string(n) + (zero ? " bytes zeroed" : " bytes cut"));
        std::string damaged = intact.substr(0, intact.size() - n);
        if (zero) damaged.append(n, '\0');
        WriteFile(manifest, damaged);
        Status s = Open();
        EXPECT_TRUE(s.IsCorruption()) << s.ToString();
        EXPECT_NE(std::string::npos, s.ToString().find(manifest.substr(dbname_.size() + 1)))
            << s.ToString();
      }
    }
    WriteFile(manifest, intact);
    ASSERT_OK(Open());
    ExpectAcknowledgedBatches();
  }
}

// A torn manifest tail whose edit was never acted upon (its sync failed, so
// no file went) is a legitimate crash state: the open succeeds and loses
// nothing acknowledged.
TEST_F(ManifestTest, TornManifestTailOfAnEditNotActedUponOpens) {
  for (size_t n : {10, 30, 50}) {
    for (bool zero : {false, true}) {
      SCOPED_TRACE(std::to_string(n) + (zero ? " bytes zeroed" : " bytes cut"));
      ASSERT_NO_FATAL_FAILURE(Fresh());
      WriteBatches(20);
      ASSERT_OK(db_->Flush());
      WriteBatches(20);
      FailNextManifestSync();
      EXPECT_TRUE(db_->Flush().IsIOError());
      db_.reset();
      fault_.SetSyncHook(nullptr);
      const std::string manifest = ManifestPath();
      std::string damaged = ReadFile(manifest);
      damaged.resize(damaged.size() - n);
      if (zero) damaged.append(n, '\0');
      WriteFile(manifest, damaged);
      ASSERT_OK(Open());
      ExpectAcknowledgedBatches();
    }
  }
}

// Recovery cuts a torn newest WAL back to nothing. That WAL may be the one
// the manifest's log number names: it must stay (empty) until the new
// manifest moves past it, or a crash in between leaves a manifest naming a
// missing WAL.
TEST_F(ManifestTest, WalCutToNothingAtRecoveryStaysUntilTheManifestMovesOn) {
  ASSERT_NO_FATAL_FAILURE(Fresh());
  WriteBatches(10);
  ASSERT_OK(db_->Flush());  // the log number now names the new, empty WAL
  db_.reset();
  std::vector<std::string> names;
  ASSERT_OK(mem_->GetChildren(WalDirName(dbname_), &names));
  ASSERT_FALSE(names.empty());
  std::sort(names.begin(), names.end());
  const std::string newest = WalDirName(dbname_) + "/" + names.back();
  WriteFile(newest, std::string("\x01\x02\x03\x04\x05", 5));  // a torn file header
  // The open stops (as a crash would) after the WAL was cut, before the new
  // manifest is in place.
  fault_.SetSyncHook([](const std::string& f) {
    if (f.find("/MANIFEST-") != std::string::npos) return Status::IOError(f, "injected");
    return Status::OK();
  });
  EXPECT_FALSE(Open().ok());
  fault_.SetSyncHook(nullptr);
  ASSERT_OK(Open());
  ExpectAcknowledgedBatches();
}

// --- Hole: directory entries -------------------------------------------------

// Records directory creations and syncs, file creations and renames, in order.
class DirLogEnv : public EnvWrapper {
 public:
  explicit DirLogEnv(Env* target) : EnvWrapper(target) {}
  Status CreateDir(const std::string& d) override {
    Log("mkdir " + d);
    return target()->CreateDir(d);
  }
  Status SyncDir(const std::string& d) override {
    Log("sync " + d);
    return target()->SyncDir(d);
  }
  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    Log("create " + f);
    return target()->NewWritableFile(f, r);
  }
  Status RenameFile(const std::string& src, const std::string& dst) override {
    Log("rename to " + dst);
    return target()->RenameFile(src, dst);
  }
  // Position of the first entry at or after `from` equal to e (or, with
  // prefix, starting with e), or -1.
  int Find(const std::string& e, int from = 0, bool prefix = false) {
    std::lock_guard<std::mutex> l(mu_);
    for (size_t i = static_cast<size_t>(std::max(from, 0)); i < log_.size(); i++) {
      if (prefix ? log_[i].rfind(e, 0) == 0 : log_[i] == e) return static_cast<int>(i);
    }
    return -1;
  }
  void Clear() {
    std::lock_guard<std::mutex> l(mu_);
    log_.clear();
  }

 private:
  void Log(std::string e) {
    std::lock_guard<std::mutex> l(mu_);
    log_.push_back(std::move(e));
  }
  std::mutex mu_;
  std::vector<std::string> log_;
};

TEST(DBDirectoryTest, NewDirectoriesAndTheManifestEntryAreSyncedBeforeUse) {
  const std::string parent = test::TempDir("db_dirsync");
  const std::string path = parent + "/db";
  DirLogEnv env(Env::Default());
  Options options;
  options.env = &env;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, path, &db));
  const int made_db = env.Find("mkdir " + path);
  const int made_wal = env.Find("mkdir " + WalDirName(path));
  const int made_sst = env.Find("mkdir " + TableDirName(path));
  const int synced_parent = env.Find("sync " + parent);
  const int synced_db = env.Find("sync " + path);
  ASSERT_GE(made_db, 0);
  EXPECT_GT(synced_parent, made_db);
  EXPECT_GT(synced_db, made_wal);
  EXPECT_GT(synced_db, made_sst);
  // The manifest's entry is synced before CURRENT is renamed to name it.
  const int made_manifest = env.Find("create " + path + "/MANIFEST-", 0, /*prefix=*/true);
  const int renamed_current = env.Find("rename to " + CurrentFileName(path), made_manifest);
  ASSERT_GE(made_manifest, 0);
  ASSERT_GT(renamed_current, made_manifest);
  const int synced_between = env.Find("sync " + path, made_manifest);
  EXPECT_GT(synced_between, made_manifest);
  EXPECT_LT(synced_between, renamed_current);
  db.reset();
  // Reopening creates nothing, so the parent is not touched.
  env.Clear();
  ASSERT_OK(DB::Open(options, path, &db));
  EXPECT_EQ(-1, env.Find("sync " + parent));
  db.reset();
  std::filesystem::remove_all(parent);
}

// --- Hole: read-only after a write-path error, and Resume --------------------

TEST_F(ManifestTest, ResumeAfterNoSpaceLosesNothing) {
  for (SyncMode mode : {SyncMode::kAlways, SyncMode::kNone}) {
    for (bool power_loss : {false, true}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(mode)) + (power_loss ? " power loss" : ""));
      options_.sync_mode = mode;
      ASSERT_NO_FATAL_FAILURE(Fresh());
      WriteBatches(30);
      ASSERT_OK(db_->Flush());
      WriteBatches(30);
      fault_.SetNoSpace(true);
      Status s = WriteBatchNo(next_batch_++);
      EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
      // Still no space: Resume fails and the DB stays read-only.
      s = db_->Resume();
      EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
      fault_.SetNoSpace(false);
      s = WriteBatchNo(next_batch_++);
      EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
      // Space freed.
      ASSERT_OK(db_->Resume());
      WriteBatches(30);
      ASSERT_OK(db_->Flush());
      WriteBatches(10);
      ExpectAcknowledgedBatches();
      if (mode == SyncMode::kNone && power_loss) ASSERT_OK(db_->Flush());  // nothing synced otherwise
      ReopenAndCheck(power_loss);
    }
  }
  options_.sync_mode = SyncMode::kAlways;
}

// Writers that keep retrying while Resume runs: they are refused until it
// is done, then go on; nothing acknowledged is lost.
TEST_F(ManifestTest, ResumeWhileWritersRetry) {
  options_.sync_mode = SyncMode::kNone;
  ASSERT_NO_FATAL_FAILURE(Fresh());
  WriteBatches(50);
  fault_.SetNoSpace(true);
  EXPECT_TRUE(WriteBatchNo(next_batch_++).IsNoSpace());
  fault_.SetNoSpace(false);
  std::atomic<int> refused{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; t++) {
    writers.emplace_back([&] {
      for (int k = 0; k < 200; k++) {
        const int i = next_batch_++;
        for (int attempt = 0; !WriteBatchNo(i).ok(); attempt++) {
          refused++;
          ASSERT_LT(attempt, 1000000);
          std::this_thread::yield();
        }
      }
    });
  }
  while (refused < 10) std::this_thread::yield();
  ASSERT_OK(db_->Resume());
  for (auto& w : writers) w.join();
  ExpectAcknowledgedBatches();
  ReopenAndCheck(/*power_loss=*/false);
  options_.sync_mode = SyncMode::kAlways;
}

TEST_F(ManifestTest, ResumeAfterFailedManifestSyncStartsANewManifest) {
  for (bool power_loss : {false, true}) {
    SCOPED_TRACE(power_loss ? "power loss" : "reopen");
    ASSERT_NO_FATAL_FAILURE(Fresh());
    WriteBatches(20);
    ASSERT_OK(db_->Flush());
    WriteBatches(20);
    const std::string old_manifest = ManifestPath();
    FailNextManifestSync();
    EXPECT_TRUE(db_->Flush().IsIOError());
    EXPECT_TRUE(WriteBatchNo(next_batch_++).IsIOError());
    ASSERT_OK(db_->Resume());
    EXPECT_NE(old_manifest, ManifestPath());
    WriteBatches(20);
    ASSERT_OK(db_->Flush());
    ASSERT_OK(db_->CompactAll());
    WriteBatches(5);
    ReopenAndCheck(power_loss);
  }
}

// Every write-path failure makes the DB read-only, a failure to start a new
// WAL segment included; Resume makes it writable again.
TEST_F(ManifestTest, FailedWalSwitchMakesTheDatabaseReadOnlyUntilResume) {
  ASSERT_NO_FATAL_FAILURE(Fresh());
  WriteBatches(10);
  fault_.SetFailSync(true);  // the new WAL's directory entry cannot be synced
  EXPECT_TRUE(db_->Flush().IsIOError());
  fault_.SetFailSync(false);
  EXPECT_TRUE(WriteBatchNo(next_batch_++).IsIOError());
  ASSERT_OK(db_->Resume());
  WriteBatches(10);
  ReopenAndCheck(/*power_loss=*/true);
}

TEST_F(ManifestTest, ResumeOnAWritableDatabaseDoesNothing) {
  ASSERT_NO_FATAL_FAILURE(Fresh());
  WriteBatches(5);
  ASSERT_OK(db_->Resume());
  EXPECT_EQ(0u, db_->GetStats().flushes);
  WriteBatches(5);
  ASSERT_OK(db_->Close());
  EXPECT_TRUE(db_->Resume().IsClosed());
  ASSERT_OK(Open());
  ExpectAcknowledgedBatches();
}

// --- A write-path error while Flush waits ----------------------------------

// Flush waits until the frozen memtables are flushed or the DB turns
// read-only. A failed WAL append made it read-only without waking anyone:
// when that happened after Flush began to wait and before the background
// thread looked at the frozen memtable, the thread went idle and Flush (and
// CompactAll, which starts with one) waited for ever. Found as a hang of the
// power-loss test; here the background thread is held in its interval WAL
// sync (mu_ released) while Flush freezes the memtable and a write fails.
TEST_F(ManifestTest, AWriteErrorWakesAWaitingFlush) {
  options_.sync_mode = SyncMode::kInterval;
  options_.sync_interval_ms = 1;
  ASSERT_NO_FATAL_FAILURE(Fresh());
  WriteBatches(5);
  Gate wal_sync;
  auto armed = std::make_shared<std::atomic<bool>>(true);
  fault_.SetSyncHook([&wal_sync, armed](const std::string& f) {
    if (f.find("/wal/") != std::string::npos && armed->exchange(false)) wal_sync.Arrive();
    return Status::OK();
  });
  wal_sync.WaitArrived();
  auto flush = std::async(std::launch::async, [this] { return db_->Flush(); });
  while (db_->GetStats().frozen_memtables < 1) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // Flush waits
  fault_.SetFailWrites(true);
  EXPECT_TRUE(WriteBatchNo(next_batch_++).IsIOError());
  fault_.SetFailWrites(false);
  wal_sync.Open();
  if (flush.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "Flush still waits after the DB turned read-only";
    ASSERT_OK(db_->Close());  // wakes it with Closed
  }
  EXPECT_TRUE(flush.get().IsIOError());
  ASSERT_OK(db_->Resume());
  WriteBatches(5);
  ASSERT_OK(db_->Flush());
  ReopenAndCheck(/*power_loss=*/true);
  options_.sync_mode = SyncMode::kAlways;
}

}  // namespace
}  // namespace flowdb
