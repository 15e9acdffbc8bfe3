// log::Writer appends records to a WAL or MANIFEST file (format: log_format.h).
//
// Thread safety: a Writer is used by one thread at a time (the WAL writer
// holds the commit lock while it appends).

#ifndef FLOWDB_DB_LOG_WRITER_H_
#define FLOWDB_DB_LOG_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "db/log_format.h"
#include "flowdb/env.h"
#include "flowdb/status.h"

namespace flowdb::log {

class Writer {
 public:
  // Writes records of the given kind to dest, which must stay alive and
  // must not be written by anyone else while this Writer is in use.
  // If new_file, dest is empty and the file header is written together with
  // the first record (or by the first Sync). Otherwise dest already holds
  // dest_length bytes of a log of this kind, header included, and records go
  // after them; dest_length == 0 (e.g. a log that recovery cut back to
  // nothing) is treated like a new file.
  // REQUIRES: !new_file → dest_length == 0 or dest_length >= kFileHeaderSize
  // (otherwise every call returns InvalidArgument).
  Writer(WritableFile* dest, LogKind kind, bool new_file, uint64_t dest_length = 0);

  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends one record holding payload with a single WritableFile::Append.
  // Not durable until Sync. After a failed AddRecord or Sync the tail of the
  // file is unknown (a partial record may be on disk), so every later call
  // returns that first error: open a new log to continue.
  // Returns InvalidArgument, writing nothing, if payload is larger than
  // kMaxRecordPayload.
  Status AddRecord(std::string_view payload);

  // Makes every record added so far durable. On a new file before any
  // record, writes the file header and makes it durable.
  Status Sync();

  // Bytes of the log written successfully so far, header included: the file
  // size when no call failed.
  uint64_t FileSize() const { return file_size_; }
  // Bytes of the log made durable by this Writer's last successful Sync (0
  // before one): with a sync after every record, the records acknowledged.
  uint64_t SyncedSize() const { return synced_size_; }

 private:
  void AppendFileHeader();
  // Appends buf_ with one Append and records the outcome in error_.
  Status Write();

  WritableFile* const dest_;
  const LogKind kind_;
  bool header_pending_;
  uint64_t file_size_;
  uint64_t synced_size_ = 0;
  Status error_;     // the first failure; sticky
  std::string buf_;  // the bytes of one Append, reused
};

}  // namespace flowdb::log

#endif  // FLOWDB_DB_LOG_WRITER_H_
