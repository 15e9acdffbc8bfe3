// Engine tests for what keeps a long-running DB in shape: range deletes,
// compaction, snapshots, whole-file expiry, Patch, the OPTIONS file, and
// compaction racing readers and writers (also run under ThreadSanitizer).

#include <atomic>
#include <thread>

#include "db/filename.h"
#include "flowdb/db.h"
#include "test_util.h"

namespace flowdb {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000;  // µs

class DBCompactionTest : public ::testing::Test {
 protected:
  DBCompactionTest() : base_(NewMemEnv()), env_(base_.get()) {
    env_.SetNowMicros(kT0);
    options_.env = &env_;
    options_.memtable_size = 64 << 10;
    options_.block_size = 1024;
  }
  ~DBCompactionTest() override { db_.reset(); }

  void Reopen() {
    db_.reset();
    ASSERT_OK(DB::Open(options_, "/db", &db_));
  }
  Status Put(std::string_view k, int64_t ts, std::string_view v, int64_t exp = kNoExpiry) {
    WriteBatch b;
    b.Put(k, ts, v, exp);
    return db_->Write(&b);
  }
  std::string Get(std::string_view k, int64_t ts, const Snapshot* snap = nullptr) {
    ReadOptions ro;
    if (snap != nullptr) ro.snapshot = snap;
    std::string v;
    Status s = db_->Get(ro, k, ts, &v);
    if (s.IsNotFound()) return "NOT_FOUND";
    return s.ok() ? v : s.ToString();
  }
  std::string Latest(std::string_view k) {
    Record r;
    Status s = db_->GetLatest(ReadOptions(), k, &r);
    if (s.IsNotFound()) return "NOT_FOUND";
    return s.ok() ? std::to_string(r.ts) + "=" + r.value : s.ToString();
  }
  // "key@ts" of every live record, in order.
  std::string All(const Snapshot* snap = nullptr) {
    ReadOptions ro;
    if (snap != nullptr) ro.snapshot = snap;
    std::string out;
    std::unique_ptr<RecordIterator> it = db_->NewIterator(ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out += std::string(it->key()) + "@" + std::to_string(it->ts()) + " ";
    }
    EXPECT_OK(it->status());
    return out;
  }
  size_t TableFiles() {
    std::vector<std::string> names;
    EXPECT_OK(env_.GetChildren(TableDirName("/db"), &names));
    size_t n = 0;
    for (const auto& name : names) n += name.size() > 4 && name.substr(name.size() - 4) == ".sst";
    return n;
  }
  // Writes n records (key%keys, ts) with 100-byte values and flushes.
  void FillAndFlush(int n, int keys, int64_t ts, int64_t exp = kNoExpiry) {
    WriteBatch b;
    for (int i = 0; i < n; i++) {
      b.Put("key" + std::to_string(i % keys), ts, std::string(100, 'a' + i % 26), exp);
    }
    ASSERT_OK(db_->Write(&b));
    ASSERT_OK(db_->Flush());
  }

  std::unique_ptr<Env> base_;
  ManualClockEnv env_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBCompactionTest, DeleteRangeHidesOlderWritesOnly) {
  Reopen();
  for (const char* k : {"a", "b", "ba", "c", "d"}) {
    ASSERT_OK(Put(k, 1, "v1"));
    ASSERT_OK(Put(k, 2, "v2"));
  }
  ASSERT_OK(db_->DeleteRange("b", "d"));  // b, ba, c; not d
  EXPECT_EQ("a@1 a@2 d@1 d@2 ", All());
  EXPECT_EQ("NOT_FOUND", Get("ba", 1));
  EXPECT_EQ("NOT_FOUND", Latest("c"));
  EXPECT_EQ("2=v2", Latest("d"));
  ASSERT_OK(Put("c", 5, "new"));  // written after the delete: visible
  EXPECT_EQ("new", Get("c", 5));
  EXPECT_EQ("5=new", Latest("c"));
  EXPECT_EQ("a@1 a@2 c@5 d@1 d@2 ", All());
  // The same answers from an SSTable, after a full compaction, after reopen.
  ASSERT_OK(db_->Flush());
  EXPECT_EQ("a@1 a@2 c@5 d@1 d@2 ", All());
  ASSERT_OK(db_->CompactAll());
  EXPECT_EQ("a@1 a@2 c@5 d@1 d@2 ", All());
  EXPECT_EQ("NOT_FOUND", Get("b", 2));
  Reopen();
  EXPECT_EQ("a@1 a@2 c@5 d@1 d@2 ", All());
  EXPECT_EQ("5=new", Latest("c"));
  EXPECT_EQ(0u, db_->GetStats().range_deletions);  // dropped at the bottom
}

TEST_F(DBCompactionTest, DeleteRangeOverOlderSSTablesSurvivesPartialCompaction) {
  options_.compaction_trigger = 0;
  Reopen();
  FillAndFlush(100, 100, 1);             // oldest file: key0..key99
  ASSERT_OK(db_->DeleteRange("key1", "key2"));  // key1, key10..key19
  ASSERT_OK(db_->Flush());               // a file holding only the tombstone
  EXPECT_EQ("NOT_FOUND", Get("key15", 1));
  EXPECT_EQ(1u, db_->GetStats().range_deletions);
  Reopen();                              // tombstones reload from the SSTable
  EXPECT_EQ("NOT_FOUND", Get("key15", 1));
  EXPECT_EQ("NOT_FOUND", Latest("key1"));
  EXPECT_NE("NOT_FOUND", Get("key2", 1));
  ASSERT_OK(db_->CompactAll());
  EXPECT_EQ("NOT_FOUND", Get("key15", 1));
  EXPECT_EQ(0u, db_->GetStats().range_deletions);
}

TEST_F(DBCompactionTest, DeleteRangeRejectsEmptyOrInvertedRange) {
  Reopen();
  EXPECT_TRUE(db_->DeleteRange("b", "b").IsInvalidArgument());
  EXPECT_TRUE(db_->DeleteRange("c", "b").IsInvalidArgument());
  WriteBatch bad;
  std::string rep = bad.Rep();
  // A batch whose range entry has start >= end is malformed.
  rep[8] = 1;
  rep += '\x03';
  rep += '\x01';
  rep += 'b';
  rep += '\x01';
  rep += 'a';
  EXPECT_TRUE(WriteBatch::FromRep(rep, &bad).IsInvalidArgument());
}

TEST_F(DBCompactionTest, AutomaticCompactionBoundsFileCountAndDropsOverwrites) {
  options_.compaction_trigger = 3;
  Reopen();
  for (int round = 0; round < 12; round++) FillAndFlush(300, 300, 7);  // same records again
  // Wait for the background thread to catch up.
  for (int i = 0; i < 500 && db_->GetStats().sstables >= 3; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  DBStats st = db_->GetStats();
  EXPECT_LT(st.sstables, 3u);
  EXPECT_GT(st.compactions, 0u);
  EXPECT_GT(st.compaction_entries_dropped, 0u);
  ASSERT_OK(db_->CompactAll());
  st = db_->GetStats();
  EXPECT_EQ(1u, st.sstables);
  // One version of each record is left: about one round's worth of bytes.
  EXPECT_LT(st.sstable_bytes, 300u * 140u);
  EXPECT_EQ(st.sstables, TableFiles());
  EXPECT_EQ(std::string(100, 'a' + 17 % 26), Get("key17", 7));
}

// A compaction's input files are deleted, and their cached blocks with them:
// otherwise they would hold block cache memory until they aged out.
TEST_F(DBCompactionTest, DeletedTablesLeaveTheBlockCache) {
  options_.compaction_trigger = 0;
  Reopen();
  for (int round = 0; round < 3; round++) FillAndFlush(300, 300, round);
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 300; i += 7) ASSERT_NE("NOT_FOUND", Get("key" + std::to_string(i), round));
  }
  const uint64_t cached = db_->GetStats().block_cache_bytes;
  ASSERT_GT(cached, 0u);
  ASSERT_OK(db_->CompactAll());  // the output's blocks are not cached
  EXPECT_EQ(0u, db_->GetStats().block_cache_bytes);
  EXPECT_EQ(std::string(100, 'a' + 14 % 26), Get("key14", 2));
  EXPECT_GT(db_->GetStats().block_cache_bytes, 0u);
}

TEST_F(DBCompactionTest, SnapshotKeepsItsVersionsThroughCompaction) {
  options_.compaction_trigger = 0;
  Reopen();
  ASSERT_OK(Put("k", 1, "old"));
  ASSERT_OK(Put("gone", 1, "x"));
  ASSERT_OK(db_->Flush());
  const Snapshot* snap = db_->GetSnapshot();
  ASSERT_OK(Put("k", 1, "new"));
  ASSERT_OK(db_->DeleteRange("gone", "gone\x01"));
  ASSERT_OK(Put("later", 1, "y"));
  ASSERT_OK(db_->CompactAll());
  EXPECT_EQ("new", Get("k", 1));
  EXPECT_EQ("old", Get("k", 1, snap));
  EXPECT_EQ("x", Get("gone", 1, snap));
  EXPECT_EQ("NOT_FOUND", Get("gone", 1));
  EXPECT_EQ("gone@1 k@1 ", All(snap));
  EXPECT_EQ("k@1 later@1 ", All());
  EXPECT_EQ(1u, db_->GetStats().snapshots);
  db_->ReleaseSnapshot(snap);
  EXPECT_EQ(0u, db_->GetStats().snapshots);
  uint64_t before = db_->GetStats().sstable_bytes;
  ASSERT_OK(db_->CompactAll());
  EXPECT_LT(db_->GetStats().sstable_bytes, before);  // "old" and "gone" are gone
  EXPECT_EQ("k@1 later@1 ", All());
}

TEST_F(DBCompactionTest, ExpiredRecordsVanishAndWholeFilesAreDropped) {
  options_.compaction_trigger = 0;
  Reopen();
  FillAndFlush(200, 200, 1, kT0 + 1000);  // expires at +1 ms
  FillAndFlush(200, 200, 2, kT0 + 5000);  // expires at +5 ms
  FillAndFlush(200, 200, 3);              // never
  EXPECT_EQ(3u, db_->GetStats().sstables);
  env_.AdvanceMicros(2000);
  EXPECT_EQ("NOT_FOUND", Get("key5", 1));  // invisible at once
  EXPECT_NE("NOT_FOUND", Get("key5", 2));
  uint64_t files = 0, entries = 0;
  ASSERT_OK(db_->DropExpiredFiles(&files, &entries));
  EXPECT_EQ(1u, files);
  EXPECT_EQ(200u, entries);
  env_.AdvanceMicros(10000);
  ASSERT_OK(db_->DropExpiredFiles(&files, &entries));
  EXPECT_EQ(1u, files);
  DBStats st = db_->GetStats();
  EXPECT_EQ(1u, st.sstables);
  EXPECT_EQ(2u, st.gc_files);
  EXPECT_EQ(400u, st.gc_records);
  EXPECT_EQ(1u, TableFiles());
  EXPECT_EQ("3=" + std::string(100, 'a' + 5), Latest("key5"));
}

TEST_F(DBCompactionTest, ExpiredFileAboveOlderVersionsIsKept) {
  options_.compaction_trigger = 0;
  Reopen();
  FillAndFlush(10, 10, 1);                  // (keyN, 1) forever, older file
  FillAndFlush(10, 10, 1, kT0 + 1000);      // overwrites (keyN, 1), expiring
  env_.AdvanceMicros(2000);
  EXPECT_EQ("NOT_FOUND", Get("key3", 1));
  uint64_t files = 0;
  ASSERT_OK(db_->DropExpiredFiles(&files, nullptr));
  EXPECT_EQ(0u, files);  // dropping it would bring the older versions back
  EXPECT_EQ("NOT_FOUND", Get("key3", 1));
  ASSERT_OK(db_->CompactAll());  // bottommost: both versions go
  EXPECT_EQ("NOT_FOUND", Get("key3", 1));
  EXPECT_EQ("", All());
  EXPECT_EQ(0u, db_->GetStats().sstables);
}

TEST_F(DBCompactionTest, CompactionDropsExpiredAndKeepsHidingOlderVersions) {
  options_.compaction_trigger = 0;
  Reopen();
  FillAndFlush(10, 10, 1);
  FillAndFlush(10, 10, 1, kT0 + 1000);
  FillAndFlush(10, 10, 2);
  env_.AdvanceMicros(2000);
  // Merge only the two newest files: not bottommost, so the expired
  // versions must turn into tombstones rather than vanish.
  options_.compaction_trigger = 2;
  options_.compaction_size_ratio = 0;
  options_.max_space_amplification = 1000;
  Reopen();
  for (int i = 0; i < 500 && db_->GetStats().compactions == 0; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ("NOT_FOUND", Get("key3", 1));
  EXPECT_NE("NOT_FOUND", Get("key3", 2));
  Reopen();
  EXPECT_EQ("NOT_FOUND", Get("key3", 1));
}

TEST_F(DBCompactionTest, DefaultTtlCountsFromWriteTimeOrFromTs) {
  options_.default_ttl_us = 1000;
  Reopen();
  ASSERT_OK(Put("w", 5, "v"));  // expires at now + 1 ms, whatever its ts
  std::string v;
  int64_t exp = 0;
  ASSERT_OK(db_->Get(ReadOptions(), "w", 5, &v, &exp));
  EXPECT_EQ(kT0 + 1000, exp);
  options_.ttl_basis = Options::TtlBasis::kRecordTs;
  Reopen();
  ASSERT_OK(Put("t", kT0 + 500, "v"));
  ASSERT_OK(Put("old", kT0 - 5000, "v"));  // already past ts + ttl: invisible
  ASSERT_OK(Put("never", 7, "v", kNoExpiry - 1));
  ASSERT_OK(db_->Get(ReadOptions(), "t", kT0 + 500, &v, &exp));
  EXPECT_EQ(kT0 + 1500, exp);
  EXPECT_EQ("NOT_FOUND", Get("old", kT0 - 5000));
  ASSERT_OK(db_->Get(ReadOptions(), "never", 7, &v, &exp));
  EXPECT_EQ(kNoExpiry - 1, exp);
  ASSERT_OK(Put("edge", INT64_MAX - 10, "v"));  // saturates instead of wrapping
  ASSERT_OK(db_->Get(ReadOptions(), "edge", INT64_MAX - 10, &v, &exp));
  EXPECT_EQ(kNoExpiry - 1, exp);
}

TEST_F(DBCompactionTest, PatchIsAtomicAgainstConcurrentPuts) {
  Reopen();
  PatchOptions p;
  p.set_value = true;
  p.value = "x";
  Record out;
  EXPECT_TRUE(db_->Patch("k", 1, p, &out).IsNotFound());
  ASSERT_OK(Put("k", 1, "v0"));
  // One thread overwrites the value; another only moves the expiry. No
  // patch may write back a stale value.
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 1; i <= 2000; i++) ASSERT_OK(Put("k", 1, "v" + std::to_string(i)));
    done = true;
  });
  PatchOptions ttl;
  ttl.set_expire_at = true;
  int patches = 0;
  while (!done) {
    ttl.expire_at = kT0 + 1'000'000 + patches;
    ASSERT_OK(db_->Patch("k", 1, ttl, &out));
    patches++;
  }
  writer.join();
  ttl.expire_at = kT0 + 7'000'000;
  ASSERT_OK(db_->Patch("k", 1, ttl, &out));
  EXPECT_EQ("v2000", out.value);
  std::string v;
  int64_t exp;
  ASSERT_OK(db_->Get(ReadOptions(), "k", 1, &v, &exp));
  EXPECT_EQ("v2000", v);
  EXPECT_EQ(kT0 + 7'000'000, exp);
  EXPECT_GT(patches, 0);
}

TEST_F(DBCompactionTest, OpenIteratorKeepsCompactedFilesReadable) {
  options_.compaction_trigger = 0;
  Reopen();
  FillAndFlush(100, 100, 1);
  FillAndFlush(100, 100, 2);
  std::unique_ptr<RecordIterator> it = db_->NewIterator(ReadOptions());
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  ASSERT_OK(db_->CompactAll());
  EXPECT_EQ(3u, TableFiles());  // the iterator's files stay until it is done
  int n = 0;
  for (; it->Valid(); it->Next()) n++;
  ASSERT_OK(it->status());
  EXPECT_EQ(200, n);
  it.reset();
  ASSERT_OK(Put("x", 1, "y"));
  ASSERT_OK(db_->Flush());  // a flush cleans up what nobody holds...
  // ...just after Flush() returns: the background thread deletes the files.
  for (int i = 0; i < 200 && TableFiles() != 2; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(2u, TableFiles());
}

TEST_F(DBCompactionTest, IncompatibleStoredSettingsFailToOpen) {
  options_.stored_settings = {{"key_encoding", "utf8"}};
  Reopen();
  ASSERT_OK(Put("k", 1, "v"));
  db_.reset();
  options_.stored_settings = {{"key_encoding", "binary"}};
  Status s = DB::Open(options_, "/db", &db_);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("key_encoding")) << s.ToString();
  // Tuning options may change.
  options_.stored_settings = {{"key_encoding", "utf8"}};
  options_.block_size = 4096;
  options_.memtable_size = 1 << 20;
  Reopen();
  EXPECT_EQ("v", Get("k", 1));
}

// A stored extra that an open does not pass (a JsonDB's format, when a plain
// engine opens its directory) is written back to OPTIONS, so that it still
// guards the next open; one passed now replaces it.
TEST_F(DBCompactionTest, StoredSettingsSurviveAnOpenWithoutThem) {
  options_.stored_settings = {{"key_encoding", "utf8"}, {"doc_format", "1"}};
  Reopen();
  db_.reset();
  options_.stored_settings = {};
  Reopen();
  db_.reset();
  DBDirectoryInfo info;
  ASSERT_OK(InspectDB("/db", &info, &env_));
  ASSERT_OK(info.options_status);
  EXPECT_EQ("1", info.options["extra.doc_format"]);
  EXPECT_EQ("utf8", info.options["extra.key_encoding"]);
  options_.stored_settings = {{"key_encoding", "binary"}};
  Status s = DB::Open(options_, "/db", &db_);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  options_.stored_settings = {{"doc_format", "2"}};
  s = DB::Open(options_, "/db", &db_);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  options_.stored_settings = {{"doc_format", "1"}, {"extra_now", "x"}};
  Reopen();
  db_.reset();
  ASSERT_OK(InspectDB("/db", &info, &env_));
  EXPECT_EQ("x", info.options["extra.extra_now"]);
  EXPECT_EQ("utf8", info.options["extra.key_encoding"]);
}

// Writers, range deletes, point readers, scanners and compactions at once.
// The final state is checked against what the writers wrote.
TEST_F(DBCompactionTest, CompactionRacesReadersAndWriters) {
  options_.compaction_trigger = 2;
  options_.memtable_size = 64 << 10;
  Reopen();
  constexpr int kWriters = 2, kPerWriter = 3000;
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; w++) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; i++) {
        std::string k = "w" + std::to_string(w) + "-" + std::to_string(i % 500);
        if (Put(k, i, std::string(64, 'a' + w)).ok() == false) errors++;
        if (i % 700 == 0 && !db_->DeleteRange("zz", "zzz").ok()) errors++;
      }
    });
  }
  threads.emplace_back([&] {
    test::Random rnd(7);
    while (!stop) {
      std::string v;
      Status s = db_->Get(ReadOptions(), "w0-" + std::to_string(rnd.Uniform(500)),
                          static_cast<int64_t>(rnd.Uniform(kPerWriter)), &v);
      if ((!s.ok() && !s.IsNotFound()) || (s.ok() && v != std::string(64, 'a'))) {
        ADD_FAILURE() << s.ToString() << " " << v;
        errors++;
      }
    }
  });
  threads.emplace_back([&] {
    while (!stop) {
      const Snapshot* snap = db_->GetSnapshot();
      ReadOptions ro;
      ro.snapshot = snap;
      std::unique_ptr<RecordIterator> it = db_->NewIterator(ro);
      int64_t n = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
      if (!it->status().ok()) {
        ADD_FAILURE() << it->status().ToString();
        errors++;
      }
      // A snapshot read twice gives the same count.
      std::unique_ptr<RecordIterator> again = db_->NewIterator(ro);
      int64_t m = 0;
      for (again->SeekToFirst(); again->Valid(); again->Next()) m++;
      if (m != n) {
        ADD_FAILURE() << "snapshot read " << n << " then " << m << " records";
        errors++;
      }
      db_->ReleaseSnapshot(snap);
    }
  });
  threads.emplace_back([&] {
    while (!stop) {
      Status s = db_->CompactAll();
      if (!s.ok()) {
        ADD_FAILURE() << s.ToString();
        errors++;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  for (int w = 0; w < kWriters; w++) threads[w].join();
  stop = true;
  for (size_t i = kWriters; i < threads.size(); i++) threads[i].join();
  EXPECT_EQ(0, errors.load());
  for (int w = 0; w < kWriters; w++) {
    for (int i = 0; i < kPerWriter; i += 37) {
      EXPECT_EQ(std::string(64, 'a' + w),
                Get("w" + std::to_string(w) + "-" + std::to_string(i % 500), i));
    }
  }
  std::unique_ptr<RecordIterator> it = db_->NewIterator(ReadOptions());
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
  EXPECT_EQ(kWriters * kPerWriter, n);
}

TEST_F(DBCompactionTest, CloseDuringCompactionReturnsAndReopens) {
  options_.compaction_trigger = 0;
  options_.memtable_size = 1 << 20;
  Reopen();
  for (int round = 0; round < 4; round++) FillAndFlush(5000, 5000, round);
  std::thread compact([&] { db_->CompactAll().PermitUncheckedError(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_OK(db_->Close());
  compact.join();
  Reopen();
  EXPECT_EQ(std::string(100, 'a' + 4999 % 26), Get("key4999", 3));
}

TEST_F(DBCompactionTest, SnapshotOfAnotherDBIsRefused) {
  Reopen();
  ASSERT_OK(Put("k", 1, "v"));
  std::unique_ptr<DB> other;
  ASSERT_OK(DB::Open(options_, "/other", &other));
  const Snapshot* foreign = other->GetSnapshot();
  ReadOptions ro;
  ro.snapshot = foreign;
  std::string v;
  Record r;
  EXPECT_TRUE(db_->Get(ro, "k", 1, &v).IsInvalidArgument());
  EXPECT_TRUE(db_->GetLatest(ro, "k", &r).IsInvalidArgument());
  EXPECT_TRUE(db_->NewIterator(ro)->status().IsInvalidArgument());
  std::unique_ptr<ScanCursor> c = db_->NewScan(ro, ScanOptions());
  EXPECT_FALSE(c->Next());
  EXPECT_TRUE(c->status().IsInvalidArgument());
  c.reset();
  other->ReleaseSnapshot(foreign);
  // This DB's own snapshot reads.
  const Snapshot* own = db_->GetSnapshot();
  ro.snapshot = own;
  ASSERT_OK(db_->Get(ro, "k", 1, &v));
  db_->ReleaseSnapshot(own);
}

}  // namespace
}  // namespace flowdb
