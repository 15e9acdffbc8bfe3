// Engine-only operations on a WriteBatch that are not part of its public API.

#ifndef FLOWDB_DB_WRITE_BATCH_INTERNAL_H_
#define FLOWDB_DB_WRITE_BATCH_INTERNAL_H_

#include "db/dbformat.h"
#include "flowdb/write_batch.h"

namespace flowdb {

class MemTable;

class WriteBatchInternal {
 public:
  // Size of the batch header (sequence fixed64 + count fixed32).
  static constexpr size_t kHeader = WriteBatch::kHeaderSize;

  static SequenceNumber Sequence(const WriteBatch& b) { return DecodeFixed64(b.rep_.data()); }
  static void SetSequence(WriteBatch* b, SequenceNumber seq) { EncodeFixed64(b->rep_.data(), seq); }
  static void SetCount(WriteBatch* b, uint32_t n) { EncodeFixed32(b->rep_.data() + 8, n); }
  static std::string_view Contents(const WriteBatch& b) { return b.rep_; }
  // Adopts rep (a WAL record payload) after validating it, like FromRep, but
  // with Corruption instead of InvalidArgument on a malformed input.
  static Status SetContents(WriteBatch* b, std::string_view rep);
  // Appends the entries of src to dst (group commit).
  static void Append(WriteBatch* dst, const WriteBatch& src);
  // Returns in *out a copy of b in which every put without an expiry
  // (kTypeValue) expires at base + ttl_us (saturating below kNoExpiry),
  // where base is the put's ts if from_ts, else now_us; false (and *out
  // untouched) if b has no such put. Puts with an explicit expiry, kNoExpiry
  // included, keep it. REQUIRES: ttl_us > 0.
  static bool ApplyDefaultExpiry(const WriteBatch& b, int64_t now_us, int64_t ttl_us, bool from_ts,
                                 WriteBatch* out);
  // Inserts every entry into mem with consecutive sequence numbers starting
  // at Sequence(b). REQUIRES: b was validated (built by the API or FromRep).
  static void InsertInto(const WriteBatch& b, MemTable* mem);
};

}  // namespace flowdb

#endif  // FLOWDB_DB_WRITE_BATCH_INTERNAL_H_
