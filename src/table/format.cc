#include "table/format.h"

#include <lz4.h>

#include "flowdb/env.h"
#include "util/crc32c.h"

namespace flowdb {

namespace {

// "block at offset 123 (size 45)": the prefix of every ReadBlock error.
std::string BlockName(const BlockHandle& handle) {
  return "block at offset " + std::to_string(handle.offset()) + " (size " +
         std::to_string(handle.size()) + ")";
}

uint32_t BlockChecksum(const char* stored, size_t n, char type) {
  return crc32c::Mask(crc32c::Extend(crc32c::Value(stored, n), &type, 1));
}

// Appends raw in lz4 form to *out; false if lz4 cannot take it.
bool CompressLZ4(std::string_view raw, std::string* out) {
  if (raw.size() > LZ4_MAX_INPUT_SIZE) return false;
  const int src_size = static_cast<int>(raw.size());
  const int bound = LZ4_compressBound(src_size);
  PutVarint32(out, static_cast<uint32_t>(raw.size()));
  const size_t header = out->size();
  out->resize(header + bound);
  int n = LZ4_compress_default(raw.data(), out->data() + header, src_size, bound);
  if (n <= 0) return false;
  out->resize(header + n);
  return true;
}

Status DecompressLZ4(const BlockHandle& handle, std::string_view stored, std::string* contents) {
  uint32_t raw_size;
  if (!GetVarint32(&stored, &raw_size)) {
    return Status::Corruption(BlockName(handle), "bad lz4 length");
  }
  // LZ4 expands at most ~255x; a larger claim is a corrupt length.
  if (raw_size > kMaxBlockSize || raw_size > LZ4_MAX_INPUT_SIZE ||
      raw_size > 255 * static_cast<uint64_t>(stored.size()) + 16 ||
      stored.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    return Status::Corruption(BlockName(handle),
                              "implausible lz4 length " + std::to_string(raw_size));
  }
  contents->resize(raw_size);
  int n = LZ4_decompress_safe(stored.data(), contents->data(), static_cast<int>(stored.size()),
                              static_cast<int>(raw_size));
  if (n < 0 || static_cast<uint32_t>(n) != raw_size) {
    contents->clear();
    return Status::Corruption(BlockName(handle), "malformed lz4 data");
  }
  return Status::OK();
}

}  // namespace

void BlockHandle::EncodeTo(std::string* dst) const {
  PutVarint64(dst, offset_);
  PutVarint64(dst, size_);
}

Status BlockHandle::DecodeFrom(std::string_view* input) {
  if (!GetVarint64(input, &offset_) || !GetVarint64(input, &size_)) {
    return Status::Corruption("bad block handle");
  }
  return Status::OK();
}

void IndexValue::EncodeTo(std::string* dst) const {
  handle.EncodeTo(dst);
  PutFixed64(dst, static_cast<uint64_t>(min_ts));
  PutFixed64(dst, static_cast<uint64_t>(max_ts));
  PutVarint32(dst, num_entries);
}

Status IndexValue::DecodeFrom(std::string_view input) {
  uint64_t lo, hi;
  if (!handle.DecodeFrom(&input).ok() || !GetFixed64(&input, &lo) || !GetFixed64(&input, &hi) ||
      !GetVarint32(&input, &num_entries) || !input.empty()) {
    return Status::Corruption("bad index entry value");
  }
  min_ts = static_cast<int64_t>(lo);
  max_ts = static_cast<int64_t>(hi);
  if (min_ts > max_ts) return Status::Corruption("index entry with min_ts > max_ts");
  return Status::OK();
}

void Footer::EncodeTo(std::string* dst) const {
  const size_t start = dst->size();
  for (const BlockHandle* h : {&index_handle, &filter_handle, &properties_handle}) {
    PutFixed64(dst, h->offset());
    PutFixed64(dst, h->size());
  }
  PutFixed32(dst, format_version);
  PutFixed32(dst, crc32c::Mask(crc32c::Value(dst->data() + start, 52)));
  PutFixed64(dst, kTableMagic);
}

Status Footer::DecodeFrom(std::string_view input) {
  if (input.size() != kEncodedLength) return Status::Corruption("footer has the wrong size");
  const char* p = input.data();
  if (DecodeFixed64(p + 56) != kTableMagic) {
    return Status::Corruption("bad magic: not an sstable");
  }
  uint32_t version = DecodeFixed32(p + 48);
  if (version != kTableFormatVersion) {
    return Status::Corruption("unsupported format version " + std::to_string(version));
  }
  if (crc32c::Unmask(DecodeFixed32(p + 52)) != crc32c::Value(p, 52)) {
    return Status::Corruption("bad footer checksum");
  }
  index_handle = BlockHandle(DecodeFixed64(p), DecodeFixed64(p + 8));
  filter_handle = BlockHandle(DecodeFixed64(p + 16), DecodeFixed64(p + 24));
  properties_handle = BlockHandle(DecodeFixed64(p + 32), DecodeFixed64(p + 40));
  format_version = version;
  return Status::OK();
}

void EncodeBlock(std::string_view raw, Compression compression, std::string* out) {
  out->clear();
  char type = kBlockRaw;
  if (compression == Compression::kLZ4 && CompressLZ4(raw, out) &&
      out->size() < raw.size() - raw.size() / 8) {
    type = kBlockLZ4;
  } else {
    out->assign(raw.data(), raw.size());
  }
  const uint32_t crc = BlockChecksum(out->data(), out->size(), type);
  out->push_back(type);
  PutFixed32(out, crc);
}

Status ReadBlock(const RandomAccessFile* file, const BlockHandle& handle,
                 std::string* contents) {
  contents->clear();
  if (handle.size() > kMaxBlockSize) {
    return Status::Corruption(BlockName(handle), "block too large");
  }
  const size_t n = static_cast<size_t>(handle.size());
  std::string buf(n + kBlockTrailerSize, '\0');
  std::string_view data;
  FLOWDB_RETURN_IF_ERROR(file->Read(handle.offset(), buf.size(), &data, buf.data()));
  if (data.size() != buf.size()) {
    return Status::Corruption(BlockName(handle), "truncated block");
  }
  const char type = data[n];
  if (DecodeFixed32(data.data() + n + 1) != BlockChecksum(data.data(), n, type)) {
    return Status::Corruption(BlockName(handle), "checksum mismatch");
  }
  switch (static_cast<uint8_t>(type)) {
    case kBlockRaw:
      if (data.data() == buf.data()) {
        buf.resize(n);
        *contents = std::move(buf);
      } else {
        contents->assign(data.data(), n);
      }
      return Status::OK();
    case kBlockLZ4:
      return DecompressLZ4(handle, data.substr(0, n), contents);
    default:
      return Status::Corruption(BlockName(handle),
                                "unknown block type " + std::to_string(static_cast<uint8_t>(type)));
  }
}

}  // namespace flowdb
