// DB::Checkpoint: copies taken while writers run hold exactly a prefix of
// the writes by sequence number, open on their own, and survive the source;
// failed copies leave nothing that opens.

#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "db/filename.h"
#include "env/fault_injection_env.h"
#include "flowdb/db.h"
#include "test_util.h"

namespace flowdb {
namespace {

namespace fs = std::filesystem;

// Fills its batch with kRecordsPerBatch records of writer `t`, batch `i`,
// each holding the batch's first sequence number, which it learns while
// leading the write queue alone (no grouping: the batch's sequence is the
// latest plus one).
class SequencedBatch final : public WriteCallback {
 public:
  static constexpr int kRecordsPerBatch = 3;
  SequencedBatch(WriteBatch* batch, int t, int i) : batch_(batch), t_(t), i_(i) {}
  Status Callback(DB* db) override {
    seq = db->LatestSequence() + 1;
    batch_->Clear();
    for (int r = 0; r < kRecordsPerBatch; r++) {
      batch_->Put(Key(t_, i_, r), 0, std::to_string(seq) + std::string(200, 'v'));
    }
    return Status::OK();
  }
  static std::string Key(int t, int i, int r) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "w%02d/%08d/%d", t, i, r);
    return buf;
  }
  uint64_t seq = 0;

 private:
  WriteBatch* const batch_;
  const int t_, i_;
};

class CheckpointTest : public ::testing::Test {
 protected:
  CheckpointTest() : root_(test::TempDir("checkpoint")), dbname_(root_ + "/db") {
    options_.memtable_size = 64 << 10;  // flushes and compactions while copying
    options_.block_size = 1024;
  }
  ~CheckpointTest() override {
    db_.reset();
    if (!HasFailure()) fs::remove_all(root_);
  }

  void Open() { ASSERT_OK(DB::Open(options_, dbname_, &db_)); }
  Status Put(DB* db, std::string_view k, std::string_view v) {
    WriteBatch b;
    b.Put(k, 0, v);
    return db->Write(&b);
  }
  static std::map<std::string, std::string> Contents(DB* db) {
    std::map<std::string, std::string> out;
    std::unique_ptr<RecordIterator> it = db->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) out[std::string(it->key())] = it->value();
    EXPECT_OK(it->status());
    return out;
  }
  static Status OpenExisting(const std::string& dir, std::unique_ptr<DB>* db) {
    Options o;
    o.create_if_missing = false;
    return DB::Open(o, dir, db);
  }

  std::string root_, dbname_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(CheckpointTest, CopiesWhileWritersRunHoldAPrefixBySequence) {
  Open();
  constexpr int kWriters = 4, kCheckpoints = 6;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::vector<uint64_t>> acked(kWriters);  // acked[t][i] = first seq of batch i
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; t++) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; i++) {
        WriteBatch batch;
        SequencedBatch cb(&batch, t, i);
        Status s = db_->Write(&batch, &cb);
        ASSERT_TRUE(s.ok()) << s.ToString();
        std::lock_guard<std::mutex> l(mu);
        acked[t].push_back(cb.seq);
      }
    });
  }
  struct Copy {
    std::string dir;
    uint64_t seq;
    std::vector<size_t> acked_before;  // batches per writer acknowledged before the call
  };
  std::vector<Copy> copies;
  for (int c = 0; c < kCheckpoints; c++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    Copy copy{root_ + "/copy" + std::to_string(c), 0, {}};
    {
      std::lock_guard<std::mutex> l(mu);
      for (const auto& a : acked) copy.acked_before.push_back(a.size());
    }
    ASSERT_OK(db_->Checkpoint(copy.dir, nullptr, &copy.seq));
    copies.push_back(copy);
  }
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_GT(db_->GetStats().flushes, 0u);
  // The copies outlive the source's files: compaction deletes the SSTables
  // they link, and then the source goes altogether.
  ASSERT_OK(db_->CompactAll());
  ASSERT_OK(db_->Close());
  db_.reset();
  ASSERT_OK(DestroyDB(dbname_, options_));

  uint64_t previous_seq = 0;
  for (const Copy& copy : copies) {
    SCOPED_TRACE(copy.dir);
    EXPECT_GE(copy.seq, previous_seq);
    previous_seq = copy.seq;
    std::unique_ptr<DB> db;
    ASSERT_OK(OpenExisting(copy.dir, &db));
    EXPECT_EQ(db->LatestSequence(), copy.seq);
    std::map<std::string, std::string> contents = Contents(db.get());
    size_t expected = 0;
    for (int t = 0; t < kWriters; t++) {
      for (size_t i = 0; i < acked[t].size(); i++) {
        const bool in_prefix = acked[t][i] <= copy.seq;
        if (i < copy.acked_before[t]) ASSERT_TRUE(in_prefix) << "acknowledged before the call";
        for (int r = 0; r < SequencedBatch::kRecordsPerBatch; r++) {
          auto it = contents.find(SequencedBatch::Key(t, static_cast<int>(i), r));
          ASSERT_EQ(it != contents.end(), in_prefix)
              << "writer " << t << " batch " << i << " seq " << acked[t][i] << " vs " << copy.seq;
          if (in_prefix) {
            EXPECT_EQ(it->second.substr(0, it->second.find('v')), std::to_string(acked[t][i]));
            expected++;
          }
        }
      }
    }
    EXPECT_EQ(contents.size(), expected);
    // A copy is a DB of its own: it takes writes and keeps them.
    ASSERT_OK(Put(db.get(), "after", "x"));
    db.reset();
    ASSERT_OK(OpenExisting(copy.dir, &db));
    EXPECT_EQ(Contents(db.get()).size(), expected + 1);
  }
}

TEST_F(CheckpointTest, SSTablesAreHardLinkedAndTheCopyIsIndependent) {
  Open();
  for (int i = 0; i < 100; i++) ASSERT_OK(Put(db_.get(), "k" + std::to_string(i), "old"));
  ASSERT_OK(db_->Flush());
  ASSERT_OK(Put(db_.get(), "unflushed", "in the WAL"));
  const std::string copy = root_ + "/copy";
  ASSERT_OK(db_->Checkpoint(copy, nullptr, nullptr));
  size_t linked = 0;
  for (const auto& e : fs::directory_iterator(copy + "/sst")) {
    EXPECT_EQ(fs::hard_link_count(e.path()), 2u) << e.path();
    linked++;
  }
  EXPECT_GE(linked, 1u);
  // Writes to either side after the checkpoint stay there.
  ASSERT_OK(Put(db_.get(), "k1", "source"));
  std::unique_ptr<DB> other;
  ASSERT_OK(OpenExisting(copy, &other));
  EXPECT_EQ(Contents(other.get())["unflushed"], "in the WAL");
  ASSERT_OK(Put(other.get(), "k2", "copy"));
  ASSERT_OK(other->CompactAll());
  auto mine = Contents(db_.get());
  EXPECT_EQ(mine["k1"], "source");
  EXPECT_EQ(mine["k2"], "old");
  auto theirs = Contents(other.get());
  EXPECT_EQ(theirs["k1"], "old");
  EXPECT_EQ(theirs["k2"], "copy");
}

// An Env whose hard links fail as across file systems (EXDEV).
class NoLinkEnv final : public EnvWrapper {
 public:
  NoLinkEnv() : EnvWrapper(Env::Default()) {}
  Status LinkFile(const std::string&, const std::string& dst) override {
    links_tried++;
    return Status::NotSupported("hard link", dst);
  }
  int links_tried = 0;
};

TEST_F(CheckpointTest, CopiesSSTablesWhenLinksFail) {
  NoLinkEnv env;
  options_.env = &env;
  // The database closes before `env` goes out of scope, also when an
  // assertion below ends the test early (the fixture closes it later).
  struct CloseFirst {
    std::unique_ptr<DB>* db;
    ~CloseFirst() { db->reset(); }
  } close_first{&db_};
  Open();
  for (int i = 0; i < 100; i++) ASSERT_OK(Put(db_.get(), "k" + std::to_string(i), "v"));
  ASSERT_OK(db_->Flush());
  const std::string copy = root_ + "/copy";
  ASSERT_OK(db_->Checkpoint(copy, nullptr, nullptr));
  EXPECT_GE(env.links_tried, 1);
  for (const auto& e : fs::directory_iterator(copy + "/sst")) {
    EXPECT_EQ(fs::hard_link_count(e.path()), 1u) << e.path();
  }
  std::unique_ptr<DB> other;
  ASSERT_OK(OpenExisting(copy, &other));
  EXPECT_EQ(Contents(other.get()).size(), 100u);
}

// Flushes and compactions that run while the files are being copied delete
// neither the SSTables nor the WAL segments of the checkpoint's view.
TEST_F(CheckpointTest, FilesObsoletedDuringTheCopyStayUntilItEnds) {
  Open();
  for (int i = 0; i < 50; i++) ASSERT_OK(Put(db_.get(), "a" + std::to_string(i), "flushed"));
  ASSERT_OK(db_->Flush());
  for (int i = 0; i < 50; i++) ASSERT_OK(Put(db_.get(), "b" + std::to_string(i), "flushed"));
  ASSERT_OK(db_->Flush());
  for (int i = 0; i < 50; i++) ASSERT_OK(Put(db_.get(), "c" + std::to_string(i), "in the WAL"));
  FaultInjectionEnv target(Env::Default());
  bool churned = false;
  target.SetSyncHook([&](const std::string& fname) {
    if (!churned && fname.find("/sst/") != std::string::npos) {
      churned = true;
      // The view's WAL segment is flushed and its SSTables merged away.
      EXPECT_OK(Put(db_.get(), "d", "after the view"));
      EXPECT_OK(db_->CompactAll());
    }
    return Status::OK();
  });
  const std::string copy = root_ + "/copy";
  uint64_t seq = 0;
  ASSERT_OK(db_->Checkpoint(copy, &target, &seq));
  ASSERT_TRUE(churned);
  EXPECT_EQ(seq, 150u);
  std::unique_ptr<DB> other;
  ASSERT_OK(OpenExisting(copy, &other));
  auto contents = Contents(other.get());
  EXPECT_EQ(contents.size(), 150u);
  EXPECT_EQ(contents.count("d"), 0u);
  EXPECT_EQ(contents["c7"], "in the WAL");
  // Once the checkpoint is over, the pinned files go with the next cleanup.
  ASSERT_OK(Put(db_.get(), "e", "x"));
  ASSERT_OK(db_->CompactAll());
  size_t wals = 0;
  for (int i = 0; i < 500; i++) {  // the cleanup after the compaction may still run
    wals = 0;
    for (const auto& e : fs::directory_iterator(dbname_ + "/wal")) wals += e.path().extension() == ".log";
    if (wals == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(wals, 1u);
}

// After a reopen the memtable holds the replayed WAL while new writes go to
// a newer one: both are copied whole up to the view.
TEST_F(CheckpointTest, CopiesTheReplayedWalAndTheNewOne) {
  Open();
  for (int i = 0; i < 100; i++) ASSERT_OK(Put(db_.get(), "before" + std::to_string(i), "v"));
  db_.reset();
  Open();
  for (int i = 0; i < 10; i++) ASSERT_OK(Put(db_.get(), "after" + std::to_string(i), "v"));
  const std::string copy = root_ + "/copy";
  uint64_t seq = 0;
  ASSERT_OK(db_->Checkpoint(copy, nullptr, &seq));
  EXPECT_EQ(seq, 110u);
  std::unique_ptr<DB> other;
  ASSERT_OK(OpenExisting(copy, &other));
  EXPECT_EQ(Contents(other.get()).size(), 110u);
}

TEST_F(CheckpointTest, RefusesATargetThatIsNotEmpty) {
  Open();
  ASSERT_OK(Put(db_.get(), "k", "v"));
  const std::string copy = root_ + "/copy";
  fs::create_directories(copy);
  ASSERT_OK(WriteStringToFile(Env::Default(), "mine", copy + "/notes.txt", false));
  Status s = db_->Checkpoint(copy, nullptr, nullptr);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("not empty"), std::string::npos) << s.ToString();
  std::vector<std::string> names;
  ASSERT_OK(Env::Default()->GetChildren(copy, &names));
  EXPECT_EQ(names, std::vector<std::string>{"notes.txt"});
  // The DB itself is not empty either.
  EXPECT_TRUE(db_->Checkpoint(dbname_, nullptr, nullptr).IsInvalidArgument());
  // An empty existing directory is fine.
  fs::create_directories(root_ + "/empty");
  ASSERT_OK(db_->Checkpoint(root_ + "/empty", nullptr, nullptr));
}

TEST_F(CheckpointTest, CreatesMissingParentDirectories) {
  Open();
  ASSERT_OK(Put(db_.get(), "k", "v"));
  const std::string copy = root_ + "/backups/2026/copy";
  ASSERT_OK(db_->Checkpoint(copy, nullptr, nullptr));
  std::unique_ptr<DB> other;
  ASSERT_OK(OpenExisting(copy, &other));
  EXPECT_EQ(Contents(other.get()).size(), 1u);
}

// Every write of the copy in turn fails (an I/O error at each step: SSTable,
// WAL, manifest, OPTIONS, CURRENT): the call reports it and leaves no
// directory that opens; then a retry succeeds.
TEST_F(CheckpointTest, AnIOErrorLeavesNothingThatOpens) {
  Open();
  for (int i = 0; i < 200; i++) ASSERT_OK(Put(db_.get(), "k" + std::to_string(i), "v"));
  ASSERT_OK(db_->Flush());
  for (int i = 0; i < 20; i++) ASSERT_OK(Put(db_.get(), "w" + std::to_string(i), "v"));
  FaultInjectionEnv target(Env::Default());
  const std::string copy = root_ + "/copy";
  int failures = 0;
  for (int n = 0;; n++) {
    SCOPED_TRACE("appends allowed: " + std::to_string(n));
    target.FailAfterNWrites(n);
    Status s = db_->Checkpoint(copy, &target, nullptr);
    if (s.ok()) break;
    failures++;
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_FALSE(fs::exists(copy));
    std::unique_ptr<DB> other;
    EXPECT_FALSE(OpenExisting(copy, &other).ok());
    ASSERT_LT(n, 100);
  }
  EXPECT_GE(failures, 4);  // SSTable, WAL, manifest, OPTIONS, CURRENT
  target.FailAfterNWrites(-1);
  std::unique_ptr<DB> other;
  ASSERT_OK(OpenExisting(copy, &other));
  EXPECT_EQ(Contents(other.get()).size(), 220u);
  // The source still writes: a failed checkpoint released its pins.
  ASSERT_OK(Put(db_.get(), "after", "v"));
}

TEST_F(CheckpointTest, AFailedSyncOfCurrentLeavesNothingThatOpens) {
  Open();
  ASSERT_OK(Put(db_.get(), "k", "v"));
  FaultInjectionEnv target(Env::Default());
  target.SetSyncHook([](const std::string& fname) {
    return fname.find(".tmp") != std::string::npos ? Status::IOError(fname, "injected")
                                                   : Status::OK();
  });
  const std::string copy = root_ + "/copy";
  Status s = db_->Checkpoint(copy, &target, nullptr);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_FALSE(fs::exists(copy));
}

TEST_F(CheckpointTest, AnInMemoryDBIsSavedToDisk) {
  std::unique_ptr<Env> mem = NewMemEnv();
  options_.env = mem.get();
  dbname_ = "/mem";
  Open();
  for (int i = 0; i < 1000; i++) ASSERT_OK(Put(db_.get(), "k" + std::to_string(i), "v"));
  ASSERT_OK(db_->Flush());
  ASSERT_OK(Put(db_.get(), "unflushed", "v"));
  const std::string copy = root_ + "/copy";
  ASSERT_OK(db_->Checkpoint(copy, Env::Default(), nullptr));
  db_.reset();
  std::unique_ptr<DB> other;
  ASSERT_OK(OpenExisting(copy, &other));
  EXPECT_EQ(Contents(other.get()).size(), 1001u);
}

TEST_F(CheckpointTest, AfterCloseIsClosed) {
  Open();
  ASSERT_OK(db_->Close());
  EXPECT_TRUE(db_->Checkpoint(root_ + "/copy", nullptr, nullptr).IsClosed());
  EXPECT_FALSE(fs::exists(root_ + "/copy"));
}

}  // namespace
}  // namespace flowdb
