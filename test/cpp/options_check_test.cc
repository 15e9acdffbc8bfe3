// CheckOptions: the one place that decides which Options values DB::Open
// accepts (the Node binding exports the same table as constants.optionLimits).

#include <memory>
#include <string>

#include "flowdb/db.h"
#include "flowdb/env.h"
#include "flowdb/option_limits.h"
#include "test_util.h"

namespace flowdb {
namespace {

// Sets the field `name` of *o to v (the fields OptionLimits() lists).
void SetField(Options* o, const std::string& name, int64_t v) {
  if (name == "sync_interval_ms") o->sync_interval_ms = static_cast<uint32_t>(v);
  else if (name == "memtable_size") o->memtable_size = static_cast<size_t>(v);
  else if (name == "max_frozen_memtables") o->max_frozen_memtables = static_cast<int>(v);
  else if (name == "block_size") o->block_size = static_cast<size_t>(v);
  else if (name == "block_restart_interval") o->block_restart_interval = static_cast<int>(v);
  else if (name == "bloom_bits_per_key") o->bloom_bits_per_key = static_cast<int>(v);
  else if (name == "block_cache_size") o->block_cache_size = static_cast<size_t>(v);
  else if (name == "max_open_files") o->max_open_files = static_cast<int>(v);
  else if (name == "default_ttl_us") o->default_ttl_us = v;
  else if (name == "flush_interval_ms") o->flush_interval_ms = static_cast<uint32_t>(v);
  else if (name == "compaction_trigger") o->compaction_trigger = static_cast<int>(v);
  else if (name == "compaction_size_ratio") o->compaction_size_ratio = static_cast<int>(v);
  else if (name == "max_space_amplification") o->max_space_amplification = static_cast<int>(v);
  else if (name == "wal_retention_bytes") o->wal_retention_bytes = static_cast<uint64_t>(v);
  else FAIL() << "unknown field " << name;
}

TEST(OptionsCheckTest, DefaultsAreWithinTheLimits) { EXPECT_OK(CheckOptions(Options())); }

TEST(OptionsCheckTest, EveryLimitAcceptsItsBoundsAndNamesTheFieldOutsideThem) {
  ASSERT_EQ(14u, OptionLimits().size());
  for (const OptionLimit& l : OptionLimits()) {
    SCOPED_TRACE(l.field);
    for (int64_t v : {l.min, l.max}) {
      Options o;
      SetField(&o, l.field, v);
      EXPECT_OK(CheckOptions(o));
    }
    // Below min (when the field's type can hold it) and above max.
    for (int64_t v : {l.min - 1, l.max + 1}) {
      if (v < 0 && (std::string(l.field).find("size") != std::string::npos ||
                    std::string(l.field).find("_bytes") != std::string::npos ||
                    std::string(l.field).find("_ms") != std::string::npos)) {
        continue;  // unsigned fields
      }
      Options o;
      SetField(&o, l.field, v);
      Status s = CheckOptions(o);
      EXPECT_TRUE(s.IsInvalidArgument()) << v;
      EXPECT_NE(std::string::npos, s.ToString().find(l.field)) << s.ToString();
      EXPECT_NE(std::string::npos, s.ToString().find("got " + std::to_string(v))) << s.ToString();
    }
    if (l.excluded != OptionLimit::kNotExcluded) {
      Options o;
      SetField(&o, l.field, l.excluded);
      EXPECT_TRUE(CheckOptions(o).IsInvalidArgument());
    }
  }
}

TEST(OptionsCheckTest, CompactionTriggerOfOneIsRefused) {
  Options o;
  o.compaction_trigger = 1;
  Status s = CheckOptions(o);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(std::string::npos, s.ToString().find("compaction_trigger")) << s.ToString();
  o.compaction_trigger = 0;
  EXPECT_OK(CheckOptions(o));
}

TEST(OptionsCheckTest, EnumsOutsideTheirValuesAreRefused) {
  Options o;
  o.sync_mode = static_cast<SyncMode>(3);
  EXPECT_TRUE(CheckOptions(o).IsInvalidArgument());
  o = Options();
  o.compression = static_cast<Compression>(2);
  EXPECT_TRUE(CheckOptions(o).IsInvalidArgument());
  o = Options();
  o.ttl_basis = static_cast<Options::TtlBasis>(2);
  EXPECT_TRUE(CheckOptions(o).IsInvalidArgument());
}

TEST(OptionsCheckTest, OpenRefusesAnOptionOutOfRangeNamingIt) {
  std::unique_ptr<Env> env = NewMemEnv();
  Options o;
  o.env = env.get();
  o.max_open_files = 8;
  std::unique_ptr<DB> db;
  Status s = DB::Open(o, "/db", &db);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(std::string::npos, s.ToString().find("max_open_files must be between 16 and 1000000, got 8"))
      << s.ToString();
  EXPECT_EQ(nullptr, db);
  o.max_open_files = 16;
  ASSERT_OK(DB::Open(o, "/db", &db));
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace flowdb
