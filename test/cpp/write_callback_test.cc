// DB::Write with a WriteCallback: what a callback sees, how a failed one
// leaves its group, and read-check-write under contention (the contract of
// flowdb/write_callback.h; DB::Patch is built on it).

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "flowdb/db.h"
#include "flowdb/write_callback.h"
#include "test_util.h"

namespace flowdb {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000;  // µs

// A callback that runs a function; grouping as asked.
class FnCallback final : public WriteCallback {
 public:
  explicit FnCallback(std::function<Status(DB*)> fn, bool grouping = false)
      : fn_(std::move(fn)), grouping_(grouping) {}
  Status Callback(DB* db) override { return fn_(db); }
  bool AllowGrouping() const override { return grouping_; }

 private:
  std::function<Status(DB*)> fn_;
  const bool grouping_;
};

class WriteCallbackTest : public ::testing::Test {
 protected:
  WriteCallbackTest() : base_(NewMemEnv()), env_(base_.get()) {
    env_.SetNowMicros(kT0);
    options_.env = &env_;
    options_.memtable_size = 64 << 10;
  }
  ~WriteCallbackTest() override { db_.reset(); }

  void Open() { ASSERT_OK(DB::Open(options_, "/db", &db_)); }
  Status Put(std::string_view k, std::string_view v) {
    WriteBatch b;
    b.Put(k, 0, v);
    return db_->Write(&b);
  }
  std::string Get(std::string_view k) {
    std::string v;
    Status s = db_->Get(ReadOptions(), k, 0, &v);
    if (s.IsNotFound()) return "NOT_FOUND";
    return s.ok() ? v : s.ToString();
  }

  // Starts a write whose callback holds the queue until Release(): the
  // writes started meanwhile queue behind it in start order.
  void BlockQueue() {
    blocker_ = std::thread([this] {
      WriteBatch b;
      b.Put("blocker", 0, "x");
      FnCallback cb([this](DB*) {
        entered_.set_value();
        release_.get_future().wait();
        return Status::OK();
      });
      EXPECT_OK(db_->Write(&b, &cb));
    });
    entered_.get_future().wait();
  }
  // Starts fn on a thread and gives it time to enter the write queue.
  void StartQueued(std::function<void()> fn) {
    queued_.emplace_back(std::move(fn));
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
  }
  void Release() {
    release_.set_value();
    blocker_.join();
    for (auto& t : queued_) t.join();
    queued_.clear();
  }

  std::unique_ptr<Env> base_;
  ManualClockEnv env_;
  Options options_;
  std::unique_ptr<DB> db_;
  std::promise<void> entered_, release_;
  std::thread blocker_;
  std::vector<std::thread> queued_;
};

TEST_F(WriteCallbackTest, CallbackFillsTheBatchItIsGiven) {
  Open();
  WriteBatch b;
  FnCallback cb([&](DB* db) {
    EXPECT_EQ(db, db_.get());
    b.Put("a", 0, "1");
    b.Put("b", 0, "2");
    return Status::OK();
  });
  ASSERT_OK(db_->Write(&b, &cb));
  EXPECT_EQ("1", Get("a"));
  EXPECT_EQ("2", Get("b"));
  EXPECT_EQ(2u, db_->LatestSequence());

  // A callback that leaves the batch empty succeeds and writes nothing.
  WriteBatch empty;
  int calls = 0;
  FnCallback noop([&](DB*) {
    calls++;
    return Status::OK();
  });
  ASSERT_OK(db_->Write(&empty, &noop));
  EXPECT_EQ(1, calls);
  EXPECT_EQ(2u, db_->LatestSequence());

  // A failed callback applies nothing of its batch and returns its status.
  WriteBatch c;
  c.Put("c", 0, "3");
  FnCallback fail([&](DB*) {
    c.Put("d", 0, "4");
    return Status::Busy("conflict");
  });
  Status s = db_->Write(&c, &fail);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_EQ("NOT_FOUND", Get("c"));
  EXPECT_EQ("NOT_FOUND", Get("d"));
  EXPECT_EQ(2u, db_->LatestSequence());

  EXPECT_TRUE(db_->Write(nullptr, &noop).IsInvalidArgument());
}

TEST_F(WriteCallbackTest, CallbackSeesEveryWriteQueuedBeforeIt) {
  Open();
  BlockQueue();
  StartQueued([this] { EXPECT_OK(Put("k", "from-earlier-write")); });
  std::string seen;
  StartQueued([&] {
    WriteBatch b;
    FnCallback cb([&](DB* db) {
      Status s = db->Get(ReadOptions(), "k", 0, &seen);
      b.Put("k", 0, seen + "+patched");
      return s;
    });
    EXPECT_OK(db_->Write(&b, &cb));
  });
  StartQueued([this] { EXPECT_OK(Put("later", "x")); });
  Release();
  EXPECT_EQ("from-earlier-write", seen);
  EXPECT_EQ("from-earlier-write+patched", Get("k"));
  EXPECT_EQ("x", Get("later"));
}

TEST_F(WriteCallbackTest, FailedCallbackLeavesOnlyItsWriterOutOfTheGroup) {
  Open();
  BlockQueue();
  const uint64_t groups_before = db_->GetStats().write_groups;
  std::mutex order_mu;
  std::vector<std::string> order;
  auto note = [&](const char* name) {
    std::lock_guard<std::mutex> l(order_mu);
    order.push_back(name);
  };
  Status a, b, c, d;
  StartQueued([&] { a = Put("a", "1"); });
  StartQueued([&] {
    WriteBatch batch;
    batch.Put("b", 0, "2");
    FnCallback cb(
        [&](DB*) {
          note("b");
          batch.Put("b2", 0, "2");
          return Status::Busy("validation failed");
        },
        /*grouping=*/true);
    b = db_->Write(&batch, &cb);
  });
  StartQueued([&] {
    WriteBatch batch;
    FnCallback cb(
        [&](DB* db) {
          note("c");
          // Grouped: "a", ahead in the same group, is not applied yet.
          std::string v;
          EXPECT_TRUE(db->Get(ReadOptions(), "a", 0, &v).IsNotFound());
          batch.Put("c", 0, "3");
          return Status::OK();
        },
        /*grouping=*/true);
    c = db_->Write(&batch, &cb);
  });
  StartQueued([&] { d = Put("d", "4"); });
  Release();

  EXPECT_OK(a);
  EXPECT_TRUE(b.IsBusy()) << b.ToString();
  EXPECT_OK(c);
  EXPECT_OK(d);
  EXPECT_EQ((std::vector<std::string>{"b", "c"}), order);
  EXPECT_EQ("1", Get("a"));
  EXPECT_EQ("NOT_FOUND", Get("b"));
  EXPECT_EQ("NOT_FOUND", Get("b2"));
  EXPECT_EQ("3", Get("c"));
  EXPECT_EQ("4", Get("d"));
  // The blocker's write, then one group for a, c and d.
  EXPECT_EQ(groups_before + 2, db_->GetStats().write_groups);
  EXPECT_EQ(4u, db_->LatestSequence());
}

TEST_F(WriteCallbackTest, ConcurrentReadCheckWriteLosesNoUpdate) {
  Open();
  ASSERT_OK(Put("counter", "0"));
  constexpr int kThreads = 8, kIncrements = 250;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrements; i++) {
        // Plain writes in between, to be grouped with the increments.
        WriteBatch plain;
        plain.Put("t" + std::to_string(t), i, "x");
        if (!db_->Write(&plain).ok()) failed++;
        WriteBatch b;
        FnCallback cb([&](DB* db) {
          std::string v;
          FLOWDB_RETURN_IF_ERROR(db->Get(ReadOptions(), "counter", 0, &v));
          b.Put("counter", 0, std::to_string(std::stoi(v) + 1));
          return Status::OK();
        });
        if (!db_->Write(&b, &cb).ok()) failed++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(0, failed.load());
  EXPECT_EQ(std::to_string(kThreads * kIncrements), Get("counter"));
}

TEST_F(WriteCallbackTest, DefaultExpiryAppliesToWhatTheCallbackWrote) {
  options_.default_ttl_us = 5'000'000;
  Open();
  WriteBatch b;
  FnCallback cb([&](DB*) {
    b.Put("k", 0, "v");
    return Status::OK();
  });
  ASSERT_OK(db_->Write(&b, &cb));
  std::string v;
  int64_t exp = 0;
  ASSERT_OK(db_->Get(ReadOptions(), "k", 0, &v, &exp));
  EXPECT_EQ(kT0 + 5'000'000, exp);
}

TEST_F(WriteCallbackTest, FailedCallbackDoesNotAffectLaterWrites) {
  Open();
  BlockQueue();
  Status bad, good;
  StartQueued([&] {
    WriteBatch batch;
    batch.Put("bad", 0, "x");
    FnCallback cb([](DB*) { return Status::NotFound("gone"); });
    bad = db_->Write(&batch, &cb);
  });
  // Grouped behind the failed callback writer, which leads that group.
  StartQueued([&] { good = Put("good", "y"); });
  Release();
  EXPECT_TRUE(bad.IsNotFound()) << bad.ToString();
  EXPECT_OK(good);
  EXPECT_EQ("NOT_FOUND", Get("bad"));
  EXPECT_EQ("y", Get("good"));
}

}  // namespace
}  // namespace flowdb
