// DB::NewChangeFeed: committed batches read back from the WAL in sequence
// order, with exact contents; resuming after a reopen; WAL retention and the
// SequenceGone error; tailing new commits and commit listeners.

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "flowdb/db.h"
#include "test_util.h"

namespace flowdb {
namespace {

namespace fs = std::filesystem;

// A batch's entries as text, in order: "put k@ts=v exp", "del k@ts",
// "range [a,b)".
class EntriesText final : public WriteBatch::Handler {
 public:
  void Put(std::string_view key, int64_t ts, std::string_view value, int64_t exp) override {
    out.push_back("put " + std::string(key) + "@" + std::to_string(ts) + "=" + std::string(value) +
                  (exp == kNoExpiry ? "" : " " + std::to_string(exp)));
  }
  void Delete(std::string_view key, int64_t ts) override {
    out.push_back("del " + std::string(key) + "@" + std::to_string(ts));
  }
  void DeleteRange(std::string_view a, std::string_view b) override {
    out.push_back("range [" + std::string(a) + "," + std::string(b) + ")");
  }
  std::vector<std::string> out;
};

std::vector<std::string> Text(const WriteBatch& b) {
  EntriesText t;
  EXPECT_OK(b.Iterate(&t));
  return t.out;
}

struct Committed {
  uint64_t last_seq;
  std::vector<std::string> entries;
};

class ChangeFeedTest : public ::testing::Test {
 protected:
  ChangeFeedTest() : dbname_(test::TempDir("change-feed") + "/db") {
    options_.memtable_size = 64 << 10;
    options_.wal_retention_bytes = 64 << 20;
  }
  ~ChangeFeedTest() override {
    db_.reset();
    if (!HasFailure()) fs::remove_all(fs::path(dbname_).parent_path());
  }
  void Open() { ASSERT_OK(DB::Open(options_, dbname_, &db_)); }
  // The WAL segments on disk, once the cleanup that follows a flush (which
  // may still run when Flush returns) has had up to 5 s to bring them to
  // `want`.
  size_t WalSegments(size_t want) {
    size_t n = 0;
    for (int i = 0; i < 500; i++) {
      n = 0;
      for (const auto& e : fs::directory_iterator(dbname_ + "/wal")) n += e.path().extension() == ".log";
      if (n == want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return n;
  }

  // Writes n random batches (puts with and without expiry, deletes, range
  // deletes) one at a time and records what each committed.
  void WriteRandom(test::Random* rnd, int n) {
    for (int i = 0; i < n; i++) {
      WriteBatch b;
      int entries = 1 + static_cast<int>(rnd->Uniform(5));
      for (int e = 0; e < entries; e++) {
        std::string key = "k" + std::to_string(rnd->Uniform(50));
        int64_t ts = static_cast<int64_t>(rnd->Uniform(1000)) - 500;
        switch (rnd->Uniform(8)) {
          case 0: b.Delete(key, ts); break;
          case 1: b.DeleteRange(key, key + "~"); break;
          case 2: b.Put(key, ts, std::string(rnd->Uniform(300), 'x'), 4102444800000000); break;
          default: b.Put(key, ts, test::RandomBytes(rnd, rnd->Uniform(200))); break;
        }
      }
      std::vector<std::string> text = Text(b);
      ASSERT_OK(db_->Write(&b));
      model_.push_back({db_->LatestSequence(), std::move(text)});
    }
  }

  // Reads the feed until it has caught up.
  std::vector<ChangeBatch> ReadAll(ChangeFeed* feed, size_t max_bytes = 4096) {
    std::vector<ChangeBatch> all;
    while (true) {
      std::vector<ChangeBatch> got;
      Status s = feed->Next(max_bytes, &got);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok() || got.empty()) return all;
      for (auto& b : got) all.push_back(std::move(b));
    }
  }

  // The feed's batches are exactly the model's from index `from` on.
  void ExpectModel(const std::vector<ChangeBatch>& got, size_t from) {
    ASSERT_EQ(got.size(), model_.size() - from);
    for (size_t i = 0; i < got.size(); i++) {
      const Committed& want = model_[from + i];
      EXPECT_EQ(got[i].last_sequence, want.last_seq);
      EXPECT_EQ(got[i].first_sequence, want.last_seq - want.entries.size() + 1);
      EXPECT_EQ(Text(got[i].batch), want.entries) << "batch " << from + i;
    }
  }

  std::string dbname_;
  Options options_;
  std::unique_ptr<DB> db_;
  std::vector<Committed> model_;
};

TEST_F(ChangeFeedTest, DeliversEveryBatchInOrderWithItsContents) {
  Open();
  test::Random rnd(301);
  WriteRandom(&rnd, 600);
  ASSERT_GT(db_->GetStats().flushes, 1u);  // several WAL segments, some flushed
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(0, &feed));
  ExpectModel(ReadAll(feed.get()), 0);
  EXPECT_EQ(feed->position(), db_->LatestSequence());
  // From any point: the first batch whose last sequence is after `since`.
  for (size_t from : {size_t{1}, size_t{250}, model_.size() - 1}) {
    ASSERT_OK(db_->NewChangeFeed(model_[from - 1].last_seq, &feed));
    ExpectModel(ReadAll(feed.get(), 1), from);
  }
}

TEST_F(ChangeFeedTest, ResumesFromAStoredSequenceAfterReopen) {
  Open();
  test::Random rnd(302);
  WriteRandom(&rnd, 200);
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(0, &feed));
  std::vector<ChangeBatch> first;
  ASSERT_OK(feed->Next(2000, &first));
  ASSERT_FALSE(first.empty());
  ASSERT_LT(first.size(), model_.size());
  const uint64_t stored = feed->position();
  EXPECT_EQ(stored, first.back().last_sequence);
  feed.reset();
  db_.reset();
  Open();
  WriteRandom(&rnd, 50);
  ASSERT_OK(db_->NewChangeFeed(stored, &feed));
  ExpectModel(ReadAll(feed.get()), first.size());
}

TEST_F(ChangeFeedTest, FlushedSegmentsGoBeyondTheRetentionAndTheFeedSaysSo) {
  options_.wal_retention_bytes = 0;
  Open();
  test::Random rnd(303);
  WriteRandom(&rnd, 100);
  ASSERT_OK(db_->Flush());
  WriteRandom(&rnd, 10);
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(0, &feed));
  std::vector<ChangeBatch> got;
  Status s = feed->Next(1 << 20, &got);
  EXPECT_TRUE(s.IsNotFound() && s.subcode() == Status::SubCode::kSequenceGone) << s.ToString();
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(feed->position(), 0u);
  // What is not flushed is still there.
  ASSERT_OK(db_->NewChangeFeed(model_[99].last_seq, &feed));
  ExpectModel(ReadAll(feed.get()), 100);
  // Nothing to read is not an error, even with the WAL flushed.
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->NewChangeFeed(db_->LatestSequence(), &feed));
  EXPECT_TRUE(ReadAll(feed.get()).empty());
}

TEST_F(ChangeFeedTest, RetentionKeepsTheNewestFlushedSegmentsWithinItsBytes) {
  options_.wal_retention_bytes = 32 << 10;
  Open();
  test::Random rnd(304);
  for (int round = 0; round < 8; round++) {
    WriteRandom(&rnd, 40);
    ASSERT_OK(db_->Flush());
  }
  uint64_t bytes = 0;
  for (int i = 0; i < 500; i++) {  // the cleanup after the last flush may still run
    bytes = 0;
    for (const auto& e : fs::directory_iterator(dbname_ + "/wal")) {
      std::error_code ec;  // a segment deleted since the listing counts 0
      uint64_t size = fs::file_size(e.path(), ec);
      if (!ec) bytes += size;
    }
    if (bytes <= options_.wal_retention_bytes + 16) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LE(bytes, options_.wal_retention_bytes + 16);  // + the current segment's header
  EXPECT_GT(db_->GetStats().bytes_written, 2 * options_.wal_retention_bytes);
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(0, &feed));
  std::vector<ChangeBatch> got;
  EXPECT_EQ(feed->Next(1 << 20, &got).subcode(), Status::SubCode::kSequenceGone);
  // The last round's batches are within the retention.
  ASSERT_OK(db_->NewChangeFeed(model_[model_.size() - 41].last_seq, &feed));
  ExpectModel(ReadAll(feed.get()), model_.size() - 40);
  // And survive a reopen.
  feed.reset();
  db_.reset();
  Open();
  ASSERT_OK(db_->NewChangeFeed(model_[model_.size() - 41].last_seq, &feed));
  ExpectModel(ReadAll(feed.get()), model_.size() - 40);
}

TEST_F(ChangeFeedTest, AnOpenFeedKeepsTheSegmentsItHasNotReadYet) {
  options_.wal_retention_bytes = 0;
  Open();
  test::Random rnd(305);
  WriteRandom(&rnd, 50);
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(0, &feed));
  std::vector<ChangeBatch> got;
  ASSERT_OK(feed->Next(1, &got));
  ASSERT_EQ(got.size(), 1u);
  WriteRandom(&rnd, 300);  // more segments flushed meanwhile
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->CompactAll());
  std::vector<ChangeBatch> rest = ReadAll(feed.get());
  ExpectModel(rest, 1);
  // Once the feed is gone, the next cleanup deletes the flushed segments.
  feed.reset();
  WriteRandom(&rnd, 1);
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(WalSegments(1), 1u);
}

TEST_F(ChangeFeedTest, TailsCommitsAndListenersHearThem) {
  Open();
  std::atomic<uint64_t> heard{0};
  uint64_t id = db_->AddCommitListener([&](uint64_t seq) { heard = seq; });
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(0, &feed));
  EXPECT_TRUE(ReadAll(feed.get()).empty());
  // Writers run while the feed follows them into new segments.
  std::thread writer([&] {
    for (int i = 0; i < 2000; i++) {
      WriteBatch b;
      b.Put("w" + std::to_string(i), 0, std::string(100, 'v'));
      ASSERT_OK(db_->Write(&b));
    }
  });
  uint64_t expect_seq = 0;
  while (expect_seq < 2000) {
    std::vector<ChangeBatch> got;
    ASSERT_OK(feed->Next(4096, &got));
    for (const ChangeBatch& b : got) {
      // Group commit may join writes; their entries stay in order.
      EXPECT_EQ(b.first_sequence, expect_seq + 1);
      std::vector<std::string> text = Text(b.batch);
      for (size_t i = 0; i < text.size(); i++) {
        EXPECT_EQ(text[i], "put w" + std::to_string(expect_seq + i) + "@0=" + std::string(100, 'v'));
      }
      expect_seq = b.last_sequence;
    }
    if (got.empty()) std::this_thread::yield();
  }
  writer.join();
  EXPECT_EQ(heard.load(), 2000u);
  db_->RemoveCommitListener(id);
  WriteBatch b;
  b.Put("after", 0, "x");
  ASSERT_OK(db_->Write(&b));
  EXPECT_EQ(heard.load(), 2000u);
}

TEST_F(ChangeFeedTest, RefusesAStartAfterTheLastSequenceAndWorksAfterCloseNoMore) {
  Open();
  WriteBatch b;
  b.Put("k", 0, "v");
  ASSERT_OK(db_->Write(&b));
  std::unique_ptr<ChangeFeed> feed;
  EXPECT_TRUE(db_->NewChangeFeed(2, &feed).IsInvalidArgument());
  EXPECT_EQ(feed, nullptr);
  ASSERT_OK(db_->NewChangeFeed(1, &feed));
  ASSERT_OK(db_->Close());
  std::vector<ChangeBatch> got;
  EXPECT_TRUE(feed->Next(100, &got).IsClosed());
  std::unique_ptr<ChangeFeed> other;
  EXPECT_TRUE(db_->NewChangeFeed(0, &other).IsClosed());
}

}  // namespace
}  // namespace flowdb
