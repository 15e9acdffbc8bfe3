// log::Reader reads back the records of one WAL or MANIFEST file (format:
// log_format.h), telling a torn tail left by a crash from real corruption.
//
// Thread safety: a Reader is used by one thread at a time.
//
// Outcomes, for a file read to its end with ReadRecord:
//  - Clean end: the file ends exactly after a record (or after the header, or
//    is 0 bytes long: a log created but never written) → ReadRecord returns
//    false, status() OK, TornTail() false.
//  - Torn tail, only when is_last_file: reading stops at a record R that
//    cannot be trusted (its header or payload runs past the end of the file,
//    its length exceeds kMaxRecordPayload, or its checksum does not match)
//    and no valid record starts at any later byte of the file. A crash
//    mid-write can only damage the end of a log, so once a valid record
//    follows the damage it is corruption, not a torn write.
//    Also a file header cut short; for a MANIFEST, a file of zero bytes
//    only (preallocated space); and, for a WAL, a first page (kPageSize
//    bytes, or the whole file if shorter) of zero bytes with no valid record
//    at any later byte: a power loss while a new WAL's header was written
//    and synced. ReadRecord then returns false, status() OK, TornTail()
//    true, and LastRecordEndOffset() is where to truncate the file (the end
//    of the last good record, 16 after the header, or 0 when the header
//    itself is torn).
//  - Corruption: a bad record followed by a valid one, or any bad record in
//    a file that is not the last → ReadRecord returns false and status() is
//    Corruption naming the file and R's offset, e.g.
//    "wal/000004.log at offset 96: checksum mismatch, and a valid record
//    follows at offset 180". A WAL whose zero first page is followed by a
//    valid record is Corruption at offset 0 in the same way: log::Writer
//    users sync a new WAL's header before its first record (log_writer.h),
//    so no power loss can lose that page once a record could follow it.
//  - A bad file header (magic, version, or a kind other than the expected
//    one) is Corruption naming the file, except for the torn cases above.
//  - An I/O error of the file is returned as is by status().
//
// Deciding between a torn tail and corruption reads the rest of the file
// into memory once, at the first bad record, and looks for a valid record at
// every later byte (where R's length says the next record starts first).
// A valid record can also appear by chance inside R's payload when that
// payload itself holds log bytes; in the last file that makes a torn tail
// read as Corruption, never the reverse.
//
// With skip_corrupted (salvage), a bad region that would be Corruption is
// skipped instead: reading resumes at the next valid record, and
// SkippedRegions()/SkippedBytes() count what was skipped. A bad record with
// no valid record after it is still a torn tail in the last file (not
// counted as skipped) and is skipped to the end in an older one. A file
// header is never skipped, except a WAL's zero first page, which is skipped
// like a bad record.

#ifndef FLOWDB_DB_LOG_READER_H_
#define FLOWDB_DB_LOG_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "db/log_format.h"
#include "flowdb/env.h"
#include "flowdb/status.h"

namespace flowdb::log {

class Reader {
 public:
  // Reads file, a log of the given kind, from its start. file_name is used
  // in error messages only. is_last_file says whether file is the newest log
  // of its sequence, the only one that may end in a torn write.
  // REQUIRES: file stays alive while this Reader is in use.
  Reader(SequentialFile* file, std::string file_name, LogKind kind, bool is_last_file,
         bool skip_corrupted = false);

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Reads the next record into *record and returns true, or returns false at
  // the end of the log or on an error (then see status() and TornTail()).
  // *record stays valid until the next call or the Reader's destruction, and
  // may point into *scratch.
  bool ReadRecord(std::string_view* record, std::string* scratch);

  // OK, or the Corruption or I/O error that stopped reading.
  Status status() const { return status_; }
  // True if reading stopped at a torn tail (see above).
  bool TornTail() const { return torn_tail_; }
  // The file offset just past the last record ReadRecord returned, or past
  // the file header before the first one (0 while the header is unread or
  // torn, or for a 0-byte file).
  uint64_t LastRecordEndOffset() const { return last_record_end_; }
  // Damaged stretches skipped with skip_corrupted, and their bytes (from a
  // bad record's start to the next valid record or the end of the file).
  uint64_t SkippedRegions() const { return skipped_regions_; }
  uint64_t SkippedBytes() const { return skipped_bytes_; }

 private:
  enum class Outcome {
    kRecord,       // a valid record
    kEof,          // the file ends where the record would start
    kTruncated,    // header or payload runs past the end of the file
    kBadLength,    // length over kMaxRecordPayload
    kBadChecksum,  // complete, but the checksum does not match
    kIOError,      // status_ holds the error
  };
  // One attempt to read the record at a given offset.
  struct Physical {
    Outcome outcome = Outcome::kEof;
    uint64_t start = 0;  // file offset of the record
    uint64_t end = 0;    // file offset just past what was consumed
    uint32_t length = 0;
    std::string_view payload;  // kRecord only
  };

  // Reads and checks the file header; false ends the reading.
  bool ReadFileHeader(std::string* scratch);
  // Reads the record at the current offset.
  Physical ReadPhysicalRecord(std::string* scratch);
  // Deals with the untrustworthy record r, whose bytes are in bad_bytes_:
  // returns true to go on reading at the next valid record (skip mode), or
  // false after setting the torn tail, Corruption or an I/O error.
  bool HandleBadRecord(const Physical& r, const std::string& what);
  // Whether a complete record with a matching checksum starts at data[pos].
  static bool IsValidRecordAt(std::string_view data, size_t pos);
  // Consumes up to n bytes, fewer only at the end of the file. *out points
  // into the read buffer or, for n beyond the buffer size, into *scratch.
  Status Consume(size_t n, std::string* scratch, std::string_view* out);
  // Consumes the rest of the file; *all_zero tells whether every byte was 0.
  Status ConsumeToEnd(bool* all_zero);
  // Sets the Corruption status for a problem at offset.
  void ReportCorruption(uint64_t offset, std::string_view what);

  SequentialFile* const file_;
  const std::string file_name_;
  const LogKind kind_;
  const bool is_last_file_;
  const bool skip_corrupted_;

  const std::unique_ptr<char[]> backing_;  // the read buffer
  std::string_view buffer_;  // read but not yet consumed; inside backing_
  uint64_t offset_ = 0;      // file offset of the first unconsumed byte
  bool eof_ = false;         // the file has no bytes beyond backing_

  bool header_read_ = false;
  bool done_ = false;
  Status status_;
  bool torn_tail_ = false;
  uint64_t last_record_end_ = 0;
  uint64_t skipped_regions_ = 0;
  uint64_t skipped_bytes_ = 0;
  // The bytes of the last bad record read (header and what of the payload
  // the file holds).
  std::string bad_bytes_;
  // The rest of the file from the first bad record on; once loaded, buffer_
  // points into it and eof_ is set.
  std::string rest_;
};

}  // namespace flowdb::log

#endif  // FLOWDB_DB_LOG_READER_H_
