// doc_bench: the JsonDB document core timed alone, without Node, through
// the public header (src/include/flowdb/jsondb.h) and the key codec. It
// isolates the C++ share of what bench/docs.mjs measures from JS, so a
// profiler (perf, callgrind) sees only the core.
//
// Documents are synthetic flights shaped like bench/docs.mjs's data set:
// { id, date, delay, distance, origin, destination }, id = 0 … num-1, origin
// and destination drawn from 50 airports with a mildly skewed distribution, in one
// object store with key path "id" and three indexes: origin, [origin,
// destination] and delay.
//
// Benchmarks (--benchmarks, in the order given):
//   insertbatch  put num documents in one read-write transaction
//   insertone    put num documents, one read-write transaction each
//   get          Get `reads` random documents by key (one read-only transaction each)
//   indexeq      GetAll on the origin index for the busiest origin, `queries` times
//   count        Count on the origin index for the busiest origin, `queries` times
//   countall     Count every document of the store, once
//   compound     GetAll on the [origin, destination] index, busiest route
//   scan         GetAll over the whole store, once
//
// Options: --num=10000 --reads=20000 --queries=200 --sync=0|1 --memory=0|1
//          --db=<dir> (default: a new directory under the system temp dir)
//
// Build: cmake -S . -B build-bench -DFLOWDB_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release
//        cmake --build build-bench --target doc_bench -j2

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "doc/key_codec.h"
#include "flowdb/jsondb.h"

namespace {

using flowdb::DocRecord;
using flowdb::DocSource;
using flowdb::JsonDB;
using flowdb::KeyRange;
using flowdb::ReadRangeOptions;
using flowdb::Status;
using flowdb::Transaction;
using flowdb::TransactionMode;
using flowdb::TransactionOptions;

struct Flags {
  int num = 10000;
  int reads = 20000;
  int queries = 200;
  bool sync = false;
  bool memory = false;
  std::string db;
  std::string benchmarks = "insertbatch,get,indexeq,count,compound,scan";
};

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

const char* kAirports[] = {"ATL", "ORD", "DFW", "DEN", "LAX", "SFO", "PHX", "LAS", "IAH", "MSP",
                           "DTW", "EWR", "SLC", "BOS", "CLT", "LGA", "MCO", "SEA", "BWI", "JFK",
                           "MDW", "PHL", "SAN", "DCA", "TPA", "FLL", "IAD", "MIA", "HOU", "STL",
                           "OAK", "BNA", "AUS", "MCI", "SJC", "SMF", "MSY", "RDU", "SNA", "CLE",
                           "PIT", "IND", "CMH", "SAT", "DAL", "PDX", "MKE", "ABQ", "OKC", "TUL"};
constexpr int kAirportCount = sizeof(kAirports) / sizeof(kAirports[0]);

class Bench {
 public:
  explicit Bench(const Flags& flags) : flags_(flags), rnd_(301) {
    // Airport k has weight 1/(k+40): the busiest origin has ~3% of the
    // flights, as the busiest in the real data set has ~2%.
    std::vector<double> weights;
    for (int k = 0; k < kAirportCount; k++) weights.push_back(1.0 / (k + 40));
    std::discrete_distribution<int> skew(weights.begin(), weights.end());
    for (int i = 0; i < flags.num; i++) {
      int o = skew(rnd_);
      int d = skew(rnd_);
      if (d == o) d = (d + 1) % kAirportCount;
      origin_.push_back(o);
      dest_.push_back(d);
      char buf[256];
      std::snprintf(buf, sizeof(buf),
                    "{\"id\":%d,\"date\":\"2001/01/%02d %02d:%02d\",\"delay\":%d,\"distance\":%d,"
                    "\"origin\":\"%s\",\"destination\":\"%s\"}",
                    i, 1 + i % 28, i % 24, i % 60, static_cast<int>(rnd_() % 200) - 20,
                    100 + static_cast<int>(rnd_() % 2500), kAirports[o], kAirports[d]);
      docs_.emplace_back(buf);
    }
  }

  void Open() {
    flowdb::JsonDBOptions options;
    options.in_memory = flags_.memory;
    options.db_options.create_if_missing = true;
    options.db_options.sync_mode = flags_.sync ? flowdb::SyncMode::kAlways : flowdb::SyncMode::kNone;
    path_ = flags_.db.empty()
                ? (std::filesystem::temp_directory_path() / ("doc_bench-" + std::to_string(::getpid())))
                      .string()
                : flags_.db;
    std::filesystem::remove_all(path_);
    Check(JsonDB::Open(options, path_, &db_), "open");
    flowdb::StoreSpec spec;
    spec.name = "f";
    spec.key_path = flowdb::KeyPathSpec::String("id");
    spec.indexes.push_back({"origin", flowdb::KeyPathSpec::String("origin"), false, false});
    spec.indexes.push_back(
        {"route", flowdb::KeyPathSpec::Array({"origin", "destination"}), false, false});
    spec.indexes.push_back({"delay", flowdb::KeyPathSpec::String("delay"), false, false});
    Check(db_->ApplySchema({spec}, nullptr), "schema");
  }

  ~Bench() {
    if (db_) db_->Close().PermitUncheckedError();
    db_.reset();
    if (flags_.db.empty()) std::filesystem::remove_all(path_);
  }

  void Run(const std::string& name) {
    const auto start = std::chrono::steady_clock::now();
    int ops = 0;
    if (name == "insertbatch") {
      ops = InsertBatch();
    } else if (name == "insertone") {
      ops = InsertOne();
    } else if (name == "get") {
      ops = Get();
    } else if (name == "indexeq") {
      ops = IndexQuery(false);
    } else if (name == "compound") {
      ops = IndexQuery(true);
    } else if (name == "count") {
      ops = Count();
    } else if (name == "countall") {
      ops = CountAll();
    } else if (name == "scan") {
      ops = Scan();
    } else {
      std::fprintf(stderr, "unknown benchmark %s\n", name.c_str());
      std::exit(1);
    }
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-12s : %11.3f micros/op; %9d ops%s\n", name.c_str(), us / ops, ops, note_.c_str());
    note_.clear();
  }

 private:
  std::unique_ptr<Transaction> Begin(TransactionMode mode) {
    TransactionOptions options;
    options.mode = mode;
    std::unique_ptr<Transaction> txn;
    Check(db_->Begin(options, &txn), "begin");
    return txn;
  }

  int InsertBatch() {
    auto txn = Begin(TransactionMode::kReadWrite);
    std::vector<std::string_view> views(docs_.begin(), docs_.end());
    std::vector<std::string> keys;
    Check(txn->PutMany("f", views, &keys), "putMany");
    Check(txn->Commit(), "commit");
    return flags_.num;
  }

  int InsertOne() {
    for (const std::string& doc : docs_) {
      auto txn = Begin(TransactionMode::kReadWrite);
      std::string key;
      Check(txn->Put("f", doc, nullptr, &key), "put");
      Check(txn->Commit(), "commit");
    }
    return flags_.num;
  }

  static std::string NumberKey(double v) {
    std::string out;
    Check(flowdb::doc::EncodeKey(flowdb::doc::Key::Number(v), &out), "encode");
    return out;
  }
  static std::string StringKey(const char* s) {
    std::string out;
    std::u16string u(s, s + std::strlen(s));
    Check(flowdb::doc::EncodeKey(flowdb::doc::Key::String(u), &out), "encode");
    return out;
  }

  int Get() {
    uint64_t bytes = 0;
    for (int i = 0; i < flags_.reads; i++) {
      auto txn = Begin(TransactionMode::kReadOnly);
      std::string value;
      bool found = false;
      Check(txn->Get("f", NumberKey(static_cast<double>(rnd_() % flags_.num)), &value, &found),
            "get");
      if (!found) Check(Status::Corruption("a document is missing"), "get");
      bytes += value.size();
    }
    note_ = "; " + std::to_string(bytes / flags_.reads) + " bytes/doc";
    return flags_.reads;
  }

  // The busiest origin (and its busiest destination), as the data has it.
  void Busiest(int* origin, int* dest, int* by_origin, int* by_route) const {
    std::vector<int> o(kAirportCount), r(kAirportCount * kAirportCount);
    for (size_t i = 0; i < origin_.size(); i++) {
      o[origin_[i]]++;
      r[origin_[i] * kAirportCount + dest_[i]]++;
    }
    *origin = static_cast<int>(std::max_element(o.begin(), o.end()) - o.begin());
    *by_origin = o[*origin];
    int best = 0;
    for (int d = 0; d < kAirportCount; d++) {
      if (r[*origin * kAirportCount + d] > r[*origin * kAirportCount + best]) best = d;
    }
    *dest = best;
    *by_route = r[*origin * kAirportCount + best];
  }

  int IndexQuery(bool compound) {
    int origin, dest, by_origin, by_route;
    Busiest(&origin, &dest, &by_origin, &by_route);
    ReadRangeOptions options;
    if (compound) {
      std::string key;
      Check(flowdb::doc::EncodeKey(
                flowdb::doc::Key::Array(
                    {flowdb::doc::Key::String(std::u16string(kAirports[origin], kAirports[origin] + 3)),
                     flowdb::doc::Key::String(std::u16string(kAirports[dest], kAirports[dest] + 3))}),
                &key),
            "encode");
      options.range = KeyRange::Only(key);
    } else {
      options.range = KeyRange::Only(StringKey(kAirports[origin]));
    }
    const int expected = compound ? by_route : by_origin;
    for (int q = 0; q < flags_.queries; q++) {
      auto txn = Begin(TransactionMode::kReadOnly);
      std::vector<DocRecord> records;
      Check(txn->GetAll(DocSource{"f", compound ? "route" : "origin"}, options, &records), "getAll");
      if (static_cast<int>(records.size()) != expected) {
        Check(Status::Corruption("wrong result count"), "getAll");
      }
    }
    note_ = "; " + std::to_string(expected) + " docs/query";
    return flags_.queries;
  }

  int Count() {
    int origin, dest, by_origin, by_route;
    Busiest(&origin, &dest, &by_origin, &by_route);
    KeyRange range = KeyRange::Only(StringKey(kAirports[origin]));
    for (int q = 0; q < flags_.queries; q++) {
      auto txn = Begin(TransactionMode::kReadOnly);
      uint64_t n = 0;
      Check(txn->Count(DocSource{"f", "origin"}, range, &n), "count");
      if (static_cast<int>(n) != by_origin) Check(Status::Corruption("wrong count"), "count");
    }
    return flags_.queries;
  }

  int CountAll() {
    auto txn = Begin(TransactionMode::kReadOnly);
    uint64_t n = 0;
    Check(txn->Count(DocSource{"f", ""}, KeyRange::All(), &n), "count");
    if (static_cast<int>(n) != flags_.num) Check(Status::Corruption("wrong count"), "countall");
    return 1;
  }

  int Scan() {
    auto txn = Begin(TransactionMode::kReadOnly);
    std::vector<DocRecord> records;
    Check(txn->GetAll(DocSource{"f", ""}, ReadRangeOptions(), &records), "scan");
    if (static_cast<int>(records.size()) != flags_.num) Check(Status::Corruption("wrong scan"), "scan");
    note_ = "; " + std::to_string(records.size()) + " docs";
    return 1;
  }

  const Flags flags_;
  std::mt19937_64 rnd_;
  std::vector<std::string> docs_;
  std::vector<int> origin_, dest_;
  std::string path_;
  std::unique_ptr<JsonDB> db_;
  std::string note_;
};

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    int n;
    char buf[1024];
    if (std::sscanf(a, "--num=%d", &n) == 1) {
      flags.num = n;
    } else if (std::sscanf(a, "--reads=%d", &n) == 1) {
      flags.reads = n;
    } else if (std::sscanf(a, "--queries=%d", &n) == 1) {
      flags.queries = n;
    } else if (std::sscanf(a, "--sync=%d", &n) == 1) {
      flags.sync = n != 0;
    } else if (std::sscanf(a, "--memory=%d", &n) == 1) {
      flags.memory = n != 0;
    } else if (std::sscanf(a, "--db=%1023s", buf) == 1) {
      flags.db = buf;
    } else if (std::sscanf(a, "--benchmarks=%1023s", buf) == 1) {
      flags.benchmarks = buf;
    } else {
      std::fprintf(stderr, "unknown flag %s\n", a);
      return 1;
    }
  }
  Bench bench(flags);
  bench.Open();
  size_t pos = 0;
  while (pos <= flags.benchmarks.size()) {
    size_t comma = flags.benchmarks.find(',', pos);
    if (comma == std::string::npos) comma = flags.benchmarks.size();
    std::string name = flags.benchmarks.substr(pos, comma - pos);
    if (!name.empty()) bench.Run(name);
    pos = comma + 1;
  }
  return 0;
}
