// DB::NewChangeFeed: committed write batches read back from the WAL.
//
// A feed reads WAL records (log_format.h) itself, with positioned reads, so
// that it can follow the segment being written: at the start of each Next it
// takes the last published sequence number L, and every record holding
// sequence numbers ≤ L is then complete in its segment (the leader appends
// before it publishes). So the record after the feed's position is complete
// whenever position < L, and a bad checksum there is corruption, never a
// write in progress; bytes after the last record ≤ L are not looked at.
//
// The feed pins the WAL segment it reads (and so every newer one) against
// RemoveObsoleteFiles, and moves the pin forward as it moves on. Where it
// starts: the newest segment whose first record begins at or before
// since + 1. If the record after the position is not found in the segments
// kept, its segment was deleted: SequenceGone.

#include <algorithm>

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/log_format.h"
#include "db/write_batch_internal.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace flowdb {

namespace {

// Reads exactly n bytes at offset into *out; *complete is false if the file
// holds fewer (not written yet, or the end of a segment).
Status ReadExactly(const RandomAccessFile& file, uint64_t offset, size_t n, std::string* out,
                   bool* complete) {
  out->resize(n);
  std::string_view got;
  FLOWDB_RETURN_IF_ERROR(file.Read(offset, n, &got, out->data()));
  *complete = got.size() == n;
  if (*complete && got.data() != out->data()) out->assign(got);
  return Status::OK();
}

// Checks a WAL file header.
bool IsWalHeader(std::string_view h) {
  return h.size() == log::kFileHeaderSize && DecodeFixed64(h.data()) == log::kLogMagic &&
         DecodeFixed32(h.data() + 8) == log::kLogFormatVersion &&
         DecodeFixed32(h.data() + 12) == static_cast<uint32_t>(log::LogKind::kWal);
}

}  // namespace

class ChangeFeedImpl final : public ChangeFeed {
 public:
  ChangeFeedImpl(DBImpl* db, uint64_t since) : db_(db), position_(since) {}
  ~ChangeFeedImpl() override {
    if (pinned_) db_->UnpinWal(wal_);
  }

  // Chooses and pins the first segment to read.
  Status Start();
  Status Next(size_t max_bytes, std::vector<ChangeBatch>* out) override;
  uint64_t position() const override { return position_; }

 private:
  std::string SegmentName() const {
    return WalFileName(db_->dbname_, wal_).substr(db_->dbname_.size() + 1);
  }
  // The first sequence number of segment `number`; *has false if it has no
  // complete first record (yet).
  Status FirstSequence(uint64_t number, bool* has, uint64_t* seq);
  // Reads the record at offset_ into batch_ (validated); *got false when the
  // segment holds no complete record there.
  Status ReadRecord(bool* got);
  // Moves to the next newer segment, if one exists (*moved).
  Status NextSegment(bool* moved);

  DBImpl* const db_;
  uint64_t position_;
  uint64_t wal_ = 0;  // the segment being read, pinned
  bool pinned_ = false;
  std::unique_ptr<RandomAccessFile> file_;  // of wal_, once opened
  uint64_t offset_ = 0;                     // of the next record; 0: header unread
  std::string buf_;
  WriteBatch batch_;
  uint64_t record_size_ = 0;  // bytes of the record ReadRecord read
};

Status ChangeFeedImpl::FirstSequence(uint64_t number, bool* has, uint64_t* seq) {
  *has = false;
  std::unique_ptr<RandomAccessFile> file;
  Status s = db_->env_->NewRandomAccessFile(WalFileName(db_->dbname_, number), &file);
  if (s.subcode() == Status::SubCode::kPathNotFound) return Status::OK();
  FLOWDB_RETURN_IF_ERROR(s);
  bool complete;
  const size_t n = log::kFileHeaderSize + log::kRecordHeaderSize;
  FLOWDB_RETURN_IF_ERROR(ReadExactly(*file, 0, n, &buf_, &complete));
  if (!complete || !IsWalHeader(std::string_view(buf_).substr(0, log::kFileHeaderSize))) {
    return Status::OK();
  }
  // The whole record, checksum verified: the first record of the newest
  // segment may be in the middle of its write.
  const uint32_t length = DecodeFixed32(buf_.data() + log::kFileHeaderSize);
  const uint32_t crc = DecodeFixed32(buf_.data() + log::kFileHeaderSize + 4);
  if (length < WriteBatchInternal::kHeader || length > log::kMaxRecordPayload) return Status::OK();
  std::string record(buf_.data() + log::kFileHeaderSize, 4);
  FLOWDB_RETURN_IF_ERROR(ReadExactly(*file, n, length, &buf_, &complete));
  if (!complete) return Status::OK();
  record += buf_;
  if (crc32c::Unmask(crc) != crc32c::Value(record.data(), record.size())) return Status::OK();
  *has = true;
  *seq = DecodeFixed64(buf_.data());
  return Status::OK();
}

Status ChangeFeedImpl::Start() {
  const SequenceNumber limit = db_->versions_->last_sequence();
  if (position_ > limit) {
    return Status::InvalidArgument("change feed start is after the last sequence number",
                                   std::to_string(position_) + " > " + std::to_string(limit));
  }
  for (int attempt = 0; attempt < 100; attempt++) {
    std::vector<std::string> names;
    FLOWDB_RETURN_IF_ERROR(db_->env_->GetChildren(WalDirName(db_->dbname_), &names));
    std::vector<uint64_t> wals = DBImpl::WalNumbers(names);
    if (wals.empty()) return Status::Corruption("no WAL segment", db_->dbname_);
    uint64_t start = wals.front();
    for (auto it = wals.rbegin(); it != wals.rend(); ++it) {
      bool has;
      uint64_t first;
      FLOWDB_RETURN_IF_ERROR(FirstSequence(*it, &has, &first));
      if (has && first <= position_ + 1) {
        start = *it;
        break;
      }
    }
    // Pinned, the segment stays if it is still there now.
    db_->PinWal(start);
    if (db_->env_->FileExists(WalFileName(db_->dbname_, start))) {
      wal_ = start;
      pinned_ = true;
      return Status::OK();
    }
    db_->UnpinWal(start);
  }
  return Status::Busy("change feed could not pin a WAL segment");
}

Status ChangeFeedImpl::ReadRecord(bool* got) {
  *got = false;
  if (file_ == nullptr) {
    FLOWDB_RETURN_IF_ERROR(
        db_->env_->NewRandomAccessFile(WalFileName(db_->dbname_, wal_), &file_));
  }
  bool complete;
  if (offset_ == 0) {
    FLOWDB_RETURN_IF_ERROR(ReadExactly(*file_, 0, log::kFileHeaderSize, &buf_, &complete));
    if (!complete) return Status::OK();
    if (!IsWalHeader(buf_)) return Status::Corruption(SegmentName(), "bad WAL file header");
    offset_ = log::kFileHeaderSize;
  }
  FLOWDB_RETURN_IF_ERROR(ReadExactly(*file_, offset_, log::kRecordHeaderSize, &buf_, &complete));
  if (!complete) return Status::OK();
  const uint32_t length = DecodeFixed32(buf_.data());
  const uint32_t crc = DecodeFixed32(buf_.data() + 4);
  const std::string at = SegmentName() + " at offset " + std::to_string(offset_);
  if (length > log::kMaxRecordPayload) return Status::Corruption(at, "record length too large");
  std::string record(buf_.data(), 4);  // the checksum covers the length too
  FLOWDB_RETURN_IF_ERROR(ReadExactly(*file_, offset_ + log::kRecordHeaderSize, length, &buf_,
                                     &complete));
  if (!complete) return Status::OK();
  record += buf_;
  if (crc32c::Unmask(crc) != crc32c::Value(record.data(), record.size())) {
    return Status::Corruption(at, "checksum mismatch");
  }
  Status s = WriteBatchInternal::SetContents(&batch_, buf_);
  if (!s.ok()) return Status::Corruption(at, s.ToString());
  record_size_ = length;
  offset_ += log::kRecordHeaderSize + length;
  *got = true;
  return Status::OK();
}

Status ChangeFeedImpl::NextSegment(bool* moved) {
  *moved = false;
  std::vector<std::string> names;
  FLOWDB_RETURN_IF_ERROR(db_->env_->GetChildren(WalDirName(db_->dbname_), &names));
  std::vector<uint64_t> wals = DBImpl::WalNumbers(names);
  auto next = std::upper_bound(wals.begin(), wals.end(), wal_);
  if (next == wals.end()) return Status::OK();
  // Newer than the pinned segment, so already kept; pinned before the old
  // pin goes.
  db_->PinWal(*next);
  db_->UnpinWal(wal_);
  wal_ = *next;
  file_.reset();
  offset_ = 0;
  *moved = true;
  return Status::OK();
}

Status ChangeFeedImpl::Next(size_t max_bytes, std::vector<ChangeBatch>* out) {
  if (db_->closed_) return Status::Closed();
  const SequenceNumber limit = db_->versions_->last_sequence();
  size_t bytes = 0;
  bool delivered = false;
  Status s;
  while (position_ < limit && (bytes < max_bytes || !delivered)) {
    bool got = false;
    s = ReadRecord(&got);
    if (!s.ok()) break;
    if (!got) {
      bool moved = false;
      s = NextSegment(&moved);
      if (!s.ok()) break;
      if (moved) continue;
      // Every record up to limit is complete in a segment that exists or
      // was deleted; the newest one ended without the next of them.
      s = Status::SequenceGone("the WAL segment holding the change after sequence " +
                                   std::to_string(position_) + " was deleted",
                               "raise walRetentionBytes to keep more");
      break;
    }
    const SequenceNumber first = WriteBatchInternal::Sequence(batch_);
    const SequenceNumber last = first + batch_.Count() - 1;
    if (batch_.Count() == 0 || last <= position_) continue;  // at or before the start
    if (first > position_ + 1) {
      s = Status::SequenceGone("the WAL segment holding the change after sequence " +
                                   std::to_string(position_) + " was deleted",
                               "raise walRetentionBytes to keep more");
      break;
    }
    ChangeBatch& b = out->emplace_back();
    b.first_sequence = first;
    b.last_sequence = last;
    b.batch = std::move(batch_);
    batch_ = WriteBatch();
    position_ = last;
    bytes += record_size_;
    delivered = true;
  }
  // What was read before an error is delivered; the error comes back on
  // the next call, which starts after it.
  return delivered ? Status::OK() : s;
}

Status DBImpl::NewChangeFeed(uint64_t since, std::unique_ptr<ChangeFeed>* feed) {
  feed->reset();
  if (closed_ || !opened_) return Status::Closed();
  auto impl = std::make_unique<ChangeFeedImpl>(this, since);
  FLOWDB_RETURN_IF_ERROR(impl->Start());
  *feed = std::move(impl);
  return Status::OK();
}

}  // namespace flowdb
