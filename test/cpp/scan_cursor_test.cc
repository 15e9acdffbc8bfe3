// ScanCursor against a model: bounds, ts ranges, both directions, Seek,
// Commit, and the rewind of a memory-only read that would block.

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "flowdb/db.h"
#include "test_util.h"

namespace flowdb {
namespace {

struct Rec {
  std::string key;
  int64_t ts;
  std::string value;
};

class ScanCursorTest : public ::testing::Test {
 protected:
  ScanCursorTest() : env_(NewMemEnv()) {
    options_.env = env_.get();
    options_.memtable_size = 64 << 10;
    options_.block_size = 256;
    options_.compaction_trigger = 0;
  }
  ~ScanCursorTest() override { db_.reset(); }

  void Reopen() {
    db_.reset();
    ASSERT_OK(DB::Open(options_, path_, &db_));
  }
  void Put(const std::string& k, int64_t ts, const std::string& v) {
    WriteBatch b;
    b.Put(k, ts, v);
    ASSERT_OK(db_->Write(&b));
    model_[{k, ts}] = v;
  }
  // The records `scan` selects, in its order.
  std::vector<Rec> Expected(const ScanOptions& scan) const {
    std::vector<Rec> out;
    for (const auto& [id, v] : model_) {
      const auto& [k, ts] = id;
      if (scan.has_lower && (k < scan.lower || (k == scan.lower && !scan.lower_inclusive))) continue;
      if (scan.has_upper && (k > scan.upper || (k == scan.upper && !scan.upper_inclusive))) continue;
      if (ts < scan.ts_min || ts > scan.ts_max) continue;
      out.push_back(Rec{k, ts, v});
    }
    if (scan.reverse) std::reverse(out.begin(), out.end());
    return out;
  }
  // Index of the first record of `list` at or past key in scan order.
  static size_t SeekIndex(const std::vector<Rec>& list, const std::string& key, bool reverse) {
    size_t i = 0;
    while (i < list.size() && (reverse ? list[i].key > key : list[i].key < key)) i++;
    return i;
  }
  std::string Key(test::Random* rnd) { return "k" + std::to_string(100 + rnd->Uniform(150)); }

  std::unique_ptr<Env> env_;
  Options options_;
  std::unique_ptr<DB> db_;
  std::string path_ = "/db";
  std::map<std::tuple<std::string, int64_t>, std::string> model_;
};

TEST_F(ScanCursorTest, SeekForwardAndReverseWithinBounds) {
  Reopen();
  for (const char* k : {"b", "d", "f", "h"}) {
    Put(k, 1, std::string(k) + "1");
    Put(k, 2, std::string(k) + "2");
  }
  ScanOptions scan;
  scan.has_lower = true;
  scan.lower = "c";
  scan.has_upper = true;
  scan.upper = "g";
  std::unique_ptr<ScanCursor> c = db_->NewScan(ReadOptions(), scan);
  c->Seek("e");  // before the first Next
  ASSERT_TRUE(c->Next());
  EXPECT_EQ("f", c->key());
  EXPECT_EQ(1, c->ts());
  c->Seek("a");  // below the lower bound: starts at the bound
  ASSERT_TRUE(c->Next());
  EXPECT_EQ("d", c->key());
  c->Seek("f");
  ASSERT_TRUE(c->Next());
  EXPECT_EQ("f", c->key());
  ASSERT_TRUE(c->Next());
  EXPECT_EQ(2, c->ts());
  EXPECT_FALSE(c->Next());
  c->Seek("d");  // after the end
  ASSERT_TRUE(c->Next());
  EXPECT_EQ("d1", c->value());
  c->Seek("z");  // past the upper bound
  EXPECT_FALSE(c->Next());
  EXPECT_OK(c->status());

  scan.reverse = true;
  c = db_->NewScan(ReadOptions(), scan);
  c->Seek("e");
  ASSERT_TRUE(c->Next());
  EXPECT_EQ("d", c->key());
  EXPECT_EQ(2, c->ts());
  c->Seek("z");  // above the upper bound: starts at the bound
  ASSERT_TRUE(c->Next());
  EXPECT_EQ("f", c->key());
  EXPECT_EQ(2, c->ts());
  c->Seek("a");
  EXPECT_FALSE(c->Next());
}

TEST_F(ScanCursorTest, RandomAgainstModel) {
  int busy = 0;  // memory-only reads that would have blocked
  for (uint64_t seed = 1; seed <= 4; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    db_.reset();
    path_ = "/db" + std::to_string(seed);
    model_.clear();
    test::Random rnd(seed);
    Reopen();
    // Half the data in SSTables (many small blocks), half in the memtable.
    for (int i = 0; i < 3000; i++) {
      if (i == 1500) ASSERT_OK(db_->Flush());
      ASSERT_NO_FATAL_FAILURE(Put(Key(&rnd), static_cast<int64_t>(rnd.Uniform(6)),
                                  test::RandomBytes(&rnd, 20 + rnd.Uniform(40))));
    }
    for (int round = 0; round < 60; round++) {
      // A fresh open now and then: its files are not open and its blocks
      // not cached, so memory-only reads block.
      if (round % 10 == 0) {
        ASSERT_NO_FATAL_FAILURE(Reopen());
      }
      ScanOptions scan;
      if (rnd.OneIn(2)) {
        scan.has_lower = true;
        scan.lower = Key(&rnd);
        scan.lower_inclusive = rnd.OneIn(2);
      }
      if (rnd.OneIn(2)) {
        scan.has_upper = true;
        scan.upper = Key(&rnd);
        scan.upper_inclusive = rnd.OneIn(2);
      }
      if (rnd.OneIn(3)) {
        scan.ts_min = static_cast<int64_t>(rnd.Uniform(4));
        scan.ts_max = scan.ts_min + static_cast<int64_t>(rnd.Uniform(4));
      }
      scan.reverse = rnd.OneIn(2);
      const std::vector<Rec> list = Expected(scan);
      std::unique_ptr<ScanCursor> c = db_->NewScan(ReadOptions(), scan);
      bool memory_only = rnd.OneIn(2);
      c->SetMemoryOnly(memory_only);
      size_t pos = 0, committed = 0;
      for (int op = 0; op < 300; op++) {
        uint64_t r = rnd.Uniform(100);
        if (r < 65) {
          if (c->Next()) {
            ASSERT_LT(pos, list.size());
            EXPECT_EQ(list[pos].key, c->key()) << "op " << op;
            EXPECT_EQ(list[pos].ts, c->ts());
            EXPECT_EQ(list[pos].value, c->value());
            pos++;
          } else if (c->status().IsWouldBlock()) {
            ASSERT_TRUE(memory_only);
            busy++;
            pos = committed;  // rewound to the last commit
            memory_only = false;
            c->SetMemoryOnly(false);
          } else {
            ASSERT_OK(c->status());
            ASSERT_EQ(list.size(), pos) << "op " << op;
          }
        } else if (r < 80) {
          std::string target = rnd.OneIn(4) ? "k" : Key(&rnd);
          if (rnd.OneIn(3)) target += "5";  // between existing keys
          c->Seek(target);
          pos = committed = SeekIndex(list, target, scan.reverse);
        } else if (r < 92) {
          c->Commit();
          committed = pos;
        } else {
          memory_only = !memory_only;
          c->SetMemoryOnly(memory_only);
          committed = pos;
        }
        if (HasFatalFailure() || HasFailure()) return;
      }
    }
  }
  EXPECT_GT(busy, 20);  // the rewind was exercised
}

}  // namespace
}  // namespace flowdb
