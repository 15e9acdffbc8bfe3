// DB::Verify and RepairDB: a healthy DB verifies clean; each kind of damage
// shows up in the report naming the file; RepairDB brings back everything
// that can be read and says what it dropped.

#include <map>

#include "db/filename.h"
#include "db/log_reader.h"
#include "flowdb/db.h"
#include "flowdb/env.h"
#include "table/format.h"
#include "test_util.h"

namespace flowdb {
namespace {

using Model = test::RecordModel;

class RepairTest : public ::testing::Test {
 protected:
  RepairTest() : env_(NewMemEnv()) {
    options_.env = env_.get();
    options_.memtable_size = 64 << 10;
    options_.block_size = 512;
    options_.compaction_trigger = 0;
  }

  // Writes n new records (each (key, ts) once) in batches of 4.
  void WriteRecords(DB* db, int n) {
    for (int i = 0; i < n; i += 4) {
      WriteBatch batch;
      for (int j = i; j < i + 4 && j < n; j++) {
        const std::string key = "key" + std::to_string(next_key_++);
        std::string value = key + "/" + std::string(100 + next_key_ % 50, 'v');
        batch.Put(key, 1, value);
        model_[{key, 1}] = value;
      }
      ASSERT_OK(db->Write(&batch));
    }
  }

  // Two SSTables plus records left in the WAL.
  void Build() {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, kDb, &db));
    WriteRecords(db.get(), 200);
    ASSERT_OK(db->Flush());
    WriteRecords(db.get(), 200);
    ASSERT_OK(db->Flush());
    WriteRecords(db.get(), 80);
    ASSERT_OK(db->Close());
  }

  std::vector<std::string> Children(const std::string& dir) {
    std::vector<std::string> names;
    EXPECT_OK(env_->GetChildren(dir, &names));
    std::sort(names.begin(), names.end());
    return names;
  }
  std::string Table(size_t i) { return std::string(kDb) + "/sst/" + Children(std::string(kDb) + "/sst").at(i); }
  std::string Wal() { return std::string(kDb) + "/wal/" + Children(std::string(kDb) + "/wal").back(); }

  void Rewrite(const std::string& path, const std::function<void(std::string*)>& damage) {
    std::string data;
    ASSERT_OK(ReadFileToString(env_.get(), path, &data));
    damage(&data);
    ASSERT_OK(WriteStringToFile(env_.get(), data, path, false));
  }

  // The DB's records; every one must be a record the model holds with the
  // same value. Returns how many model records are missing.
  size_t CheckNoWrongData() {
    std::unique_ptr<DB> db;
    Status s = DB::Open(options_, kDb, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return model_.size();
    size_t found = 0;
    std::unique_ptr<RecordIterator> it = db->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto m = model_.find({std::string(it->key()), it->ts()});
      EXPECT_TRUE(m != model_.end() && m->second == it->value()) << "unexpected " << it->key();
      found++;
    }
    EXPECT_OK(it->status());
    it.reset();
    VerifyReport report;
    EXPECT_OK(db->Verify(&report));
    EXPECT_TRUE(report.problems.empty()) << report.problems[0].file << ": "
                                         << report.problems[0].message;
    EXPECT_OK(db->Close());
    return model_.size() - found;
  }

  static bool Names(const std::vector<FileProblem>& problems, const std::string& path) {
    const std::string base = path.substr(path.rfind('/') + 1);
    for (const auto& p : problems) {
      if (p.file.find(base) != std::string::npos) return true;
    }
    return false;
  }

  static constexpr const char* kDb = "/db";
  std::unique_ptr<Env> env_;
  Options options_;
  Model model_;
  int next_key_ = 0;
};

TEST_F(RepairTest, VerifyHealthyDatabase) {
  Build();
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options_, kDb, &db));
  VerifyReport report;
  ASSERT_OK(db->Verify(&report));
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(report.sstables, 2u);
  EXPECT_EQ(report.entries, 400u);
  EXPECT_GT(report.data_blocks, 10u);
  EXPECT_EQ(report.sstable_bytes, db->GetStats().sstable_bytes);
  EXPECT_GE(report.wal_segments, 1u);
  EXPECT_EQ(report.wal_records, 20u);  // 80 records in batches of 4, replayed at open
  ASSERT_OK(db->Close());
  EXPECT_TRUE(db->Verify(&report).IsClosed());
}

TEST_F(RepairTest, VerifyFindsDamagedDataBlock) {
  Build();
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options_, kDb, &db));
  const std::string table = Table(0);
  Rewrite(table, [](std::string* d) { (*d)[700] ^= 0x10; });  // inside the second data block
  VerifyReport report;
  ASSERT_OK(db->Verify(&report));
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].file, "sst/" + table.substr(table.rfind('/') + 1));
  EXPECT_GT(report.problems[0].offset, 0u);
  EXPECT_LE(report.problems[0].offset, 700u);
  EXPECT_NE(report.problems[0].message.find("Corruption"), std::string::npos);
  ASSERT_OK(db->Close());
}

TEST_F(RepairTest, VerifyFindsTableSizeAndMissingFile) {
  Build();
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options_, kDb, &db));
  const std::string grown = Table(0), missing = Table(1);
  Rewrite(grown, [](std::string* d) { d->append("extra"); });
  ASSERT_OK(env_->RemoveFile(missing));
  VerifyReport report;
  ASSERT_OK(db->Verify(&report));
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_EQ(report.sstables, 2u);
  for (const FileProblem& p : report.problems) {
    if (grown.find(p.file) != std::string::npos) {
      EXPECT_NE(p.message.find("the MANIFEST says"), std::string::npos) << p.message;
    } else {
      EXPECT_NE(missing.find(p.file), std::string::npos) << p.file;
      EXPECT_NE(p.message.find("No such file"), std::string::npos) << p.message;
    }
  }
  ASSERT_OK(db->Close());
}

TEST_F(RepairTest, VerifyFindsDamagedWalRecord) {
  Build();
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options_, kDb, &db));
  // The open moved the replayed records to... they stay in their segment:
  // find the segment with records and damage the middle of it.
  std::string wal;
  for (const std::string& name : Children(std::string(kDb) + "/wal")) {
    uint64_t size = 0;
    ASSERT_OK(env_->GetFileSize(std::string(kDb) + "/wal/" + name, &size));
    if (size > 1000) wal = std::string(kDb) + "/wal/" + name;
  }
  ASSERT_FALSE(wal.empty());
  Rewrite(wal, [](std::string* d) { (*d)[d->size() / 2] ^= 0x01; });
  VerifyReport report;
  ASSERT_OK(db->Verify(&report));
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_TRUE(Names(report.problems, wal));
  EXPECT_GT(report.problems[0].offset, 0u);
  ASSERT_OK(db->Close());
}

TEST_F(RepairTest, RepairLockedDatabaseFails) {
  Build();
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options_, kDb, &db));
  EXPECT_TRUE(RepairDB(kDb, options_, nullptr).IsLocked());
  ASSERT_OK(db->Close());
}

TEST_F(RepairTest, RepairHealthyDatabaseKeepsEverything) {
  Build();
  RepairReport report;
  ASSERT_OK(RepairDB(kDb, options_, &report));
  EXPECT_EQ(report.sstables_kept, 2u);
  EXPECT_EQ(report.sstables_dropped + report.sstables_salvaged, 0u);
  EXPECT_EQ(report.wal_records, 20u);
  EXPECT_TRUE(report.dropped.empty());
  EXPECT_EQ(CheckNoWrongData(), 0u);
}

TEST_F(RepairTest, RepairAfterDataBlockDamageSalvagesTheRest) {
  Build();
  const std::string table = Table(0);
  uint64_t size = 0;
  ASSERT_OK(env_->GetFileSize(table, &size));
  Rewrite(table, [](std::string* d) { (*d)[d->size() / 3] ^= 0x40; });
  RepairReport report;
  ASSERT_OK(RepairDB(kDb, options_, &report));
  EXPECT_EQ(report.sstables_kept, 1u);
  EXPECT_EQ(report.sstables_salvaged, 1u);
  EXPECT_GT(report.entries_salvaged, 0u);
  EXPECT_TRUE(Names(report.dropped, table));
  EXPECT_TRUE(env_->FileExists(std::string(kDb) + "/lost/" + table.substr(table.rfind('/') + 1)));
  const size_t missing = CheckNoWrongData();
  EXPECT_GT(missing, 0u);
  EXPECT_LT(missing, 200u);  // only part of one table's records
}

TEST_F(RepairTest, RepairAfterFooterDamageDropsTheTable) {
  Build();
  const std::string table = Table(1);
  Rewrite(table, [](std::string* d) { (*d)[d->size() - 3] ^= 0x01; });  // the magic number
  RepairReport report;
  ASSERT_OK(RepairDB(kDb, options_, &report));
  EXPECT_EQ(report.sstables_dropped, 1u);
  EXPECT_TRUE(Names(report.dropped, table));
  EXPECT_EQ(CheckNoWrongData(), 200u);
}

TEST_F(RepairTest, RepairAfterWalDamageKeepsLaterRecords) {
  Build();
  const std::string wal = Wal();
  std::vector<std::pair<uint64_t, uint64_t>> records;
  {
    std::unique_ptr<SequentialFile> file;
    ASSERT_OK(env_->NewSequentialFile(wal, &file));
    log::Reader reader(file.get(), wal, log::LogKind::kWal, true);
    std::string_view record;
    std::string scratch;
    while (reader.ReadRecord(&record, &scratch)) {
      records.push_back({reader.LastRecordEndOffset() - record.size(), reader.LastRecordEndOffset()});
    }
  }
  ASSERT_EQ(records.size(), 20u);
  Rewrite(wal, [&](std::string* d) { (*d)[records[5].first + 10] ^= 0x01; });
  RepairReport report;
  ASSERT_OK(RepairDB(kDb, options_, &report));
  EXPECT_EQ(report.wal_records, 19u);
  EXPECT_EQ(report.wal_records_dropped, 1u);
  EXPECT_TRUE(Names(report.dropped, wal));
  EXPECT_EQ(CheckNoWrongData(), 4u);  // one batch
}

TEST_F(RepairTest, RepairAfterManifestLossRestoresEverything) {
  Build();
  for (const std::string& name : Children(kDb)) {
    if (name.rfind("MANIFEST-", 0) == 0) {
      Rewrite(std::string(kDb) + "/" + name, [](std::string* d) {
        std::fill(d->begin(), d->end(), '\0');
      });
    }
  }
  ASSERT_OK(env_->RemoveFile(std::string(kDb) + "/CURRENT"));
  RepairReport report;
  ASSERT_OK(RepairDB(kDb, options_, &report));
  EXPECT_EQ(report.sstables_kept, 2u);
  EXPECT_EQ(CheckNoWrongData(), 0u);
}

TEST_F(RepairTest, RepairAfterOptionsDamageRewritesIt) {
  Build();
  Rewrite(std::string(kDb) + "/OPTIONS", [](std::string* d) { (*d)[3] = '\n'; });
  RepairReport report;
  ASSERT_OK(RepairDB(kDb, options_, &report));
  EXPECT_TRUE(Names(report.dropped, "/OPTIONS"));
  EXPECT_EQ(CheckNoWrongData(), 0u);
}

TEST_F(RepairTest, RepairAfterOptionsCutBeforeItsComparatorRewritesIt) {
  // Cut before the comparator line, the file loses its checksum line too,
  // so it parses (as a file of an older build would), yet every open
  // rejects it: repair must replace it as well.
  Build();
  Rewrite(std::string(kDb) + "/OPTIONS", [](std::string* d) {
    const size_t at = d->find("\ncomparator=");
    ASSERT_NE(at, std::string::npos);
    d->resize(at + 1);
  });
  std::unique_ptr<DB> db;
  Status s = DB::Open(options_, kDb, &db);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  RepairReport report;
  ASSERT_OK(RepairDB(kDb, options_, &report));
  EXPECT_TRUE(Names(report.dropped, "/OPTIONS"));
  EXPECT_EQ(CheckNoWrongData(), 0u);
}

TEST_F(RepairTest, RepairTwiceIsStable) {
  Build();
  ASSERT_OK(RepairDB(kDb, options_, nullptr));
  RepairReport report;
  ASSERT_OK(RepairDB(kDb, options_, &report));
  EXPECT_EQ(report.sstables_kept, 3u);  // two old tables and the one made from the WAL
  EXPECT_TRUE(report.dropped.empty());
  EXPECT_EQ(CheckNoWrongData(), 0u);
}

}  // namespace
}  // namespace flowdb
