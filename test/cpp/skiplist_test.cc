#include "db/skiplist.h"

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
  // same list as plain inserts would.
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
      if (which == splices.size()) {
        list.Insert(k);
      } else if (which == splices.size() + 1) {
        List::Splice fresh;
        list.InsertWithSplice(k, &fresh);
      } else {
        list.InsertWithSplice(k, &splices[which]);
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
  std::atomic<uint64_t> walks{0};
  std::thread reader([&] {
    while (!done.load(std::memory_order_acquire)) {
      List::Iterator it(&list);
      uint64_t last = 0;
      for (it.SeekToFirst(); it.Valid(); it.Next()) {
        ASSERT_GT(it.key(), last);
        last = it.key();
      }
      walks.fetch_add(1);
    }
  });
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

}  // namespace
}  // namespace flowdb
