#include "table/table.h"

#include <thread>

#include "db/range_del.h"
#include "iterator_harness.h"
#include "string_file.h"
#include "table/block_cache.h"
#include "table/table_builder.h"
#include "test_util.h"

namespace flowdb {
namespace {

using test::InternalKeyModel;
using test::StringSink;
using test::StringSource;

std::string IKey(std::string_view user_key, int64_t ts, uint64_t seq = 1,
                 ValueType t = kTypeValue) {
  std::string k;
  AppendInternalKey(&k, user_key, ts, seq, t);
  return k;
}

// Builds a table; *block_offsets (if given) receives where each block
// begins (TableBuilder appends one block per Append).
std::string BuildTable(const InternalKeyModel& model, const TableOptions& options,
                       TableProperties* props = nullptr,
                       std::vector<uint64_t>* block_offsets = nullptr) {
  StringSink sink;
  TableBuilder builder(options, &sink);
  for (const auto& [key, value] : model) builder.Add(key, value);
  EXPECT_OK(builder.Finish());
  EXPECT_EQ(model.size(), builder.NumEntries());
  EXPECT_EQ(sink.contents.size(), builder.FileSize());
  if (props != nullptr) *props = builder.properties();
  if (block_offsets != nullptr) *block_offsets = sink.append_offsets;
  return sink.contents;
}

// Opens a table over contents; *source (if given) observes the file's reads.
Status OpenTable(const std::string& contents, std::unique_ptr<Table>* table,
                 BlockCache* cache = nullptr, uint64_t table_id = 1,
                 const StringSource** source = nullptr, TableReadOptions options = {}) {
  auto file = std::make_unique<StringSource>(contents);
  if (source != nullptr) *source = file.get();
  return Table::Open(options, std::move(file), contents.size(), table_id, cache, table);
}

// Entries of a full forward scan; *status gets the iterator's final status.
std::vector<std::string> ScanKeys(const Table& table, const ReadOptions& options,
                                  Status* status = nullptr) {
  std::vector<std::string> keys;
  std::unique_ptr<Iterator> it = table.NewIterator(options);
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys.emplace_back(it->key());
  if (status != nullptr) *status = it->status();
  return keys;
}

TableOptions SmallBlocks(Compression c = Compression::kLZ4) {
  TableOptions options;
  options.block_size = 256;
  options.block_restart_interval = 4;
  options.compression = c;
  return options;
}

TEST(TableTest, EmptyTable) {
  TableProperties props;
  const std::string contents = BuildTable({}, TableOptions(), &props);
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(contents, &table));
  EXPECT_EQ(0u, table->properties().num_entries);
  EXPECT_EQ(0u, table->num_data_blocks());
  EXPECT_FALSE(table->KeyMayMatch("anything"));
  std::unique_ptr<Iterator> it = table->NewIterator(ReadOptions());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("a", 0));
  EXPECT_FALSE(it->Valid());
  EXPECT_OK(it->status());
}

TEST(TableTest, HarnessOverRandomTables) {
  test::Random rnd(301);
  struct Config {
    size_t block_size;
    int restart_interval;
    Compression compression;
    int bloom_bits;
  };
  const Config configs[] = {
      {64, 1, Compression::kNone, 10},      // about one entry per block
      {256, 4, Compression::kLZ4, 10},
      {4096, 16, Compression::kLZ4, 0},
      {16 << 10, 16, Compression::kNone, 10},
      {1 << 20, 1000, Compression::kLZ4, 3},  // a single data block
  };
  for (const Config& c : configs) {
    for (int num_keys : {1, 50, 400}) {
      SCOPED_TRACE("block size " + std::to_string(c.block_size) + ", keys " +
                   std::to_string(num_keys));
      const InternalKeyModel model = test::RandomInternalKeyModel(&rnd, num_keys, 5);
      TableOptions options;
      options.block_size = c.block_size;
      options.block_restart_interval = c.restart_interval;
      options.compression = c.compression;
      options.bloom_bits_per_key = c.bloom_bits;
      const std::string contents = BuildTable(model, options);
      BlockCache cache(1 << 20);
      std::unique_ptr<Table> table;
      ASSERT_OK(OpenTable(contents, &table, &cache));
      std::unique_ptr<Iterator> it = table->NewIterator(ReadOptions());
      ASSERT_NO_FATAL_FAILURE(test::CheckIteratorAgainstModel(it.get(), model, rnd.Next(), 500));
      // Again, now served from the cache.
      it = table->NewIterator(ReadOptions());
      ASSERT_NO_FATAL_FAILURE(test::CheckIteratorAgainstModel(it.get(), model, rnd.Next(), 200));
    }
  }
}

TEST(TableTest, PropertiesDescribeEntries) {
  InternalKeyModel model;
  std::string expiring_early, expiring_late;
  PutFixed64(&expiring_early, 5000);
  PutFixed64(&expiring_late, 9000);
  model[IKey("apple", -7, 10, kTypeValue)] = "red";
  model[IKey("apple", 3, 12, kTypeValueExpiring)] = expiring_early + "green";
  model[IKey("banana", 100, 4, kTypeDeletion)] = "";
  model[IKey("cherry", 50, 30, kTypeValueExpiring)] = expiring_late;
  uint64_t key_bytes = 0, value_bytes = 0;
  for (const auto& [k, v] : model) {
    key_bytes += k.size();
    value_bytes += v.size();
  }
  TableOptions options;
  options.block_size = 1;  // one block per entry
  options.bloom_bits_per_key = 12;
  TableProperties built;
  const std::string contents = BuildTable(model, options, &built);
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(contents, &table));
  const TableProperties& from_builder = built;
  const TableProperties& from_file = table->properties();
  for (const TableProperties* p : {&from_builder, &from_file}) {
    EXPECT_EQ(4u, p->num_entries);
    EXPECT_EQ(1u, p->num_deletions);
    EXPECT_EQ(key_bytes, p->raw_key_bytes);
    EXPECT_EQ(value_bytes, p->raw_value_bytes);
    EXPECT_EQ(4u, p->data_blocks);
    EXPECT_EQ(model.begin()->first, p->smallest_key);
    EXPECT_EQ(model.rbegin()->first, p->largest_key);
    EXPECT_EQ(-7, p->min_ts);
    EXPECT_EQ(100, p->max_ts);
    EXPECT_EQ(5000, p->min_expire_at);
    EXPECT_EQ(kNoExpiry, p->max_expire_at);  // some entries never expire
    EXPECT_EQ(4u, p->min_seq);
    EXPECT_EQ(30u, p->max_seq);
    EXPECT_EQ(12, p->bloom_bits_per_key);
    EXPECT_EQ(kTableFormatVersion, p->format_version);
  }
  EXPECT_EQ(4u, table->num_data_blocks());
  EXPECT_EQ(contents.size(), table->file_size());
  EXPECT_EQ(1u, table->table_id());
  EXPECT_GT(table->ApproximateMemoryUsage(), 4 * model.begin()->first.size());
}

TEST(TableTest, AllEntriesExpiring) {
  InternalKeyModel model;
  for (int i = 0; i < 10; i++) {
    std::string value;
    PutFixed64(&value, 1000 + i);
    model[IKey("k" + std::to_string(i), i, 1, kTypeValueExpiring)] = value + "x";
  }
  TableProperties props;
  BuildTable(model, TableOptions(), &props);
  EXPECT_EQ(1000, props.min_expire_at);
  EXPECT_EQ(1009, props.max_expire_at);
}

TEST(TableTest, BloomFilterOverUserKeys) {
  InternalKeyModel model;
  for (int i = 0; i < 2000; i++) {
    for (int ts = 0; ts < 3; ts++) model[IKey("user" + std::to_string(i), ts)] = "v";
  }
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(BuildTable(model, TableOptions()), &table));
  for (int i = 0; i < 2000; i++) ASSERT_TRUE(table->KeyMayMatch("user" + std::to_string(i)));
  int false_positives = 0;
  for (int i = 0; i < 2000; i++) false_positives += table->KeyMayMatch("other" + std::to_string(i));
  EXPECT_LT(false_positives, 60);  // < 3%

  TableOptions no_bloom;
  no_bloom.bloom_bits_per_key = 0;
  ASSERT_OK(OpenTable(BuildTable(model, no_bloom), &table));
  EXPECT_EQ(0, table->properties().bloom_bits_per_key);
  EXPECT_TRUE(table->KeyMayMatch("other1"));
}

TEST(TableTest, CompressionShrinksTables) {
  InternalKeyModel model;
  for (int i = 0; i < 2000; i++) model[IKey("metric", i)] = std::string(50, 'a' + i % 3);
  const std::string plain = BuildTable(model, SmallBlocks(Compression::kNone));
  const std::string lz4 = BuildTable(model, SmallBlocks(Compression::kLZ4));
  EXPECT_LT(lz4.size(), plain.size() * 3 / 4);
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(lz4, &table));
  EXPECT_EQ(model.size(), ScanKeys(*table, ReadOptions()).size());
}

// A time series: one key, ts 0..19999, small blocks.
InternalKeyModel TimeSeries(int keys, int points) {
  InternalKeyModel model;
  for (int k = 0; k < keys; k++) {
    for (int ts = 0; ts < points; ts++) {
      model[IKey("sensor" + std::to_string(k), ts)] = "value-" + std::to_string(ts);
    }
  }
  return model;
}

// Looks up target; returns "" if not found, else the entry's value. Fails
// the test on a non-OK status.
std::string TableGet(const Table& table, const std::string& target,
                     const ReadOptions& options = ReadOptions()) {
  TableGetResult r;
  Status s = table.Get(options, target, &r);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!r.found) return "";
  return std::string(r.value);
}

TEST(TableTest, GetAgreesWithModel) {
  test::Random rnd(303);
  for (const TableOptions& options :
       {SmallBlocks(), SmallBlocks(Compression::kNone), TableOptions()}) {
    for (int num_keys : {1, 50, 400}) {
      SCOPED_TRACE("block size " + std::to_string(options.block_size) + ", keys " +
                   std::to_string(num_keys));
      const InternalKeyModel model = test::RandomInternalKeyModel(&rnd, num_keys, 5);
      BlockCache cache(1 << 20);
      std::unique_ptr<Table> table;
      ASSERT_OK(OpenTable(BuildTable(model, options), &table, &cache));
      std::vector<std::string> keys;
      for (const auto& e : model) keys.push_back(e.first);
      for (int i = 0; i < 1000; i++) {
        const std::string target = test::RandomSeekTarget(&rnd, keys);
        const auto expected = test::ModelPointLookup(model, target);
        TableGetResult r;
        ASSERT_OK(table->Get(ReadOptions(), target, &r));
        ASSERT_EQ(expected != model.end(), r.found) << i;
        if (r.found) {
          ParsedInternalKey k;
          ASSERT_TRUE(ParseInternalKey(expected->first, &k));
          EXPECT_EQ(k.sequence, r.sequence);
          EXPECT_EQ(k.type, r.type);
          EXPECT_EQ(expected->second, r.value);
          EXPECT_NE(nullptr, r.block);
        }
      }
    }
  }
}

// Five versions of one record, one entry per block, between other keys.
InternalKeyModel VersionsAcrossBlocks() {
  InternalKeyModel model;
  model[IKey("a", 1, 50)] = "a";
  for (uint64_t seq : {40, 30, 20, 10, 5}) model[IKey("k", 5, seq)] = "v" + std::to_string(seq);
  model[IKey("k", 9, 50)] = "k9";
  model[IKey("m", 5, 50)] = "m";
  return model;
}

TEST(TableTest, GetHitsAndMisses) {
  TableOptions options;
  options.block_size = 1;  // one entry per block
  options.bloom_bits_per_key = 10;
  const InternalKeyModel model = VersionsAcrossBlocks();
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(BuildTable(model, options), &table));
  ASSERT_EQ(model.size(), table->num_data_blocks());

  EXPECT_EQ("a", TableGet(*table, SeekKey("a", 1)));
  EXPECT_EQ("v40", TableGet(*table, SeekKey("k", 5)));
  EXPECT_EQ("m", TableGet(*table, SeekKey("m", 5)));  // the last entry
  // The target sorts after a block's last key: the entry is the first of
  // the next block.
  EXPECT_EQ("v30", TableGet(*table, SeekKey("k", 5, 39)));
  EXPECT_EQ("v20", TableGet(*table, SeekKey("k", 5, 29)));
  EXPECT_EQ("v5", TableGet(*table, SeekKey("k", 5, 9)));
  // Older than every version: the next block starts another record.
  EXPECT_EQ("", TableGet(*table, SeekKey("k", 5, 4)));
  EXPECT_EQ("", TableGet(*table, SeekKey("k", 7)));   // between two ts of a key
  EXPECT_EQ("", TableGet(*table, SeekKey("A", 1)));   // before the first key
  EXPECT_EQ("", TableGet(*table, SeekKey("a", 0)));
  EXPECT_EQ("", TableGet(*table, SeekKey("m", 6)));   // after the last key
  EXPECT_EQ("", TableGet(*table, SeekKey("z", 0)));

  TableGetResult r;
  ASSERT_OK(table->Get(ReadOptions(), SeekKey("k", 5, 25), &r));
  ASSERT_TRUE(r.found);
  EXPECT_EQ(20u, r.sequence);
  EXPECT_EQ(kTypeValue, r.type);
  EXPECT_FALSE(r.filtered);
  EXPECT_TRUE(table->Get(ReadOptions(), "short", &r).IsInvalidArgument());
  EXPECT_FALSE(r.found);
}

TEST(TableTest, GetMissWithinABlock) {
  const InternalKeyModel model = TimeSeries(3, 200);
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(BuildTable(model, SmallBlocks()), &table));
  ASSERT_GT(table->num_data_blocks(), 10u);
  for (int k = 0; k < 3; k++) {
    const std::string key = "sensor" + std::to_string(k);
    for (int ts = 0; ts < 200; ts += 7) {
      EXPECT_EQ("value-" + std::to_string(ts), TableGet(*table, SeekKey(key, ts)));
    }
    EXPECT_EQ("", TableGet(*table, SeekKey(key, 200)));
    EXPECT_EQ("", TableGet(*table, SeekKey(key + "x", 50)));  // a key between two
  }
  // A deleted entry is found too: its type tells the caller.
  InternalKeyModel deleted;
  deleted[IKey("gone", 3, 9, kTypeDeletion)] = "";
  deleted[IKey("gone", 3, 4)] = "old";
  ASSERT_OK(OpenTable(BuildTable(deleted, SmallBlocks()), &table));
  TableGetResult r;
  ASSERT_OK(table->Get(ReadOptions(), SeekKey("gone", 3), &r));
  ASSERT_TRUE(r.found);
  EXPECT_EQ(kTypeDeletion, r.type);
  EXPECT_EQ(9u, r.sequence);
  EXPECT_EQ("old", TableGet(*table, SeekKey("gone", 3, 8)));
}

TEST(TableTest, GetSkipsBlocksByBloomAndTs) {
  const InternalKeyModel model = TimeSeries(2, 2000);
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(BuildTable(model, SmallBlocks()), &table));
  TableGetResult r;
  ASSERT_OK(table->Get(ReadOptions(), SeekKey("other", 5), &r));
  EXPECT_TRUE(r.filtered);
  EXPECT_FALSE(r.found);
  EXPECT_EQ(0u, table->data_block_reads());
  // A ts outside the range of the block that would hold it: nothing read.
  EXPECT_EQ("", TableGet(*table, SeekKey("sensor0", 5000)));
  EXPECT_EQ("", TableGet(*table, SeekKey("sensor1", -1)));
  EXPECT_EQ("", TableGet(*table, SeekKey("sensor1", 5000)));  // after the last key
  EXPECT_EQ(0u, table->data_block_reads());
  EXPECT_EQ("value-1500", TableGet(*table, SeekKey("sensor0", 1500)));
  EXPECT_EQ(1u, table->data_block_reads());
}

TEST(TableTest, GetMemoryOnlyAndFillCache) {
  const InternalKeyModel model = TimeSeries(1, 500);
  ReadOptions memory_only;
  memory_only.memory_only = true;
  TableGetResult r;
  std::unique_ptr<Table> table;
  // Without a cache every block needs a read.
  ASSERT_OK(OpenTable(BuildTable(model, SmallBlocks()), &table));
  Status s = table->Get(memory_only, SeekKey("sensor0", 10), &r);
  EXPECT_TRUE(s.IsWouldBlock()) << s.ToString();
  EXPECT_EQ("would block", s.message());
  EXPECT_FALSE(r.found);
  EXPECT_EQ(0u, table->data_block_reads());

  BlockCache cache(1 << 20);
  const StringSource* source;
  ASSERT_OK(OpenTable(BuildTable(model, SmallBlocks()), &table, &cache, 3, &source));
  EXPECT_TRUE(table->Get(memory_only, SeekKey("sensor0", 10), &r).IsWouldBlock());
  // fill_cache = false reads without caching.
  ReadOptions no_fill;
  no_fill.fill_cache = false;
  EXPECT_EQ("value-10", TableGet(*table, SeekKey("sensor0", 10), no_fill));
  EXPECT_EQ(0u, cache.usage());
  EXPECT_TRUE(table->Get(memory_only, SeekKey("sensor0", 10), &r).IsWouldBlock());
  // Once cached, the block serves memory-only lookups without reads.
  EXPECT_EQ("value-10", TableGet(*table, SeekKey("sensor0", 10)));
  EXPECT_GT(cache.usage(), 0u);
  const int reads = source->reads();
  EXPECT_EQ("value-10", TableGet(*table, SeekKey("sensor0", 10), memory_only));
  EXPECT_EQ(reads, source->reads());
  // The result pins its block, which outlives the table when not cached.
  BlockCache off(0);
  ASSERT_OK(OpenTable(BuildTable(model, SmallBlocks()), &table, &off));
  ASSERT_OK(table->Get(ReadOptions(), SeekKey("sensor0", 13), &r));
  table.reset();
  ASSERT_TRUE(r.found);
  EXPECT_EQ("value-13", r.value);
}

TEST(TableTest, GetReportsCorruptBlocks) {
  std::vector<uint64_t> block_offsets;
  const std::string good = BuildTable(TimeSeries(1, 200), SmallBlocks(), nullptr, &block_offsets);
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(good, &table));
  ASSERT_GT(table->num_data_blocks(), 2u);
  const uint64_t second = block_offsets[1];
  std::string bad = good;
  bad[(second + block_offsets[2]) / 2] ^= 0x20;
  ASSERT_OK(OpenTable(bad, &table));
  // The first block is fine; any lookup that lands in the second fails,
  // naming its offset.
  EXPECT_EQ("value-0", TableGet(*table, SeekKey("sensor0", 0)));
  int corrupt = 0;
  for (int ts = 0; ts < 200; ts++) {
    TableGetResult r;
    Status s = table->Get(ReadOptions(), SeekKey("sensor0", ts), &r);
    if (s.ok()) {
      EXPECT_TRUE(r.found);
      continue;
    }
    corrupt++;
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(std::string::npos, s.ToString().find("block at offset " + std::to_string(second)))
        << s.ToString();
  }
  EXPECT_GT(corrupt, 0);
  EXPECT_LT(corrupt, 200);
}

TEST(TableTest, TimeRangeSkipsBlocks) {
  const InternalKeyModel model = TimeSeries(1, 20000);
  TableOptions options = SmallBlocks();
  options.block_size = 1024;
  const std::string contents = BuildTable(model, options);
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(contents, &table));
  const size_t blocks = table->num_data_blocks();
  ASSERT_GT(blocks, 100u);

  ScanKeys(*table, ReadOptions());
  EXPECT_EQ(blocks, table->data_block_reads());

  ReadOptions range;
  range.ts_min = 10000;
  range.ts_max = 10099;
  uint64_t before = table->data_block_reads();
  Status s;
  const std::vector<std::string> keys = ScanKeys(*table, range, &s);
  ASSERT_OK(s);
  const uint64_t reads = table->data_block_reads() - before;
  EXPECT_GE(reads, 2u);
  EXPECT_LE(reads, 4u);  // ~30 entries per block: 100 points span 4 blocks at most
  // Every in-range entry is returned, in order; out-of-range ones only from
  // the edge blocks.
  std::vector<std::string> in_range;
  for (const std::string& k : keys) {
    const int64_t ts = ExtractTs(k);
    if (ts >= 10000 && ts <= 10099) in_range.push_back(k);
  }
  ASSERT_EQ(100u, in_range.size());
  EXPECT_EQ(IKey("sensor0", 10000), in_range.front());
  EXPECT_EQ(IKey("sensor0", 10099), in_range.back());
  EXPECT_LT(keys.size(), 200u);

  // Backwards, and a Seek before the range lands in the first wanted block.
  before = table->data_block_reads();
  std::unique_ptr<Iterator> it = table->NewIterator(range);
  int count = 0;
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    const int64_t ts = ExtractTs(it->key());
    count += ts >= 10000 && ts <= 10099;
  }
  ASSERT_OK(it->status());
  EXPECT_EQ(100, count);
  EXPECT_LE(table->data_block_reads() - before, 4u);
  it->Seek(IKey("sensor0", 0));
  ASSERT_TRUE(it->Valid());
  EXPECT_GT(ExtractTs(it->key()), 9900);
  EXPECT_LE(ExtractTs(it->key()), 10000);
  // SeekForPrev past the range lands in the last wanted block, at or after
  // the range's last point; one inside it lands on that point.
  before = table->data_block_reads();
  it->SeekForPrev(IKey("sensor0", 1 << 30));
  ASSERT_TRUE(it->Valid());
  EXPECT_GE(ExtractTs(it->key()), 10099);
  EXPECT_LT(ExtractTs(it->key()), 10200);
  it->SeekForPrev(IKey("sensor0", 10050, 0));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(IKey("sensor0", 10050), it->key());
  EXPECT_LE(table->data_block_reads() - before, 2u);
  it->SeekForPrev("short");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsInvalidArgument());

  // A range that meets no block reads nothing.
  ReadOptions none;
  none.ts_min = 50000;
  none.ts_max = 60000;
  before = table->data_block_reads();
  EXPECT_TRUE(ScanKeys(*table, none, &s).empty());
  ASSERT_OK(s);
  EXPECT_EQ(before, table->data_block_reads());
}

TEST(TableTest, TimeRangeSkipsBlocksOfManyKeys) {
  const InternalKeyModel model = TimeSeries(10, 1000);
  const std::string contents = BuildTable(model, SmallBlocks());
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(contents, &table));
  ReadOptions range;
  range.ts_min = 500;
  range.ts_max = 509;
  Status s;
  const std::vector<std::string> keys = ScanKeys(*table, range, &s);
  ASSERT_OK(s);
  int in_range = 0;
  for (const std::string& k : keys) in_range += ExtractTs(k) >= 500 && ExtractTs(k) <= 509;
  EXPECT_EQ(100, in_range);
  // ≤ 2 blocks per key, plus the blocks holding the end of one key's series
  // and the start of the next (their ts range spans everything).
  EXPECT_LE(table->data_block_reads(), 10u * 2 + 9);
  EXPECT_GT(table->num_data_blocks(), 200u);
}

TEST(TableTest, MemoryOnlyWithoutCache) {
  const InternalKeyModel model = TimeSeries(1, 100);
  const StringSource* source;
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(BuildTable(model, SmallBlocks()), &table, nullptr, 1, &source));
  const int reads_after_open = source->reads();
  ReadOptions memory_only;
  memory_only.memory_only = true;
  std::unique_ptr<Iterator> it = table->NewIterator(memory_only);
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsWouldBlock());
  EXPECT_EQ("would block", it->status().message());
  it->Seek(IKey("sensor0", 50));
  EXPECT_TRUE(it->status().IsWouldBlock());
  EXPECT_EQ(reads_after_open, source->reads());
  EXPECT_EQ(0u, table->data_block_reads());
}

TEST(TableTest, MemoryOnlyServesCachedBlocks) {
  const InternalKeyModel model = TimeSeries(1, 500);
  BlockCache cache(1 << 20);
  const StringSource* source;
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(BuildTable(model, SmallBlocks()), &table, &cache, 9, &source));
  const int reads_after_open = source->reads();
  ReadOptions memory_only;
  memory_only.memory_only = true;
  Status s;
  EXPECT_TRUE(ScanKeys(*table, memory_only, &s).empty());
  EXPECT_TRUE(s.IsBusy());
  EXPECT_EQ(reads_after_open, source->reads());

  // Warm only the first block: a memory-only scan returns its entries, then
  // stops with Busy rather than reading the next block.
  std::unique_ptr<Iterator> warm = table->NewIterator(ReadOptions());
  warm->SeekToFirst();
  ASSERT_TRUE(warm->Valid());
  std::vector<std::string> keys = ScanKeys(*table, memory_only, &s);
  EXPECT_TRUE(s.IsBusy());
  EXPECT_FALSE(keys.empty());
  EXPECT_LT(keys.size(), model.size());

  // fill_cache = false reads without caching.
  ReadOptions no_fill;
  no_fill.fill_cache = false;
  const size_t usage = cache.usage();
  EXPECT_EQ(model.size(), ScanKeys(*table, no_fill, &s).size());
  ASSERT_OK(s);
  EXPECT_EQ(usage, cache.usage());
  EXPECT_TRUE(ScanKeys(*table, memory_only, &s).size() < model.size());

  // After a full scan everything is cached: no more reads.
  ScanKeys(*table, ReadOptions());
  const int reads = source->reads();
  keys = ScanKeys(*table, memory_only, &s);
  ASSERT_OK(s);
  EXPECT_EQ(model.size(), keys.size());
  EXPECT_EQ(reads, source->reads());
  std::unique_ptr<Iterator> it = table->NewIterator(memory_only);
  ASSERT_NO_FATAL_FAILURE(test::CheckIteratorAgainstModel(it.get(), model, 17, 300));
  EXPECT_EQ(reads, source->reads());
}

TEST(TableTest, TablesShareACacheByTableId) {
  test::Random rnd(77);
  const InternalKeyModel a = test::RandomInternalKeyModel(&rnd, 100, 3);
  const InternalKeyModel b = test::RandomInternalKeyModel(&rnd, 100, 3);
  BlockCache cache(4 << 20);
  std::unique_ptr<Table> ta, tb;
  ASSERT_OK(OpenTable(BuildTable(a, SmallBlocks()), &ta, &cache, 1));
  ASSERT_OK(OpenTable(BuildTable(b, SmallBlocks()), &tb, &cache, 2));
  for (int pass = 0; pass < 2; pass++) {
    std::unique_ptr<Iterator> ia = ta->NewIterator(ReadOptions());
    std::unique_ptr<Iterator> ib = tb->NewIterator(ReadOptions());
    ASSERT_NO_FATAL_FAILURE(test::CheckIteratorAgainstModel(ia.get(), a, pass, 100));
    ASSERT_NO_FATAL_FAILURE(test::CheckIteratorAgainstModel(ib.get(), b, pass, 100));
  }
  EXPECT_EQ(ta->num_data_blocks(), ta->data_block_reads());
  EXPECT_EQ(tb->num_data_blocks(), tb->data_block_reads());
  EXPECT_GT(cache.GetStats().hits, 0u);

  // A reopened reader with the same id finds the blocks in the cache.
  ASSERT_OK(OpenTable(BuildTable(a, SmallBlocks()), &ta, &cache, 1));
  ScanKeys(*ta, ReadOptions());
  EXPECT_EQ(0u, ta->data_block_reads());
}

TEST(TableTest, ConcurrentIterators) {
  test::Random rnd(5);
  const InternalKeyModel model = test::RandomInternalKeyModel(&rnd, 300, 4);
  BlockCache cache(8 << 10);  // small: blocks are evicted while in use
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(BuildTable(model, SmallBlocks()), &table, &cache));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; round++) {
        std::unique_ptr<Iterator> it = table->NewIterator(ReadOptions());
        test::CheckIteratorAgainstModel(it.get(), model, t * 10 + round, 300);
      }
    });
  }
  for (auto& th : threads) th.join();
}

TEST(TableTest, BuilderRejectsBadInput) {
  TableOptions options;
  {
    StringSink sink;
    TableBuilder builder(options, &sink);
    builder.Add(IKey("b", 1), "x");
    builder.Add(IKey("a", 1), "y");  // out of order
    EXPECT_TRUE(builder.status().IsInvalidArgument());
    builder.Add(IKey("c", 1), "z");  // ignored after the error
    EXPECT_EQ(1u, builder.NumEntries());
    EXPECT_TRUE(builder.Finish().IsInvalidArgument());
  }
  {
    StringSink sink;
    TableBuilder builder(options, &sink);
    builder.Add(IKey("a", 1), "x");
    builder.Add(IKey("a", 1), "x");  // equal keys
    EXPECT_TRUE(builder.status().IsInvalidArgument());
    builder.Abandon();
  }
  {
    StringSink sink;
    TableBuilder builder(options, &sink);
    builder.Add("short", "x");
    EXPECT_TRUE(builder.status().IsInvalidArgument());
    builder.Abandon();
  }
  {
    StringSink sink;
    TableBuilder builder(options, &sink);
    builder.Add(IKey("a", 1, 1, kTypeValueExpiring), "1234567");  // no expire_at
    EXPECT_TRUE(builder.status().IsInvalidArgument());
    builder.Abandon();
  }
}

class FailingSink final : public WritableFile {
 public:
  Status Append(std::string_view) override { return Status::IOError("disk full", "", 28, Status::SubCode::kNoSpace); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  Status Truncate(uint64_t) override { return Status::OK(); }
};

TEST(TableTest, BuilderReportsWriteErrors) {
  FailingSink sink;
  TableBuilder builder(SmallBlocks(), &sink);
  for (int i = 0; i < 100; i++) builder.Add(IKey("k", i), std::string(100, 'v'));
  EXPECT_TRUE(builder.status().IsNoSpace());
  EXPECT_TRUE(builder.Finish().IsNoSpace());
}

// A readable file whose reads fail once the first `good_reads` are done.
class FlakySource final : public RandomAccessFile {
 public:
  FlakySource(std::string contents, int good_reads)
      : source_(std::move(contents)), good_reads_(good_reads) {}
  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    if (good_reads_.fetch_sub(1) <= 0) return Status::IOError("injected read error");
    return source_.Read(offset, n, result, scratch);
  }

 private:
  StringSource source_;
  mutable std::atomic<int> good_reads_;
};

TEST(TableTest, ReadErrorsAreNotCorruption) {
  const InternalKeyModel model = TimeSeries(1, 300);
  const std::string contents = BuildTable(model, SmallBlocks());
  // Open reads the footer, properties, index and filter: four reads.
  std::unique_ptr<Table> table;
  Status s = Table::Open(TableReadOptions(), std::make_unique<FlakySource>(contents, 2),
                         contents.size(), 1, nullptr, &table);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ASSERT_OK(Table::Open(TableReadOptions(), std::make_unique<FlakySource>(contents, 4),
                        contents.size(), 1, nullptr, &table));
  ScanKeys(*table, ReadOptions(), &s);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
}

// Every single flipped byte is detected: at Open (footer, index, filter,
// properties) or while reading the data block, with a message naming an
// offset. Never a crash.
TEST(TableTest, EveryFlippedByteIsCorruption) {
  test::Random rnd(99);
  InternalKeyModel model = test::RandomInternalKeyModel(&rnd, 12, 2);
  const InternalKeyModel series = TimeSeries(2, 40);  // compressible
  model.insert(series.begin(), series.end());
  std::vector<uint64_t> block_offsets;
  const std::string good = BuildTable(model, SmallBlocks(), nullptr, &block_offsets);
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(good, &table));
  ASSERT_GT(table->num_data_blocks(), 2u);
  // Both stored forms are covered: some data blocks are lz4, some raw.
  int lz4_blocks = 0;
  for (size_t i = 0; i < table->num_data_blocks(); i++) {
    lz4_blocks += good[block_offsets[i + 1] - kBlockTrailerSize] == kBlockLZ4;
  }
  EXPECT_GT(lz4_blocks, 0);
  EXPECT_LT(lz4_blocks, static_cast<int>(table->num_data_blocks()));
  int at_open = 0, at_read = 0;
  for (size_t i = 0; i < good.size(); i++) {
    std::string bad = good;
    bad[i] ^= static_cast<char>(1 << (i % 8));
    Status s = OpenTable(bad, &table);
    if (s.ok()) {
      // Lookups either fail the same way or find the right values.
      Status get_status;
      for (const auto& [key, value] : model) {
        TableGetResult r;
        Status g = table->Get(ReadOptions(), key, &r);
        if (!g.ok()) {
          get_status = g;
        } else {
          ASSERT_TRUE(r.found) << "byte " << i;
          ASSERT_EQ(value, r.value) << "byte " << i;
        }
      }
      ASSERT_TRUE(get_status.IsCorruption()) << "byte " << i << ": " << get_status.ToString();
      EXPECT_NE(std::string::npos, get_status.ToString().find("offset")) << get_status.ToString();
      ScanKeys(*table, ReadOptions(), &s);
      at_read++;
    } else {
      EXPECT_EQ(nullptr, table);
      at_open++;
    }
    ASSERT_TRUE(s.IsCorruption()) << "byte " << i << ": " << s.ToString();
    EXPECT_NE(std::string::npos, s.ToString().find("offset")) << s.ToString();
  }
  EXPECT_GT(at_open, 0);
  EXPECT_GT(at_read, 0);
}

TEST(TableTest, CorruptionMessages) {
  std::vector<uint64_t> block_offsets;
  const std::string good = BuildTable(TimeSeries(1, 200), SmallBlocks(), nullptr, &block_offsets);
  std::unique_ptr<Table> table;
  std::string bad = good;
  bad[bad.size() - 1] ^= 1;
  Status s = OpenTable(bad, &table);
  EXPECT_NE(std::string::npos, s.ToString().find("bad magic")) << s.ToString();
  bad = good;
  EncodeFixed32(bad.data() + bad.size() - 16, 9);
  s = OpenTable(bad, &table);
  EXPECT_NE(std::string::npos, s.ToString().find("unsupported format version 9")) << s.ToString();

  // A damaged second data block: a scan returns the first block's entries
  // and stops at the damage, naming the block's offset.
  ASSERT_OK(OpenTable(good, &table));
  ASSERT_GT(table->num_data_blocks(), 2u);
  const uint64_t second = block_offsets[1];
  bad = good;
  bad[(second + block_offsets[2]) / 2] ^= 0x20;
  ASSERT_OK(OpenTable(bad, &table));
  const std::vector<std::string> keys = ScanKeys(*table, ReadOptions(), &s);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_FALSE(keys.empty());
  EXPECT_EQ(IKey("sensor0", 0), keys.front());
  EXPECT_NE(std::string::npos, s.ToString().find("block at offset " + std::to_string(second)))
      << s.ToString();
  // Reverse iteration meets the same damage.
  std::unique_ptr<Iterator> it = table->NewIterator(ReadOptions());
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
  }
  EXPECT_TRUE(it->status().IsCorruption());
  // A new seek clears the error; the first block is still readable.
  it->Seek(IKey("sensor0", 0));
  ASSERT_TRUE(it->Valid());
  EXPECT_OK(it->status());
}

TEST(TableTest, TruncatedFileIsCorruption) {
  const std::string good = BuildTable(TimeSeries(2, 50), SmallBlocks());
  for (size_t len = 0; len < good.size(); len++) {
    std::unique_ptr<Table> table;
    // Both the true (short) size and the size the manifest claims.
    for (uint64_t claimed : {uint64_t{len}, uint64_t{good.size()}}) {
      Status s = Table::Open(TableReadOptions(), std::make_unique<StringSource>(good.substr(0, len)),
                             claimed, 1, nullptr, &table);
      if (s.ok()) {
        ScanKeys(*table, ReadOptions(), &s);
      }
      ASSERT_TRUE(s.IsCorruption()) << len << " claimed " << claimed << ": " << s.ToString();
    }
  }
}

TEST(TableTest, ParanoidChecksReadEveryBlock) {
  const std::string good = BuildTable(TimeSeries(3, 300), SmallBlocks());
  TableReadOptions paranoid;
  paranoid.paranoid_checks = true;
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(good, &table, nullptr, 1, nullptr, paranoid));
  EXPECT_EQ(table->num_data_blocks(), table->data_block_reads());

  std::string bad = good;
  bad[good.size() / 4] ^= 0x08;  // inside the data blocks
  EXPECT_OK(OpenTable(bad, &table));  // not noticed until read...
  Status s = OpenTable(bad, &table, nullptr, 1, nullptr, paranoid);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();  // ...unless paranoid
  EXPECT_EQ(nullptr, table);
}

}  // namespace
}  // namespace flowdb

namespace flowdb {
namespace {

// A table holding range tombstones (alone or beside entries) stores them in a
// checksummed block: they read back whole, and any damage to that block is
// Corruption at open naming it.
TEST(TableRangeDeletionTest, RoundTripAndCorruption) {
  std::vector<RangeTombstone> list = {{"a", "c", 7}, {"b", "zz", 9}};
  std::string encoded;
  EncodeRangeTombstones(list, &encoded);
  for (bool with_entries : {false, true}) {
    SCOPED_TRACE(with_entries ? "with entries" : "tombstones only");
    StringSink sink;
    TableBuilder builder(SmallBlocks(), &sink);
    builder.SetRangeDeletions(encoded, list.size(), 7, 9);
    if (with_entries) builder.Add(IKey("k", 1, 3, kTypeValue), "v");
    ASSERT_OK(builder.Finish());
    const TableProperties props = builder.properties();
    EXPECT_EQ(2u, props.num_range_deletions);
    EXPECT_EQ(with_entries ? 3u : 7u, props.min_seq);
    EXPECT_EQ(9u, props.max_seq);
    std::unique_ptr<Table> table;
    ASSERT_OK(OpenTable(sink.contents, &table));
    std::vector<RangeTombstone> back;
    ASSERT_OK(DecodeRangeTombstones(table->range_deletions(), &back));
    ASSERT_EQ(2u, back.size());
    EXPECT_EQ("b", back[1].start);
    EXPECT_EQ("zz", back[1].end);
    EXPECT_EQ(9u, back[1].seq);
    // Flip each byte of the block (and its trailer) in turn.
    for (uint64_t off = props.range_del_offset;
         off < props.range_del_offset + props.range_del_size + kBlockTrailerSize; off++) {
      std::string bad = sink.contents;
      bad[off] ^= 0x20;
      Status s = OpenTable(bad, &table);
      ASSERT_TRUE(s.IsCorruption()) << off << ": " << s.ToString();
      EXPECT_NE(std::string::npos, s.ToString().find("range deletion")) << s.ToString();
    }
  }
  // Malformed encodings.
  std::vector<RangeTombstone> out;
  EXPECT_TRUE(DecodeRangeTombstones(encoded.substr(0, encoded.size() - 1), &out).IsCorruption());
  EXPECT_TRUE(DecodeRangeTombstones(encoded + "x", &out).IsCorruption());
  std::string inverted;
  EncodeRangeTombstones({{"z", "a", 1}}, &inverted);
  EXPECT_TRUE(DecodeRangeTombstones(inverted, &out).IsCorruption());
}

// RangeDelSet answers like a brute-force scan of the tombstones.
TEST(RangeDelSetTest, MatchesBruteForce) {
  test::Random rnd(17);
  for (int round = 0; round < 200; round++) {
    std::vector<RangeTombstone> list;
    for (int i = 0, n = static_cast<int>(rnd.Uniform(12)); i < n; i++) {
      std::string a = test::RandomKey(&rnd, 1 + rnd.Uniform(2));
      std::string b = test::RandomKey(&rnd, 1 + rnd.Uniform(2));
      if (a == b) b.push_back('\0');
      if (b < a) std::swap(a, b);
      list.push_back({a, b, 1 + rnd.Uniform(50)});
    }
    RangeDelSet set(list);
    for (int q = 0; q < 100; q++) {
      std::string key = test::RandomKey(&rnd, rnd.Uniform(3));
      SequenceNumber snap = rnd.Uniform(60);
      SequenceNumber want = 0;
      for (const auto& t : list) {
        if (t.start <= key && key < t.end && t.seq <= snap) want = std::max(want, t.seq);
      }
      ASSERT_EQ(want, set.MaxCoveringSeq(key, snap)) << "round " << round << " key " << key;
    }
  }
}

}  // namespace
}  // namespace flowdb
