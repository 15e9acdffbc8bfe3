#include "db/options_file.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/filename.h"
#include "env/fault_injection_env.h"
#include "flowdb/db.h"
#include "flowdb/env.h"
#include "test_util.h"
#include "util/crc32c.h"

namespace flowdb {
namespace {

using StringMap = std::map<std::string, std::string>;

// Counts the fields of an aggregate: the largest n for which T{x1, ..., xn}
// compiles with arguments convertible to anything.
struct AnyField {
  template <typename T>
  operator T() const;
};
template <typename T, typename... Args>
constexpr size_t CountFields() {
  if constexpr (requires { T{Args{}..., AnyField{}}; }) {
    return CountFields<T, Args..., AnyField>();
  } else {
    return sizeof...(Args);
  }
}

// Options with every field away from its default.
Options NonDefaultOptions() {
  Options o;
  o.create_if_missing = false;
  o.error_if_exists = true;
  o.sync_mode = SyncMode::kInterval;
  o.sync_interval_ms = 250;
  o.memtable_size = 8u << 20;
  o.max_frozen_memtables = 3;
  o.block_size = 4096;
  o.block_restart_interval = 8;
  o.bloom_bits_per_key = 12;
  o.compression = Compression::kNone;
  o.block_cache_size = 1u << 20;
  o.max_open_files = 77;
  o.default_ttl_us = -5;
  o.ttl_basis = Options::TtlBasis::kRecordTs;
  o.flush_interval_ms = 60000;
  o.compaction_trigger = 0;
  o.compaction_size_ratio = 10;
  o.max_space_amplification = 150;
  o.wal_retention_bytes = 4096;
  return o;
}

// A stored map as this build writes it.
StringMap Stored(const Options& o, const StringMap& extra) {
  StringMap m;
  Status s = ParseOptionsFile(EncodeOptionsFile(o, extra), &m);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return m;
}

bool Contains(const Status& s, const std::string& text) {
  return s.ToString().find(text) != std::string::npos;
}

class OptionsFileTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(env_->CreateDir(dbname_)); }

  std::vector<std::string> Children() {
    std::vector<std::string> names;
    EXPECT_OK(env_->GetChildren(dbname_, &names));
    std::sort(names.begin(), names.end());
    return names;
  }

  std::unique_ptr<Env> env_ = NewMemEnv();
  const std::string dbname_ = "/mem/db";
};

TEST(OptionsFileNameTest, NamesAndParsing) {
  EXPECT_EQ("/x/OPTIONS", OptionsFileName("/x"));
  EXPECT_EQ("/x/OPTIONS.tmp", OptionsTempFileName("/x"));
  uint64_t number = 99;
  FileType type;
  ASSERT_TRUE(ParseFileName("OPTIONS", &number, &type));
  EXPECT_EQ(FileType::kOptions, type);
  EXPECT_EQ(0u, number);
  ASSERT_TRUE(ParseFileName("OPTIONS.tmp", &number, &type));
  EXPECT_EQ(FileType::kTemp, type);
  EXPECT_FALSE(ParseFileName("OPTIONS-1", &number, &type));
  EXPECT_FALSE(ParseFileName("XOPTIONS.tmp", &number, &type));
}

// Exact bytes for fixed options: the file format may not drift silently.
TEST(OptionsFileFormatTest, Golden) {
  std::string want =
      "FLOWDB-OPTIONS 1\n"
      "format_version=" + std::to_string(FormatVersion()) + "\n"
      "comparator=flowdb.key-ts-seq.v1\n"
      "create_if_missing=false\n"
      "error_if_exists=true\n"
      "sync_mode=interval\n"
      "sync_interval_ms=250\n"
      "wal_recovery=strict\n"
      "memtable_size=8388608\n"
      "max_frozen_memtables=3\n"
      "block_size=4096\n"
      "block_restart_interval=8\n"
      "bloom_bits_per_key=12\n"
      "compression=none\n"
      "block_cache_size=1048576\n"
      "max_open_files=77\n"
      "default_ttl_us=-5\n"
      "ttl_basis=ts\n"
      "flush_interval_ms=60000\n"
      "compaction_trigger=0\n"
      "compaction_size_ratio=10\n"
      "max_space_amplification=150\n"
      "wal_retention_bytes=4096\n"
      "extra.a=\n"
      "extra.key_encoding=utf8=x\n";
  char checksum[32];
  std::snprintf(checksum, sizeof(checksum), "checksum=%08x\n",
                crc32c::Mask(crc32c::Value(want.data(), want.size())));
  want += checksum;
  EXPECT_EQ(want, EncodeOptionsFile(NonDefaultOptions(), {{"key_encoding", "utf8=x"}, {"a", ""}}));
}

// A damaged byte anywhere before the checksum line is Corruption naming the
// file; a file from an older build, without the line, is read unchecked.
TEST(OptionsFileFormatTest, Checksum) {
  const std::string good = EncodeOptionsFile(NonDefaultOptions(), {{"key_encoding", "utf8"}});
  std::map<std::string, std::string> m;
  ASSERT_OK(ParseOptionsFile(good, &m));
  EXPECT_EQ(0u, m.count("checksum"));
  EXPECT_EQ("utf8", m["extra.key_encoding"]);
  const size_t checksum_line = good.rfind("checksum=");
  // Not the newline before the checksum line: damage there hides the line,
  // and the file reads as one from an older build (see options_file.h).
  for (size_t i = 0; i + 1 < checksum_line; i++) {
    std::string bad = good;
    bad[i] ^= 0x04;
    Status s = ParseOptionsFile(bad, &m);
    ASSERT_FALSE(s.ok()) << "flip at " << i;
    EXPECT_TRUE(s.IsCorruption() || s.IsNotSupported()) << s.ToString();
  }
  ASSERT_OK(ParseOptionsFile(good.substr(0, checksum_line), &m));
  EXPECT_EQ("utf8", m["extra.key_encoding"]);

  auto env = NewMemEnv();
  ASSERT_OK(env->CreateDir("/db"));
  std::string bad = good;
  bad[40] ^= 0x01;
  ASSERT_OK(WriteStringToFile(env.get(), bad, OptionsFileName("/db"), false));
  Status s = ReadOptionsFile(env.get(), "/db", &m);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("/db/OPTIONS")) << s.ToString();
}

// Fails when a field is added to Options: classify it in EncodeOptionsFile
// (and in CheckOptionsCompatible if it shapes the data), then update the
// count and the list below.
TEST(OptionsFileFormatTest, RecordsEveryOptionsField) {
  static_assert(CountFields<Options>() == 22, "Options changed: update options_file.cc");
  StringMap m = Stored(Options(), {});
  std::set<std::string> names;
  for (const auto& [name, value] : m) names.insert(name);
  std::set<std::string> want = {
      "format_version", "comparator", "create_if_missing", "error_if_exists",
      "sync_mode", "sync_interval_ms", "wal_recovery", "memtable_size", "max_frozen_memtables",
      "block_size", "block_restart_interval", "bloom_bits_per_key", "compression",
      "block_cache_size", "max_open_files", "default_ttl_us", "ttl_basis", "flush_interval_ms",
      "compaction_trigger", "compaction_size_ratio", "max_space_amplification",
      "wal_retention_bytes"};
  EXPECT_EQ(want, names);
  EXPECT_EQ("always", m["sync_mode"]);
  EXPECT_EQ("strict", m["wal_recovery"]);
  EXPECT_EQ("lz4", m["compression"]);
  EXPECT_EQ("true", m["create_if_missing"]);
  Options none;
  none.sync_mode = SyncMode::kNone;
  EXPECT_EQ("none", Stored(none, {})["sync_mode"]);
}

TEST_F(OptionsFileTest, RoundTrip) {
  const Options o = NonDefaultOptions();
  const StringMap extra = {{"key_encoding", "utf8"}, {"value_encoding", "json"}, {"empty", ""}};
  ASSERT_OK(WriteOptionsFile(env_.get(), dbname_, o, extra));
  EXPECT_EQ((std::vector<std::string>{"OPTIONS"}), Children());

  std::string contents;
  ASSERT_OK(ReadFileToString(env_.get(), OptionsFileName(dbname_), &contents));
  EXPECT_EQ(EncodeOptionsFile(o, extra), contents);
  EXPECT_EQ(0u, contents.rfind("FLOWDB-OPTIONS 1\n", 0));

  StringMap stored = {{"stale", "entry"}};
  ASSERT_OK(ReadOptionsFile(env_.get(), dbname_, &stored));
  EXPECT_EQ(0u, stored.count("stale"));
  EXPECT_EQ(std::to_string(FormatVersion()), stored["format_version"]);
  EXPECT_EQ("flowdb.key-ts-seq.v1", stored["comparator"]);
  EXPECT_EQ("interval", stored["sync_mode"]);
  EXPECT_EQ("250", stored["sync_interval_ms"]);
  EXPECT_EQ("8388608", stored["memtable_size"]);
  EXPECT_EQ("-5", stored["default_ttl_us"]);
  EXPECT_EQ("utf8", stored["extra.key_encoding"]);
  EXPECT_EQ(extra, StoredOptionsExtras(stored));
  EXPECT_OK(CheckOptionsCompatible(stored, o, extra));

  // A second write replaces the file.
  ASSERT_OK(WriteOptionsFile(env_.get(), dbname_, Options(), {{"key_encoding", "binary"}}));
  ASSERT_OK(ReadOptionsFile(env_.get(), dbname_, &stored));
  EXPECT_EQ("always", stored["sync_mode"]);
  EXPECT_EQ((StringMap{{"key_encoding", "binary"}}), StoredOptionsExtras(stored));
  EXPECT_EQ((std::vector<std::string>{"OPTIONS"}), Children());
}

TEST_F(OptionsFileTest, MissingFileIsNotFound) {
  StringMap stored = {{"keep", "me"}};
  Status s = ReadOptionsFile(env_.get(), dbname_, &stored);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_TRUE(Contains(s, "/mem/db/OPTIONS")) << s.ToString();
  EXPECT_EQ(1u, stored.count("keep"));
  s = ReadOptionsFile(env_.get(), "/mem/no-such-dir", &stored);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

TEST_F(OptionsFileTest, ReadReportsCorruptionWithFileName) {
  ASSERT_OK(WriteStringToFile(env_.get(), "FLOWDB-OPTIONS 1\nnonsense\n",
                              OptionsFileName(dbname_), false));
  StringMap stored;
  Status s = ReadOptionsFile(env_.get(), dbname_, &stored);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(Contains(s, "/mem/db/OPTIONS: line 2: no '='")) << s.ToString();

  ASSERT_OK(WriteStringToFile(env_.get(), std::string(kMaxOptionsFileSize + 1, 'x'),
                              OptionsFileName(dbname_), false));
  s = ReadOptionsFile(env_.get(), dbname_, &stored);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(Contains(s, "more than the limit")) << s.ToString();

  ASSERT_OK(WriteStringToFile(env_.get(), "FLOWDB-OPTIONS 2\nwhatever\n",
                              OptionsFileName(dbname_), false));
  s = ReadOptionsFile(env_.get(), dbname_, &stored);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
}

TEST_F(OptionsFileTest, RejectsBadExtras) {
  const StringMap bad[] = {
      {{"", "x"}},
      {{"has space", "x"}},
      {{"a=b", "x"}},
      {{std::string(129, 'n'), "x"}},
      {{"ok", "line\nbreak"}},
      {{"ok", "cr\r"}},
      {{"ok", std::string("nul\0", 4)}},
  };
  for (const StringMap& extra : bad) {
    Status s = WriteOptionsFile(env_.get(), dbname_, Options(), extra);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_TRUE(Contains(s, "options extra")) << s.ToString();
  }
  EXPECT_OK(ValidateOptionsExtras({{std::string(128, 'n'), "any = value, \"quoted\"\t"}}));
  Status s = WriteOptionsFile(env_.get(), dbname_, Options(),
                              {{"big", std::string(kMaxOptionsFileSize, 'v')}});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Children().empty());
}

TEST_F(OptionsFileTest, FailedWriteKeepsTheOldFile) {
  FaultInjectionEnv env(env_.get());
  ASSERT_OK(WriteOptionsFile(&env, dbname_, Options(), {{"key_encoding", "utf8"}}));
  env.SetFailWrites(true);
  Status s = WriteOptionsFile(&env, dbname_, Options(), {{"key_encoding", "binary"}});
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  env.SetFailWrites(false);
  env.SetFailSync(true);
  s = WriteOptionsFile(&env, dbname_, Options(), {{"key_encoding", "binary"}});
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  env.SetFailSync(false);
  EXPECT_EQ((std::vector<std::string>{"OPTIONS"}), Children());
  StringMap stored;
  ASSERT_OK(ReadOptionsFile(&env, dbname_, &stored));
  EXPECT_EQ("utf8", stored["extra.key_encoding"]);
}

TEST_F(OptionsFileTest, SurvivesPowerLoss) {
  FaultInjectionEnv env(env_.get());
  ASSERT_OK(WriteOptionsFile(&env, dbname_, Options(), {{"key_encoding", "utf8"}}));
  ASSERT_OK(env.DropUnsyncedData());
  StringMap stored;
  ASSERT_OK(ReadOptionsFile(&env, dbname_, &stored));
  EXPECT_EQ("utf8", stored["extra.key_encoding"]);
}

TEST_F(OptionsFileTest, DestroyDBRemovesOptionsFiles) {
  ASSERT_OK(WriteOptionsFile(env_.get(), dbname_, Options(), {}));
  ASSERT_OK(WriteStringToFile(env_.get(), "partial", OptionsTempFileName(dbname_), false));
  Options o;
  o.env = env_.get();
  ASSERT_OK(DestroyDB(dbname_, o));
  EXPECT_FALSE(env_->FileExists(OptionsFileName(dbname_)));
  EXPECT_FALSE(env_->FileExists(OptionsTempFileName(dbname_)));
}

// ---------------------------------------------------------------------------
// Compatibility rules

TEST(OptionsCompatibleTest, TuningOptionsMayChange) {
  const StringMap extra = {{"key_encoding", "utf8"}};
  StringMap stored = Stored(Options(), extra);
  EXPECT_OK(CheckOptionsCompatible(stored, Options(), extra));
  EXPECT_OK(CheckOptionsCompatible(stored, NonDefaultOptions(), extra));
  Options lz4_off;
  lz4_off.compression = Compression::kNone;
  EXPECT_OK(CheckOptionsCompatible(stored, lz4_off, extra));
  // And the other way round.
  EXPECT_OK(CheckOptionsCompatible(Stored(NonDefaultOptions(), extra), Options(), extra));
  // Stored values this build cannot even parse are not looked at.
  stored["memtable_size"] = "lots";
  stored["sync_mode"] = "sometimes";
  EXPECT_OK(CheckOptionsCompatible(stored, Options(), extra));
}

TEST(OptionsCompatibleTest, DifferentComparator) {
  StringMap stored = Stored(Options(), {});
  stored["comparator"] = "leveldb.BytewiseComparator";
  Status s = CheckOptionsCompatible(stored, Options(), {});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Contains(s, "comparator")) << s.ToString();
  EXPECT_TRUE(Contains(s, "\"leveldb.BytewiseComparator\"")) << s.ToString();
  EXPECT_TRUE(Contains(s, "\"flowdb.key-ts-seq.v1\"")) << s.ToString();

  stored.erase("comparator");
  s = CheckOptionsCompatible(stored, Options(), {});
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST(OptionsCompatibleTest, FormatVersion) {
  StringMap stored = Stored(Options(), {});
  stored["format_version"] = std::to_string(FormatVersion() + 1);
  Status s = CheckOptionsCompatible(stored, Options(), {});
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_TRUE(Contains(s, "format_version")) << s.ToString();
  EXPECT_TRUE(Contains(s, std::to_string(FormatVersion() + 1))) << s.ToString();

  stored["format_version"] = std::to_string(FormatVersion());
  EXPECT_OK(CheckOptionsCompatible(stored, Options(), {}));

  for (const char* bad : {"", "0", "-1", "1.0", "x", "99999999999"}) {
    stored["format_version"] = bad;
    s = CheckOptionsCompatible(stored, Options(), {});
    EXPECT_TRUE(s.IsCorruption()) << bad << ": " << s.ToString();
  }
  stored.erase("format_version");
  s = CheckOptionsCompatible(stored, Options(), {});
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST(OptionsCompatibleTest, ChangedExtraIsRejected) {
  StringMap stored = Stored(Options(), {{"key_encoding", "utf8"}, {"layout", "v2"}});
  Status s = CheckOptionsCompatible(stored, Options(), {{"key_encoding", "binary"}});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Contains(s, "key_encoding")) << s.ToString();
  EXPECT_TRUE(Contains(s, "\"utf8\"")) << s.ToString();
  EXPECT_TRUE(Contains(s, "\"binary\"")) << s.ToString();

  // Empty and non-empty values differ too.
  s = CheckOptionsCompatible(stored, Options(), {{"layout", ""}});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  // Extras never collide with option names: an extra called like an option
  // is compared with the stored extra only.
  EXPECT_OK(CheckOptionsCompatible(Stored(Options(), {{"block_size", "7"}}), Options(),
                                   {{"block_size", "7"}}));
  s = CheckOptionsCompatible(stored, Options(), {{"comparator", "x"}});
  EXPECT_OK(s);
}

TEST(OptionsCompatibleTest, ExtrasOnOneSideOnly) {
  StringMap stored = Stored(Options(), {{"key_encoding", "utf8"}});
  // Stored but not passed now.
  EXPECT_OK(CheckOptionsCompatible(stored, Options(), {}));
  // Passed now but not stored (e.g. a DB created before the extra existed).
  EXPECT_OK(CheckOptionsCompatible(stored, Options(),
                                   {{"key_encoding", "utf8"}, {"value_encoding", "json"}}));
}

TEST(OptionsCompatibleTest, UnknownStoredNamesAreIgnored) {
  StringMap stored = Stored(Options(), {});
  stored["compaction_style"] = "tiered";  // an option of a later build
  stored["x"] = "";
  EXPECT_OK(CheckOptionsCompatible(stored, Options(), {}));

  std::string contents = EncodeOptionsFile(Options(), {}) + "future_option=42\n";
  StringMap parsed;
  ASSERT_OK(ParseOptionsFile(contents, &parsed));
  EXPECT_EQ("42", parsed["future_option"]);
  EXPECT_OK(CheckOptionsCompatible(parsed, Options(), {}));
}

// ---------------------------------------------------------------------------
// Malformed contents

TEST(OptionsParseTest, Corruption) {
  const std::string header = "FLOWDB-OPTIONS 1\n";
  const struct {
    std::string contents;
    std::string message;  // expected in the Status
  } cases[] = {
      {"", "line 1: bad header \"\""},
      {"\n", "line 1: bad header"},
      {"FLOWDB-OPTIONS\n", "line 1: bad header"},
      {"FLOWDB-OPTIONS 1 \n", "line 1: bad header"},
      {"FLOWDB-OPTIONS 0\n", "line 1: bad header"},
      {"FLOWDB-OPTIONS x\n", "line 1: bad header"},
      {"LEVELDB-OPTIONS 1\na=b\n", "line 1: bad header \"LEVELDB-OPTIONS 1\""},
      {"a=b\nFLOWDB-OPTIONS 1\n", "line 1: bad header"},
      {"FLOWDB-OPTIONS 1", "line 1: no newline"},
      {header + "a=1\nb\n", "line 3: no '=' in \"b\""},
      {header + "a=1\n\n", "line 3: no '='"},
      {header + "=1\n", "line 2: empty name"},
      {header + "a=1\nb=2\na=3\n", "line 4: duplicate name \"a\""},
      {header + "a=1\nb=2", "line 3: no newline at the end of \"b=2\""},
      {header + "a=1\r\n", "line 2: control character in \"a=1\\x0d\""},
      {header + std::string("a=\0\n", 4), "line 2: control character"},
      {header + "a=" + std::string(kMaxOptionsFileSize, 'v') + "\n", "more than the limit"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.contents.substr(0, 40));
    StringMap out = {{"keep", "me"}};
    Status s = ParseOptionsFile(c.contents, &out);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_TRUE(Contains(s, c.message)) << s.ToString();
    EXPECT_EQ((StringMap{{"keep", "me"}}), out);
  }
}

TEST(OptionsParseTest, NewerFileFormatIsNotSupported) {
  StringMap out;
  Status s = ParseOptionsFile("FLOWDB-OPTIONS 2\nanything goes\n", &out);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_TRUE(Contains(s, "version 2")) << s.ToString();
}

TEST(OptionsParseTest, AcceptsWhatItShould) {
  StringMap out;
  ASSERT_OK(ParseOptionsFile("FLOWDB-OPTIONS 1\n", &out));
  EXPECT_TRUE(out.empty());
  ASSERT_OK(ParseOptionsFile("FLOWDB-OPTIONS 1\na==b\nempty=\n sp = x \n", &out));
  EXPECT_EQ((StringMap{{"a", "=b"}, {"empty", ""}, {" sp ", " x "}}), out);
  // The limit is inclusive.
  std::string at_limit = "FLOWDB-OPTIONS 1\nv=";
  at_limit.append(kMaxOptionsFileSize - at_limit.size() - 1, 'v').push_back('\n');
  ASSERT_EQ(kMaxOptionsFileSize, at_limit.size());
  EXPECT_OK(ParseOptionsFile(at_limit, &out));
}

}  // namespace
}  // namespace flowdb
