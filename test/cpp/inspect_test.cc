// InspectDB: the files of a data directory by kind and size, and its OPTIONS
// file, read without opening the DB.

#include <algorithm>
#include <map>
#include <memory>
#include <string>

#include "db/filename.h"
#include "flowdb/db.h"
#include "flowdb/env.h"
#include "test_util.h"

namespace flowdb {
namespace {

class InspectTest : public ::testing::Test {
 protected:
  InspectTest() { options_.env = env_.get(); }

  // kind → number of files of that kind.
  static std::map<std::string, int> Kinds(const DBDirectoryInfo& info) {
    std::map<std::string, int> kinds;
    for (const DBFileInfo& f : info.files) kinds[f.kind]++;
    return kinds;
  }

  std::unique_ptr<Env> env_ = NewMemEnv();
  Options options_;
};

TEST_F(InspectTest, ListsFilesByKindWithSizes) {
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options_, "/db", &db));
  WriteBatch b;
  b.Put("k", 1, std::string(1000, 'v'));
  ASSERT_OK(db->Write(&b));
  ASSERT_OK(db->Flush());
  ASSERT_OK(db->Close());
  db.reset();
  ASSERT_OK(WriteStringToFile(env_.get(), "stray", "/db/notes.txt", false));
  ASSERT_OK(env_->CreateDir(LostDirName("/db")));
  ASSERT_OK(WriteStringToFile(env_.get(), "old", LostDirName("/db") + "/000002.log", false));

  DBDirectoryInfo info;
  ASSERT_OK(InspectDB("/db", &info, env_.get()));
  std::map<std::string, int> kinds = Kinds(info);
  EXPECT_EQ(1, kinds["sstable"]);
  EXPECT_EQ(1, kinds["current"]);
  EXPECT_EQ(1, kinds["options"]);
  EXPECT_EQ(1, kinds["lost"]);
  EXPECT_EQ(1, kinds["unknown"]);
  EXPECT_LE(1, kinds["manifest"]);
  EXPECT_LE(1, kinds["wal"]);
  EXPECT_TRUE(std::is_sorted(info.files.begin(), info.files.end(),
                             [](const DBFileInfo& a, const DBFileInfo& b) { return a.name < b.name; }));
  for (const DBFileInfo& f : info.files) {
    uint64_t size = 0;
    ASSERT_OK(env_->GetFileSize("/db/" + f.name, &size));
    EXPECT_EQ(size, f.size) << f.name;
    if (f.kind == "sstable") {
      EXPECT_EQ(0u, f.name.rfind("sst/", 0)) << f.name;
      EXPECT_GT(f.number, 0u);
      EXPECT_GT(f.size, 1000u / 4);  // compressed, but not empty
    }
    if (f.kind == "lost") EXPECT_EQ("lost/000002.log", f.name);
  }
  ASSERT_OK(info.options_status);
  EXPECT_EQ(std::to_string(FormatVersion()), info.options["format_version"]);
  EXPECT_EQ(std::to_string(options_.memtable_size), info.options["memtable_size"]);
}

TEST_F(InspectTest, MissingDirectoryAndMissingOrDamagedOptions) {
  DBDirectoryInfo info;
  Status s = InspectDB("/nothing", &info, env_.get());
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();

  ASSERT_OK(env_->CreateDir("/empty"));
  ASSERT_OK(InspectDB("/empty", &info, env_.get()));
  EXPECT_TRUE(info.files.empty());
  EXPECT_TRUE(info.options_status.IsNotFound()) << info.options_status.ToString();

  ASSERT_OK(WriteStringToFile(env_.get(), "not an options file\n", OptionsFileName("/empty"), false));
  ASSERT_OK(InspectDB("/empty", &info, env_.get()));
  EXPECT_TRUE(info.options_status.IsCorruption()) << info.options_status.ToString();
  EXPECT_TRUE(info.options.empty());
  ASSERT_EQ(1u, info.files.size());
  EXPECT_EQ("options", info.files[0].kind);
}

}  // namespace
}  // namespace flowdb
