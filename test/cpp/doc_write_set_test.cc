// WriteSet (src/doc/write_set.h) against a std::map model: random puts,
// deletes, range deletes, lookups, undo marks with rollbacks, and takes,
// over keys that come in increasing runs (the path the per-kind fingers
// shorten) mixed with random ones, under first bytes with and without a
// finger. Also EngineKeyLess against memcmp order.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
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

}  // namespace
}  // namespace flowdb::doc
