// The SSTable file format, version 1: block handles, the footer, the block
// trailer and compression. Everything that puts bytes of a table file on
// disk or takes them off goes through this file.
//
//   table      := data_block* filter_block? properties_block index_block footer
//   block      := stored | type (1 byte) | crc (fixed32)
//   type       := 0 (stored = the raw contents) | 1 (stored = lz4 form below)
//   lz4 form   := varint32(raw length) | LZ4 block-format bytes
//   crc        := crc32c::Mask(crc32c of stored | type)
//   footer     := index_handle | filter_handle | properties_handle
//                 (each fixed64 offset | fixed64 size)
//                 | format_version (fixed32)
//                 | crc32c::Mask(crc32c of the 52 bytes before) (fixed32)
//                 | magic (fixed64)                                  = 64 bytes
//
// A handle's size excludes the 5-byte trailer. A filter handle of size 0
// means the table has no filter.
//
// Data and index blocks hold entries in the format of block_builder.h. Each
// index entry maps the last internal key of a data block to an IndexValue
// (below). The filter is bloom.h's encoding over user keys; the properties
// block is table_properties.h's encoding.

#ifndef FLOWDB_TABLE_FORMAT_H_
#define FLOWDB_TABLE_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "flowdb/options.h"
#include "flowdb/status.h"
#include "util/coding.h"

namespace flowdb {

class RandomAccessFile;

// The last 8 bytes of every table file.
inline constexpr uint64_t kTableMagic = 0x31545353424457f1ull;  // bytes f1 "WDBSST1"
// The format written by this build; the only one it reads.
inline constexpr uint32_t kTableFormatVersion = 1;

// Bytes after a block's stored contents: type byte and masked crc.
inline constexpr size_t kBlockTrailerSize = 5;
// Largest stored or uncompressed block accepted by ReadBlock. A single entry
// may hold a 256 MiB value (WriteBatch::kMaxValueSize); anything above this
// bound is a corrupt length.
inline constexpr uint64_t kMaxBlockSize = uint64_t{1} << 30;

// The block type byte on disk.
enum BlockType : uint8_t {
  kBlockRaw = 0,
  kBlockLZ4 = 1,
};

// Where a block lives in the file: offset and size of its stored bytes.
//
// Thread safety: a value type.
class BlockHandle {
 public:
  // Encoded as varint64 offset | varint64 size.
  static constexpr size_t kMaxEncodedLength = 2 * kMaxVarint64Length;

  BlockHandle() = default;
  BlockHandle(uint64_t offset, uint64_t size) : offset_(offset), size_(size) {}

  uint64_t offset() const { return offset_; }
  uint64_t size() const { return size_; }

  void EncodeTo(std::string* dst) const;
  // Consumes a handle from the front of *input; Corruption if malformed.
  Status DecodeFrom(std::string_view* input);

 private:
  uint64_t offset_ = 0;
  uint64_t size_ = 0;
};

// The value of an index block entry: a data block's handle, the smallest and
// largest ts of its entries, and its entry count.
//   value := handle | min_ts (fixed64) | max_ts (fixed64) | num_entries (varint32)
//
// Thread safety: a value type.
struct IndexValue {
  BlockHandle handle;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint32_t num_entries = 0;

  void EncodeTo(std::string* dst) const;
  // Corruption unless input is exactly one encoded IndexValue.
  Status DecodeFrom(std::string_view input);
};

// The fixed-size tail of a table file.
//
// Thread safety: a value type.
struct Footer {
  static constexpr size_t kEncodedLength = 64;

  BlockHandle index_handle;
  BlockHandle filter_handle;
  BlockHandle properties_handle;
  uint32_t format_version = kTableFormatVersion;

  // Appends exactly kEncodedLength bytes.
  void EncodeTo(std::string* dst) const;
  // Corruption naming "bad magic", "unsupported format version" or "bad
  // footer checksum". REQUIRES: input.size() == kEncodedLength.
  Status DecodeFrom(std::string_view input);
};

// Replaces *out with the on-disk form of a block whose contents are raw:
// stored bytes followed by the trailer. With Compression::kLZ4 the block is
// stored compressed unless that saves less than 1/8 of its size.
// REQUIRES: raw.size() <= kMaxBlockSize.
void EncodeBlock(std::string_view raw, Compression compression, std::string* out);

// Reads the block at handle, verifies its checksum (before decompressing)
// and stores its raw contents in *contents. Corruption naming the block's
// offset on a short read, a checksum mismatch, an unknown type or a malformed
// lz4 payload; the file's error on a failed read.
Status ReadBlock(const RandomAccessFile* file, const BlockHandle& handle,
                 std::string* contents);

}  // namespace flowdb

#endif  // FLOWDB_TABLE_FORMAT_H_
