#include "db/log_writer.h"

#include "util/coding.h"
#include "util/crc32c.h"

namespace flowdb::log {

namespace {
// buf_ keeps its capacity between records unless a record made it this large.
constexpr size_t kMaxRetainedBuffer = size_t{1} << 20;
}  // namespace

Writer::Writer(WritableFile* dest, LogKind kind, bool new_file, uint64_t dest_length)
    : dest_(dest),
      kind_(kind),
      header_pending_(new_file || dest_length == 0),
      file_size_(header_pending_ ? 0 : dest_length) {
  if (!header_pending_ && dest_length < kFileHeaderSize) {
    error_ = Status::InvalidArgument("log::Writer: existing log is shorter than its header");
  }
}

Status Writer::AddRecord(std::string_view payload) {
  if (!error_.ok()) return error_;
  if (payload.size() > kMaxRecordPayload) {
    return Status::InvalidArgument("log record too large", std::to_string(payload.size()));
  }
  buf_.clear();
  if (header_pending_) AppendFileHeader();
  char header[kRecordHeaderSize];
  EncodeFixed32(header, static_cast<uint32_t>(payload.size()));
  uint32_t crc = crc32c::Extend(crc32c::Value(header, 4), payload.data(), payload.size());
  EncodeFixed32(header + 4, crc32c::Mask(crc));
  buf_.append(header, sizeof(header));
  buf_.append(payload);
  return Write();
}

Status Writer::Sync() {
  if (!error_.ok()) return error_;
  if (header_pending_) {
    buf_.clear();
    AppendFileHeader();
    FLOWDB_RETURN_IF_ERROR(Write());
  }
  error_ = dest_->Sync();
  if (error_.ok()) synced_size_ = file_size_;
  return error_;
}

void Writer::AppendFileHeader() {
  PutFixed64(&buf_, kLogMagic);
  PutFixed32(&buf_, kLogFormatVersion);
  PutFixed32(&buf_, static_cast<uint32_t>(kind_));
}

Status Writer::Write() {
  error_ = dest_->Append(buf_);
  if (error_.ok()) {
    file_size_ += buf_.size();
    header_pending_ = false;
  }
  if (buf_.capacity() > kMaxRetainedBuffer) std::string().swap(buf_);
  return error_;
}

}  // namespace flowdb::log
