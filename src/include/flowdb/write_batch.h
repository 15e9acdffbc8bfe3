// WriteBatch: an ordered set of updates applied atomically by DB::Write.
//
// The batch's byte representation is the WAL record payload, and the Node
// binding encodes batches in JS directly in this format (see
// src/db/write_batch.cc for the grammar), so one parser validates both.
//
// Thread safety: const methods may be called concurrently; anything else
// needs external synchronization.

#ifndef FLOWDB_INCLUDE_WRITE_BATCH_H_
#define FLOWDB_INCLUDE_WRITE_BATCH_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "flowdb/record.h"
#include "flowdb/status.h"

namespace flowdb {

class WriteBatch {
 public:
  // Receives the entries of a batch in order (see Iterate).
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void Put(std::string_view key, int64_t ts, std::string_view value,
                     int64_t expire_at) = 0;
    virtual void Delete(std::string_view key, int64_t ts) = 0;
    // A range tombstone over keys in [start, end).
    virtual void DeleteRange(std::string_view start, std::string_view end) = 0;
  };

  WriteBatch();
  WriteBatch(const WriteBatch&) = default;
  WriteBatch& operator=(const WriteBatch&) = default;
  WriteBatch(WriteBatch&&) noexcept = default;
  WriteBatch& operator=(WriteBatch&&) noexcept = default;

  // Stores (key, ts) → value. expire_at: absolute µs since the epoch, or
  // kNoExpiry. A key over kMaxKeySize bytes or a value over kMaxValueSize
  // is not added and spoils the batch: DB::Write refuses it whole
  // (InvalidArgument), so nothing of it is written.
  void Put(std::string_view key, int64_t ts, std::string_view value,
           int64_t expire_at = kNoExpiry);
  // Removes the record (key, ts) if present (a point tombstone). A key over
  // kMaxKeySize spoils the batch, as for Put.
  void Delete(std::string_view key, int64_t ts);
  // Removes every version (all ts) of every key in [start, end) written
  // before this entry; later writes are unaffected. REQUIRES: start < end
  // (bytewise); a bound over kMaxKeySize spoils the batch, as for Put.
  void DeleteRange(std::string_view start, std::string_view end);
  // Empties the batch (and forgets that it was spoiled).
  void Clear();
  // True if an entry broke kMaxKeySize or kMaxValueSize (see Put).
  bool spoiled() const { return spoiled_; }
  // Makes room for `bytes` more bytes of entries, so that a batch whose size
  // the caller knows is built without reallocating. Each entry takes its key
  // and value bytes plus at most kMaxEntryOverhead.
  void Reserve(size_t bytes) { rep_.reserve(rep_.size() + bytes); }
  static constexpr size_t kMaxEntryOverhead = 1 + 5 + 5 + 8 + 8;  // tag, 2 lengths, ts, expiry

  // Number of entries.
  uint32_t Count() const;
  bool empty() const { return Count() == 0; }
  // Size of the encoded batch in bytes.
  size_t ApproximateSize() const { return rep_.size(); }

  // Replays the entries into handler; Corruption if the representation is
  // malformed (possible only for batches built with FromRep).
  Status Iterate(Handler* handler) const;

  // Adopts an encoded batch (header + entries, as produced by Rep()) after
  // checking that it parses completely: InvalidArgument otherwise.
  static Status FromRep(std::string rep, WriteBatch* batch);
  const std::string& Rep() const { return rep_; }

  static constexpr size_t kMaxKeySize = 64u << 10;      // bytes
  static constexpr size_t kMaxValueSize = 256u << 20;   // bytes

  // The encoded form (grammar in src/db/write_batch.cc): the header's size
  // and the tag that starts each entry. Layers that encode batches
  // themselves (the Node binding's JS encoder) take these, never copies.
  static constexpr size_t kHeaderSize = 12;  // sequence fixed64 | count fixed32
  static constexpr uint8_t kTagDelete = 0x0;
  static constexpr uint8_t kTagPut = 0x1;
  static constexpr uint8_t kTagPutExpiring = 0x2;
  static constexpr uint8_t kTagDeleteRange = 0x3;

 private:
  friend class WriteBatchInternal;
  std::string rep_;
  bool spoiled_ = false;  // an entry was over a size limit and left out
};

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_WRITE_BATCH_H_
