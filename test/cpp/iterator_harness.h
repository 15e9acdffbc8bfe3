// The iterator contract harness: runs one randomized sequence of Seek,
// SeekForPrev, SeekToFirst, SeekToLast, Next and Prev over any internal-key
// Iterator (block, table, merging iterator, memtable, …) and over a std::map
// model, and checks that they agree at every step.
//
// Use:
//   InternalKeyModel model = RandomInternalKeyModel(&rnd, 200, 5);
//   ... build the structure under test from model ...
//   ASSERT_NO_FATAL_FAILURE(CheckIteratorAgainstModel(iter.get(), model, seed));

#ifndef FLOWDB_TEST_CPP_ITERATOR_HARNESS_H_
#define FLOWDB_TEST_CPP_ITERATOR_HARNESS_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "table/iterator.h"
#include "test_util.h"

namespace flowdb::test {

// The expected contents of an iterator: internal key → entry value.
using InternalKeyModel = std::map<std::string, std::string, InternalKeyComparator>;

// A ts drawn from small values around 0, realistic µs timestamps and the
// extremes of int64.
inline int64_t RandomTs(Random* rnd) {
  switch (rnd->Uniform(4)) {
    case 0: return static_cast<int64_t>(rnd->Uniform(200)) - 100;
    case 1: return 1700000000000000 + static_cast<int64_t>(rnd->Uniform(1000000));
    case 2: return std::numeric_limits<int64_t>::min() + static_cast<int64_t>(rnd->Uniform(3));
    default: return std::numeric_limits<int64_t>::max() - static_cast<int64_t>(rnd->Uniform(3));
  }
}

// An entry value for type t: empty for deletions, fixed64(expire_at) | bytes
// for expiring values. Mostly short, sometimes larger than a small block.
inline std::string RandomEntryValue(Random* rnd, ValueType t) {
  if (t == kTypeDeletion) return std::string();
  std::string value;
  if (t == kTypeValueExpiring) PutFixed64(&value, rnd->Next() >> 1);
  const size_t len = rnd->OneIn(40) ? 1000 + rnd->Uniform(4000) : rnd->Uniform(60);
  value += RandomBytes(rnd, len);
  return value;
}

// Up to num_user_keys random user keys (with \x00/\xff bytes, possibly
// empty, shorter than max_key_len), each with 1..max_versions entries of
// random ts, sequence and type.
inline InternalKeyModel RandomInternalKeyModel(Random* rnd, int num_user_keys, int max_versions,
                                               uint32_t max_key_len = 12) {
  InternalKeyModel model;
  for (int i = 0; i < num_user_keys; i++) {
    const std::string user_key = RandomKey(rnd, rnd->Uniform(max_key_len));
    const int versions = 1 + static_cast<int>(rnd->Uniform(max_versions));
    for (int v = 0; v < versions; v++) {
      const auto type = static_cast<ValueType>(rnd->Uniform(3));
      std::string key;
      AppendInternalKey(&key, user_key, RandomTs(rnd), 1 + rnd->Uniform(1u << 20), type);
      model[key] = RandomEntryValue(rnd, type);
    }
  }
  return model;
}

// A seek target: an existing key, a neighbour of one (other sequence or
// ts), a random key, or a key beyond either end.
inline std::string RandomSeekTarget(Random* rnd, const std::vector<std::string>& keys) {
  std::string target;
  const uint64_t choice = keys.empty() ? 3 : rnd->Uniform(6);
  ParsedInternalKey near;
  if (choice < 3) {
    const std::string& base = keys[rnd->Uniform(keys.size())];
    if (choice == 0) return base;
    ParseInternalKey(base, &near);
  }
  switch (choice) {
    case 1:
      AppendInternalKey(&target, near.user_key, near.ts, rnd->Uniform(1u << 21),
                        static_cast<ValueType>(rnd->Uniform(3)));
      break;
    case 2: {
      int64_t ts = near.ts;
      if (rnd->OneIn(2)) {
        if (ts != std::numeric_limits<int64_t>::max()) ts++;
      } else if (ts != std::numeric_limits<int64_t>::min()) {
        ts--;
      }
      AppendInternalKey(&target, near.user_key, ts, near.sequence, near.type);
      break;
    }
    case 3:
      AppendInternalKey(&target, RandomKey(rnd, rnd->Uniform(12)), RandomTs(rnd),
                        rnd->Uniform(1u << 21), kTypeValue);
      break;
    case 4:
      target = SeekKey("", std::numeric_limits<int64_t>::min());
      break;
    default:
      AppendInternalKey(&target, std::string(14, '\xff'), std::numeric_limits<int64_t>::max(), 0,
                        kTypeDeletion);
      break;
  }
  return target;
}

// The entry a point lookup of target must report (Block::Get, Table::Get):
// the first entry ≥ target if it has target's user key and ts, else end().
inline InternalKeyModel::const_iterator ModelPointLookup(const InternalKeyModel& model,
                                                         const std::string& target) {
  auto it = model.lower_bound(target);
  if (it != model.end() && ExtractRecordId(it->first) != ExtractRecordId(target)) it = model.end();
  return it;
}

// Checks that iter holds exactly model's entries: a full forward scan, a
// full backward scan, then num_ops random operations compared step by step.
// Fails (fatally) at the first difference or non-OK status.
inline void CheckIteratorAgainstModel(Iterator* iter, const InternalKeyModel& model,
                                      uint64_t seed, int num_ops = 1000) {
  SCOPED_TRACE("iterator harness seed " + std::to_string(seed));

  iter->SeekToFirst();
  for (const auto& [key, value] : model) {
    ASSERT_TRUE(iter->Valid()) << iter->status().ToString();
    ASSERT_EQ(std::string(iter->key()), key);
    ASSERT_EQ(std::string(iter->value()), value);
    iter->Next();
  }
  ASSERT_FALSE(iter->Valid());
  ASSERT_TRUE(iter->status().ok()) << iter->status().ToString();

  iter->SeekToLast();
  for (auto it = model.rbegin(); it != model.rend(); ++it) {
    ASSERT_TRUE(iter->Valid()) << iter->status().ToString();
    ASSERT_EQ(std::string(iter->key()), it->first);
    ASSERT_EQ(std::string(iter->value()), it->second);
    iter->Prev();
  }
  ASSERT_FALSE(iter->Valid());
  ASSERT_TRUE(iter->status().ok()) << iter->status().ToString();

  std::vector<std::string> keys;
  for (const auto& entry : model) keys.push_back(entry.first);
  Random rnd(seed);
  auto expected = model.end();  // end() stands for "not Valid()"
  for (int step = 0; step < num_ops; step++) {
    uint64_t op = rnd.Uniform(12);
    if (op >= 4 && op <= 9 && expected == model.end()) op = 0;  // Next/Prev need Valid()
    std::string trace;
    if (op >= 10) {
      const std::string target = RandomSeekTarget(&rnd, keys);
      trace = "SeekForPrev";
      iter->SeekForPrev(target);
      auto after = model.upper_bound(target);  // the last entry ≤ target is before it
      expected = after == model.begin() ? model.end() : std::prev(after);
    } else if (op <= 1) {
      const std::string target = RandomSeekTarget(&rnd, keys);
      trace = "Seek";
      iter->Seek(target);
      expected = model.lower_bound(target);
    } else if (op == 2) {
      trace = "SeekToFirst";
      iter->SeekToFirst();
      expected = model.begin();
    } else if (op == 3) {
      trace = "SeekToLast";
      iter->SeekToLast();
      expected = model.empty() ? model.end() : std::prev(model.end());
    } else if (op <= 6) {
      trace = "Next";
      iter->Next();
      ++expected;
    } else {
      trace = "Prev";
      iter->Prev();
      expected = expected == model.begin() ? model.end() : std::prev(expected);
    }
    SCOPED_TRACE("step " + std::to_string(step) + ": " + trace);
    ASSERT_TRUE(iter->status().ok()) << iter->status().ToString();
    ASSERT_EQ(iter->Valid(), expected != model.end());
    if (expected != model.end()) {
      ASSERT_EQ(std::string(iter->key()), expected->first);
      ASSERT_EQ(std::string(iter->value()), expected->second);
    }
  }
}

}  // namespace flowdb::test

#endif  // FLOWDB_TEST_CPP_ITERATOR_HARNESS_H_
