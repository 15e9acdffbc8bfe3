// Shared helpers for the GoogleTest suite.

#ifndef FLOWDB_TEST_CPP_TEST_UTIL_H_
#define FLOWDB_TEST_CPP_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "flowdb/env.h"
#include "flowdb/status.h"
#include "flowdb/write_batch.h"

#define ASSERT_OK(expr)                                   \
  do {                                                    \
    ::flowdb::Status _s = (expr);                         \
    ASSERT_TRUE(_s.ok()) << _s.ToString();                \
  } while (0)
#define EXPECT_OK(expr)                                   \
  do {                                                    \
    ::flowdb::Status _s = (expr);                         \
    EXPECT_TRUE(_s.ok()) << _s.ToString();                \
  } while (0)

namespace flowdb::test {

// A deterministic random source for tests; the seed is printed on failure by
// callers that use SCOPED_TRACE.
class Random {
 public:
  explicit Random(uint64_t seed) : gen_(seed) {}
  uint64_t Next() { return gen_(); }
  // Uniform in [0, n).
  uint64_t Uniform(uint64_t n) { return n == 0 ? 0 : gen_() % n; }
  bool OneIn(uint64_t n) { return Uniform(n) == 0; }

 private:
  std::mt19937_64 gen_;
};

// A random key of length len whose bytes favour interesting values
// (\x00, \xff, and a small alphabet so that keys share prefixes).
std::string RandomKey(Random* rnd, size_t len);
// A random byte string of length len.
std::string RandomBytes(Random* rnd, size_t len);
// A fresh empty directory under the system temp dir, removed by the caller
// (or left for inspection on failure).
std::string TempDir(const std::string& name);

// The integer in environment variable `name`, or `def` when it is unset or
// empty: how the long randomized tests take their sizes and seeds on demand.
inline int64_t EnvInt(const char* name, int64_t def) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoll(v) : def;
}

// A plain model of the engine's live records: (key, ts) -> value, expiry
// ignored.
using RecordModel = std::map<std::pair<std::string, int64_t>, std::string>;

// Applies a WriteBatch to a RecordModel in entry order, as the engine does:
// a put replaces, a delete erases (key, ts), a range delete erases every ts
// of each key in [start, end).
class RecordModelApplier : public WriteBatch::Handler {
 public:
  explicit RecordModelApplier(RecordModel* m) : m_(m) {}
  void Put(std::string_view key, int64_t ts, std::string_view value, int64_t) override {
    (*m_)[{std::string(key), ts}] = std::string(value);
  }
  void Delete(std::string_view key, int64_t ts) override { m_->erase({std::string(key), ts}); }
  void DeleteRange(std::string_view start, std::string_view end) override {
    auto it = m_->lower_bound({std::string(start), std::numeric_limits<int64_t>::min()});
    while (it != m_->end() && it->first.first < end) it = m_->erase(it);
  }

 private:
  RecordModel* m_;
};

}  // namespace flowdb::test

namespace flowdb {

// An Env whose wall clock (NowMicros, used for expiry) is set by the test;
// everything else goes to the wrapped Env. Thread-safe.
class ManualClockEnv : public EnvWrapper {
 public:
  explicit ManualClockEnv(Env* target) : EnvWrapper(target) {}
  int64_t NowMicros() override { return now_.load(); }
  void SetNowMicros(int64_t t) { now_.store(t); }
  void AdvanceMicros(int64_t d) { now_.fetch_add(d); }

 private:
  std::atomic<int64_t> now_{0};
};

}  // namespace flowdb

#endif  // FLOWDB_TEST_CPP_TEST_UTIL_H_
