// Writes the seed corpora of the fuzz targets: every seed is produced by the
// engine's own writers (a database in an in-memory Env, log::Writer,
// BlockBuilder, TableBuilder, VersionEdit, the OPTIONS encoder, WriteBatch,
// the document key encoder), so the fuzzers start from well-formed files and
// mutate from there; the key extraction starts from sample JSON documents.
//
//   fuzz_seeds <dir>   creates <dir>/<target>/seed-NNN for each target

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "db/filename.h"
#include "db/log_reader.h"
#include "db/log_writer.h"
#include "db/options_file.h"
#include "db/version_edit.h"
#include "flowdb/db.h"
#include "flowdb/env.h"
#include "flowdb/options.h"
#include "flowdb/write_batch.h"
#include "fuzz_util.h"
#include "key_codec.h"
#include "table/block_builder.h"
#include "table/table_builder.h"

namespace {

using namespace flowdb;

// Collects appended bytes.
class StringSink final : public WritableFile {
 public:
  Status Append(std::string_view data) override {
    contents.append(data);
    return Status::OK();
  }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  Status Truncate(uint64_t size) override {
    contents.resize(std::min<uint64_t>(size, contents.size()));
    return Status::OK();
  }
  std::string contents;
};

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "fuzz_seeds: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what, s);
}

class Corpus {
 public:
  Corpus(const std::filesystem::path& root, const std::string& target) : dir_(root / target) {
    std::filesystem::create_directories(dir_);
  }
  void Add(const std::string& bytes) {
    char name[32];
    std::snprintf(name, sizeof(name), "seed-%03d", n_++);
    std::ofstream out(dir_ / name, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "fuzz_seeds: cannot write %s\n", (dir_ / name).c_str());
      std::exit(1);
    }
  }

 private:
  std::filesystem::path dir_;
  int n_ = 0;
};

std::string IKey(const std::string& user_key, int64_t ts, uint64_t seq, ValueType t = kTypeValue) {
  std::string k;
  AppendInternalKey(&k, user_key, ts, seq, t);
  return k;
}

std::vector<WriteBatch> SampleBatches() {
  std::vector<WriteBatch> batches;
  for (int i = 0; i < 6; i++) {
    WriteBatch b;
    for (int j = 0; j <= i; j++) {
      const std::string key = "sensor-" + std::to_string(j);
      b.Put(key, 1000 * i + j, std::string(static_cast<size_t>(3 + 7 * j), static_cast<char>('a' + j)));
    }
    if (i % 2 == 1) b.Delete("sensor-0", 1000 * i);
    if (i == 3) b.Put("expiring", 5, "v", 1'700'000'000'000'000);
    if (i == 4) b.DeleteRange("a", "m");
    batches.push_back(std::move(b));
  }
  return batches;
}

// A database in an in-memory Env, written through the real write path with
// flushes and a compaction; returns the Env holding its files.
std::unique_ptr<Env> BuildDatabase(const std::string& dbname, Compression compression) {
  std::unique_ptr<Env> env = NewMemEnv();
  Options options;
  options.env = env.get();
  options.memtable_size = 64 << 10;
  options.block_size = 512;
  options.block_restart_interval = 4;
  options.compression = compression;
  options.compaction_trigger = 0;
  std::unique_ptr<DB> db;
  Check(DB::Open(options, dbname, &db), "open");
  int n = 0;
  for (int round = 0; round < 3; round++) {
    for (WriteBatch& b : SampleBatches()) {
      WriteBatch copy = b;
      copy.Put("round", round, std::to_string(n++));
      Check(db->Write(&copy), "write");
    }
    Check(db->Flush(), "flush");
  }
  Check(db->CompactAll(), "compact");
  for (WriteBatch& b : SampleBatches()) Check(db->Write(&b), "write");  // left in the WAL
  db.reset();
  return env;
}

std::vector<std::string> FilesIn(Env* env, const std::string& dir, FileType want) {
  std::vector<std::string> names, out;
  if (!env->GetChildren(dir, &names).ok()) return out;
  for (const std::string& name : names) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type == want) {
      std::string bytes;
      Check(ReadFileToString(env, dir + "/" + name, &bytes), "read " + name);
      out.push_back(std::move(bytes));
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds <dir>\n");
    return 2;
  }
  const std::filesystem::path root = argv[1];
  const std::string dbname = "/db";
  Corpus log_corpus(root, "fuzz_log_reader"), block_corpus(root, "fuzz_block"),
      table_corpus(root, "fuzz_table"), edit_corpus(root, "fuzz_version_edit"),
      manifest_corpus(root, "fuzz_manifest"), options_corpus(root, "fuzz_options_file"),
      batch_corpus(root, "fuzz_write_batch"), key_corpus(root, "fuzz_key_codec"),
      json_corpus(root, "fuzz_key_extract");

  // Encoded keys of every type, alone and nested in arrays.
  {
    auto add = [&](auto&& build) {
      std::string bytes;
      doc::KeyEncoder enc(&bytes);
      Check(build(enc), "key");
      key_corpus.Add(bytes);
    };
    add([](doc::KeyEncoder& e) { return e.AddNumber(42.5); });
    add([](doc::KeyEncoder& e) { return e.AddNumber(-0.0); });
    add([](doc::KeyEncoder& e) { return e.AddDate(1.7e12); });
    add([](doc::KeyEncoder& e) { return e.AddStringUtf8("caf\xc3\xa9 \xf0\x9f\x98\x80"); });
    add([](doc::KeyEncoder& e) {
      e.AddString(u"\u0000\uffff\xd800");
      return Status::OK();
    });
    add([](doc::KeyEncoder& e) {
      e.AddBinary(std::string("\x00\x01\xff", 3));
      return Status::OK();
    });
    add([](doc::KeyEncoder& e) {
      Status s = e.BeginArray();
      if (s.ok()) s = e.AddNumber(1);
      if (s.ok()) s = e.AddStringUtf8("a");
      if (s.ok()) s = e.BeginArray();
      if (s.ok()) s = e.AddDate(0);
      e.EndArray();
      e.EndArray();
      return s;
    });
  }

  // JSON documents for the key paths the extraction target uses (id, a, a.b,
  // a.b.c, length, compound [id, a.b]).
  for (const char* json : {
           R"({"id":1,"a":{"b":"x","c":[1,2]}})",
           R"({"id":"k","a":[1,"two",[3],{"b":4},1,null,true]})",
           R"({"a":{"b":{"c":[5,5,"s",{"x":1}]}},"length":3})",
           R"({"id":[1,[2,"3"]],"a":"string","length":-0.0})",
           R"(["array",1,2])",
           R"("just a string")",
           R"(12.5e-3)",
           R"({"id":1e308,"a":{"b":"\u00e9\ud83d\ude00"}})",
       }) {
    json_corpus.Add(json);
  }

  // Write batches, and WALs of them.
  for (const WriteBatch& b : SampleBatches()) batch_corpus.Add(b.Rep());
  {
    StringSink sink;
    log::Writer writer(&sink, log::LogKind::kWal, /*new_file=*/true);
    for (const WriteBatch& b : SampleBatches()) Check(writer.AddRecord(b.Rep()), "wal record");
    for (char mode : {'\x00', '\x01', '\x02', '\x03'}) log_corpus.Add(std::string(1, mode) + sink.contents);
  }

  // Blocks.
  for (int interval : {1, 4, 16}) {
    BlockBuilder builder(interval);
    for (int i = 0; i < 40; i++) {
      builder.Add(IKey("key" + std::to_string(100 + i), i % 3, 40 - i), "value" + std::to_string(i));
    }
    block_corpus.Add(std::string(builder.Finish()));
  }
  {
    BlockBuilder empty(16);
    block_corpus.Add(std::string(empty.Finish()));
  }

  // Standalone tables, compressed or not, with and without a filter.
  for (Compression c : {Compression::kNone, Compression::kLZ4}) {
    for (int bloom : {0, 10}) {
      StringSink sink;
      TableOptions topt;
      topt.block_size = 256;
      topt.block_restart_interval = 4;
      topt.bloom_bits_per_key = bloom;
      topt.compression = c;
      TableBuilder builder(topt, &sink);
      for (int i = 0; i < 60; i++) {
        builder.Add(IKey("k" + std::to_string(1000 + i), i, 100 - i), std::string(20, 'x'));
      }
      Check(builder.Finish(), "table");
      for (char mode : {'\x00', '\x03'}) table_corpus.Add(std::string(1, mode) + sink.contents);
    }
  }

  // OPTIONS files.
  {
    Options o;
    options_corpus.Add(EncodeOptionsFile(o, {}));
    o.sync_mode = SyncMode::kInterval;
    o.compression = Compression::kNone;
    options_corpus.Add(EncodeOptionsFile(o, {{"keyEncoding", "utf8"}, {"valueEncoding", "json"}}));
  }

  // Whole databases: their MANIFEST, its version edits, WALs, SSTables and
  // OPTIONS file.
  for (Compression c : {Compression::kNone, Compression::kLZ4}) {
    std::unique_ptr<Env> env = BuildDatabase(dbname, c);
    for (const std::string& m : FilesIn(env.get(), dbname, FileType::kManifest)) {
      manifest_corpus.Add(m);
      log_corpus.Add("\x03" + m);
      fuzz::StringSequentialFile file(m);
      log::Reader reader(&file, "MANIFEST", log::LogKind::kManifest, true);
      std::string_view record;
      std::string scratch;
      while (reader.ReadRecord(&record, &scratch)) edit_corpus.Add(std::string(record));
      Check(reader.status(), "reading the MANIFEST");
    }
    for (const std::string& w : FilesIn(env.get(), WalDirName(dbname), FileType::kWal)) {
      if (!w.empty()) log_corpus.Add("\x01" + w);
    }
    for (const std::string& t : FilesIn(env.get(), TableDirName(dbname), FileType::kTable)) {
      table_corpus.Add("\x02" + t);
    }
    std::string options_file;
    Check(ReadFileToString(env.get(), OptionsFileName(dbname), &options_file), "read OPTIONS");
    options_corpus.Add(options_file);
  }
  {
    VersionEdit edit;
    edit.SetComparatorName("flowdb.InternalKeyComparator");
    edit.SetLogNumber(7);
    edit.SetNextFileNumber(12);
    edit.SetLastSequence(99);
    edit.RemoveFile(3);
    std::string encoded;
    edit.EncodeTo(&encoded);
    edit_corpus.Add(encoded);
  }
  return 0;
}
