// db_bench: the FlowDB engine core timed alone, without Node, through the
// public headers only (src/include/flowdb/). Its output follows the shape of
// LevelDB's db_bench so numbers can be read side by side with other engines'.
//
// A record is (key, ts, value). Records are numbered 0 … num-1; with
// --series=0 (the default) record k has key = k as 16 digits and ts = 0, the
// key/value workload other engines' db_bench runs; with --series=S > 0 the
// records are S time series of num/S points: key = series as 16 digits,
// ts = point number, and "sequential" means (key, ts) order.
//
// Benchmarks (--benchmarks, run in the order given):
//   fillseq      write num records in key order, into a new database
//   fillrandom   write num records in random order, into a new database
//   overwrite    write num records in random order over the existing ones
//   flush        write the memtable to an SSTable (reads then come from files)
//   reopen       close and reopen the database
//   readrandom   Get `reads` records chosen at random (all exist)
//   readmissing  Get `reads` absent records (each next to a present one)
//   readlatest   GetLatest of `reads` random keys
//   seekrandom   position an iterator at `reads` random records and read one
//   readseq      walk every record forward with one iterator
//   readreverse  walk every record backward with one iterator
//   stats        print the engine's counters
//
// Build: cmake -S . -B build-bench -DFLOWDB_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release
//        cmake --build build-bench --target db_bench -j2

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "flowdb/db.h"
#include "flowdb/iterator.h"
#include "flowdb/options.h"
#include "flowdb/status.h"
#include "flowdb/write_batch.h"

namespace {

using flowdb::DB;
using flowdb::Status;
using Clock = std::chrono::steady_clock;

struct Flags {
  // The reads run on the fillseq database, where every record exists.
  std::string benchmarks =
      "fillrandom,overwrite,fillseq,flush,readrandom,readmissing,readlatest,seekrandom,readseq,readreverse,stats";
  int64_t num = 1000000;
  int64_t reads = -1;  // -1: num
  int64_t series = 0;
  int value_size = 100;
  double compression_ratio = 0.5;
  int batch = 1;
  bool sync = false;
  bool histogram = false;
  std::string db = "/tmp/flowdb_db_bench";
  int64_t memtable_size = -1;   // -1: the engine's default
  int64_t cache_size = -1;
  int bloom_bits = -1;
  int block_restart_interval = -1;  // -1: the engine's default
  std::string compression = "lz4";
  uint64_t seed = 301;
};

Flags FLAGS;

void Die(const char* what, const Status& s) {
  std::fprintf(stderr, "db_bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

// splitmix64: the benchmark's random numbers.
class Random64 {
 public:
  explicit Random64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t Uniform(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

// Values that compress to about `ratio` of their size: each value-sized
// piece of a 1 MiB pool repeats a random fragment of ratio × its length.
class ValueSource {
 public:
  ValueSource(double ratio, uint64_t seed) {
    Random64 rnd(seed);
    const size_t piece = 100;
    const size_t fragment = std::max<size_t>(1, static_cast<size_t>(piece * ratio));
    while (pool_.size() < (1u << 20)) {
      std::string frag(fragment, '\0');
      for (char& c : frag) c = static_cast<char>(' ' + rnd.Uniform(95));
      for (size_t i = 0; i < piece; i++) pool_.push_back(frag[i % fragment]);
    }
  }
  std::string_view Get(size_t len) {
    if (pos_ + len > pool_.size()) pos_ = 0;
    std::string_view v(pool_.data() + pos_, len);
    pos_ += len;
    return v;
  }

 private:
  std::string pool_;
  size_t pos_ = 0;
};

// Record k as (key, ts); see the file comment.
struct RecordId {
  char key[17];
  int64_t ts;
};

RecordId IdOf(int64_t k) {
  RecordId id;
  int64_t key_number = k;
  id.ts = 0;
  if (FLAGS.series > 0) {
    int64_t points = std::max<int64_t>(1, FLAGS.num / FLAGS.series);
    key_number = k / points;
    id.ts = k % points;
  }
  std::snprintf(id.key, sizeof(id.key), "%016" PRId64, key_number);
  return id;
}

constexpr size_t kKeyBytes = 16 + 8;  // key + ts, for MB/s

// Per-benchmark timing and counts, printed as one line.
class Stats {
 public:
  void Start() {
    start_ = Clock::now();
    last_op_ = start_;
  }
  void FinishedOps(int64_t n) {
    done_ += n;
    if (FLAGS.histogram) {
      auto now = Clock::now();
      double micros = std::chrono::duration<double, std::micro>(now - last_op_).count();
      latencies_.push_back(static_cast<float>(micros / std::max<int64_t>(n, 1)));
      last_op_ = now;
    }
  }
  void AddBytes(int64_t n) { bytes_ += n; }
  void AddMessage(std::string msg) { message_ = std::move(msg); }

  void Report(const char* name) {
    double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    int64_t done = std::max<int64_t>(done_, 1);
    double micros_per_op = seconds * 1e6 / done;
    std::string rate;
    if (bytes_ > 0) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%8.1f MB/s", bytes_ / 1048576.0 / seconds);
      rate = buf;
    }
    std::printf("%-12s : %11.3f micros/op; %10.0f ops/sec;%s%s%s\n", name, micros_per_op,
                done / seconds, rate.c_str(), message_.empty() ? "" : " ", message_.c_str());
    if (FLAGS.histogram && !latencies_.empty()) {
      std::sort(latencies_.begin(), latencies_.end());
      auto pct = [&](double p) {
        return latencies_[std::min(latencies_.size() - 1, static_cast<size_t>(p * latencies_.size()))];
      };
      std::printf("%-12s   µs/op: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n", "", pct(0.5),
                  pct(0.9), pct(0.99), pct(0.999), latencies_.back());
    }
    std::fflush(stdout);
  }

 private:
  Clock::time_point start_, last_op_;
  int64_t done_ = 0;
  int64_t bytes_ = 0;
  std::string message_;
  std::vector<float> latencies_;
};

class Benchmark {
 public:
  Benchmark() : values_(FLAGS.compression_ratio, FLAGS.seed) {}

  void Run() {
    PrintHeader();
    std::stringstream list(FLAGS.benchmarks);
    std::string name;
    while (std::getline(list, name, ',')) {
      if (name.empty()) continue;
      RunOne(name);
    }
    Close();
  }

 private:
  flowdb::Options MakeOptions() const {
    flowdb::Options o;
    o.sync_mode = FLAGS.sync ? flowdb::SyncMode::kAlways : flowdb::SyncMode::kNone;
    if (FLAGS.memtable_size >= 0) o.memtable_size = static_cast<size_t>(FLAGS.memtable_size);
    if (FLAGS.cache_size >= 0) o.block_cache_size = static_cast<size_t>(FLAGS.cache_size);
    if (FLAGS.bloom_bits >= 0) o.bloom_bits_per_key = FLAGS.bloom_bits;
    if (FLAGS.block_restart_interval > 0) o.block_restart_interval = FLAGS.block_restart_interval;
    o.compression = FLAGS.compression == "none" ? flowdb::Compression::kNone : flowdb::Compression::kLZ4;
    return o;
  }

  void Open(bool fresh) {
    Close();
    flowdb::Options o = MakeOptions();
    if (fresh && std::filesystem::exists(FLAGS.db)) {
      Status s = flowdb::DestroyDB(FLAGS.db, o);
      if (!s.ok()) Die("DestroyDB", s);
    }
    Status s = DB::Open(o, FLAGS.db, &db_);
    if (!s.ok()) Die("Open", s);
  }

  void Close() {
    if (db_) {
      Status s = db_->Close();
      if (!s.ok()) Die("Close", s);
      db_.reset();
    }
  }

  DB* Need() {
    if (!db_) Open(false);
    return db_.get();
  }

  int64_t Reads() const { return FLAGS.reads < 0 ? FLAGS.num : FLAGS.reads; }

  void RunOne(const std::string& name) {
    Stats stats;
    if (name == "fillseq") {
      Open(true);
      all_present_ = true;
      stats.Start();
      Write(&stats, /*random=*/false);
    } else if (name == "fillrandom") {
      Open(true);
      all_present_ = false;
      stats.Start();
      Write(&stats, true);
    } else if (name == "overwrite") {
      Need();
      stats.Start();
      Write(&stats, true);
    } else if (name == "flush") {
      Need();
      stats.Start();
      Status s = db_->Flush();
      if (!s.ok()) Die("Flush", s);
      stats.FinishedOps(1);
    } else if (name == "reopen") {
      stats.Start();
      Open(false);
      stats.FinishedOps(1);
    } else if (name == "readrandom") {
      Need();
      stats.Start();
      ReadRandom(&stats, /*missing=*/false);
    } else if (name == "readmissing") {
      Need();
      stats.Start();
      ReadRandom(&stats, true);
    } else if (name == "readlatest") {
      Need();
      stats.Start();
      ReadLatest(&stats);
    } else if (name == "seekrandom") {
      Need();
      stats.Start();
      SeekRandom(&stats);
    } else if (name == "readseq") {
      Need();
      stats.Start();
      ReadSequential(&stats, /*reverse=*/false);
    } else if (name == "readreverse") {
      Need();
      stats.Start();
      ReadSequential(&stats, true);
    } else if (name == "stats") {
      PrintStats();
      return;
    } else {
      std::fprintf(stderr, "db_bench: unknown benchmark '%s'\n", name.c_str());
      std::exit(1);
    }
    stats.Report(name.c_str());
  }

  void Write(Stats* stats, bool random) {
    Random64 rnd(FLAGS.seed + 1);
    flowdb::WriteBatch batch;
    int64_t bytes = 0;
    for (int64_t i = 0; i < FLAGS.num; i += FLAGS.batch) {
      batch.Clear();
      int64_t n = std::min<int64_t>(FLAGS.batch, FLAGS.num - i);
      for (int64_t j = 0; j < n; j++) {
        RecordId id = IdOf(random ? static_cast<int64_t>(rnd.Uniform(FLAGS.num)) : i + j);
        batch.Put(std::string_view(id.key, 16), id.ts, values_.Get(FLAGS.value_size));
        bytes += kKeyBytes + FLAGS.value_size;
      }
      Status s = db_->Write(&batch);
      if (!s.ok()) Die("Write", s);
      stats->FinishedOps(n);
    }
    stats->AddBytes(bytes);
  }

  void ReadRandom(Stats* stats, bool missing) {
    Random64 rnd(FLAGS.seed + 2);
    flowdb::ReadOptions ro;
    std::string value;
    int64_t found = 0, bytes = 0;
    const int64_t reads = Reads();
    for (int64_t i = 0; i < reads; i++) {
      RecordId id = IdOf(static_cast<int64_t>(rnd.Uniform(FLAGS.num)));
      std::string key(id.key, 16);
      if (missing) key.push_back('.');  // sorts right after a present key
      Status s = db_->Get(ro, key, id.ts, &value);
      if (s.ok()) {
        found++;
        bytes += kKeyBytes + value.size();
      } else if (!s.IsNotFound()) {
        Die("Get", s);
      }
      stats->FinishedOps(1);
    }
    stats->AddBytes(bytes);
    char msg[64];
    std::snprintf(msg, sizeof(msg), "(%" PRId64 " of %" PRId64 " found)", found, reads);
    stats->AddMessage(msg);
    if (!missing && all_present_ && found != reads) {
      std::fprintf(stderr, "db_bench: readrandom found %" PRId64 " of %" PRId64 " records\n", found, reads);
      std::exit(1);
    }
    if (missing && found != 0) {
      std::fprintf(stderr, "db_bench: readmissing found %" PRId64 " absent records\n", found);
      std::exit(1);
    }
  }

  void ReadLatest(Stats* stats) {
    Random64 rnd(FLAGS.seed + 3);
    flowdb::ReadOptions ro;
    flowdb::Record record;
    int64_t found = 0, bytes = 0;
    const int64_t reads = Reads();
    for (int64_t i = 0; i < reads; i++) {
      RecordId id = IdOf(static_cast<int64_t>(rnd.Uniform(FLAGS.num)));
      Status s = db_->GetLatest(ro, std::string_view(id.key, 16), &record);
      if (s.ok()) {
        found++;
        bytes += kKeyBytes + record.value.size();
      } else if (!s.IsNotFound()) {
        Die("GetLatest", s);
      }
      stats->FinishedOps(1);
    }
    stats->AddBytes(bytes);
    char msg[64];
    std::snprintf(msg, sizeof(msg), "(%" PRId64 " of %" PRId64 " found)", found, reads);
    stats->AddMessage(msg);
  }

  void SeekRandom(Stats* stats) {
    Random64 rnd(FLAGS.seed + 4);
    flowdb::ReadOptions ro;
    std::unique_ptr<flowdb::RecordIterator> it = db_->NewIterator(ro);
    int64_t found = 0, bytes = 0;
    const int64_t reads = Reads();
    for (int64_t i = 0; i < reads; i++) {
      RecordId id = IdOf(static_cast<int64_t>(rnd.Uniform(FLAGS.num)));
      it->Seek(std::string_view(id.key, 16), id.ts);
      if (it->Valid()) {
        if (it->key() == std::string_view(id.key, 16) && it->ts() == id.ts) found++;
        bytes += it->key().size() + 8 + it->value().size();
      }
      stats->FinishedOps(1);
    }
    if (!it->status().ok()) Die("Seek", it->status());
    stats->AddBytes(bytes);
    char msg[64];
    std::snprintf(msg, sizeof(msg), "(%" PRId64 " of %" PRId64 " found)", found, reads);
    stats->AddMessage(msg);
  }

  void ReadSequential(Stats* stats, bool reverse) {
    flowdb::ReadOptions ro;
    std::unique_ptr<flowdb::RecordIterator> it = db_->NewIterator(ro);
    int64_t n = 0, bytes = 0;
    if (reverse) {
      for (it->SeekToLast(); it->Valid(); it->Prev()) {
        bytes += it->key().size() + 8 + it->value().size();
        n++;
      }
    } else {
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        bytes += it->key().size() + 8 + it->value().size();
        n++;
      }
    }
    if (!it->status().ok()) Die(reverse ? "Prev" : "Next", it->status());
    stats->FinishedOps(n);
    stats->AddBytes(bytes);
    char msg[64];
    std::snprintf(msg, sizeof(msg), "(%" PRId64 " records)", n);
    stats->AddMessage(msg);
  }

  void PrintStats() {
    flowdb::DBStats s = Need()->GetStats();
    std::printf(
        "stats        : last seq %" PRIu64 ", records written %" PRIu64 ", write groups %" PRIu64
        ", WAL syncs %" PRIu64 ", flushes %" PRIu64 ", stall %.1f ms\n"
        "               memtables %.1f MiB (%" PRIu64 " frozen), SSTables %" PRIu64 " (%.1f MiB)\n"
        "               block cache %.1f MiB, hits %" PRIu64 ", misses %" PRIu64
        ", bloom-skipped probes %" PRIu64 "\n",
        s.last_sequence, s.records_written, s.write_groups, s.wal_syncs, s.flushes,
        s.stall_micros / 1000.0, s.memtable_bytes / 1048576.0, s.frozen_memtables, s.sstables,
        s.sstable_bytes / 1048576.0, s.block_cache_bytes / 1048576.0, s.block_cache_hits,
        s.block_cache_misses, s.bloom_useful);
  }

  void PrintHeader() {
    const double raw = (kKeyBytes + FLAGS.value_size) * static_cast<double>(FLAGS.num) / 1048576.0;
    std::printf("FlowDB:     format version %d, LZ4 %s\n", flowdb::FormatVersion(), flowdb::LZ4VersionString());
    std::printf("Date:       %s", Now().c_str());
    std::printf("CPU:        %s\n", CpuModel().c_str());
    std::printf("Keys:       16 bytes + 8-byte ts each%s\n",
                FLAGS.series > 0 ? (" (" + std::to_string(FLAGS.series) + " series)").c_str() : "");
    std::printf("Values:     %d bytes each (%d bytes after compression at ratio %.2f)\n", FLAGS.value_size,
                static_cast<int>(FLAGS.value_size * FLAGS.compression_ratio + 0.5), FLAGS.compression_ratio);
    std::printf("Entries:    %" PRId64 " (reads: %" PRId64 ")\n", FLAGS.num, Reads());
    std::printf("RawSize:    %.1f MB (estimated)\n", raw);
    std::printf("Batch:      %d records per write, %s\n", FLAGS.batch,
                FLAGS.sync ? "sync_mode always (fdatasync per write)" : "sync_mode none (no fsync)");
    std::printf("Database:   %s, compression %s\n", FLAGS.db.c_str(), FLAGS.compression.c_str());
    std::printf("------------------------------------------------\n");
  }

  static std::string Now() {
    std::time_t t = std::time(nullptr);
    return std::ctime(&t);
  }

  static std::string CpuModel() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    int cores = 0;
    std::string model = "unknown";
    while (std::getline(in, line)) {
      if (line.rfind("model name", 0) == 0) {
        cores++;
        size_t colon = line.find(':');
        if (colon != std::string::npos) model = line.substr(colon + 2);
      }
    }
    return std::to_string(cores) + " × " + model;
  }

  ValueSource values_;
  std::unique_ptr<DB> db_;
  bool all_present_ = false;  // the database holds every record 0 … num-1 (after fillseq)
};

// Parses --name=value; returns false if `arg` is not that flag.
bool Flag(const char* arg, const char* name, std::string* value) {
  size_t n = std::strlen(name);
  if (std::strncmp(arg, "--", 2) != 0 || std::strncmp(arg + 2, name, n) != 0 || arg[2 + n] != '=') return false;
  *value = arg + 3 + n;
  return true;
}

int64_t ToInt(const std::string& s, const char* name) {
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0') {
    std::fprintf(stderr, "db_bench: --%s needs an integer, got '%s'\n", name, s.c_str());
    std::exit(1);
  }
  return v;
}

void Usage() {
  std::printf(
      "Usage: db_bench [--benchmarks=fillseq,readrandom,...] [--num=N] [--reads=N] [--series=S]\n"
      "                [--value_size=B] [--compression_ratio=R] [--batch=N] [--sync=0|1]\n"
      "                [--db=PATH] [--memtable_size=B] [--cache_size=B] [--bloom_bits=N]\n"
      "                [--block_restart_interval=N] [--compression=lz4|none] [--histogram=0|1]\n"
      "                [--seed=N]\n"
      "Benchmarks: fillseq fillrandom overwrite flush reopen readrandom readmissing readlatest\n"
      "            seekrandom readseq readreverse stats\n");
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    std::string v;
    const char* a = argv[i];
    if (std::strcmp(a, "--help") == 0 || std::strcmp(a, "-h") == 0) {
      Usage();
      return 0;
    } else if (Flag(a, "benchmarks", &v)) {
      FLAGS.benchmarks = v;
    } else if (Flag(a, "num", &v)) {
      FLAGS.num = ToInt(v, "num");
    } else if (Flag(a, "reads", &v)) {
      FLAGS.reads = ToInt(v, "reads");
    } else if (Flag(a, "series", &v)) {
      FLAGS.series = ToInt(v, "series");
    } else if (Flag(a, "value_size", &v)) {
      FLAGS.value_size = static_cast<int>(ToInt(v, "value_size"));
    } else if (Flag(a, "compression_ratio", &v)) {
      FLAGS.compression_ratio = std::atof(v.c_str());
    } else if (Flag(a, "batch", &v)) {
      FLAGS.batch = static_cast<int>(std::max<int64_t>(1, ToInt(v, "batch")));
    } else if (Flag(a, "sync", &v)) {
      FLAGS.sync = ToInt(v, "sync") != 0;
    } else if (Flag(a, "histogram", &v)) {
      FLAGS.histogram = ToInt(v, "histogram") != 0;
    } else if (Flag(a, "db", &v)) {
      FLAGS.db = v;
    } else if (Flag(a, "memtable_size", &v)) {
      FLAGS.memtable_size = ToInt(v, "memtable_size");
    } else if (Flag(a, "cache_size", &v)) {
      FLAGS.cache_size = ToInt(v, "cache_size");
    } else if (Flag(a, "bloom_bits", &v)) {
      FLAGS.bloom_bits = static_cast<int>(ToInt(v, "bloom_bits"));
    } else if (Flag(a, "block_restart_interval", &v)) {
      FLAGS.block_restart_interval = static_cast<int>(ToInt(v, "block_restart_interval"));
    } else if (Flag(a, "compression", &v)) {
      FLAGS.compression = v;
    } else if (Flag(a, "seed", &v)) {
      FLAGS.seed = static_cast<uint64_t>(ToInt(v, "seed"));
    } else {
      std::fprintf(stderr, "db_bench: unknown flag %s\n", a);
      Usage();
      return 1;
    }
  }
  if (FLAGS.num <= 0 || FLAGS.value_size < 0 || (FLAGS.compression != "lz4" && FLAGS.compression != "none")) {
    std::fprintf(stderr, "db_bench: bad flags\n");
    return 1;
  }
  Benchmark().Run();
  return 0;
}
