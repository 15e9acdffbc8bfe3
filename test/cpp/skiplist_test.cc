#include "db/skiplist.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace flowdb {
namespace {

struct U64Compare {
  int operator()(uint64_t a, uint64_t b) const { return a < b ? -1 : (a > b ? 1 : 0); }
};
using List = SkipList<uint64_t, U64Compare>;

// The list holds exactly `model`, in order on every level, and Seek agrees
// with the model for every key and for the gaps between keys.
void ExpectMatches(const List& list, const std::set<uint64_t>& model) {
  EXPECT_TRUE(list.LevelsAreOrdered());
  List::Iterator it(&list);
  it.SeekToFirst();
  for (uint64_t k : model) {
    ASSERT_TRUE(it.Valid());
    ASSERT_EQ(k, it.key());
    it.Next();
  }
  EXPECT_FALSE(it.Valid());
  for (uint64_t k : model) {
    for (uint64_t target : {k, k + 1}) {
      it.Seek(target);
      auto want = model.lower_bound(target);
      if (want == model.end()) {
        EXPECT_FALSE(it.Valid());
      } else {
        ASSERT_TRUE(it.Valid());
        ASSERT_EQ(*want, it.key());
      }
    }
  }
}

// Series s, point t → a key that orders by series, then point: the memtable's
// (user key, ts) shape.
uint64_t SeriesKey(uint64_t series, uint64_t point) { return (series << 32) | (point * 2 + 1); }

TEST(SkipListTest, SpliceAppendsPerSeriesMatchModel) {
  Arena arena;
  List list(U64Compare{}, &arena);
  std::set<uint64_t> model;
  constexpr int kSeries = 50;
  std::vector<List::Splice> splices(kSeries);
  for (uint64_t point = 0; point < 200; point++) {
    for (int s = 0; s < kSeries; s++) {
      uint64_t k = SeriesKey(s, point);
      list.InsertWithSplice(k, &splices[s]);
      model.insert(k);
    }
  }
  ExpectMatches(list, model);
}

TEST(SkipListTest, AnySpliceWithAnyKeyIsCorrect) {
  // Splices used with unrelated keys, going backwards, reused across
  // distant regions, fresh ones, mixed with plain inserts: all must give the
  // same list as plain inserts would, and report the keys beside each.
  for (uint32_t seed = 1; seed <= 20; seed++) {
    Arena arena;
    List list(U64Compare{}, &arena);
    std::set<uint64_t> model;
    std::mt19937_64 rng(seed);
    std::vector<List::Splice> splices(4);
    for (int i = 0; i < 3000; i++) {
      uint64_t k;
      switch (rng() % 4) {
        case 0: k = rng() % 100000; break;                              // anywhere
        case 1: k = model.empty() ? 1 : *model.rbegin() + 1 + rng() % 3; break;  // append
        case 2: k = model.empty() ? 1 : (*model.begin() > 0 ? *model.begin() - 1 : rng()); break;
        default: {  // just after an existing key
          auto at = model.lower_bound(rng() % 100000);
          k = at == model.end() ? rng() % 100000 : *at + 1;
        }
      }
      if (model.count(k) != 0) continue;
      model.insert(k);
      size_t which = rng() % (splices.size() + 2);
      List::Neighbors near;
      if (which == splices.size()) {
        list.Insert(k);
        continue;
      } else if (which == splices.size() + 1) {
        List::Splice fresh;
        list.InsertWithSplice(k, &fresh, &near);
      } else {
        list.InsertWithSplice(k, &splices[which], &near);
      }
      // The keys beside the new one, as the model has them.
      auto at = model.find(k);
      if (at == model.begin()) {
        ASSERT_EQ(near.before, nullptr);
      } else {
        ASSERT_NE(near.before, nullptr);
        ASSERT_EQ(*near.before, *std::prev(at));
      }
      if (std::next(at) == model.end()) {
        ASSERT_EQ(near.after, nullptr);
      } else {
        ASSERT_NE(near.after, nullptr);
        ASSERT_EQ(*near.after, *std::next(at));
      }
    }
    ExpectMatches(list, model);
  }
}

TEST(SkipListTest, SpliceInsertsWithConcurrentReader) {
  // One writer appends to many series through splices while a reader walks
  // the list: every walk must be strictly ascending and, once the writer is
  // done, complete.
  Arena arena;
  List list(U64Compare{}, &arena);
  constexpr int kSeries = 64;
  constexpr uint64_t kPoints = 400;
  std::atomic<bool> done{false};
  std::atomic<bool> started{false};
  std::atomic<uint64_t> walks{0};
  // The writer starts once the reader runs, and the reader finishes at least
  // one walk, so that a loaded machine cannot schedule them one after the
  // other and leave the test with nothing read.
  std::thread reader([&] {
    do {
      started.store(true, std::memory_order_release);
      List::Iterator it(&list);
      uint64_t last = 0;
      for (it.SeekToFirst(); it.Valid(); it.Next()) {
        ASSERT_GT(it.key(), last);
        last = it.key();
      }
      walks.fetch_add(1);
    } while (!done.load(std::memory_order_acquire));
  });
  while (!started.load(std::memory_order_acquire)) std::this_thread::yield();
  std::vector<List::Splice> splices(kSeries);
  std::set<uint64_t> model;
  for (uint64_t point = 0; point < kPoints; point++) {
    for (int s = 0; s < kSeries; s++) {
      list.InsertWithSplice(SeriesKey(s, point), &splices[s]);
      model.insert(SeriesKey(s, point));
    }
  }
  done.store(true, std::memory_order_release);
  reader.join();
  EXPECT_GT(walks.load(), 0u);
  ExpectMatches(list, model);
}

TEST(SkipListTest, FingerSeeksMatchModel) {
  // Runs of ascending targets (repeats, gaps of every size, past the end),
  // each run with one finger, agree with the model's lower_bound.
  Arena arena;
  List list(U64Compare{}, &arena);
  std::set<uint64_t> model;
  std::mt19937_64 rnd(11);
  for (int i = 0; i < 5000; i++) {
    uint64_t k = rnd() % 100000;
    if (model.insert(k).second) list.Insert(k);
  }
  for (int run = 0; run < 300; run++) {
    List::Finger finger;
    List::Iterator it(&list);
    uint64_t target = rnd() % 1000;
    const uint64_t max_gap = uint64_t{1} << (rnd() % 17);
    while (target < 101000) {
      it.Seek(target, &finger);
      auto want = model.lower_bound(target);
      if (want == model.end()) {
        ASSERT_FALSE(it.Valid()) << target;
      } else {
        ASSERT_TRUE(it.Valid()) << target;
        ASSERT_EQ(*want, it.key()) << target;
      }
      if (rnd() % 8 != 0) target += 1 + rnd() % max_gap;  // else repeat it
    }
  }
}

TEST(SkipListTest, FingerSeeksWithConcurrentWriter) {
  // Even keys are in the list before the reader starts; the writer adds the
  // odd ones meanwhile (and grows the list's height). A finger search must
  // find every even key, and for an odd target stop at it or the next even.
  Arena arena;
  List list(U64Compare{}, &arena);
  constexpr uint64_t kKeys = 20000;
  for (uint64_t k = 0; k < kKeys; k += 2) list.Insert(k);
  std::atomic<bool> done{false};
  std::atomic<bool> started{false};
  std::atomic<uint64_t> runs{0};
  // As in SpliceInsertsWithConcurrentReader: the writer waits for the reader
  // to run, and the reader finishes at least one pass.
  std::thread reader([&] {
    do {
      started.store(true, std::memory_order_release);
      List::Finger finger;
      List::Iterator it(&list);
      for (uint64_t k = runs.load() % 7; k + 2 < kKeys; k += 1 + k % 5) {
        it.Seek(k, &finger);
        ASSERT_TRUE(it.Valid());
        if (k % 2 == 0) {
          ASSERT_EQ(k, it.key());
        } else {
          ASSERT_TRUE(it.key() == k || it.key() == k + 1) << k << " " << it.key();
        }
      }
      runs.fetch_add(1);
    } while (!done.load(std::memory_order_acquire));
  });
  while (!started.load(std::memory_order_acquire)) std::this_thread::yield();
  std::mt19937_64 rnd(5);
  std::vector<uint64_t> odd;
  for (uint64_t k = 1; k < kKeys; k += 2) odd.push_back(k);
  std::shuffle(odd.begin(), odd.end(), rnd);
  for (uint64_t k : odd) list.Insert(k);
  done.store(true, std::memory_order_release);
  reader.join();
  EXPECT_GT(runs.load(), 0u);
}

}  // namespace
}  // namespace flowdb
