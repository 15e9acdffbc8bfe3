#include "db/log_reader.h"

#include <algorithm>
#include <cstring>

#include "util/coding.h"
#include "util/crc32c.h"

namespace flowdb::log {

namespace {

// Bytes asked of the file per read while records fit in the buffer.
constexpr size_t kBlockSize = 64 * 1024;
// The unit in which a file system writes file data back to the disk.
constexpr size_t kPageSize = 4096;

std::string KindName(uint32_t kind) {
  switch (kind) {
    case static_cast<uint32_t>(LogKind::kWal): return "1 (WAL)";
    case static_cast<uint32_t>(LogKind::kManifest): return "2 (MANIFEST)";
    default: return std::to_string(kind);
  }
}

}  // namespace

Reader::Reader(SequentialFile* file, std::string file_name, LogKind kind, bool is_last_file,
               bool skip_corrupted)
    : file_(file),
      file_name_(std::move(file_name)),
      kind_(kind),
      is_last_file_(is_last_file),
      skip_corrupted_(skip_corrupted),
      backing_(new char[kBlockSize]) {}

bool Reader::ReadRecord(std::string_view* record, std::string* scratch) {
  *record = {};
  if (done_) return false;
  if (!header_read_ && !ReadFileHeader(scratch)) {
    done_ = true;
    return false;
  }
  while (true) {
    Physical r = ReadPhysicalRecord(scratch);
    bool go_on = false;
    switch (r.outcome) {
      case Outcome::kRecord:
        last_record_end_ = r.end;
        *record = r.payload;
        return true;
      case Outcome::kEof:
      case Outcome::kIOError:
        break;
      case Outcome::kTruncated:
        go_on = HandleBadRecord(r, "truncated record");
        break;
      case Outcome::kBadLength:
        go_on = HandleBadRecord(r, "record length " + std::to_string(r.length) + " exceeds limit");
        break;
      case Outcome::kBadChecksum:
        go_on = HandleBadRecord(r, "checksum mismatch");
        break;
    }
    if (!go_on) {
      done_ = true;
      return false;
    }
  }
}

bool Reader::ReadFileHeader(std::string* scratch) {
  header_read_ = true;
  std::string_view h;
  Status s = Consume(kFileHeaderSize, scratch, &h);
  if (!s.ok()) {
    status_ = std::move(s);
    return false;
  }
  if (h.empty()) return false;  // a log created but never written
  if (h.size() < kFileHeaderSize) {
    if (is_last_file_) {
      torn_tail_ = true;
    } else {
      ReportCorruption(0, "truncated file header");
    }
    return false;
  }
  const uint64_t magic = DecodeFixed64(h.data());
  const uint32_t version = DecodeFixed32(h.data() + 8);
  const uint32_t kind = DecodeFixed32(h.data() + 12);
  if (magic != kLogMagic) {
    const bool zero_header = magic == 0 && version == 0 && kind == 0;
    const bool wal = kind_ == LogKind::kWal;
    if (zero_header && (is_last_file_ || (wal && skip_corrupted_))) {
      // Space the file system allocated but whose data never reached the
      // disk reads as zeros: a power loss while the header was being
      // written and synced leaves a log that is zeros from its start.
      std::string_view page_rest;
      s = Consume(kPageSize - kFileHeaderSize, scratch, &page_rest);
      if (!s.ok()) {
        status_ = std::move(s);
        return false;
      }
      if (std::all_of(page_rest.begin(), page_rest.end(), [](char c) { return c == 0; })) {
        if (wal) {
          // The writer syncs a WAL's header before any record goes in, so
          // valid records after a zero first page mean the page was
          // damaged, not lost by a power loss.
          Physical r;
          r.outcome = Outcome::kTruncated;  // look for a valid record at every byte
          r.end = offset_;
          bad_bytes_.assign(offset_, '\0');
          return HandleBadRecord(r, "first page is zero bytes (the file header is lost)");
        }
        // A MANIFEST is synced before CURRENT names it: only an all-zero
        // file can be a torn one.
        bool rest_zero = true;
        s = ConsumeToEnd(&rest_zero);
        if (!s.ok()) {
          status_ = std::move(s);
          return false;
        }
        if (rest_zero) {
          torn_tail_ = true;
          return false;
        }
      }
    }
    ReportCorruption(0, "bad magic number: not a FlowDB log file");
    return false;
  }
  if (version != kLogFormatVersion) {
    ReportCorruption(0, "unsupported log format version " + std::to_string(version));
    return false;
  }
  if (kind != static_cast<uint32_t>(kind_)) {
    ReportCorruption(0, "log kind " + KindName(kind) + ", expected " +
                            KindName(static_cast<uint32_t>(kind_)));
    return false;
  }
  last_record_end_ = kFileHeaderSize;
  return true;
}

Reader::Physical Reader::ReadPhysicalRecord(std::string* scratch) {
  Physical r;
  r.start = offset_;
  std::string_view header;
  Status s = Consume(kRecordHeaderSize, scratch, &header);
  if (!s.ok()) {
    status_ = std::move(s);
    r.outcome = Outcome::kIOError;
    return r;
  }
  r.end = offset_;
  if (header.empty()) {
    r.outcome = Outcome::kEof;
    return r;
  }
  if (header.size() < kRecordHeaderSize) {
    r.outcome = Outcome::kTruncated;
    bad_bytes_.assign(header);
    return r;
  }
  // Copied before the payload is consumed, which may move the buffer.
  char header_bytes[kRecordHeaderSize];
  std::memcpy(header_bytes, header.data(), kRecordHeaderSize);
  r.length = DecodeFixed32(header_bytes);
  const uint32_t expected_crc = crc32c::Unmask(DecodeFixed32(header_bytes + 4));
  if (r.length > kMaxRecordPayload) {
    r.outcome = Outcome::kBadLength;
    bad_bytes_.assign(header_bytes, kRecordHeaderSize);
    return r;
  }
  r.outcome = Outcome::kRecord;
  std::string_view payload;
  s = Consume(r.length, scratch, &payload);
  r.end = offset_;
  if (!s.ok()) {
    status_ = std::move(s);
    r.outcome = Outcome::kIOError;
    return r;
  }
  if (payload.size() < r.length) {
    r.outcome = Outcome::kTruncated;
  } else if (crc32c::Extend(crc32c::Value(header_bytes, 4), payload.data(), payload.size()) !=
             expected_crc) {
    r.outcome = Outcome::kBadChecksum;
  }
  if (r.outcome != Outcome::kRecord) {
    bad_bytes_.assign(header_bytes, kRecordHeaderSize);
    bad_bytes_.append(payload);
    return r;
  }
  r.payload = payload;
  return r;
}

bool Reader::HandleBadRecord(const Physical& r, const std::string& what) {
  if (!is_last_file_ && !skip_corrupted_) {
    ReportCorruption(r.start, what);
    return false;
  }
  // Whether r is a torn tail or damage in the middle depends on what
  // follows it: read the rest of the file, starting with r's own bytes.
  std::string rest = std::move(bad_bytes_);
  bad_bytes_.clear();
  rest.append(buffer_);
  buffer_ = {};
  while (!eof_) {
    const size_t have = rest.size();
    rest.resize(have + kBlockSize);
    std::string_view got;
    Status s = file_->Read(kBlockSize, &got, rest.data() + have);
    if (!s.ok()) {
      status_ = std::move(s);
      return false;
    }
    if (got.size() > 0 && got.data() != rest.data() + have) {
      std::memmove(rest.data() + have, got.data(), got.size());
    }
    rest.resize(have + got.size());
    eof_ = got.size() < kBlockSize;
  }
  rest_ = std::move(rest);
  const uint64_t file_end = r.start + rest_.size();
  offset_ = file_end;

  // The first valid record after r's start: where r's length says the next
  // record starts if one is there, else at any later byte.
  const std::string_view data(rest_);
  std::optional<uint64_t> next;
  if (r.outcome == Outcome::kBadChecksum && IsValidRecordAt(data, r.end - r.start)) {
    next = r.end;
  } else {
    for (size_t pos = 1; pos + kRecordHeaderSize <= data.size(); pos++) {
      if (IsValidRecordAt(data, pos)) {
        next = r.start + pos;
        break;
      }
    }
  }

  if (!next.has_value()) {
    if (is_last_file_) {
      torn_tail_ = true;
    } else {
      // Skip mode, an older log: nothing readable is left.
      skipped_regions_++;
      skipped_bytes_ += file_end - r.start;
    }
    return false;
  }
  if (!skip_corrupted_) {
    ReportCorruption(r.start, what + ", and a valid record follows at offset " +
                                  std::to_string(*next));
    return false;
  }
  skipped_regions_++;
  skipped_bytes_ += *next - r.start;
  // Go on reading from memory: with eof_ set, Consume serves buffer_ only.
  buffer_ = data.substr(*next - r.start);
  offset_ = *next;
  return true;
}

bool Reader::IsValidRecordAt(std::string_view data, size_t pos) {
  if (pos > data.size() || data.size() - pos < kRecordHeaderSize) return false;
  const char* h = data.data() + pos;
  const uint32_t length = DecodeFixed32(h);
  if (length > kMaxRecordPayload || data.size() - pos - kRecordHeaderSize < length) return false;
  const uint32_t expected_crc = crc32c::Unmask(DecodeFixed32(h + 4));
  return crc32c::Extend(crc32c::Value(h, 4), h + kRecordHeaderSize, length) == expected_crc;
}

Status Reader::Consume(size_t n, std::string* scratch, std::string_view* out) {
  *out = {};
  if (buffer_.size() < n && !eof_) {
    const size_t have = buffer_.size();
    if (n <= kBlockSize) {
      // Keep the unconsumed bytes and refill the rest of the block.
      if (have > 0) std::memmove(backing_.get(), buffer_.data(), have);
      buffer_ = std::string_view(backing_.get(), have);
      char* dst = backing_.get() + have;
      std::string_view got;
      FLOWDB_RETURN_IF_ERROR(file_->Read(kBlockSize - have, &got, dst));
      if (got.size() > 0 && got.data() != dst) std::memmove(dst, got.data(), got.size());
      eof_ = got.size() < kBlockSize - have;
      buffer_ = std::string_view(backing_.get(), have + got.size());
    } else {
      // Larger than the buffer: gather in scratch, growing it only as bytes
      // arrive, so a corrupt length cannot make it allocate more than the
      // file holds.
      scratch->assign(buffer_);
      buffer_ = {};
      offset_ += have;
      size_t got_total = have;
      while (got_total < n && !eof_) {
        size_t chunk = std::min(n - got_total, std::max(kBlockSize, got_total));
        scratch->resize(got_total + chunk);
        char* dst = scratch->data() + got_total;
        std::string_view got;
        Status s = file_->Read(chunk, &got, dst);
        if (!s.ok()) {
          scratch->resize(got_total);
          return s;
        }
        if (got.size() > 0 && got.data() != dst) std::memmove(dst, got.data(), got.size());
        got_total += got.size();
        offset_ += got.size();
        eof_ = got.size() < chunk;
      }
      scratch->resize(got_total);
      *out = *scratch;
      return Status::OK();
    }
  }
  const size_t take = std::min(n, buffer_.size());
  *out = buffer_.substr(0, take);
  buffer_.remove_prefix(take);
  offset_ += take;
  return Status::OK();
}

Status Reader::ConsumeToEnd(bool* all_zero) {
  *all_zero = true;
  while (true) {
    std::string_view chunk;
    FLOWDB_RETURN_IF_ERROR(Consume(kBlockSize, nullptr, &chunk));
    if (*all_zero) {
      *all_zero = std::all_of(chunk.begin(), chunk.end(), [](char c) { return c == 0; });
    }
    if (chunk.size() < kBlockSize) return Status::OK();
  }
}

void Reader::ReportCorruption(uint64_t offset, std::string_view what) {
  status_ = Status::Corruption(file_name_ + " at offset " + std::to_string(offset), what);
}

}  // namespace flowdb::log
