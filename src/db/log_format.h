// The record log: the file format shared by the WAL (wal/NNNNNN.log) and the
// MANIFEST. log::Writer writes it, log::Reader reads it back.
//
//   file    := header record*
//   header  := magic: fixed64 | version: fixed32 | kind: fixed32     (16 bytes)
//   record  := length: fixed32 | crc: fixed32 | payload: byte[length]
//
//   magic   = kLogMagic, the ASCII bytes "FLOWLOG1" (fixed64 little-endian)
//   version = kLogFormatVersion (1)
//   kind    = LogKind: 1 = WAL, 2 = MANIFEST
//   length  = payload size in bytes, at most kMaxRecordPayload
//   crc     = crc32c::Mask(crc32c(length bytes ++ payload))
//
// All integers are little-endian (util/coding.h). A record is one write batch
// (WAL) or one version edit (MANIFEST); its payload format belongs to that
// layer. Records are not aligned and not fragmented: each is written by one
// Append, so a group commit is one write(2).
//
// The writer emits the header in the same Append as the first record (or at
// the first Sync), so a file of 0 bytes is a log with no records. A WAL's
// header is made durable on its own, by a Sync right after the file is
// created and before any record is written, so that a power loss cannot
// leave a zero first page ahead of records that survived; see log_reader.h
// for how a reader treats torn and corrupt data.

#ifndef FLOWDB_DB_LOG_FORMAT_H_
#define FLOWDB_DB_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace flowdb::log {

// Persisted in the file header: never renumber.
enum class LogKind : uint32_t {
  kWal = 1,
  kManifest = 2,
};

inline constexpr uint64_t kLogMagic = 0x31474f4c574f4c46ull;  // "FLOWLOG1"
inline constexpr uint32_t kLogFormatVersion = 1;

inline constexpr size_t kFileHeaderSize = 16;
inline constexpr size_t kRecordHeaderSize = 8;
// Larger payloads are rejected by the writer and read as corruption.
inline constexpr uint32_t kMaxRecordPayload = uint32_t{1} << 30;  // 1 GiB

}  // namespace flowdb::log

#endif  // FLOWDB_DB_LOG_FORMAT_H_
