// WriteSet (src/doc/write_set.h) against a std::map model: random puts,
// deletes, range deletes, lookups, undo marks with rollbacks, and takes,
// over keys that come in increasing runs (the path the per-kind fingers
// shorten) mixed with random ones, under first bytes with and without a
// finger. Also EngineKeyLess against memcmp order, and appended writes
// (CanAppend/Append/AppendRun): when they are allowed, and that the batch,
// the taken keys and every later use see them as Put and Delete would
// have left them.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "doc/write_set.h"

namespace flowdb::doc {
namespace {

struct ModelEntry {
  bool deleted = false;
  std::string value;
};

struct Model {
  std::map<std::string, ModelEntry> entries;
  std::vector<EngineRange> ranges;

  WriteSet::Lookup Find(const std::string& key, std::string* value) const {
    auto it = entries.find(key);
    if (it != entries.end()) {
      if (it->second.deleted) return WriteSet::Lookup::kDeleted;
      *value = it->second.value;
      return WriteSet::Lookup::kValue;
    }
    for (const auto& r : ranges) {
      if (r.Contains(key)) return WriteSet::Lookup::kDeleted;
    }
    return WriteSet::Lookup::kAbsent;
  }
};

// A key under first byte `kind`: a 4-byte id, then `n` as 4 big-endian
// bytes, then a variable tail so that lengths differ.
std::string Key(unsigned char kind, uint32_t n, int tail) {
  std::string k(1, static_cast<char>(kind));
  k.append("\x00\x00\x00\x07", 4);
  for (int shift = 24; shift >= 0; shift -= 8) k.push_back(static_cast<char>(n >> shift));
  k.append(static_cast<size_t>(tail), static_cast<char>('a' + tail));
  return k;
}

void ExpectSame(const WriteSet& ws, const Model& model) {
  ASSERT_EQ(ws.entries().size(), model.entries.size());
  auto m = model.entries.begin();
  for (const auto& [key, e] : ws.entries()) {
    ASSERT_EQ(std::string(key), m->first);
    ASSERT_EQ(e.deleted, m->second.deleted);
    ASSERT_EQ(std::string(e.value), m->second.value);
    ++m;
  }
}

TEST(DocWriteSetTest, MatchesModel) {
  const unsigned char kinds[] = {0x02, 0x03, 0x04, 0x05, 0x09, 0xff};
  for (uint32_t seed = 1; seed <= 20; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rnd(seed);
    WriteSet ws;
    Model model;
    Model saved;
    bool marked = false;
    size_t mark = 0;
    uint32_t run = 0;  // the next key of the current increasing run
    auto pick_key = [&]() {
      unsigned char kind = kinds[rnd() % 6];
      if (rnd() % 3 != 0) return Key(kind, run++, static_cast<int>(rnd() % 3));
      return Key(kind, rnd() % 64, static_cast<int>(rnd() % 3));
    };
    for (int step = 0; step < 3000; step++) {
      const uint32_t op = rnd() % 100;
      if (op < 40) {
        std::string key = pick_key();
        std::string value = "v" + std::to_string(step);
        ws.Put(key, value);
        model.entries[key] = {false, value};
      } else if (op < 55) {
        std::string key = pick_key();
        ws.Delete(key);
        model.entries[key] = {true, ""};
      } else if (op < 80) {
        std::string key = pick_key();
        std::string got, want;
        WriteSet::Lookup a = ws.Find(key, &got);
        WriteSet::Lookup b = model.Find(key, &want);
        ASSERT_EQ(static_cast<int>(a), static_cast<int>(b)) << "step " << step;
        if (a == WriteSet::Lookup::kValue) ASSERT_EQ(got, want);
      } else if (op < 83) {
        std::string a = pick_key(), b = pick_key();
        if (b < a) std::swap(a, b);
        EngineRange r{a, b};
        ws.DeleteRange(r);
        for (auto it = model.entries.begin(); it != model.entries.end();) {
          it = r.Contains(it->first) ? model.entries.erase(it) : std::next(it);
        }
        model.ranges.push_back(r);
      } else if (op < 90) {
        if (!marked) {
          mark = ws.Mark();
          saved = model;
          marked = true;
        } else if (rnd() % 2 == 0) {
          ws.RollbackTo(mark);
          model = saved;
          marked = false;
        } else {
          ws.ClearUndo();
          marked = false;
        }
      } else if (op < 91 && !marked) {
        WriteSet::WrittenKeys taken = ws.TakeWrittenKeys();
        ASSERT_EQ(taken.keys.size(), model.entries.size());
        auto m = model.entries.begin();
        for (std::string_view k : taken.keys) ASSERT_EQ(std::string(k), (m++)->first);
        model = Model();
        ASSERT_TRUE(ws.empty());
      } else if (op < 95) {
        run = rnd() % 64;  // start a new run
      }
      if (step % 100 == 0) ExpectSame(ws, model);
    }
    ExpectSame(ws, model);
  }
}

TEST(DocWriteSetTest, EngineKeyLessIsByteOrder) {
  std::mt19937 rnd(7);
  for (int i = 0; i < 20000; i++) {
    std::string a(rnd() % 20, '\0'), b;
    for (char& c : a) c = static_cast<char>(rnd() % 4 == 0 ? 0xff : rnd() % 3);
    b = a.substr(0, rnd() % (a.size() + 1));
    for (size_t extra = rnd() % 12; extra > 0; extra--) b.push_back(static_cast<char>(rnd() % 256));
    const int want = a.compare(b);
    const int got = EngineKeyLess::Compare(a, b);
    ASSERT_EQ(want < 0, got < 0) << i;
    ASSERT_EQ(want == 0, got == 0) << i;
    ASSERT_EQ(EngineKeyLess()(a, b), a < b);
  }
}

// Writes the batch holds, in order: (key, deleted, value).
struct BatchLog : WriteBatch::Handler {
  std::vector<std::tuple<std::string, bool, std::string>> ops;
  void Put(std::string_view key, int64_t, std::string_view value, int64_t) override {
    ops.emplace_back(std::string(key), false, std::string(value));
  }
  void Delete(std::string_view key, int64_t) override { ops.emplace_back(std::string(key), true, ""); }
  void DeleteRange(std::string_view, std::string_view) override { ADD_FAILURE() << "no range expected"; }
};

TEST(DocWriteSetTest, AppendedWritesMatchModel) {
  for (uint32_t seed = 1; seed <= 30; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rnd(seed);
    WriteSet ws;
    Model model;
    const size_t mark = ws.Mark();  // on an empty set: appends allowed
    uint32_t run = rnd() % 16;
    const int docs = 1 + static_cast<int>(rnd() % 300);
    for (int d = 0; d < docs; d++) {
      std::string run_key = Key(0x02, run, static_cast<int>(rnd() % 3));
      ASSERT_TRUE(ws.CanAppend(run_key)) << d;
      // Other keys: a shared prefix longer than one word, a random middle
      // of bytes 0, 1 and 0xff (trailing zeros, equal words, several
      // lengths), then the run number: distinct per run key.
      for (int n = static_cast<int>(rnd() % 4); n > 0; n--) {
        std::string key = Key(0x03, 5, 7);
        for (size_t len = rnd() % 20; len > 0; len--) {
          const uint32_t b = rnd() % 3;
          key.push_back(static_cast<char>(b == 2 ? 0xff : b));
        }
        key.push_back(static_cast<char>(n));
        for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<char>(run >> shift));
        if (model.entries.count(key) != 0) continue;
        const bool deleted = rnd() % 4 == 0;
        const std::string value = deleted ? "" : std::string(rnd() % 3, 'x');
        ws.Append(key, value, deleted);
        model.entries[key] = {deleted, value};
      }
      const std::string value = "doc" + std::to_string(d);
      ws.AppendRun(run_key, value);
      model.entries[run_key] = {false, value};
      ASSERT_FALSE(ws.CanAppend(run_key));
      ASSERT_FALSE(ws.CanAppend(Key(0x02, run, 0)));
      ASSERT_FALSE(ws.empty());
      run += 1 + rnd() % 3;
    }
    switch (rnd() % 4) {
      case 0: {  // commit: the batch and the taken keys, in key order
        WriteBatch batch;
        ws.BuildBatch(&batch);
        BatchLog log;
        ASSERT_TRUE(batch.Iterate(&log).ok());
        ASSERT_EQ(log.ops.size(), model.entries.size());
        auto m = model.entries.begin();
        for (const auto& [key, deleted, value] : log.ops) {
          ASSERT_EQ(key, m->first);
          ASSERT_EQ(deleted, m->second.deleted);
          ASSERT_EQ(value, m->second.value);
          ++m;
        }
        WriteSet::WrittenKeys taken = ws.TakeWrittenKeys();
        ASSERT_EQ(taken.keys.size(), model.entries.size());
        m = model.entries.begin();
        for (std::string_view k : taken.keys) ASSERT_EQ(std::string(k), (m++)->first);
        ASSERT_TRUE(ws.empty());
        break;
      }
      case 1:  // the call failed: nothing stays
        ws.RollbackTo(mark);
        ASSERT_TRUE(ws.empty());
        ASSERT_EQ(ws.entries().size(), 0u);
        break;
      default: {  // later calls read and write them through the map
        ws.ClearUndo();
        ASSERT_FALSE(ws.CanAppend(Key(0x02, run, 0)));  // this call's mark was not empty
        const size_t later = ws.Mark();
        for (const auto& [key, e] : model.entries) {
          std::string got, want;
          ASSERT_EQ(static_cast<int>(ws.Find(key, &got)), static_cast<int>(model.Find(key, &want)));
          ASSERT_EQ(got, want);
        }
        Model saved = model;
        ws.Put(Key(0x02, 0, 0), "late");
        model.entries[Key(0x02, 0, 0)] = {false, "late"};
        ExpectSame(ws, model);
        ws.RollbackTo(later);  // undoes the late put only
        ExpectSame(ws, saved);
        break;
      }
    }
  }
}

TEST(DocWriteSetTest, AppendsOnlyInACallThatStartedEmpty) {
  WriteSet ws;
  EXPECT_FALSE(ws.CanAppend(Key(0x02, 1, 0)));  // no mark: undo is recorded
  ws.Mark();
  EXPECT_TRUE(ws.CanAppend(Key(0x02, 1, 0)));
  ws.Put(Key(0x03, 1, 0), "v");  // a map write: appends end
  EXPECT_FALSE(ws.CanAppend(Key(0x02, 1, 0)));
  ws.ClearUndo();

  WriteSet ranged;
  ranged.Mark();
  ranged.DeleteRange({Key(0x02, 0, 0), Key(0x02, 9, 0)});
  EXPECT_FALSE(ranged.CanAppend(Key(0x02, 10, 0)));
}

}  // namespace
}  // namespace flowdb::doc

