#include "db/version_edit.h"

#include "test_util.h"

namespace flowdb {
namespace {

FileMetaData MakeFile(uint64_t n) {
  FileMetaData f;
  f.number = n;
  f.file_size = 1000 + n;
  f.num_entries = 10 * n;
  AppendInternalKey(&f.smallest, "a\0b", -5, 3, kTypeValue);
  AppendInternalKey(&f.largest, "zz\xff", 9, 1, kTypeDeletion);
  f.min_ts = -5;
  f.max_ts = 9;
  f.min_expire = 100;
  f.max_expire = kNoExpiry;
  f.min_seq = 1;
  f.max_seq = 3;
  return f;
}

TEST(VersionEditTest, RoundTrip) {
  VersionEdit e;
  e.SetComparatorName("cmp");
  e.SetLogNumber(12);
  e.SetNextFileNumber(99);
  e.SetLastSequence(1ull << 50);
  e.AddFile(MakeFile(5));
  e.AddFile(MakeFile(6));
  e.RemoveFile(3);
  std::string enc;
  e.EncodeTo(&enc);
  VersionEdit d;
  ASSERT_OK(d.DecodeFrom(enc));
  EXPECT_EQ("cmp", *d.comparator());
  EXPECT_EQ(12u, *d.log_number());
  EXPECT_EQ(99u, *d.next_file_number());
  EXPECT_EQ(1ull << 50, *d.last_sequence());
  ASSERT_EQ(2u, d.new_files().size());
  const FileMetaData& f = d.new_files()[1];
  FileMetaData want = MakeFile(6);
  EXPECT_EQ(want.number, f.number);
  EXPECT_EQ(want.file_size, f.file_size);
  EXPECT_EQ(want.smallest, f.smallest);
  EXPECT_EQ(want.largest, f.largest);
  EXPECT_EQ(want.min_ts, f.min_ts);
  EXPECT_EQ(want.max_expire, f.max_expire);
  EXPECT_EQ(want.max_seq, f.max_seq);
  EXPECT_EQ(1u, d.deleted_files().count(3));
  std::string again;
  d.EncodeTo(&again);
  EXPECT_EQ(enc, again);
}

TEST(VersionEditTest, MalformedRecordsAreCorruption) {
  VersionEdit e;
  e.SetLogNumber(12);
  e.AddFile(MakeFile(5));
  std::string enc;
  e.EncodeTo(&enc);
  VersionEdit d;
  // The first two bytes are a whole log-number field; every other prefix
  // cuts a field.
  for (size_t n = 1; n < enc.size(); n++) {
    if (n == 2) continue;
    Status s = d.DecodeFrom(std::string_view(enc).substr(0, n));
    EXPECT_TRUE(s.IsCorruption()) << n << " " << s.ToString();
  }
  std::string unknown;
  PutVarint32(&unknown, 77);
  EXPECT_TRUE(d.DecodeFrom(unknown).IsCorruption());
}

}  // namespace
}  // namespace flowdb
