// Tests of the record log (log::Writer / log::Reader): round trips, and how
// torn tails, corruption and bad headers are told apart.

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "db/log_format.h"
#include "db/log_reader.h"
#include "db/log_writer.h"
#include "env/fault_injection_env.h"
#include "flowdb/env.h"
#include "test_util.h"
#include "util/coding.h"

namespace flowdb::log {
namespace {

// The page size the reader assumes a file system writes back in.
constexpr size_t kPageSizeForTest = 4096;

// Everything a Reader reports after reading a file to its end.
struct ReadResult {
  std::vector<std::string> records;
  Status status;
  bool torn = false;
  uint64_t last_end = 0;
  uint64_t skipped_regions = 0;
  uint64_t skipped_bytes = 0;
};

ReadResult ReadAll(SequentialFile* file, const std::string& name, bool is_last,
                   bool skip = false, LogKind kind = LogKind::kWal) {
  Reader reader(file, name, kind, is_last, skip);
  ReadResult r;
  std::string_view record;
  std::string scratch;
  while (reader.ReadRecord(&record, &scratch)) r.records.emplace_back(record);
  // Reading past the end keeps returning false.
  EXPECT_FALSE(reader.ReadRecord(&record, &scratch));
  r.status = reader.status();
  r.torn = reader.TornTail();
  r.last_end = reader.LastRecordEndOffset();
  r.skipped_regions = reader.SkippedRegions();
  r.skipped_bytes = reader.SkippedBytes();
  return r;
}

class LogTest : public testing::Test {
 protected:
  // Writes records to a new log and returns where each starts; ends_[i] is
  // where record i ends.
  std::vector<uint64_t> Write(const std::vector<std::string>& records,
                              LogKind kind = LogKind::kWal) {
    std::unique_ptr<WritableFile> file;
    EXPECT_OK(env_->NewWritableFile(kName, &file));
    Writer writer(file.get(), kind, /*new_file=*/true);
    std::vector<uint64_t> starts;
    ends_.clear();
    for (const std::string& rec : records) {
      EXPECT_OK(writer.AddRecord(rec));
      ends_.push_back(writer.FileSize());
      starts.push_back(writer.FileSize() - kRecordHeaderSize - rec.size());
    }
    EXPECT_OK(writer.Sync());
    EXPECT_EQ(writer.FileSize(), Contents().size());
    return starts;
  }

  std::string Contents() {
    std::string data;
    EXPECT_OK(ReadFileToString(env_.get(), kName, &data));
    return data;
  }

  void SetContents(const std::string& data) {
    ASSERT_OK(WriteStringToFile(env_.get(), data, kName, false));
  }

  ReadResult Read(bool is_last, bool skip = false, LogKind kind = LogKind::kWal) {
    std::unique_ptr<SequentialFile> file;
    EXPECT_OK(env_->NewSequentialFile(kName, &file));
    return ReadAll(file.get(), kName, is_last, skip, kind);
  }

  // Records of the given sizes filled with random bytes.
  static std::vector<std::string> MakeRecords(const std::vector<size_t>& sizes, uint64_t seed) {
    test::Random rnd(seed);
    std::vector<std::string> records;
    for (size_t n : sizes) records.push_back(test::RandomBytes(&rnd, n));
    return records;
  }

  static std::vector<std::string> Prefix(const std::vector<std::string>& v, size_t n) {
    return {v.begin(), v.begin() + n};
  }

  const std::string kName = "db/wal/000004.log";
  std::unique_ptr<Env> env_ = NewMemEnv();
  std::vector<uint64_t> ends_;
};

TEST_F(LogTest, HeaderIsAsDocumented) {
  Write({"x"}, LogKind::kManifest);
  std::string data = Contents();
  ASSERT_EQ(data.size(), kFileHeaderSize + kRecordHeaderSize + 1);
  EXPECT_EQ(data.substr(0, 8), "FLOWLOG1");
  EXPECT_EQ(DecodeFixed32(data.data() + 8), 1u);
  EXPECT_EQ(DecodeFixed32(data.data() + 12), 2u);
  EXPECT_EQ(DecodeFixed32(data.data() + 16), 1u);  // payload length
}

TEST_F(LogTest, LogWithoutRecordsIsEmptyUntilSynced) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(env_->NewWritableFile(kName, &file));
  Writer writer(file.get(), LogKind::kWal, /*new_file=*/true);
  EXPECT_EQ(Contents().size(), 0u);  // a 0-byte file is a log with no records
  for (bool is_last : {true, false}) {
    ReadResult r = Read(is_last);
    EXPECT_OK(r.status);
    EXPECT_TRUE(r.records.empty());
    EXPECT_FALSE(r.torn);
    EXPECT_EQ(r.last_end, 0u);
  }
  ASSERT_OK(writer.Sync());  // writes the header
  EXPECT_EQ(Contents().size(), kFileHeaderSize);
  EXPECT_EQ(writer.FileSize(), kFileHeaderSize);
  for (bool is_last : {true, false}) {
    ReadResult r = Read(is_last);
    EXPECT_OK(r.status);
    EXPECT_TRUE(r.records.empty());
    EXPECT_FALSE(r.torn);
    EXPECT_EQ(r.last_end, kFileHeaderSize);
  }
}

TEST_F(LogTest, RoundTripOfRandomSizes) {
  test::Random rnd(42);
  std::vector<size_t> sizes = {0, 1, 0, 65536, 65536 - 8, 65536 - 24, 200000};
  for (int i = 0; i < 150; i++) sizes.push_back(rnd.Uniform(100 * 1024 + 1));
  for (int i = 0; i < 100; i++) sizes.push_back(rnd.Uniform(20));
  std::vector<std::string> records = MakeRecords(sizes, 7);
  Write(records);
  for (bool is_last : {true, false}) {
    ReadResult r = Read(is_last);
    EXPECT_OK(r.status);
    EXPECT_FALSE(r.torn);
    EXPECT_TRUE(r.records == records);
    EXPECT_EQ(r.last_end, Contents().size());
    EXPECT_EQ(r.skipped_regions, 0u);
  }
}

// A SequentialFile that counts the reads it serves.
class CountingFile : public SequentialFile {
 public:
  explicit CountingFile(std::unique_ptr<SequentialFile> base) : base_(std::move(base)) {}
  Status Read(size_t n, std::string_view* result, char* scratch) override {
    reads++;
    return base_->Read(n, result, scratch);
  }
  Status Skip(uint64_t n) override { return base_->Skip(n); }
  int reads = 0;

 private:
  std::unique_ptr<SequentialFile> base_;
};

TEST_F(LogTest, ReadsInLargeChunks) {
  std::vector<std::string> records(5000, "small record");
  Write(records);
  std::unique_ptr<SequentialFile> base;
  ASSERT_OK(env_->NewSequentialFile(kName, &base));
  CountingFile file(std::move(base));
  ReadResult r = ReadAll(&file, kName, true);
  EXPECT_OK(r.status);
  EXPECT_EQ(r.records.size(), records.size());
  // 100 KB of log in 64 KiB reads.
  EXPECT_LE(file.reads, 3) << Contents().size() << " bytes";
}

// A SequentialFile that fails after serving `good` bytes.
class FailingFile : public SequentialFile {
 public:
  FailingFile(std::string data, size_t good) : data_(std::move(data)), good_(good) {}
  Status Read(size_t n, std::string_view* result, char* scratch) override {
    if (pos_ >= good_) return Status::FromErrno("failing file", EIO);
    n = std::min(n, data_.size() - pos_);
    data_.copy(scratch, n, pos_);
    pos_ += n;
    *result = std::string_view(scratch, n);
    return Status::OK();
  }
  Status Skip(uint64_t n) override { return Status::NotSupported("skip"); }

 private:
  std::string data_;
  size_t good_;
  size_t pos_ = 0;
};

TEST_F(LogTest, ReadErrorIsReported) {
  Write(MakeRecords({100, 70000, 100}, 3));
  // The first 64 KiB read succeeds, the next fails inside record 1.
  FailingFile file(Contents(), 1);
  ReadResult r = ReadAll(&file, kName, true);
  EXPECT_TRUE(r.status.IsIOError()) << r.status.ToString();
  EXPECT_EQ(r.status.err(), EIO);
  EXPECT_EQ(r.records.size(), 1u);
  EXPECT_FALSE(r.torn);
}

TEST_F(LogTest, WriterContinuesAnExistingLog) {
  std::vector<std::string> records = MakeRecords({10, 20, 30, 40, 50}, 5);
  Write(Prefix(records, 3));
  uint64_t size = Contents().size();
  {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(env_->NewAppendableFile(kName, &file));
    Writer writer(file.get(), LogKind::kWal, /*new_file=*/false, size);
    EXPECT_EQ(writer.FileSize(), size);
    ASSERT_OK(writer.AddRecord(records[3]));
    ASSERT_OK(writer.AddRecord(records[4]));
    EXPECT_EQ(writer.FileSize(), Contents().size());
  }
  ReadResult r = Read(true);
  EXPECT_OK(r.status);
  EXPECT_TRUE(r.records == records);
}

TEST_F(LogTest, WriterOnAnEmptyExistingFileWritesTheHeader) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(env_->NewWritableFile(kName, &file));
  Writer writer(file.get(), LogKind::kWal, /*new_file=*/false, 0);
  ASSERT_OK(writer.AddRecord("abc"));
  ReadResult r = Read(false);
  EXPECT_OK(r.status);
  EXPECT_EQ(r.records, std::vector<std::string>{"abc"});
}

TEST_F(LogTest, WriterRejectsAShortExistingFile) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(env_->NewWritableFile(kName, &file));
  Writer writer(file.get(), LogKind::kWal, /*new_file=*/false, 5);
  EXPECT_TRUE(writer.AddRecord("abc").IsInvalidArgument());
  EXPECT_TRUE(writer.Sync().IsInvalidArgument());
  EXPECT_EQ(Contents().size(), 0u);
}

TEST_F(LogTest, WriterRejectsOversizedRecord) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(env_->NewWritableFile(kName, &file));
  Writer writer(file.get(), LogKind::kWal, /*new_file=*/true);
  // Only the size is looked at; the bytes behind it are never read.
  char byte = 0;
  std::string_view huge(&byte, size_t{kMaxRecordPayload} + 1);
  EXPECT_TRUE(writer.AddRecord(huge).IsInvalidArgument());
  ASSERT_OK(writer.AddRecord("fine"));  // a rejected record is not an I/O error
  EXPECT_EQ(Read(true).records, std::vector<std::string>{"fine"});
}

TEST_F(LogTest, WriterErrorIsSticky) {
  FaultInjectionEnv fault(env_.get());
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fault.NewWritableFile(kName, &file));
  Writer writer(file.get(), LogKind::kWal, /*new_file=*/true);
  ASSERT_OK(writer.AddRecord("one"));
  fault.SetNoSpace(true);
  Status s = writer.AddRecord("two");
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  fault.SetNoSpace(false);
  EXPECT_TRUE(writer.AddRecord("three").IsNoSpace());
  EXPECT_TRUE(writer.Sync().IsNoSpace());
  EXPECT_EQ(Read(true).records, std::vector<std::string>{"one"});
}

TEST_F(LogTest, SyncFailureIsSticky) {
  FaultInjectionEnv fault(env_.get());
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fault.NewWritableFile(kName, &file));
  Writer writer(file.get(), LogKind::kWal, /*new_file=*/true);
  ASSERT_OK(writer.AddRecord("one"));
  fault.SetFailSync(true);
  EXPECT_TRUE(writer.Sync().IsIOError());
  fault.SetFailSync(false);
  EXPECT_TRUE(writer.AddRecord("two").IsIOError());
}

// Cuts the log at every byte inside its last record: the reader stops at the
// end of the previous record with status OK.
TEST_F(LogTest, TornTailAtEveryByteOfTheLastRecord) {
  // Twice: a small last record, and one that straddles the 64 KiB buffer.
  for (size_t first : {size_t{100}, size_t{65000}}) {
    SCOPED_TRACE("first record size " + std::to_string(first));
    std::vector<std::string> records = MakeRecords({first, 0, 300, 900}, 11);
    std::vector<uint64_t> starts = Write(records);
    const std::string full = Contents();
    const uint64_t last_start = starts.back();
    for (uint64_t cut = last_start; cut < full.size(); cut++) {
      SetContents(full.substr(0, cut));
      ReadResult r = Read(/*is_last=*/true);
      ASSERT_OK(r.status);
      ASSERT_TRUE(r.records == Prefix(records, 3)) << "cut at " << cut;
      ASSERT_EQ(r.torn, cut > last_start) << "cut at " << cut;
      ASSERT_EQ(r.last_end, last_start) << "cut at " << cut;

      if (cut == last_start) continue;
      // An older log must not end in a torn record.
      r = Read(/*is_last=*/false);
      ASSERT_TRUE(r.status.IsCorruption()) << "cut at " << cut;
      ASSERT_NE(r.status.message().find(kName + " at offset " + std::to_string(last_start) +
                                        ": truncated record"),
                std::string::npos)
          << r.status.ToString();
      ASSERT_FALSE(r.torn);
    }
  }
}

TEST_F(LogTest, RecoveryTruncatesTheTornTailAndAppends) {
  std::vector<std::string> records = MakeRecords({100, 200, 300}, 13);
  Write(records);
  std::string full = Contents();
  SetContents(full.substr(0, full.size() - 10));
  ReadResult r = Read(true);
  ASSERT_OK(r.status);
  ASSERT_TRUE(r.torn);
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(env_->NewAppendableFile(kName, &file));
  ASSERT_OK(file->Truncate(r.last_end));
  Writer writer(file.get(), LogKind::kWal, /*new_file=*/false, r.last_end);
  ASSERT_OK(writer.AddRecord("after recovery"));
  r = Read(true);
  EXPECT_OK(r.status);
  EXPECT_FALSE(r.torn);
  EXPECT_TRUE(r.records == (std::vector<std::string>{records[0], records[1], "after recovery"}));
}

TEST_F(LogTest, FlippedByteInAMiddleRecordIsCorruption) {
  std::vector<std::string> records = MakeRecords({50, 60, 70, 80, 90}, 17);
  std::vector<uint64_t> starts = Write(records);
  const std::string full = Contents();
  // Every byte of record 2's checksum and payload (its length is tested below).
  for (uint64_t pos = starts[2] + 4; pos < ends_[2]; pos++) {
    std::string data = full;
    data[pos] ^= 0x01;
    SetContents(data);
    for (bool is_last : {true, false}) {
      ReadResult r = Read(is_last);
      ASSERT_TRUE(r.status.IsCorruption()) << "byte " << pos;
      // In an older log any bad record is corruption; in the last one, the
      // valid record after it makes it so.
      EXPECT_EQ(r.status.message(),
                kName + " at offset " + std::to_string(starts[2]) + ": checksum mismatch" +
                    (is_last ? ", and a valid record follows at offset " + std::to_string(starts[3])
                             : ""));
      ASSERT_TRUE(r.records == Prefix(records, 2));
      EXPECT_FALSE(r.torn);
      EXPECT_EQ(r.last_end, starts[2]);
    }
  }
}

TEST_F(LogTest, BadLengthInAnOlderLogIsCorruption) {
  std::vector<std::string> records = MakeRecords({50, 60, 70}, 19);
  std::vector<uint64_t> starts = Write(records);
  const std::string full = Contents();
  for (uint64_t pos = starts[1]; pos < starts[1] + 4; pos++) {
    for (int bit = 0; bit < 8; bit++) {
      std::string data = full;
      data[pos] ^= static_cast<char>(1 << bit);
      SetContents(data);
      ReadResult r = Read(false);
      ASSERT_TRUE(r.status.IsCorruption()) << "byte " << pos << " bit " << bit;
      EXPECT_NE(r.status.message().find(kName + " at offset " + std::to_string(starts[1])),
                std::string::npos)
          << r.status.ToString();
      EXPECT_TRUE(r.records == Prefix(records, 1));
    }
  }
}

TEST_F(LogTest, FlippedByteInTheLastRecordIsATornTail) {
  std::vector<std::string> records = MakeRecords({50, 60, 70}, 23);
  std::vector<uint64_t> starts = Write(records);
  const std::string full = Contents();
  for (uint64_t pos = starts[2]; pos < full.size(); pos++) {
    std::string data = full;
    data[pos] ^= 0x40;
    SetContents(data);
    ReadResult r = Read(true);
    ASSERT_OK(r.status);
    ASSERT_TRUE(r.torn) << "byte " << pos;
    ASSERT_TRUE(r.records == Prefix(records, 2));
    ASSERT_EQ(r.last_end, starts[2]);
    // Not so in an older log.
    ASSERT_TRUE(Read(false).status.IsCorruption()) << "byte " << pos;
  }
}

TEST_F(LogTest, BadRecordsFollowedByAValidOneAreCorruption) {
  // Two adjacent bad records, then a valid one: the damage is in the middle
  // of the log, not a torn tail, though the record right after the first bad
  // one does not verify either.
  std::vector<std::string> records = MakeRecords({50, 60, 70, 80}, 29);
  std::vector<uint64_t> starts = Write(records);
  std::string data = Contents();
  data[starts[1] + 20] ^= 1;
  data[starts[2] + 20] ^= 1;
  SetContents(data);
  ReadResult r = Read(true);
  EXPECT_TRUE(r.status.IsCorruption());
  EXPECT_EQ(r.status.message(), kName + " at offset " + std::to_string(starts[1]) +
                                    ": checksum mismatch, and a valid record follows at offset " +
                                    std::to_string(starts[3]));
  EXPECT_FALSE(r.torn);
  EXPECT_TRUE(r.records == Prefix(records, 1));
  // Only when nothing valid follows is it a torn tail.
  data[starts[3] + 20] ^= 1;
  SetContents(data);
  r = Read(true);
  EXPECT_OK(r.status);
  EXPECT_TRUE(r.torn);
  EXPECT_EQ(r.last_end, starts[1]);
  EXPECT_TRUE(r.records == Prefix(records, 1));
}

TEST_F(LogTest, DamageInTheMiddleOfTheLastLogIsCorruption) {
  // Many records over several 4 KiB pages; every kind of damage in the
  // middle must be reported, with every record before it returned.
  std::vector<size_t> sizes(80, 0);
  for (size_t i = 0; i < sizes.size(); i++) sizes[i] = 40 + (i * 37) % 300;
  std::vector<std::string> records = MakeRecords(sizes, 71);
  std::vector<uint64_t> starts = Write(records);
  const std::string full = Contents();
  const uint64_t last_start = starts.back();

  // Index of the record that contains file offset pos.
  auto record_at = [&](uint64_t pos) {
    return static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), pos) -
                               starts.begin()) - 1;
  };
  struct Damage {
    std::string name;
    uint64_t begin, end;  // damaged bytes
  };
  std::vector<Damage> damages;
  // A few flipped bytes in a record's length, checksum and payload.
  for (size_t i : {size_t{3}, size_t{20}, size_t{41}}) {
    for (uint64_t off : {uint64_t{0}, uint64_t{2}, uint64_t{3}, uint64_t{5}, uint64_t{12}}) {
      damages.push_back({"flip", starts[i] + off, starts[i] + off + 1});
    }
  }
  // Zeroed 4 KiB pages (page-aligned, as a lost page would be) before the
  // last record.
  for (uint64_t page = 4096; page + 4096 <= last_start; page += 4096) {
    damages.push_back({"zero page", page, page + 4096});
  }
  ASSERT_GE(damages.size(), 17u);  // 15 flips, 2+ pages
  for (const Damage& d : damages) {
    SCOPED_TRACE(d.name + " at " + std::to_string(d.begin));
    std::string data = full;
    for (uint64_t p = d.begin; p < d.end; p++) {
      data[p] = d.name == "flip" ? static_cast<char>(data[p] ^ 0x21) : '\0';
    }
    SetContents(data);
    const size_t first_bad = record_at(d.begin);
    ReadResult r = Read(/*is_last=*/true);
    ASSERT_TRUE(r.status.IsCorruption()) << r.status.ToString();
    EXPECT_EQ(r.status.message().rfind(kName + " at offset " + std::to_string(starts[first_bad]) + ": ", 0),
              0u)
        << r.status.ToString();
    EXPECT_NE(r.status.message().find("a valid record follows"), std::string::npos);
    EXPECT_FALSE(r.torn);
    EXPECT_TRUE(r.records == Prefix(records, first_bad));

    // Salvage keeps every record the damage did not touch.
    r = Read(/*is_last=*/true, /*skip=*/true);
    ASSERT_OK(r.status);
    EXPECT_FALSE(r.torn);
    EXPECT_EQ(r.skipped_regions, 1u);
    const size_t last_bad = record_at(d.end - 1);
    std::vector<std::string> expected = Prefix(records, first_bad);
    expected.insert(expected.end(), records.begin() + last_bad + 1, records.end());
    EXPECT_TRUE(r.records == expected)
        << r.records.size() << " records, expected " << expected.size();
    EXPECT_EQ(r.skipped_bytes, starts[last_bad + 1] - starts[first_bad]);
    EXPECT_EQ(r.last_end, full.size());
  }
}

TEST_F(LogTest, DamagedLengthFollowedByValidRecordsIsCorruption) {
  // A length made larger than the rest of the file, or over the limit,
  // used to look like a torn tail when later records were fine.
  std::vector<std::string> records = MakeRecords({50, 60, 70, 80}, 73);
  std::vector<uint64_t> starts = Write(records);
  const std::string full = Contents();
  for (char high : {'\x10', '\x7f'}) {
    std::string data = full;
    data[starts[1] + 3] = high;  // length ≥ 256 MiB: past the end, or over the limit
    SetContents(data);
    ReadResult r = Read(true);
    EXPECT_TRUE(r.status.IsCorruption()) << r.status.ToString();
    EXPECT_NE(r.status.message().find("a valid record follows at offset " + std::to_string(starts[2])),
              std::string::npos)
        << r.status.ToString();
    EXPECT_TRUE(r.records == Prefix(records, 1));
    r = Read(true, /*skip=*/true);
    EXPECT_OK(r.status);
    EXPECT_TRUE(r.records == (std::vector<std::string>{records[0], records[2], records[3]}));
  }
}

TEST_F(LogTest, ZeroFilledTailIsATornTail) {
  std::vector<std::string> records = MakeRecords({100, 200}, 31);
  std::vector<uint64_t> starts = Write(records);
  const std::string full = Contents();
  for (size_t zeros : {size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{4096}, size_t{100000}}) {
    SCOPED_TRACE(zeros);
    SetContents(full + std::string(zeros, '\0'));
    ReadResult r = Read(true);
    EXPECT_OK(r.status);
    EXPECT_TRUE(r.torn);
    EXPECT_TRUE(r.records == records);
    EXPECT_EQ(r.last_end, full.size());
    EXPECT_TRUE(Read(false).status.IsCorruption());
  }
  // The last record half written, the rest of its block still zero.
  std::string data = full.substr(0, starts[1] + 50) + std::string(4096, '\0');
  SetContents(data);
  ReadResult r = Read(true);
  EXPECT_OK(r.status);
  EXPECT_TRUE(r.torn);
  EXPECT_TRUE(r.records == Prefix(records, 1));
  EXPECT_EQ(r.last_end, starts[1]);
}

TEST_F(LogTest, LengthOverTheLimit) {
  std::vector<std::string> records = MakeRecords({100, 200}, 37);
  Write(records);
  const std::string full = Contents();
  std::string data = full;
  PutFixed32(&data, kMaxRecordPayload + 1);
  PutFixed32(&data, 0);
  data += "some bytes that follow";
  SetContents(data);

  ReadResult r = Read(true);
  EXPECT_OK(r.status);
  EXPECT_TRUE(r.torn);
  EXPECT_EQ(r.last_end, full.size());

  r = Read(false);
  EXPECT_TRUE(r.status.IsCorruption());
  EXPECT_EQ(r.status.message(), kName + " at offset " + std::to_string(full.size()) +
                                    ": record length " + std::to_string(kMaxRecordPayload + 1) +
                                    " exceeds limit");

  r = Read(false, /*skip=*/true);
  EXPECT_OK(r.status);
  EXPECT_TRUE(r.records == records);
  EXPECT_EQ(r.skipped_regions, 1u);
  EXPECT_EQ(r.skipped_bytes, data.size() - full.size());
}

TEST_F(LogTest, SkipCorruptedSkipsExactlyTheBadRecord) {
  std::vector<std::string> records = MakeRecords({50, 60, 70, 80, 90}, 41);
  std::vector<uint64_t> starts = Write(records);
  std::string data = Contents();
  data[starts[2] + 30] ^= 0x10;
  SetContents(data);
  for (bool is_last : {true, false}) {
    ReadResult r = Read(is_last, /*skip=*/true);
    EXPECT_OK(r.status);
    EXPECT_FALSE(r.torn);
    EXPECT_TRUE(r.records ==
                (std::vector<std::string>{records[0], records[1], records[3], records[4]}));
    EXPECT_EQ(r.skipped_regions, 1u);
    EXPECT_EQ(r.skipped_bytes, kRecordHeaderSize + 70);
    EXPECT_EQ(r.last_end, data.size());
  }
}

TEST_F(LogTest, SkipCorruptedSkipsAdjacentBadRecordsAsOneRegion) {
  std::vector<std::string> records = MakeRecords({50, 60, 70, 80, 90}, 43);
  std::vector<uint64_t> starts = Write(records);
  std::string data = Contents();
  data[starts[1] + 30] ^= 0x10;
  data[starts[2] + 30] ^= 0x10;
  const std::string damaged = data;
  data += "trailing junk";  // cut-off record at the end of an older log
  SetContents(data);
  ReadResult r = Read(false, /*skip=*/true);
  EXPECT_OK(r.status);
  EXPECT_TRUE(r.records == (std::vector<std::string>{records[0], records[3], records[4]}));
  EXPECT_EQ(r.skipped_regions, 2u);
  EXPECT_EQ(r.skipped_bytes, 2 * kRecordHeaderSize + 60 + 70 + 13);
  // In the last log the junk at the end is a torn tail, not counted as
  // skipped; the bad records before valid ones are skipped.
  r = Read(true, /*skip=*/true);
  EXPECT_OK(r.status);
  EXPECT_TRUE(r.torn);
  EXPECT_EQ(r.last_end, damaged.size());
  EXPECT_TRUE(r.records == (std::vector<std::string>{records[0], records[3], records[4]}));
  EXPECT_EQ(r.skipped_regions, 1u);
  EXPECT_EQ(r.skipped_bytes, 2 * kRecordHeaderSize + 60 + 70);
}

TEST_F(LogTest, BadHeaderIsCorruption) {
  Write({"payload"});
  const std::string full = Contents();
  struct Case {
    size_t pos;
    const char* what;
  };
  const char* kBadMagic = "bad magic number: not a FlowDB log file";
  for (Case c : {Case{0, kBadMagic}, Case{7, kBadMagic},
                 Case{8, "unsupported log format version 0"},
                 Case{12, "log kind 0, expected 1 (WAL)"}}) {
    std::string data = full;
    data[c.pos] ^= 1;  // version 1 → 0, kind 1 → 0
    SetContents(data);
    for (bool is_last : {true, false}) {
      for (bool skip : {true, false}) {
        ReadResult r = Read(is_last, skip);
        EXPECT_TRUE(r.status.IsCorruption());
        EXPECT_EQ(r.status.message(), kName + " at offset 0: " + c.what);
        EXPECT_TRUE(r.records.empty());
        EXPECT_FALSE(r.torn);
      }
    }
  }
  SetContents(full);
  ReadResult r = Read(true, false, LogKind::kManifest);
  EXPECT_EQ(r.status.message(), kName + " at offset 0: log kind 1 (WAL), expected 2 (MANIFEST)");
}

TEST_F(LogTest, TornOrZeroHeader) {
  Write({"payload"});
  const std::string full = Contents();
  for (size_t len = 1; len < kFileHeaderSize; len++) {
    SetContents(full.substr(0, len));
    ReadResult r = Read(true);
    EXPECT_OK(r.status);
    EXPECT_TRUE(r.torn);
    EXPECT_EQ(r.last_end, 0u);
    r = Read(false);
    EXPECT_EQ(r.status.message(), kName + " at offset 0: truncated file header");
  }
  // All zero, as a preallocated file the header never reached.
  SetContents(std::string(4096, '\0'));
  ReadResult r = Read(true);
  EXPECT_OK(r.status);
  EXPECT_TRUE(r.torn);
  EXPECT_EQ(r.last_end, 0u);
  EXPECT_TRUE(Read(false).status.IsCorruption());
  // A zero header followed by data is not a torn write.
  SetContents(std::string(kFileHeaderSize, '\0') + full.substr(kFileHeaderSize));
  EXPECT_TRUE(Read(true).status.IsCorruption());
}

TEST_F(LogTest, NewestWalWithAZeroFirstPageAndValidRecordsAfterIsCorruption) {
  // A WAL's header is synced before any record is written, so a zero first
  // page with records after it was damaged, not lost by a power loss: the
  // records after it were acknowledged and must not be dropped silently.
  std::vector<std::string> records = MakeRecords({1000, 3000, 2500, 1500, 2000}, 59);
  std::vector<uint64_t> starts = Write(records);
  std::string data = Contents();
  ASSERT_GT(data.size(), 2 * kPageSizeForTest);
  std::fill(data.begin(), data.begin() + kPageSizeForTest, '\0');
  SetContents(data);
  // The first record starting after the zero page.
  size_t first_kept = 0;
  while (starts[first_kept] < kPageSizeForTest) first_kept++;
  ASSERT_LT(first_kept, records.size());
  ReadResult r = Read(true);
  EXPECT_EQ(r.status.message(), kName + " at offset 0: first page is zero bytes (the file header "
                                        "is lost), and a valid record follows at offset " +
                                        std::to_string(starts[first_kept]));
  EXPECT_FALSE(r.torn);
  EXPECT_TRUE(r.records.empty());
  // Salvage keeps the records after the page, in the newest log or not.
  for (bool is_last : {true, false}) {
    r = Read(is_last, /*skip=*/true);
    EXPECT_OK(r.status);
    EXPECT_FALSE(r.torn);
    EXPECT_TRUE(r.records == std::vector<std::string>(records.begin() + first_kept, records.end()));
    EXPECT_EQ(r.skipped_regions, 1u);
    EXPECT_EQ(r.skipped_bytes, starts[first_kept]);
    EXPECT_EQ(r.last_end, data.size());
  }
  // Strictly read, a log followed by newer ones fails at its header.
  r = Read(false);
  EXPECT_EQ(r.status.message(), kName + " at offset 0: bad magic number: not a FlowDB log file");
}

TEST_F(LogTest, NewestWalWhoseHeaderNeverReachedTheDiskIsEmpty) {
  // A power loss while a new WAL's header was written and synced leaves
  // zeros, possibly followed by bytes that hold no valid record (a record
  // cut short): nothing in it was acknowledged.
  std::vector<std::string> records = MakeRecords({3000, 3000}, 61);
  std::vector<uint64_t> starts = Write(records);
  const std::string full = Contents();
  ASSERT_GT(starts[1] + 2000, kPageSizeForTest);
  for (const std::string& data :
       {std::string(kFileHeaderSize, '\0'), std::string(1000, '\0'),
        std::string(kPageSizeForTest, '\0'),
        // Zero first page, then the rest of a record that began in it.
        std::string(kPageSizeForTest, '\0') + full.substr(kPageSizeForTest, starts[1] + 2000 -
                                                                                kPageSizeForTest)}) {
    SCOPED_TRACE(data.size());
    SetContents(data);
    ReadResult r = Read(true);
    EXPECT_OK(r.status);
    EXPECT_TRUE(r.torn);
    EXPECT_TRUE(r.records.empty());
    EXPECT_EQ(r.last_end, 0u);
    EXPECT_TRUE(Read(false).status.IsCorruption());
  }
  // Not so for a MANIFEST (synced before it is used) with bytes after its
  // zero first page, or when only part of the first page is zero.
  std::string data = full;
  std::fill(data.begin(), data.begin() + kPageSizeForTest, '\0');
  SetContents(data);
  EXPECT_TRUE(Read(true, false, LogKind::kManifest).status.IsCorruption());
  data[kPageSizeForTest - 1] = 1;
  SetContents(data.substr(0, kPageSizeForTest));
  EXPECT_TRUE(Read(true).status.IsCorruption());
}

TEST_F(LogTest, ReadsOnlySyncedRecordsAfterPowerLoss) {
  FaultInjectionEnv fault(env_.get());
  std::vector<std::string> records = MakeRecords({100, 70000, 5, 300, 400}, 47);
  {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(fault.NewWritableFile(kName, &file));
    ASSERT_OK(fault.SyncDir("db/wal"));
    Writer writer(file.get(), LogKind::kWal, /*new_file=*/true);
    for (int i = 0; i < 3; i++) ASSERT_OK(writer.AddRecord(records[i]));
    ASSERT_OK(writer.Sync());
    for (int i = 3; i < 5; i++) ASSERT_OK(writer.AddRecord(records[i]));
  }
  EXPECT_TRUE(Read(true).records == records);
  ASSERT_OK(fault.DropUnsyncedData());
  ReadResult r = Read(true);
  EXPECT_OK(r.status);
  EXPECT_FALSE(r.torn);
  EXPECT_TRUE(r.records == Prefix(records, 3));
}

TEST_F(LogTest, UnsyncedNewLogVanishesAfterPowerLoss) {
  FaultInjectionEnv fault(env_.get());
  {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(fault.NewWritableFile(kName, &file));
    Writer writer(file.get(), LogKind::kWal, /*new_file=*/true);
    ASSERT_OK(writer.AddRecord("synced, but the directory entry was not"));
    ASSERT_OK(writer.Sync());
  }
  ASSERT_OK(fault.DropUnsyncedData());
  EXPECT_FALSE(env_->FileExists(kName));
}

TEST(LogPosixTest, RoundTripAndTornTailOnDisk) {
  Env* env = Env::Default();
  std::string dir = test::TempDir("log-posix");
  std::string fname = dir + "/000007.log";
  test::Random rnd(53);
  std::vector<std::string> records;
  for (int i = 0; i < 50; i++) records.push_back(test::RandomBytes(&rnd, rnd.Uniform(30000)));
  {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(env->NewWritableFile(fname, &file));
    Writer writer(file.get(), LogKind::kManifest, /*new_file=*/true);
    for (const auto& rec : records) ASSERT_OK(writer.AddRecord(rec));
    ASSERT_OK(writer.AddRecord("this one gets torn"));
    ASSERT_OK(writer.Sync());
    ASSERT_OK(file->Truncate(writer.FileSize() - 3));
    ASSERT_OK(file->Close());
  }
  std::unique_ptr<SequentialFile> file;
  ASSERT_OK(env->NewSequentialFile(fname, &file));
  ReadResult r = ReadAll(file.get(), fname, true, false, LogKind::kManifest);
  EXPECT_OK(r.status);
  EXPECT_TRUE(r.torn);
  EXPECT_TRUE(r.records == records);
  uint64_t size = 0;
  ASSERT_OK(env->GetFileSize(fname, &size));
  EXPECT_EQ(r.last_end, size - (kRecordHeaderSize + 18 - 3));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flowdb::log
