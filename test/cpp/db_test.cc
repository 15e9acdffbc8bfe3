// Engine-level tests: reads and writes through DB, flush, reopen, recovery
// from torn and corrupt WALs, locking, scans, concurrency.

#include "flowdb/db.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <thread>

#include "db/dbformat.h"
#include "db/filename.h"
#include "env/fault_injection_env.h"
#include "test_util.h"
#include "util/coding.h"

namespace flowdb {
namespace {

class DBTest : public ::testing::Test {
 protected:
  DBTest() : env_(NewMemEnv()), dbname_("/db") {
    options_.env = env_.get();
    options_.memtable_size = 256 << 10;
    options_.block_size = 1024;
  }
  ~DBTest() override { db_.reset(); }

  Status Open() {
    db_.reset();
    return DB::Open(options_, dbname_, &db_);
  }
  void Reopen() { ASSERT_OK(Open()); }

  Status Put(std::string_view k, int64_t ts, std::string_view v, int64_t exp = kNoExpiry) {
    WriteBatch b;
    b.Put(k, ts, v, exp);
    return db_->Write(&b);
  }
  Status Del(std::string_view k, int64_t ts) {
    WriteBatch b;
    b.Delete(k, ts);
    return db_->Write(&b);
  }
  std::string Get(std::string_view k, int64_t ts) {
    std::string v;
    Status s = db_->Get(ReadOptions(), k, ts, &v);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return s.ToString();
    return v;
  }
  std::string Latest(std::string_view k) {
    Record r;
    Status s = db_->GetLatest(ReadOptions(), k, &r);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return s.ToString();
    return std::to_string(r.ts) + "=" + r.value;
  }
  // "key@ts=value" of every record a scan returns.
  std::vector<std::string> Scan(const ScanOptions& scan) {
    std::vector<std::string> out;
    std::unique_ptr<ScanCursor> c = db_->NewScan(ReadOptions(), scan);
    while (c->Next()) {
      out.push_back(std::string(c->key()) + "@" + std::to_string(c->ts()) + "=" +
                    std::string(c->value()));
    }
    EXPECT_OK(c->status());
    return out;
  }
  // The last WAL file larger than min_size bytes ("" if none).
  std::string WalLargerThan(uint64_t min_size) {
    std::string found;
    for (const auto& w : WalFiles()) {
      uint64_t size;
      EXPECT_OK(env_->GetFileSize(w, &size));
      if (size > min_size) found = w;
    }
    return found;
  }
  std::vector<std::string> WalFiles() {
    std::vector<std::string> names, out;
    EXPECT_OK(env_->GetChildren(WalDirName(dbname_), &names));
    for (auto& n : names) {
      if (n.size() > 4 && n.substr(n.size() - 4) == ".log") out.push_back(WalDirName(dbname_) + "/" + n);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::unique_ptr<Env> env_;
  std::string dbname_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBTest, EmptyDatabase) {
  Reopen();
  EXPECT_EQ("NOT_FOUND", Get("a", 1));
  EXPECT_EQ("NOT_FOUND", Latest("a"));
  EXPECT_TRUE(Scan(ScanOptions()).empty());
  EXPECT_EQ(0u, db_->LatestSequence());
}

// A batch with a key over WriteBatch::kMaxKeySize is refused whole: before
// the size check, the oversized entry went to the WAL and stopped the
// memtable insert there, so it and every later entry were lost after an OK.
TEST_F(DBTest, ASpoiledBatchIsRefusedWhole) {
  Reopen();
  WriteBatch b;
  b.Put("before", 1, "v");
  b.Put(std::string(WriteBatch::kMaxKeySize + 1, 'k'), 1, "v");
  b.Put("after", 1, "v");
  Status s = db_->Write(&b);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find(std::to_string(WriteBatch::kMaxKeySize)), std::string::npos);
  EXPECT_EQ("NOT_FOUND", Get("before", 1));
  EXPECT_EQ("NOT_FOUND", Get("after", 1));
  Reopen();
  EXPECT_EQ("NOT_FOUND", Get("before", 1));
  WriteBatch ok;
  ok.Put("before", 1, "v");
  ASSERT_OK(db_->Write(&ok));
  EXPECT_EQ("v", Get("before", 1));
}

TEST_F(DBTest, PutGetDeleteAcrossFlushAndReopen) {
  Reopen();
  ASSERT_OK(Put("k", 1, "v1"));
  ASSERT_OK(Put("k", 2, "v2"));
  ASSERT_OK(Put("k", 1, "v1b"));  // overwrite of (k, 1)
  EXPECT_EQ("v1b", Get("k", 1));
  EXPECT_EQ("2=v2", Latest("k"));
  ASSERT_OK(db_->Flush());
  EXPECT_EQ("v1b", Get("k", 1));
  ASSERT_OK(Del("k", 2));  // a memtable tombstone over an SSTable value
  EXPECT_EQ("NOT_FOUND", Get("k", 2));
  EXPECT_EQ("1=v1b", Latest("k"));
  ASSERT_OK(db_->Flush());  // a tombstone in a newer SSTable
  EXPECT_EQ("NOT_FOUND", Get("k", 2));
  EXPECT_EQ("1=v1b", Latest("k"));
  Reopen();
  EXPECT_EQ("v1b", Get("k", 1));
  EXPECT_EQ("NOT_FOUND", Get("k", 2));
  EXPECT_EQ("1=v1b", Latest("k"));
  EXPECT_EQ(4u, db_->LatestSequence());
  // Writes after reopen get newer sequence numbers than everything on disk.
  ASSERT_OK(Put("k", 1, "v1c"));
  EXPECT_EQ("v1c", Get("k", 1));
  ASSERT_OK(db_->Flush());
  Reopen();
  EXPECT_EQ("v1c", Get("k", 1));
  EXPECT_EQ(5u, db_->LatestSequence());
}

// A read that starts while the memtable is empty leaves the memtable out;
// writes that land there afterwards belong to later reads only.
TEST_F(DBTest, IteratorOpenedOverEmptyMemtableIgnoresLaterWrites) {
  Reopen();
  ASSERT_OK(Put("k", 1, "old"));
  ASSERT_OK(db_->Flush());
  std::unique_ptr<RecordIterator> it = db_->NewIterator(ReadOptions());
  ASSERT_OK(Put("k", 2, "new"));
  ASSERT_OK(Put("j", 1, "new"));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("k", it->key());
  EXPECT_EQ(1, it->ts());
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_OK(it->status());
  EXPECT_EQ("2=new", Latest("k"));  // a read that starts now sees them
  EXPECT_EQ("new", Get("j", 1));
}

TEST_F(DBTest, RecoversUnflushedWritesFromWal) {
  Reopen();
  for (int i = 0; i < 100; i++) ASSERT_OK(Put("key" + std::to_string(i), i, "value" + std::to_string(i)));
  Reopen();
  for (int i = 0; i < 100; i++) EXPECT_EQ("value" + std::to_string(i), Get("key" + std::to_string(i), i));
  // A second reopen replays the same WAL (still needed) plus the new empty one.
  Reopen();
  EXPECT_EQ("value42", Get("key42", 42));
  EXPECT_EQ(100u, db_->LatestSequence());
}

TEST_F(DBTest, KeysWithZeroAndFFBytes) {
  Reopen();
  std::vector<std::string> keys = {std::string(), std::string("\0", 1), std::string("\0\0", 2),
                                   "a", std::string("a\0", 2), "\xff", "\xff\xff"};
  for (size_t i = 0; i < keys.size(); i++) ASSERT_OK(Put(keys[i], 0, "v" + std::to_string(i)));
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < keys.size(); i++) EXPECT_EQ("v" + std::to_string(i), Get(keys[i], 0));
    std::vector<std::string> got = Scan(ScanOptions());
    ASSERT_EQ(keys.size(), got.size());
    ASSERT_OK(db_->Flush());
  }
}

TEST_F(DBTest, TimestampExtremesAndOrder) {
  Reopen();
  const int64_t ts[] = {INT64_MIN, -1, 0, 1, INT64_MAX};
  for (int64_t t : ts) ASSERT_OK(Put("k", t, std::to_string(t)));
  EXPECT_EQ(std::to_string(INT64_MAX) + "=" + std::to_string(INT64_MAX), Latest("k"));
  std::vector<std::string> got = Scan(ScanOptions());
  ASSERT_EQ(5u, got.size());
  EXPECT_EQ("k@" + std::to_string(INT64_MIN) + "=" + std::to_string(INT64_MIN), got[0]);
  EXPECT_EQ("k@-1=-1", got[1]);
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(got, Scan(ScanOptions()));
}

TEST_F(DBTest, ExpiredRecordsAreInvisible) {
  Reopen();
  int64_t now = env_->NowMicros();
  ASSERT_OK(Put("k", 1, "old", now - 1));
  ASSERT_OK(Put("k", 2, "live", now + 3600000000LL));
  EXPECT_EQ("NOT_FOUND", Get("k", 1));
  EXPECT_EQ("live", Get("k", 2));
  EXPECT_EQ("2=live", Latest("k"));
  ASSERT_OK(Put("k", 3, "gone", now - 1));
  EXPECT_EQ("2=live", Latest("k"));
  ASSERT_OK(db_->Flush());
  EXPECT_EQ("NOT_FOUND", Get("k", 1));
  EXPECT_EQ(1u, Scan(ScanOptions()).size());
  // An expired overwrite hides nothing older: (k, 2) becomes invisible.
  ASSERT_OK(Put("k", 2, "expired now", now - 1));
  EXPECT_EQ("NOT_FOUND", Get("k", 2));
}

// Reads a scan in chunks of `chunk` records, trying each chunk in
// memory-only mode first when try_memory(i) says so for chunk i; a chunk
// that would block is thrown away and read again in normal mode, as the
// binding does. Counts the chunks served from memory and those that blocked.
std::vector<std::string> ChunkedScan(DB* db, const ScanOptions& scan, size_t chunk,
                                     const std::function<bool(size_t)>& try_memory,
                                     int* from_memory, int* blocked) {
  std::vector<std::string> out;
  std::unique_ptr<ScanCursor> c = db->NewScan(ReadOptions(), scan);
  for (size_t i = 0;; i++) {
    std::vector<std::string> got;
    bool ended = false;
    auto fill = [&] {
      while (got.size() < chunk) {
        if (!c->Next()) {
          ended = true;
          return;
        }
        got.push_back(std::string(c->key()) + "@" + std::to_string(c->ts()) + "=" +
                      std::string(c->value()));
      }
    };
    if (try_memory(i)) {
      c->SetMemoryOnly(true);
      fill();
      const bool would_block = ended && c->status().IsWouldBlock();
      c->SetMemoryOnly(false);
      if (would_block) {  // the same chunk again, from files
        ++*blocked;
        got.clear();
        ended = false;
        fill();
      } else {
        ++*from_memory;
      }
    } else {
      fill();
    }
    c->Commit();
    EXPECT_OK(c->status());
    out.insert(out.end(), got.begin(), got.end());
    if (ended) return out;
  }
}

TEST_F(DBTest, MemoryOnlyScanChunksRewindWhenTheyWouldBlock) {
  // SSTables of 1 KiB blocks, a cold block cache, a memtable on top with
  // overwrites and deletes; some blocks get cached by point reads. Chunks
  // tried from memory either succeed or rewind to the last commit: either
  // way the records must be exactly those of a plain scan.
  options_.block_cache_size = 8 << 20;
  Reopen();
  for (int i = 0; i < 3000; i++) {
    ASSERT_OK(Put("k" + std::to_string(i % 40), i / 40, std::string(60, 'a' + i % 26)));
  }
  ASSERT_OK(db_->Flush());
  for (int i = 0; i < 3000; i += 7) ASSERT_OK(Put("k" + std::to_string(i % 40), i / 40, "new"));
  for (int i = 0; i < 3000; i += 11) ASSERT_OK(Del("k" + std::to_string(i % 40), i / 40));
  ASSERT_OK(db_->Flush());
  for (int i = 0; i < 3000; i += 13) ASSERT_OK(Put("k" + std::to_string(i % 40), i / 40, "mem"));
  ASSERT_OK(Put("k5", 1000, "fresh"));  // stays in the memtable (recovered on reopen)
  // A cold cache and closed table files, then a few blocks cached by gets.
  auto cold = [&] {
    Reopen();
    for (int i = 0; i < 40; i += 3) Get("k" + std::to_string(i), 20);
  };

  test::Random rnd(301);
  for (int variant = 0; variant < 4; variant++) {
    SCOPED_TRACE(variant);
    ScanOptions scan;
    scan.reverse = variant % 2 == 1;
    if (variant >= 2) {
      scan.ts_min = 10;
      scan.ts_max = 40;
      scan.has_lower = true;
      scan.lower = "k12";
    }
    const std::vector<std::string> want = Scan(scan);
    ASSERT_GT(want.size(), 100u);
    int from_memory = 0, blocked = 0;
    for (size_t chunk : {1, 7, 64}) {
      cold();
      EXPECT_EQ(want, ChunkedScan(db_.get(), scan, chunk, [&](size_t) { return rnd.OneIn(2); },
                                  &from_memory, &blocked))
          << "chunk " << chunk;
    }
    // Every chunk tried from memory: each one that blocks is read from files.
    cold();
    EXPECT_EQ(want, ChunkedScan(db_.get(), scan, 16, [](size_t) { return true; }, &from_memory,
                                &blocked));
    EXPECT_GT(from_memory, 0);
    EXPECT_GT(blocked, 0);
  }
  // Once a plain scan has cached every block, a whole scan is served from
  // memory.
  const std::vector<std::string> all = Scan(ScanOptions());
  int from_memory = 0, blocked = 0;
  EXPECT_EQ(all, ChunkedScan(db_.get(), ScanOptions(), 100000, [](size_t) { return true; },
                             &from_memory, &blocked));
  EXPECT_EQ(0, blocked);
  EXPECT_EQ(1, from_memory);
}

TEST_F(DBTest, MemoryOnlyScanOfAColdDatabaseBlocksAtOnce) {
  Reopen();
  for (int i = 0; i < 500; i++) ASSERT_OK(Put("k" + std::to_string(i % 10), i, "v"));
  ASSERT_OK(db_->Flush());
  Reopen();
  std::unique_ptr<ScanCursor> c = db_->NewScan(ReadOptions(), ScanOptions());
  c->SetMemoryOnly(true);
  EXPECT_FALSE(c->Next());
  EXPECT_TRUE(c->status().IsWouldBlock()) << c->status().ToString();
  c->SetMemoryOnly(false);
  size_t n = 0;
  while (c->Next()) n++;
  EXPECT_OK(c->status());
  EXPECT_EQ(500u, n);
}

TEST_F(DBTest, ScanBoundsTimeRangeAndReverse) {
  Reopen();
  for (const char* k : {"a", "b", "ba", "c"}) {
    for (int64_t t = 1; t <= 3; t++) ASSERT_OK(Put(k, t, std::string(k) + std::to_string(t)));
  }
  for (int flushed = 0; flushed < 2; flushed++) {
    ScanOptions s;
    s.has_lower = true;
    s.lower = "b";
    s.has_upper = true;
    s.upper = "c";
    s.upper_inclusive = false;
    EXPECT_EQ((std::vector<std::string>{"b@1=b1", "b@2=b2", "b@3=b3", "ba@1=ba1", "ba@2=ba2",
                                        "ba@3=ba3"}),
              Scan(s));
    s.lower_inclusive = false;
    s.ts_min = 2;
    s.ts_max = 2;
    EXPECT_EQ((std::vector<std::string>{"ba@2=ba2"}), Scan(s));
    s.reverse = true;
    s.lower_inclusive = true;
    s.upper_inclusive = true;
    s.ts_min = 2;
    s.ts_max = 3;
    EXPECT_EQ((std::vector<std::string>{"c@3=c3", "c@2=c2", "ba@3=ba3", "ba@2=ba2", "b@3=b3",
                                        "b@2=b2"}),
              Scan(s));
    ScanOptions empty;
    empty.ts_min = 5;
    empty.ts_max = 4;
    EXPECT_TRUE(Scan(empty).empty());
    ASSERT_OK(db_->Flush());
  }
}

// Versions of one record in separate SSTables: Get picks the newest one
// visible at the snapshot, from whichever file holds it.
TEST_F(DBTest, GetVersionsAcrossSSTablesAtSnapshots) {
  Reopen();
  const int64_t now = env_->NowMicros();
  // snaps[i] sees the first i writes.
  std::vector<const Snapshot*> snaps{db_->GetSnapshot()};
  ASSERT_OK(Put("k", 5, "v1"));                   // seq 1
  snaps.push_back(db_->GetSnapshot());
  ASSERT_OK(db_->Flush());
  ASSERT_OK(Put("k", 5, "v2"));                   // seq 2
  snaps.push_back(db_->GetSnapshot());
  ASSERT_OK(Put("k", 6, "other ts"));             // seq 3
  snaps.push_back(db_->GetSnapshot());
  ASSERT_OK(db_->Flush());
  ASSERT_OK(Del("k", 5));                         // seq 4
  snaps.push_back(db_->GetSnapshot());
  ASSERT_OK(db_->Flush());
  ASSERT_OK(Put("k", 5, "expired", now - 1));     // seq 5
  snaps.push_back(db_->GetSnapshot());
  ASSERT_OK(db_->Flush());
  ASSERT_OK(Put("k", 5, "v6", now + 3600000000LL));  // seq 6
  snaps.push_back(db_->GetSnapshot());
  ASSERT_OK(db_->Flush());
  const char* expected[] = {"NOT_FOUND", "v1", "v2", "v2", "NOT_FOUND", "NOT_FOUND", "v6"};
  for (uint64_t i = 0; i < snaps.size(); i++) {
    EXPECT_EQ(i, snaps[i]->sequence());
    ReadOptions ro;
    ro.snapshot = snaps[i];
    std::string v;
    int64_t expire_at = 0;
    Status s = db_->Get(ro, "k", 5, &v, &expire_at);
    SCOPED_TRACE("snapshot " + std::to_string(i));
    EXPECT_EQ(expected[i], s.IsNotFound() ? "NOT_FOUND" : s.ok() ? v : s.ToString());
    if (s.ok()) EXPECT_EQ(i == 6 ? now + 3600000000LL : kNoExpiry, expire_at);
  }
  for (const Snapshot* snap : snaps) db_->ReleaseSnapshot(snap);
  EXPECT_EQ("other ts", Get("k", 6));
  EXPECT_EQ("NOT_FOUND", Get("k", 4));
  EXPECT_EQ("NOT_FOUND", Get("k", 7));
  // A table whose key range covers an absent key rules it out by its bloom.
  ASSERT_OK(Put("a", 5, "a"));
  ASSERT_OK(Put("z", 5, "z"));
  ASSERT_OK(db_->Flush());
  const uint64_t bloom_useful = db_->GetStats().bloom_useful;
  EXPECT_EQ("NOT_FOUND", Get("m", 5));
  EXPECT_EQ(bloom_useful + 1, db_->GetStats().bloom_useful);
  EXPECT_EQ("z", Get("z", 5));
}

TEST_F(DBTest, MemoryOnlyReadsNeverTouchFiles) {
  Reopen();
  ASSERT_OK(Put("k", 1, "v"));
  ReadOptions mem_only;
  mem_only.memory_only = true;
  std::string v;
  ASSERT_OK(db_->Get(mem_only, "k", 1, &v));  // memtable hit
  ASSERT_OK(db_->Flush());
  Reopen();  // nothing cached: the table reader is not even open
  EXPECT_TRUE(db_->Get(mem_only, "k", 1, &v).IsWouldBlock());
  Record r;
  EXPECT_TRUE(db_->GetLatest(mem_only, "k", &r).IsWouldBlock());
  ASSERT_OK(db_->Get(ReadOptions(), "k", 1, &v));  // loads reader and block
  ASSERT_OK(db_->Get(mem_only, "k", 1, &v));
  EXPECT_EQ("v", v);
  ASSERT_OK(db_->GetLatest(mem_only, "k", &r));
  EXPECT_EQ(1, r.ts);
  // The bloom filter answers a miss from memory too.
  EXPECT_TRUE(db_->Get(mem_only, "absent", 1, &v).IsNotFound());
}

TEST_F(DBTest, SecondOpenIsLocked) {
  Reopen();
  std::unique_ptr<DB> other;
  Status s = DB::Open(options_, dbname_, &other);
  EXPECT_TRUE(s.IsLocked()) << s.ToString();
  EXPECT_EQ(nullptr, other);
  ASSERT_OK(db_->Close());
  ASSERT_OK(DB::Open(options_, dbname_, &other));
}

TEST_F(DBTest, CreateIfMissingAndErrorIfExists) {
  options_.create_if_missing = false;
  EXPECT_TRUE(Open().IsInvalidArgument());
  // The refused open leaves nothing behind (it created the directory, its
  // wal/ and sst/ and a LOCK file).
  EXPECT_FALSE(options_.env->FileExists(dbname_));
  options_.create_if_missing = true;
  Reopen();
  db_.reset();
  options_.error_if_exists = true;
  EXPECT_TRUE(Open().IsInvalidArgument());
}

TEST_F(DBTest, CallsAfterCloseReturnClosed) {
  Reopen();
  ASSERT_OK(Put("k", 1, "v"));
  ASSERT_OK(db_->Close());
  ASSERT_OK(db_->Close());  // idempotent
  EXPECT_TRUE(Put("k", 2, "v").IsClosed());
  std::string v;
  EXPECT_TRUE(db_->Get(ReadOptions(), "k", 1, &v).IsClosed());
  Record r;
  EXPECT_TRUE(db_->GetLatest(ReadOptions(), "k", &r).IsClosed());
  EXPECT_TRUE(db_->Flush().IsClosed());
  EXPECT_TRUE(db_->NewIterator(ReadOptions())->status().IsClosed());
}

TEST_F(DBTest, ManyMemtablesFlushInBackground) {
  options_.memtable_size = 64 << 10;
  options_.max_frozen_memtables = 1;
  options_.compaction_trigger = 0;  // count the flushed files
  Reopen();
  std::string value(200, 'x');
  for (int i = 0; i < 5000; i++) {
    ASSERT_OK(Put("key" + std::to_string(i % 500), i, value + std::to_string(i)));
  }
  ASSERT_OK(db_->Flush());
  DBStats st = db_->GetStats();
  EXPECT_GT(st.flushes, 5u);
  EXPECT_GT(st.sstables, 5u);
  EXPECT_EQ(0u, st.frozen_memtables);
  for (int i = 0; i < 5000; i += 97) {
    EXPECT_EQ(value + std::to_string(i), Get("key" + std::to_string(i % 500), i));
  }
  // Old WAL files are deleted once their memtables are in SSTables.
  EXPECT_LE(WalFiles().size(), 2u);
  Reopen();
  EXPECT_EQ(5000u, Scan(ScanOptions()).size());
}

TEST_F(DBTest, IntervalFlushAndIntervalSync) {
  options_.flush_interval_ms = 30;
  options_.sync_mode = SyncMode::kInterval;
  options_.sync_interval_ms = 10;
  Reopen();
  ASSERT_OK(Put("k", 1, "v"));
  for (int i = 0; i < 200 && db_->GetStats().sstables == 0; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  DBStats st = db_->GetStats();
  EXPECT_EQ(1u, st.sstables);
  EXPECT_GE(st.wal_syncs, 1u);
  EXPECT_EQ("v", Get("k", 1));
  // Writers keep going while interval flushes happen.
  for (int i = 0; i < 300; i++) {
    ASSERT_OK(Put("k", i, "v" + std::to_string(i)));
    if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  EXPECT_GT(db_->GetStats().flushes, 2u);
  Reopen();
  EXPECT_EQ("v299", Get("k", 299));
}

TEST_F(DBTest, ConcurrentWritersShareGroupCommits) {
  options_.sync_mode = SyncMode::kAlways;
  Reopen();
  constexpr int kThreads = 8, kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; i++) {
        EXPECT_OK(Put("t" + std::to_string(t), i, std::to_string(i)));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(uint64_t{kThreads * kPerThread}, db_->LatestSequence());
  EXPECT_EQ(size_t{kThreads * kPerThread}, Scan(ScanOptions()).size());
  DBStats st = db_->GetStats();
  EXPECT_EQ(uint64_t{kThreads * kPerThread}, st.records_written);
  EXPECT_LE(st.write_groups, st.records_written);
}

TEST_F(DBTest, ReadersSeeConsistentSnapshotsWhileWritersRun) {
  options_.memtable_size = 64 << 10;
  Reopen();
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  // Every batch writes the same counter to two keys; a reader must always
  // see equal values (a batch is atomic and a scan is a snapshot).
  std::thread writer([&] {
    for (int i = 1; i <= 3000 && !errors; i++) {
      WriteBatch b;
      b.Put("a", 0, std::to_string(i));
      b.Put("b", 0, std::to_string(i));
      EXPECT_OK(db_->Write(&b));
    }
    stop = true;
  });
  std::thread reader([&] {
    while (!stop) {
      std::unique_ptr<ScanCursor> c = db_->NewScan(ReadOptions(), ScanOptions());
      std::vector<std::string> values;
      while (c->Next()) values.emplace_back(c->value());
      if (values.size() == 2 && values[0] != values[1]) errors++;
    }
  });
  writer.join();
  reader.join();
  EXPECT_EQ(0, errors.load());
}

// --- Recovery from damaged WALs -------------------------------------------

TEST_F(DBTest, TornWalTailIsTruncated) {
  Reopen();
  ASSERT_OK(Put("a", 1, "first"));
  ASSERT_OK(Put("b", 1, std::string(500, 'x')));
  db_.reset();
  std::string last = WalLargerThan(100);
  ASSERT_FALSE(last.empty());
  std::string contents;
  ASSERT_OK(ReadFileToString(env_.get(), last, &contents));
  // Cut the last record short: a crash in the middle of its write.
  ASSERT_OK(WriteStringToFile(env_.get(), contents.substr(0, contents.size() - 100), last, true));
  Reopen();
  EXPECT_EQ("first", Get("a", 1));
  EXPECT_EQ("NOT_FOUND", Get("b", 1));
  // The next write takes the lost write's sequence number; a later reopen
  // sees a clean log.
  ASSERT_OK(Put("c", 1, "after"));
  Reopen();
  EXPECT_EQ("first", Get("a", 1));
  EXPECT_EQ("after", Get("c", 1));
}

TEST_F(DBTest, CorruptRecordInMiddleOfWalIsReported) {
  Reopen();
  for (int i = 0; i < 10; i++) ASSERT_OK(Put("k" + std::to_string(i), i, std::string(100, 'a' + i)));
  db_.reset();
  std::string wal = WalLargerThan(1000);
  ASSERT_FALSE(wal.empty());
  std::string contents;
  ASSERT_OK(ReadFileToString(env_.get(), wal, &contents));
  contents[contents.size() / 2] ^= 0x40;
  ASSERT_OK(WriteStringToFile(env_.get(), contents, wal, true));
  Status s = Open();
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("wal/")) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("offset")) << s.ToString();
}

TEST_F(DBTest, WalDamageFollowedByValidRecordsFailsOpenUnlessSalvaged) {
  // Damage in the middle of the newest WAL is not a torn tail: dropping
  // everything after it would lose acknowledged writes without a word.
  struct Damage {
    const char* name;
    uint64_t begin, end;  // damaged bytes; zeroed, or flipped for "flip"
  };
  for (Damage d : {Damage{"flip", 5000, 5003}, Damage{"zero page", 4096, 8192},
                   Damage{"flipped length", 0, 0}}) {
    SCOPED_TRACE(d.name);
    db_.reset();
    ASSERT_OK(DestroyDB(dbname_, options_));
    options_.wal_recovery = WalRecovery::kStrict;
    Reopen();
    const int kBatches = 60;
    for (int i = 0; i < kBatches; i++) {
      ASSERT_OK(Put("k" + std::to_string(i), i, std::string(200, static_cast<char>('a' + i % 26))));
    }
    db_.reset();
    std::vector<std::string> wals = WalFiles();
    ASSERT_FALSE(wals.empty());
    const std::string wal = wals.back();
    std::string contents;
    ASSERT_OK(ReadFileToString(env_.get(), wal, &contents));
    ASSERT_GT(contents.size(), 12000u);
    if (std::string(d.name) == "flipped length") {
      // The length of a record near the middle, made to point past the end.
      d.begin = contents.size() / 2;
      d.end = d.begin + 1;
      // Find a record start: records follow the 16-byte header back to back.
      uint64_t pos = 16;
      while (pos + 8 < d.begin) pos += 8 + DecodeFixed32(contents.data() + pos);
      d.begin = pos + 3;
      d.end = pos + 4;
      contents[d.begin] = 0x10;
    } else {
      for (uint64_t p = d.begin; p < d.end; p++) {
        contents[p] = std::string(d.name) == "flip" ? static_cast<char>(contents[p] ^ 0x5a) : '\0';
      }
    }
    ASSERT_OK(WriteStringToFile(env_.get(), contents, wal, true));

    Status s = Open();
    ASSERT_TRUE(s.IsCorruption()) << s.ToString();
    const std::string wal_name = "wal/" + wal.substr(WalDirName(dbname_).size() + 1);
    EXPECT_NE(std::string::npos, s.ToString().find(wal_name + " at offset ")) << s.ToString();
    EXPECT_NE(std::string::npos, s.ToString().find("a valid record follows")) << s.ToString();
    // Opening again fails again: nothing was cut off.
    EXPECT_TRUE(Open().IsCorruption());

    options_.wal_recovery = WalRecovery::kSalvage;
    Reopen();
    DBStats st = db_->GetStats();
    EXPECT_EQ(st.wal_skipped_regions, 1u);
    EXPECT_GT(st.wal_skipped_bytes, 0u);
    EXPECT_LE(st.wal_skipped_bytes, d.end - d.begin + 2 * 260);
    int found = 0;
    for (int i = 0; i < kBatches; i++) {
      std::string v = Get("k" + std::to_string(i), i);
      if (v == "NOT_FOUND") continue;
      EXPECT_EQ(v, std::string(200, static_cast<char>('a' + i % 26)));
      found++;
    }
    // Only the batches in the damaged stretch are gone; the last one is kept.
    EXPECT_GE(found, kBatches - static_cast<int>((d.end - d.begin) / 200) - 2);
    EXPECT_LT(found, kBatches);
    EXPECT_NE("NOT_FOUND", Get("k" + std::to_string(kBatches - 1), kBatches - 1));
    // What was salvaged is in SSTables: a strict open sees a clean database.
    options_.wal_recovery = WalRecovery::kStrict;
    Reopen();
    EXPECT_EQ(db_->GetStats().wal_skipped_regions, 0u);
    int found_again = 0;
    for (int i = 0; i < kBatches; i++) found_again += Get("k" + std::to_string(i), i) != "NOT_FOUND";
    EXPECT_EQ(found_again, found);
  }
}

TEST_F(DBTest, NewestWalWithAZeroFirstPageBeforeAcknowledgedRecordsIsCorruption) {
  // A new WAL's header is synced before any record goes in, so a zero first
  // page followed by records is damage: reading it as an empty log would
  // drop acknowledged writes silently. In every sync mode, the open fails
  // naming the file and offset, and salvage keeps the records after it.
  for (SyncMode mode : {SyncMode::kAlways, SyncMode::kInterval, SyncMode::kNone}) {
    SCOPED_TRACE(static_cast<int>(mode));
    db_.reset();
    ASSERT_OK(DestroyDB(dbname_, options_));
    options_.sync_mode = mode;
    options_.wal_recovery = WalRecovery::kStrict;
    ASSERT_NO_FATAL_FAILURE(Reopen());
    ASSERT_OK(Put("flushed", 1, "kept"));
    ASSERT_OK(db_->Flush());
    for (int i = 0; i < 40; i++) ASSERT_OK(Put("w" + std::to_string(i), i, std::string(300, 'w')));
    db_.reset();
    const std::string wal = WalFiles().back();
    std::string contents;
    ASSERT_OK(ReadFileToString(env_.get(), wal, &contents));
    ASSERT_GT(contents.size(), 8192u);
    std::fill(contents.begin(), contents.begin() + 4096, '\0');
    ASSERT_OK(WriteStringToFile(env_.get(), contents, wal, true));
    Status s = Open();
    ASSERT_TRUE(s.IsCorruption()) << s.ToString();
    const std::string shown = wal.substr(dbname_.size() + 1);
    EXPECT_NE(s.ToString().find(shown + " at offset 0: first page is zero bytes"),
              std::string::npos)
        << s.ToString();
    options_.wal_recovery = WalRecovery::kSalvage;
    ASSERT_NO_FATAL_FAILURE(Reopen());
    EXPECT_EQ(db_->GetStats().wal_skipped_regions, 1u);
    EXPECT_EQ("kept", Get("flushed", 1));
    EXPECT_EQ("NOT_FOUND", Get("w0", 0));  // its record was in the zero page
    for (int i = 20; i < 40; i++) EXPECT_EQ(std::string(300, 'w'), Get("w" + std::to_string(i), i));
    options_.wal_recovery = WalRecovery::kStrict;
    ASSERT_NO_FATAL_FAILURE(Reopen());
    EXPECT_EQ(std::string(300, 'w'), Get("w39", 39));
  }
  options_.sync_mode = SyncMode::kAlways;
}

TEST_F(DBTest, NewestWalWhoseHeaderWasLostOpensAsEmpty) {
  // A power loss while a new WAL's header was written and synced leaves
  // zeros, perhaps with a fragment after them but no whole record: nothing
  // in it was acknowledged, so it reads as an empty log.
  for (const std::string& data :
       {std::string(16, '\0'), std::string(4096, '\0'), std::string(4096, '\0') + "\x07\x01"}) {
    SCOPED_TRACE(data.size());
    db_.reset();
    ASSERT_OK(DestroyDB(dbname_, options_));
    ASSERT_NO_FATAL_FAILURE(Reopen());
    ASSERT_OK(Put("flushed", 1, "kept"));
    ASSERT_OK(db_->Flush());
    db_.reset();
    const std::string wal = WalFiles().back();
    ASSERT_OK(WriteStringToFile(env_.get(), data, wal, true));
    ASSERT_NO_FATAL_FAILURE(Reopen());
    EXPECT_EQ("kept", Get("flushed", 1));
    ASSERT_OK(Put("after", 1, "x"));
    ASSERT_NO_FATAL_FAILURE(Reopen());
    EXPECT_EQ("x", Get("after", 1));
  }
}

TEST_F(DBTest, OlderWalWithAZeroFirstPageIsCorruption) {
  // A WAL followed by a newer one was complete when the next was created:
  // its header cannot be a lost first write.
  Reopen();
  for (int i = 0; i < 40; i++) ASSERT_OK(Put("w" + std::to_string(i), i, std::string(300, 'w')));
  db_.reset();
  Reopen();  // replays into a memtable that keeps that WAL, and starts a new one
  ASSERT_OK(Put("newer", 1, "x"));
  db_.reset();
  std::vector<std::string> wals = WalFiles();
  ASSERT_GE(wals.size(), 2u);
  std::string contents;
  ASSERT_OK(ReadFileToString(env_.get(), wals[0], &contents));
  ASSERT_GT(contents.size(), 8192u);
  std::fill(contents.begin(), contents.begin() + 4096, '\0');
  ASSERT_OK(WriteStringToFile(env_.get(), contents, wals[0], true));
  Status s = Open();
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("bad magic number")) << s.ToString();
}

TEST_F(DBTest, CorruptSSTableIsReportedWithItsName) {
  options_.block_cache_size = 0;
  Reopen();
  for (int i = 0; i < 200; i++) ASSERT_OK(Put("k" + std::to_string(i), i, std::string(100, 'v')));
  ASSERT_OK(db_->Flush());
  db_.reset();
  std::vector<std::string> names;
  ASSERT_OK(env_->GetChildren(TableDirName(dbname_), &names));
  ASSERT_EQ(1u, names.size());
  std::string sst = TableDirName(dbname_) + "/" + names[0];
  std::string contents;
  ASSERT_OK(ReadFileToString(env_.get(), sst, &contents));
  contents[10] ^= 0x01;  // inside the first data block
  ASSERT_OK(WriteStringToFile(env_.get(), contents, sst, true));
  Reopen();
  std::unique_ptr<ScanCursor> c = db_->NewScan(ReadOptions(), ScanOptions());
  while (c->Next()) {
  }
  ASSERT_TRUE(c->status().IsCorruption()) << c->status().ToString();
  std::string v;
  Status s = db_->Get(ReadOptions(), "k0", 0, &v);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(DBTest, MissingCurrentWithTablesIsCorruption) {
  Reopen();
  ASSERT_OK(Put("k", 1, "v"));
  ASSERT_OK(db_->Flush());
  db_.reset();
  ASSERT_OK(env_->RemoveFile(CurrentFileName(dbname_)));
  EXPECT_TRUE(Open().IsCorruption());
}

TEST_F(DBTest, DestroyRemovesEverything) {
  Reopen();
  ASSERT_OK(Put("k", 1, "v"));
  ASSERT_OK(db_->Flush());
  db_.reset();
  ASSERT_OK(DestroyDB(dbname_, options_));
  options_.create_if_missing = false;
  EXPECT_FALSE(Open().ok());
}

// --- Power loss with the fault-injecting Env --------------------------------

TEST(DBPowerLossTest, SyncedWritesSurviveDroppedUnsyncedData) {
  for (SyncMode mode : {SyncMode::kAlways, SyncMode::kNone}) {
    SCOPED_TRACE(static_cast<int>(mode));
    std::unique_ptr<Env> mem = NewMemEnv();
    FaultInjectionEnv fault(mem.get());
    Options options;
    options.env = &fault;
    options.sync_mode = mode;
    options.memtable_size = 64 << 10;
    // The fault Env models a crash between file operations, while the DB
    // keeps running after the "crash": a merge writing its output during
    // DropUnsyncedData would append past the cut. So no automatic
    // compaction here, and a flush in progress is let finish below.
    options.compaction_trigger = 0;
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, "/db", &db));
    for (int i = 0; i < 2000; i++) {
      WriteBatch b;
      b.Put("k" + std::to_string(i % 300), i, std::string(50, 'v'));
      ASSERT_OK(db->Write(&b));
    }
    // Simulate power loss: no Close, drop whatever was not synced.
    while (db->GetStats().frozen_memtables > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_OK(fault.DropUnsyncedData());
    db.reset();  // releases the lock; its Close writes nothing that matters
    ASSERT_OK(fault.DropUnsyncedData());
    ASSERT_OK(DB::Open(options, "/db", &db));
    std::unique_ptr<ScanCursor> c = db->NewScan(ReadOptions(), ScanOptions());
    size_t n = 0;
    int64_t max_ts = -1;
    while (c->Next()) {
      n++;
      max_ts = std::max(max_ts, c->ts());
    }
    ASSERT_OK(c->status());
    if (mode == SyncMode::kAlways) {
      EXPECT_EQ(2000u, n);
    } else {
      // Some suffix of the writes may be lost, never a write in the middle.
      EXPECT_EQ(static_cast<int64_t>(n) - 1, max_ts);
    }
  }
}

TEST(DBPowerLossTest, NewWalHeaderIsDurableBeforeItsFirstRecord) {
  // In every sync mode, a power loss after writes to a new WAL segment (the
  // one made at open, or one made by a memtable switch) keeps at least its
  // header: it is synced when the segment is created, so recovery can tell
  // a damaged first page from one a power loss took.
  for (SyncMode mode : {SyncMode::kAlways, SyncMode::kInterval, SyncMode::kNone}) {
    for (bool switched : {false, true}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(mode)) + (switched ? " switched" : ""));
      std::unique_ptr<Env> mem = NewMemEnv();
      FaultInjectionEnv fault(mem.get());
      Options options;
      options.env = &fault;
      options.sync_mode = mode;
      options.sync_interval_ms = 60 * 1000;
      options.compaction_trigger = 0;
      std::unique_ptr<DB> db;
      ASSERT_OK(DB::Open(options, "/db", &db));
      if (switched) {
        WriteBatch b;
        b.Put("flushed", 0, "v");
        ASSERT_OK(db->Write(&b));
        ASSERT_OK(db->Flush());
      }
      std::vector<std::string> wals;
      ASSERT_OK(fault.GetChildren(WalDirName("/db"), &wals));
      std::sort(wals.begin(), wals.end());
      const std::string wal = WalDirName("/db") + "/" + wals.back();
      std::string contents;
      ASSERT_OK(ReadFileToString(&fault, wal, &contents));
      EXPECT_EQ(contents.size(), 16u);  // the header, before any record
      for (int i = 0; i < 3; i++) {
        WriteBatch b;
        b.Put("k" + std::to_string(i), i, std::string(100, 'v'));
        ASSERT_OK(db->Write(&b));
      }
      // The power loss: no Close, whatever was not synced is gone.
      ASSERT_OK(fault.DropUnsyncedData());
      ASSERT_OK(ReadFileToString(&fault, wal, &contents));
      ASSERT_GE(contents.size(), 16u) << wal;
      EXPECT_EQ(contents.substr(0, 8), "FLOWLOG1");
      db.reset();
    }
  }
}

// A DB over an in-memory file system that injects faults on demand.
class DBFaultTest : public ::testing::Test {
 protected:
  DBFaultTest() : mem_(NewMemEnv()), fault(mem_.get()) { options.env = &fault; }
  void SetUp() override { ASSERT_OK(DB::Open(options, "/db", &db)); }

  std::unique_ptr<Env> mem_;
  FaultInjectionEnv fault;
  Options options;
  std::unique_ptr<DB> db;
};

TEST_F(DBFaultTest, FailedSyncMakesDatabaseReadOnly) {
  WriteBatch b;
  b.Put("k", 1, "v");
  ASSERT_OK(db->Write(&b));
  fault.SetFailSync(true);
  Status s = db->Write(&b);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  fault.SetFailSync(false);
  // The WAL tail is unknown: the engine refuses writes but still reads.
  EXPECT_FALSE(db->Write(&b).ok());
  std::string v;
  ASSERT_OK(db->Get(ReadOptions(), "k", 1, &v));
  EXPECT_EQ("v", v);
}

TEST_F(DBFaultTest, NoSpaceIsReported) {
  fault.SetNoSpace(true);
  WriteBatch b;
  b.Put("k", 1, "v");
  Status s = db->Write(&b);
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
}

TEST(DBPosixTest, PersistsAndLocksOnDisk) {
  std::string dir = test::TempDir("db_posix");
  Options options;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, dir, &db));
  WriteBatch b;
  b.Put("k", 1, "v");
  ASSERT_OK(db->Write(&b));
  std::unique_ptr<DB> second;
  EXPECT_TRUE(DB::Open(options, dir, &second).IsLocked());
  ASSERT_OK(db->Close());
  db.reset();
  ASSERT_OK(DB::Open(options, dir, &db));
  std::string v;
  ASSERT_OK(db->Get(ReadOptions(), "k", 1, &v));
  EXPECT_EQ("v", v);
  db.reset();
  std::filesystem::remove_all(dir);
}

// createIfMissing creates the missing folders above the database too (as
// mkdir -p); without it nothing is created.
TEST(DBPosixTest, CreatesMissingParentDirectories) {
  const std::string root = test::TempDir("db_parents");
  const std::string dbname = root + "/a/b/db";
  Options options;
  options.create_if_missing = false;
  std::unique_ptr<DB> db;
  EXPECT_TRUE(DB::Open(options, dbname, &db).IsInvalidArgument());
  EXPECT_FALSE(std::filesystem::exists(root + "/a"));
  options.create_if_missing = true;
  ASSERT_OK(DB::Open(options, dbname, &db));
  WriteBatch b;
  b.Put("k", 1, "v");
  ASSERT_OK(db->Write(&b));
  ASSERT_OK(db->Close());
  db.reset();
  options.create_if_missing = false;
  ASSERT_OK(DB::Open(options, dbname, &db));
  std::string v;
  ASSERT_OK(db->Get(ReadOptions(), "k", 1, &v));
  EXPECT_EQ("v", v);
  db.reset();
  // A file where a parent folder should be: a clear error, not a crash.
  const std::string blocked = root + "/file";
  ASSERT_OK(WriteStringToFile(Env::Default(), "x", blocked, false));
  options.create_if_missing = true;
  Status s = DB::Open(options, blocked + "/db", &db);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(nullptr, db);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace flowdb

namespace flowdb {
namespace {

TEST(DBDefaultTtlTest, AppliesToPutsWithoutExpiry) {
  std::unique_ptr<Env> env = NewMemEnv();
  Options options;
  options.env = env.get();
  options.default_ttl_us = 3600LL * 1000000;  // one hour
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, "/db", &db));
  int64_t before = env->NowMicros();
  WriteBatch b;
  b.Put("default", 1, "v");
  b.Put("explicit", 1, "v", before + 10000000);
  b.Delete("gone", 1);
  ASSERT_OK(db->Write(&b));
  EXPECT_EQ(3u, b.Count());  // the caller's batch is not changed
  std::string v;
  int64_t exp = 0;
  ASSERT_OK(db->Get(ReadOptions(), "default", 1, &v, &exp));
  EXPECT_GE(exp, before + options.default_ttl_us);
  EXPECT_LE(exp, env->NowMicros() + options.default_ttl_us);
  ASSERT_OK(db->Get(ReadOptions(), "explicit", 1, &v, &exp));
  EXPECT_EQ(before + 10000000, exp);
  // An explicit "never" entry (as the JS layer encodes expireAt: Infinity).
  std::string rep(12, '\0');
  EncodeFixed32(rep.data() + 8, 1);
  rep.push_back(static_cast<char>(kTypeValueExpiring));
  PutLengthPrefixed(&rep, "never");
  PutFixed64(&rep, 1);
  PutFixed64(&rep, static_cast<uint64_t>(kNoExpiry));
  PutLengthPrefixed(&rep, "v");
  WriteBatch never;
  ASSERT_OK(WriteBatch::FromRep(rep, &never));
  ASSERT_OK(db->Write(&never));
  ASSERT_OK(db->Get(ReadOptions(), "never", 1, &v, &exp));
  EXPECT_EQ(kNoExpiry, exp);
}

}  // namespace
}  // namespace flowdb
