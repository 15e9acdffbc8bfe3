// Internal keys: how a (key, ts) record version is ordered inside memtables
// and SSTables.
//
//   internal_key := user_key | ts (8 bytes) | tag (8 bytes)
//   ts           := EncodeOrderedInt64(ts): big-endian, sign bit flipped
//   tag          := fixed64 little-endian of (sequence << 8 | value_type)
//
// Order: user_key ascending (bytewise), then ts ascending, then sequence
// descending (newest first), then type descending. So a forward walk meets
// the newest version of each (key, ts) first.
//
// An entry's value depends on its type:
//   kTypeValue          value bytes
//   kTypeValueExpiring  fixed64(expire_at) | value bytes
//   kTypeDeletion       empty

#ifndef FLOWDB_DB_DBFORMAT_H_
#define FLOWDB_DB_DBFORMAT_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "flowdb/record.h"
#include "util/coding.h"

namespace flowdb {

using SequenceNumber = uint64_t;
// Sequence numbers use 56 bits, leaving 8 for the type in the tag.
inline constexpr SequenceNumber kMaxSequenceNumber = (uint64_t{1} << 56) - 1;

// Persisted in the WAL and SSTables: never renumber.
enum ValueType : uint8_t {
  kTypeDeletion = 0x0,
  kTypeValue = 0x1,
  kTypeValueExpiring = 0x2,
  // Write batches and the WAL only: range tombstones live beside the
  // internal keys (db/range_del.h), never in them.
  kTypeRangeDeletion = 0x3,
};
// True for the types an internal key may carry.
inline bool IsValidValueType(uint8_t t) { return t <= kTypeValueExpiring; }

// Bytes after the user key in an internal key.
inline constexpr size_t kInternalKeySuffix = 16;

inline uint64_t PackTag(SequenceNumber seq, ValueType t) { return (seq << 8) | t; }

struct ParsedInternalKey {
  std::string_view user_key;
  int64_t ts = 0;
  SequenceNumber sequence = 0;
  ValueType type = kTypeValue;
};

inline void AppendInternalKey(std::string* dst, std::string_view user_key, int64_t ts,
                              SequenceNumber seq, ValueType t) {
  dst->append(user_key.data(), user_key.size());
  char buf[16];
  EncodeOrderedInt64(buf, ts);
  EncodeFixed64(buf + 8, PackTag(seq, t));
  dst->append(buf, 16);
}

// Returns false if ikey is too short or has an unknown type.
inline bool ParseInternalKey(std::string_view ikey, ParsedInternalKey* out) {
  if (ikey.size() < kInternalKeySuffix) return false;
  const char* suffix = ikey.data() + ikey.size() - kInternalKeySuffix;
  uint64_t tag = DecodeFixed64(suffix + 8);
  uint8_t t = static_cast<uint8_t>(tag & 0xff);
  if (!IsValidValueType(t)) return false;
  out->user_key = ikey.substr(0, ikey.size() - kInternalKeySuffix);
  out->ts = DecodeOrderedInt64(suffix);
  out->sequence = tag >> 8;
  out->type = static_cast<ValueType>(t);
  return true;
}

// REQUIRES: ikey.size() >= kInternalKeySuffix for the accessors below.
inline std::string_view ExtractUserKey(std::string_view ikey) {
  return ikey.substr(0, ikey.size() - kInternalKeySuffix);
}
inline int64_t ExtractTs(std::string_view ikey) {
  return DecodeOrderedInt64(ikey.data() + ikey.size() - kInternalKeySuffix);
}
inline uint64_t ExtractTag(std::string_view ikey) {
  return DecodeFixed64(ikey.data() + ikey.size() - 8);
}
// user_key | ts: the record identity, ordered by bytewise user key then ts.
inline std::string_view ExtractRecordId(std::string_view ikey) {
  return ikey.substr(0, ikey.size() - 8);
}

// Compares (user_key, ts) pairs given as user_key|ts(8) byte strings.
inline int CompareRecordId(std::string_view a, std::string_view b) {
  std::string_view ua = a.substr(0, a.size() - 8), ub = b.substr(0, b.size() - 8);
  int r = CompareBytes(ua, ub);
  if (r != 0) return r;
  uint64_t ta = LoadBigEndian64(a.data() + ua.size()), tb = LoadBigEndian64(b.data() + ub.size());
  return ta < tb ? -1 : (ta > tb ? 1 : 0);
}

// The total order of internal keys (see the top of this file).
struct InternalKeyComparator {
  static int Compare(std::string_view a, std::string_view b) {
    int r = CompareRecordId(ExtractRecordId(a), ExtractRecordId(b));
    if (r != 0) return r;
    uint64_t ta = ExtractTag(a), tb = ExtractTag(b);
    return ta > tb ? -1 : (ta < tb ? 1 : 0);
  }
  bool operator()(std::string_view a, std::string_view b) const { return Compare(a, b) < 0; }
};

// The internal key that sorts before every version of (user_key, ts) visible
// at `snapshot`: seeking to it lands on the newest visible version.
inline std::string SeekKey(std::string_view user_key, int64_t ts,
                           SequenceNumber snapshot = kMaxSequenceNumber) {
  std::string k;
  k.reserve(user_key.size() + kInternalKeySuffix);
  // The largest type sorts first among equal sequence numbers.
  AppendInternalKey(&k, user_key, ts, snapshot, kTypeValueExpiring);
  return k;
}

// Decodes an entry value: the record's value bytes and expiry.
inline bool DecodeEntryValue(ValueType t, std::string_view stored, std::string_view* value,
                             int64_t* expire_at) {
  if (t == kTypeValueExpiring) {
    if (stored.size() < 8) return false;
    *expire_at = static_cast<int64_t>(DecodeFixed64(stored.data()));
    *value = stored.substr(8);
  } else {
    *expire_at = kNoExpiry;
    *value = stored;
  }
  return true;
}

}  // namespace flowdb

#endif  // FLOWDB_DB_DBFORMAT_H_
