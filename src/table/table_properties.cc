#include "table/table_properties.h"

#include "util/coding.h"

namespace flowdb {

namespace {

// Persisted: never renumber.
enum PropertyTag : uint32_t {
  kNumEntries = 1,
  kNumDeletions = 2,
  kRawKeyBytes = 3,
  kRawValueBytes = 4,
  kDataBlocks = 5,
  kSmallestKey = 6,
  kLargestKey = 7,
  kMinTs = 8,
  kMaxTs = 9,
  kMinExpireAt = 10,
  kMaxExpireAt = 11,
  kMinSeq = 12,
  kMaxSeq = 13,
  kBloomBitsPerKey = 14,
  kFormatVersion = 15,
  kNumRangeDeletions = 16,
  kRangeDelOffset = 17,
  kRangeDelSize = 18,
};

struct CountField {
  PropertyTag tag;
  uint64_t TableProperties::*field;
};
constexpr CountField kCountFields[] = {
    {kNumEntries, &TableProperties::num_entries},
    {kNumDeletions, &TableProperties::num_deletions},
    {kRawKeyBytes, &TableProperties::raw_key_bytes},
    {kRawValueBytes, &TableProperties::raw_value_bytes},
    {kDataBlocks, &TableProperties::data_blocks},
    {kMinSeq, &TableProperties::min_seq},
    {kMaxSeq, &TableProperties::max_seq},
    {kNumRangeDeletions, &TableProperties::num_range_deletions},
    {kRangeDelOffset, &TableProperties::range_del_offset},
    {kRangeDelSize, &TableProperties::range_del_size},
};

struct SignedField {
  PropertyTag tag;
  int64_t TableProperties::*field;
};
constexpr SignedField kSignedFields[] = {
    {kMinTs, &TableProperties::min_ts},
    {kMaxTs, &TableProperties::max_ts},
    {kMinExpireAt, &TableProperties::min_expire_at},
    {kMaxExpireAt, &TableProperties::max_expire_at},
};

struct KeyField {
  PropertyTag tag;
  std::string TableProperties::*field;
};
constexpr KeyField kKeyFields[] = {
    {kSmallestKey, &TableProperties::smallest_key},
    {kLargestKey, &TableProperties::largest_key},
};

void PutProperty(std::string* dst, PropertyTag tag, std::string_view value) {
  PutVarint32(dst, tag);
  PutLengthPrefixed(dst, value);
}

void PutCount(std::string* dst, PropertyTag tag, uint64_t v) {
  char buf[kMaxVarint64Length];
  PutProperty(dst, tag, std::string_view(buf, EncodeVarint64(buf, v) - buf));
}

// The whole of value as one varint64.
bool ParseCount(std::string_view value, uint64_t* v) {
  return GetVarint64(&value, v) && value.empty();
}

}  // namespace

void TableProperties::EncodeTo(std::string* dst) const {
  for (const CountField& f : kCountFields) PutCount(dst, f.tag, this->*f.field);
  for (const SignedField& f : kSignedFields) {
    char buf[8];
    EncodeFixed64(buf, static_cast<uint64_t>(this->*f.field));
    PutProperty(dst, f.tag, std::string_view(buf, 8));
  }
  for (const KeyField& f : kKeyFields) PutProperty(dst, f.tag, this->*f.field);
  PutCount(dst, kBloomBitsPerKey, static_cast<uint32_t>(bloom_bits_per_key));
  PutCount(dst, kFormatVersion, format_version);
}

Status TableProperties::DecodeFrom(std::string_view input) {
  while (!input.empty()) {
    uint32_t tag;
    std::string_view value;
    if (!GetVarint32(&input, &tag) || !GetLengthPrefixed(&input, &value)) {
      return Status::Corruption("truncated properties block");
    }
    bool ok = true;
    for (const CountField& f : kCountFields) {
      if (f.tag == tag) ok = ParseCount(value, &(this->*f.field));
    }
    for (const SignedField& f : kSignedFields) {
      if (f.tag == tag) {
        ok = value.size() == 8;
        if (ok) this->*f.field = static_cast<int64_t>(DecodeFixed64(value.data()));
      }
    }
    for (const KeyField& f : kKeyFields) {
      if (f.tag == tag) (this->*f.field).assign(value.data(), value.size());
    }
    uint64_t v;
    if (tag == kBloomBitsPerKey) {
      ok = ParseCount(value, &v) && v <= INT32_MAX;
      if (ok) bloom_bits_per_key = static_cast<int32_t>(v);
    } else if (tag == kFormatVersion) {
      ok = ParseCount(value, &v) && v <= UINT32_MAX;
      if (ok) format_version = static_cast<uint32_t>(v);
    }
    if (!ok) return Status::Corruption("bad table property " + std::to_string(tag));
  }
  return Status::OK();
}

}  // namespace flowdb
