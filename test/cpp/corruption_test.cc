// Randomized damage test: a DB with SSTables, a MANIFEST, OPTIONS, CURRENT
// and a WAL holding acknowledged writes is copied, one file is damaged (bit
// flips, a truncation or a zeroed 4 KiB page, in a chosen region: WAL
// middle or tail, MANIFEST middle or tail, CURRENT, OPTIONS, SSTable data,
// index, filter, properties or footer), and the copy is opened and read.
//
// Every trial must end in one of:
//  - "original": open, full scan and point reads return exactly the data;
//  - "torn tail": damage to the newest WAL after which no intact record
//    remains, and the data is exactly the writes before the damaged record
//    (the documented torn-tail rule: such a tail cannot be told from a write
//    that never completed);
//  - "corruption reported": open, the scan or a point read fails with
//    Corruption whose message names the damaged file.
// Anything else fails the test: "lost" (records missing), "wrong" (records
// with other data), or an error that is not Corruption or does not name the
// file. DB::Verify must also name the file whenever the data did not come
// back as the original. Flips hit distinct bits, so that the damage always
// changes the file (a zeroed page that was zero already is not a trial).
//
// EveryByteOfAnSSTableIsUnderAChecksum flips one bit at every byte of a
// table, one at a time, and requires each flip to be reported.
//
// Size: FLOWDB_CORRUPTION_TRIALS (default: the CI size), first seed
// FLOWDB_CORRUPTION_SEED; scripts/power-loss.sh runs the large size.

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "db/log_format.h"
#include "db/log_reader.h"
#include "flowdb/db.h"
#include "flowdb/env.h"
#include "table/format.h"
#include "test_util.h"

namespace flowdb {
namespace {

using Model = test::RecordModel;
using ModelApplier = test::RecordModelApplier;

// The regions a trial can damage.
enum class Region {
  kWalMiddle, kWalTail, kManifestMiddle, kManifestTail, kCurrent, kOptions,
  kSstData, kSstIndex, kSstFilter, kSstProperties, kSstFooter, kCount
};
const char* RegionName(Region r) {
  static const char* kNames[] = {"wal-middle", "wal-tail", "manifest-middle", "manifest-tail",
                                 "CURRENT", "OPTIONS", "sst-data", "sst-index", "sst-filter",
                                 "sst-properties", "sst-footer"};
  return kNames[static_cast<int>(r)];
}
enum class Damage { kFlip, kTruncate, kZeroPage, kCount };
const char* DamageName(Damage d) {
  static const char* kNames[] = {"flip", "truncate", "zero-page"};
  return kNames[static_cast<int>(d)];
}

enum Outcome { kOriginal, kTornTail, kCorruptionReported, kLost, kWrong, kBadError, kOutcomes };
const char* OutcomeName(int o) {
  static const char* kNames[] = {"original", "torn-tail", "corruption-reported",
                                 "lost", "wrong", "bad-error"};
  return kNames[o];
}

constexpr const char* kDb = "/db";

struct Span {
  uint64_t start, end;
};

// The record spans of a log file (offsets of each record's header to its end).
std::vector<Span> LogRecords(Env* env, const std::string& path, log::LogKind kind) {
  std::vector<Span> spans;
  std::unique_ptr<SequentialFile> file;
  EXPECT_OK(env->NewSequentialFile(path, &file));
  log::Reader reader(file.get(), path, kind, true);
  std::string_view record;
  std::string scratch;
  while (reader.ReadRecord(&record, &scratch)) {
    const uint64_t end = reader.LastRecordEndOffset();
    spans.push_back({end - record.size() - log::kRecordHeaderSize, end});
  }
  EXPECT_OK(reader.status());
  return spans;
}

// A pristine database and what it must read back as.
class Pristine {
 public:
  explicit Pristine(uint64_t seed) : rnd_(seed), env_(NewMemEnv()) {
    options_.env = env_.get();
    options_.memtable_size = 1 << 20;
    options_.block_size = 1024;
    options_.compaction_trigger = 0;
    options_.compression = rnd_.OneIn(2) ? Compression::kLZ4 : Compression::kNone;
    std::unique_ptr<DB> db;
    EXPECT_OK(DB::Open(options_, kDb, &db));
    const int kTableRounds = 3;
    for (int round = 0; round <= kTableRounds; round++) {
      const bool last = round == kTableRounds;
      for (int i = 0; i < (last ? 40 : 60); i++) {
        WriteBatch batch = RandomBatch();
        EXPECT_OK(db->Write(&batch));
        Model next = states_.empty() ? Model() : states_.back();
        ModelApplier applier(&next);
        EXPECT_OK(batch.Iterate(&applier));
        for (const auto& [k, v] : next) written_values_.insert({k.first, k.second, v});
        states_.push_back(std::move(next));
        if (last) wal_batches_++;
      }
      if (!last) EXPECT_OK(db->Flush());
    }
    EXPECT_OK(db->Close());
    db.reset();
    ListFiles();
  }

  Env* env() const { return env_.get(); }
  const Options& options() const { return options_; }
  const Model& final_state() const { return states_.back(); }
  // The state after all but the last n batches.
  const Model& StateWithoutLast(size_t n) const {
    static const Model kEmpty;
    return n >= states_.size() ? kEmpty : states_[states_.size() - 1 - n];
  }
  size_t wal_batches() const { return wal_batches_; }
  // Whether (key, ts) → value was ever written.
  bool WasWritten(const std::string& key, int64_t ts, std::string_view value) const {
    return written_values_.count({key, ts, std::string(value)}) > 0;
  }
  const std::vector<std::string>& files() const { return files_; }
  std::string wal() const { return wal_; }
  std::string manifest() const { return manifest_; }
  const std::vector<std::string>& tables() const { return tables_; }

 private:
  WriteBatch RandomBatch() {
    WriteBatch batch;
    const uint64_t n = 1 + rnd_.Uniform(6);
    for (uint64_t i = 0; i < n; i++) {
      char key[16];
      std::snprintf(key, sizeof(key), "key%03u", static_cast<unsigned>(rnd_.Uniform(200)));
      const int64_t ts = static_cast<int64_t>(rnd_.Uniform(3));
      if (rnd_.OneIn(8)) {
        batch.Delete(key, ts);
      } else {
        std::string v = "b" + std::to_string(batches_) + "/" + key + "/";
        v.append(10 + rnd_.Uniform(200), static_cast<char>('a' + rnd_.Uniform(26)));
        batch.Put(key, ts, v);
      }
    }
    if (rnd_.OneIn(30)) batch.DeleteRange("key05", "key06");
    batches_++;
    return batch;
  }

  void ListFiles() {
    std::vector<std::string> names;
    EXPECT_OK(env_->GetChildren(kDb, &names));
    for (const auto& n : names) {
      if (n.rfind("MANIFEST-", 0) == 0) manifest_ = std::string(kDb) + "/" + n;
      if (n == "CURRENT" || n == "OPTIONS" || n.rfind("MANIFEST-", 0) == 0) {
        files_.push_back(std::string(kDb) + "/" + n);
      }
    }
    EXPECT_OK(env_->GetChildren(std::string(kDb) + "/wal", &names));
    for (const auto& n : names) {
      wal_ = std::string(kDb) + "/wal/" + n;  // one segment: the newest
      files_.push_back(wal_);
    }
    EXPECT_OK(env_->GetChildren(std::string(kDb) + "/sst", &names));
    for (const auto& n : names) {
      tables_.push_back(std::string(kDb) + "/sst/" + n);
      files_.push_back(tables_.back());
    }
  }

  test::Random rnd_;
  std::unique_ptr<Env> env_;
  Options options_;
  std::vector<Model> states_;  // after each batch
  std::set<std::tuple<std::string, int64_t, std::string>> written_values_;
  size_t wal_batches_ = 0;
  uint64_t batches_ = 0;
  std::vector<std::string> files_;
  std::string wal_, manifest_;
  std::vector<std::string> tables_;
};

struct Tally {
  uint64_t trials = 0;
  uint64_t by_outcome[kOutcomes] = {};
  std::map<std::string, uint64_t> by_region_outcome;
  uint64_t verify_named = 0;
  uint64_t repaired_exact = 0, repaired_with_loss = 0, repair_failed = 0;
  uint64_t repair_records_lost = 0;

  void Print() const {
    std::printf("[corruption] trials=%llu", (unsigned long long)trials);
    for (int o = 0; o < kOutcomes; o++) {
      std::printf(" %s=%llu", OutcomeName(o), (unsigned long long)by_outcome[o]);
    }
    std::printf(" verify_named_file=%llu | repair: exact=%llu with_loss=%llu failed=%llu "
                "records_lost=%llu\n",
                (unsigned long long)verify_named, (unsigned long long)repaired_exact,
                (unsigned long long)repaired_with_loss, (unsigned long long)repair_failed,
                (unsigned long long)repair_records_lost);
    for (const auto& [k, n] : by_region_outcome) {
      std::printf("  %s: %llu\n", k.c_str(), (unsigned long long)n);
    }
    std::fflush(stdout);
  }
};

class DamageTrial {
 public:
  DamageTrial(const Pristine& pristine, uint64_t seed, Tally* tally)
      : pristine_(pristine), seed_(seed), rnd_(seed), tally_(tally), env_(NewMemEnv()) {
    for (const std::string& f : pristine.files()) {
      std::string data;
      EXPECT_OK(ReadFileToString(pristine.env(), f, &data));
      EXPECT_OK(WriteStringToFile(env_.get(), data, f, false));
    }
  }

  void Run() {
    region_ = static_cast<Region>(rnd_.Uniform(static_cast<uint64_t>(Region::kCount)));
    damage_ = static_cast<Damage>(rnd_.Uniform(static_cast<uint64_t>(Damage::kCount)));
    if (!PickTarget()) return;  // e.g. no filter block in this table
    if (!ApplyDamage()) return;  // a page that was zero already
    const int outcome = Evaluate();
    tally_->trials++;
    tally_->by_outcome[outcome]++;
    tally_->by_region_outcome[std::string(RegionName(region_)) + " " + DamageName(damage_) +
                              " → " + OutcomeName(outcome)]++;
    CheckRepair();
    if (outcome >= kLost) {
      ADD_FAILURE() << OutcomeName(outcome) << " after " << DamageName(damage_) << " of "
                    << RegionName(region_) << " (" << file_ << " bytes [" << dmg_start_ << ", "
                    << dmg_end_ << ") of " << file_size_ << ", seed " << seed_ << "): " << detail_;
    }
  }

 private:
  // Chooses file_ and the region [lo_, hi_) to damage.
  bool PickTarget() {
    switch (region_) {
      case Region::kWalMiddle:
      case Region::kWalTail: {
        file_ = pristine_.wal();
        records_ = LogRecords(env_.get(), file_, log::LogKind::kWal);
        if (records_.size() < 3) return false;
        if (region_ == Region::kWalTail) {
          lo_ = records_.back().start;
          hi_ = records_.back().end;
        } else {
          const Span& r = records_[rnd_.Uniform(records_.size() - 2)];
          lo_ = r.start;
          hi_ = r.end;
        }
        return true;
      }
      case Region::kManifestMiddle:
      case Region::kManifestTail: {
        file_ = pristine_.manifest();
        std::vector<Span> spans = LogRecords(env_.get(), file_, log::LogKind::kManifest);
        if (spans.size() < 2) return false;
        const Span& r = region_ == Region::kManifestTail
                            ? spans.back()
                            : spans[rnd_.Uniform(spans.size() - 1)];
        lo_ = r.start;
        hi_ = r.end;
        return true;
      }
      case Region::kCurrent:
      case Region::kOptions: {
        file_ = std::string(kDb) + (region_ == Region::kCurrent ? "/CURRENT" : "/OPTIONS");
        std::string data;
        EXPECT_OK(ReadFileToString(env_.get(), file_, &data));
        lo_ = 0;
        hi_ = data.size();
        return true;
      }
      default:
        break;
    }
    const auto& tables = pristine_.tables();
    if (tables.empty()) return false;
    file_ = tables[rnd_.Uniform(tables.size())];
    std::string data;
    EXPECT_OK(ReadFileToString(env_.get(), file_, &data));
    Footer footer;
    EXPECT_OK(footer.DecodeFrom(std::string_view(data).substr(data.size() - Footer::kEncodedLength)));
    auto block = [&](const BlockHandle& h) {
      lo_ = h.offset();
      hi_ = h.offset() + h.size() + kBlockTrailerSize;
    };
    switch (region_) {
      case Region::kSstData: {
        uint64_t end = footer.properties_handle.offset();
        if (footer.filter_handle.size() > 0) end = std::min(end, footer.filter_handle.offset());
        lo_ = 0;
        hi_ = end;
        return end > 0;
      }
      case Region::kSstIndex:
        block(footer.index_handle);
        return true;
      case Region::kSstFilter:
        if (footer.filter_handle.size() == 0) return false;
        block(footer.filter_handle);
        return true;
      case Region::kSstProperties:
        block(footer.properties_handle);
        return true;
      default:
        lo_ = data.size() - Footer::kEncodedLength;
        hi_ = data.size();
        return true;
    }
  }

  // Damages file_ and returns true, or returns false if the chosen damage
  // would leave the file as it was.
  bool ApplyDamage() {
    std::string data;
    EXPECT_OK(ReadFileToString(env_.get(), file_, &data));
    const std::string original = data;
    file_size_ = data.size();
    const uint64_t at = lo_ + rnd_.Uniform(hi_ - lo_);
    switch (damage_) {
      case Damage::kFlip: {
        // Distinct bits, so that two flips never cancel out.
        const size_t flips = 1 + rnd_.Uniform(3);
        std::set<std::pair<uint64_t, int>> flipped;
        dmg_start_ = at;
        dmg_end_ = at;
        while (flipped.size() < flips) {
          const uint64_t pos = std::min<uint64_t>(at + rnd_.Uniform(8), hi_ - 1);
          const int bit = static_cast<int>(rnd_.Uniform(8));
          if (!flipped.insert({pos, bit}).second) continue;
          data[pos] = static_cast<char>(data[pos] ^ (1 << bit));
          dmg_end_ = std::max(dmg_end_, pos + 1);
        }
        break;
      }
      case Damage::kTruncate:
        dmg_start_ = at;
        dmg_end_ = data.size();
        data.resize(at);
        break;
      case Damage::kZeroPage: {
        // A 4 KiB page of the file (file-offset aligned), or the part of it
        // the file has, as a lost disk write leaves it.
        const uint64_t page = at / 4096 * 4096;
        dmg_start_ = page;
        dmg_end_ = std::min<uint64_t>(page + 4096, data.size());
        std::fill(data.begin() + static_cast<ptrdiff_t>(dmg_start_),
                  data.begin() + static_cast<ptrdiff_t>(dmg_end_), '\0');
        break;
      }
      default:
        break;
    }
    if (data == original) {
      EXPECT_EQ(damage_, Damage::kZeroPage) << "seed " << seed_;
      return false;
    }
    EXPECT_OK(WriteStringToFile(env_.get(), data, file_, false));
    return true;
  }

  bool NamesFile(const Status& s) const {
    const std::string base = file_.substr(file_.rfind('/') + 1);
    return s.ToString().find(base) != std::string::npos;
  }

  int ErrorOutcome(const Status& s, const char* where) {
    if (s.IsCorruption() && NamesFile(s)) return kCorruptionReported;
    detail_ = std::string(where) + ": " + s.ToString();
    return kBadError;
  }

  // Whether the WAL damage may be read as a torn tail: no intact record
  // starts at or after its end. Returns the number of records it drops.
  bool TornTailAllowed(size_t* dropped) const {
    if (file_ != pristine_.wal()) return false;
    const uint64_t new_size = damage_ == Damage::kTruncate ? dmg_start_ : file_size_;
    size_t first_bad = records_.size();
    for (size_t i = 0; i < records_.size(); i++) {
      if (records_[i].end > dmg_start_) {
        first_bad = i;
        break;
      }
    }
    for (size_t i = first_bad; i < records_.size(); i++) {
      if (records_[i].start >= dmg_end_ && records_[i].end <= new_size) return false;
    }
    *dropped = records_.size() - first_bad;
    return true;
  }

  int Evaluate() {
    std::unique_ptr<DB> db;
    Options options = pristine_.options();
    options.env = env_.get();
    options.create_if_missing = false;
    Status s = DB::Open(options, kDb, &db);
    if (!s.ok()) return ErrorOutcome(s, "open");
    const int outcome = Read(db.get());
    if (file_.find("/sst/") != std::string::npos) {
      // Every byte of an SSTable is under a checksum (or its size is in the
      // MANIFEST): Verify must name the damaged table.
      VerifyReport report;
      EXPECT_OK(db->Verify(&report));
      bool named = false;
      for (const FileProblem& p : report.problems) {
        named = named || file_.find(p.file) != std::string::npos;
      }
      if (named) {
        tally_->verify_named++;
      } else {
        ADD_FAILURE() << "Verify did not report " << DamageName(damage_) << " of "
                      << RegionName(region_) << " in " << file_ << " (seed " << seed_ << ")";
      }
    }
    EXPECT_OK(db->Close());
    return outcome;
  }

  int Read(DB* db) {
    Model actual;
    std::unique_ptr<RecordIterator> it = db->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      actual[{std::string(it->key()), it->ts()}] = std::string(it->value());
    }
    if (!it->status().ok()) return ErrorOutcome(it->status(), "scan");
    const Model* expected = &pristine_.final_state();
    int outcome = kOriginal;
    if (actual != *expected) {
      size_t dropped = 0;
      if (TornTailAllowed(&dropped) && actual == pristine_.StateWithoutLast(dropped)) {
        expected = &pristine_.StateWithoutLast(dropped);
        outcome = kTornTail;
      } else {
        bool lost = false;
        for (const auto& [k, v] : *expected) {
          auto a = actual.find(k);
          if (a == actual.end()) lost = true;
        }
        detail_ = "scan returned " + std::to_string(actual.size()) + " records, expected " +
                  std::to_string(expected->size());
        return lost ? kLost : kWrong;
      }
    }
    // Point reads of every record agree (or report the damage).
    for (const auto& [k, v] : *expected) {
      std::string value;
      Status g = db->Get(ReadOptions(), k.first, k.second, &value);
      if (!g.ok()) return g.IsNotFound() ? kLost : ErrorOutcome(g, "get");
      if (value != v) {
        detail_ = "get " + k.first + " returned other data";
        return kWrong;
      }
    }
    return outcome;
  }

  // RepairDB on the damaged copy must succeed, after which the DB opens and
  // holds only records that were written (some may be lost with the damage).
  void CheckRepair() {
    Options options = pristine_.options();
    options.env = env_.get();
    RepairReport report;
    Status s = RepairDB(kDb, options, &report);
    std::unique_ptr<DB> db;
    if (s.ok()) s = DB::Open(options, kDb, &db);
    Model actual;
    if (s.ok()) {
      std::unique_ptr<RecordIterator> it = db->NewIterator(ReadOptions());
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if (!pristine_.WasWritten(std::string(it->key()), it->ts(), it->value())) {
          s = Status::Corruption("repair produced a record never written", it->key());
          break;
        }
        actual[{std::string(it->key()), it->ts()}] = std::string(it->value());
      }
      if (s.ok()) s = it->status();
      it.reset();
      if (s.ok()) s = db->Close();
    }
    if (!s.ok()) {
      tally_->repair_failed++;
      ADD_FAILURE() << "repair after " << DamageName(damage_) << " of " << RegionName(region_)
                    << " (" << file_ << ", seed " << seed_ << "): " << s.ToString();
      return;
    }
    uint64_t lost = 0;
    for (const auto& [k, v] : pristine_.final_state()) {
      auto a = actual.find(k);
      if (a == actual.end() || a->second != v) lost++;
    }
    tally_->repair_records_lost += lost;
    if (lost == 0) {
      tally_->repaired_exact++;
    } else {
      tally_->repaired_with_loss++;
    }
    tally_->by_region_outcome[std::string(RegionName(region_)) + " " + DamageName(damage_) +
                              " → repaired " + (lost == 0 ? "exact" : "with loss")]++;
  }

  const Pristine& pristine_;
  const uint64_t seed_;
  test::Random rnd_;
  Tally* const tally_;
  std::unique_ptr<Env> env_;
  Region region_ = Region::kWalMiddle;
  Damage damage_ = Damage::kFlip;
  std::string file_;
  uint64_t lo_ = 0, hi_ = 0, file_size_ = 0, dmg_start_ = 0, dmg_end_ = 0;
  std::vector<Span> records_;
  std::string detail_;
};

TEST(CorruptionTest, DamageEveryFileKind) {
  const int64_t trials = test::EnvInt("FLOWDB_CORRUPTION_TRIALS", 300);
  const uint64_t first_seed = static_cast<uint64_t>(test::EnvInt("FLOWDB_CORRUPTION_SEED", 1));
  Tally tally;
  std::unique_ptr<Pristine> pristine;
  for (int64_t t = 0; t < trials; t++) {
    if (t % 50 == 0) pristine = std::make_unique<Pristine>(first_seed + static_cast<uint64_t>(t));
    DamageTrial trial(*pristine, first_seed + static_cast<uint64_t>(t), &tally);
    trial.Run();
  }
  tally.Print();
}

// Every byte of an SSTable is under a checksum: a one-bit flip anywhere in
// the file (data, filter, range-deletion, properties or index block, a block
// trailer, the footer) is named by DB::Verify and never read back as other
// data. Opening a table reads its properties, index, filter and
// range-deletion blocks whole, so a flip there fails the open of the DB or
// the first read of the table, also in a property no read uses.
TEST(CorruptionTest, EveryByteOfAnSSTableIsUnderAChecksum) {
  std::unique_ptr<Env> env = NewMemEnv();
  Options options;
  options.env = env.get();
  options.block_size = 512;
  options.compaction_trigger = 0;
  options.compression = Compression::kLZ4;
  test::Random rnd(7);
  Model expected;
  {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, kDb, &db));
    for (int i = 0; i < 60; i++) {
      WriteBatch batch;
      char key[16];
      std::snprintf(key, sizeof(key), "key%03d", i);
      if (i % 7 == 3) {
        batch.Delete(key, 1);
      } else {
        // Half repeated bytes, so that some blocks compress.
        batch.Put(key, i % 3, std::string(20, 'x') + test::RandomBytes(&rnd, 20));
      }
      ASSERT_OK(db->Write(&batch));
    }
    ASSERT_OK(db->DeleteRange("key05", "key06"));
    ASSERT_OK(db->Flush());
    std::unique_ptr<RecordIterator> it = db->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      expected[{std::string(it->key()), it->ts()}] = std::string(it->value());
    }
    ASSERT_OK(it->status());
    it.reset();
    ASSERT_OK(db->Close());
  }
  std::vector<std::string> names;
  ASSERT_OK(env->GetChildren(std::string(kDb) + "/sst", &names));
  ASSERT_EQ(names.size(), 1u);
  const std::string table = "sst/" + names[0];
  const std::string path = std::string(kDb) + "/" + table;
  std::string pristine;
  ASSERT_OK(ReadFileToString(env.get(), path, &pristine));
  Footer footer;
  ASSERT_OK(footer.DecodeFrom(
      std::string_view(pristine).substr(pristine.size() - Footer::kEncodedLength)));
  ASSERT_GT(footer.filter_handle.size(), 0u);
  const uint64_t props_begin = footer.properties_handle.offset();
  const uint64_t props_end = props_begin + footer.properties_handle.size() + kBlockTrailerSize;

  auto names_table = [&](const std::string& message) {
    return message.find(table) != std::string::npos;
  };
  uint64_t open_failed = 0, read_failed = 0, read_original = 0;
  for (uint64_t pos = 0; pos < pristine.size(); pos++) {
    SCOPED_TRACE("bit " + std::to_string(pos % 8) + " of byte " + std::to_string(pos) + " of " +
                 std::to_string(pristine.size()));
    const bool in_properties = pos >= props_begin && pos < props_end;
    std::string data = pristine;
    data[pos] = static_cast<char>(data[pos] ^ (1 << (pos % 8)));
    ASSERT_OK(WriteStringToFile(env.get(), data, path, false));
    std::unique_ptr<DB> db;
    Status s = DB::Open(options, kDb, &db);
    if (!s.ok()) {
      // Opening the DB opens the table, which holds a range tombstone.
      EXPECT_TRUE(s.IsCorruption() && names_table(s.ToString())) << s.ToString();
      open_failed++;
    } else {
      VerifyReport report;
      ASSERT_OK(db->Verify(&report));
      bool named = false;
      for (const FileProblem& p : report.problems) named = named || p.file == table;
      EXPECT_TRUE(named);
      Model actual;
      std::unique_ptr<RecordIterator> it = db->NewIterator(ReadOptions());
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        actual[{std::string(it->key()), it->ts()}] = std::string(it->value());
      }
      if (!it->status().ok()) {
        EXPECT_TRUE(it->status().IsCorruption() && names_table(it->status().ToString()))
            << it->status().ToString();
        read_failed++;
      } else {
        // Only damage in a data block the scan never needs could leave
        // the data readable; it must then be the original data.
        EXPECT_TRUE(actual == expected);
        EXPECT_FALSE(in_properties);
        read_original++;
      }
      it.reset();
      ASSERT_OK(db->Close());
    }
  }
  ASSERT_OK(WriteStringToFile(env.get(), pristine, path, false));
  std::printf("[sstable every byte] bytes=%zu properties=[%llu,%llu) open_failed=%llu "
              "read_failed=%llu read_original=%llu\n",
              pristine.size(), (unsigned long long)props_begin, (unsigned long long)props_end,
              (unsigned long long)open_failed, (unsigned long long)read_failed,
              (unsigned long long)read_original);
}

}  // namespace
}  // namespace flowdb
