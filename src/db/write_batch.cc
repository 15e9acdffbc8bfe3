// WriteBatch representation (all integers little-endian):
//
//   batch   := sequence: fixed64 | count: fixed32 | entry{count}
//   entry   := kTypeValue         key ts value
//            | kTypeValueExpiring key ts expire_at value
//            | kTypeDeletion      key ts
//            | kTypeRangeDeletion key end_key   (keys in [key, end_key), all ts)
//   key     := varint32 length | bytes          (length ≤ kMaxKeySize)
//   ts      := fixed64 (two's complement int64)
//   expire_at := fixed64 (two's complement int64, µs since the epoch)
//   value   := varint32 length | bytes          (length ≤ kMaxValueSize)
//
// The same bytes are the WAL record payload, and the JS layer encodes
// batches in this format (lib/encoding.cjs), so Parse below is the single
// validator of untrusted batches.

#include "flowdb/write_batch.h"

#include <cstring>

#include "db/memtable.h"
#include "db/write_batch_internal.h"

namespace flowdb {

// The public tags are the entry types of the internal format.
static_assert(WriteBatch::kTagDelete == kTypeDeletion);
static_assert(WriteBatch::kTagPut == kTypeValue);
static_assert(WriteBatch::kTagPutExpiring == kTypeValueExpiring);
static_assert(WriteBatch::kTagDeleteRange == kTypeRangeDeletion);

namespace {

// GetLengthPrefixed, inline: the parse runs for every entry of every write.
inline bool TakeLengthPrefixed(std::string_view* input, std::string_view* out) {
  const char* p = input->data();
  const char* limit = p + input->size();
  uint32_t len = 0;
  const char* q = GetVarint32Ptr(p, limit, &len);
  if (q == nullptr || static_cast<size_t>(limit - q) < len) return false;
  *out = std::string_view(q, len);
  input->remove_prefix(static_cast<size_t>(q - p) + len);
  return true;
}

// Decodes one entry from *input. Returns false if malformed.
bool ParseEntry(std::string_view* input, ValueType* type, std::string_view* key, int64_t* ts,
                std::string_view* value, int64_t* expire_at) {
  if (input->empty()) return false;
  uint8_t t = static_cast<uint8_t>((*input)[0]);
  if (!IsValidValueType(t) && t != kTypeRangeDeletion) return false;
  input->remove_prefix(1);
  *type = static_cast<ValueType>(t);
  uint64_t u;
  if (!TakeLengthPrefixed(input, key) || key->size() > WriteBatch::kMaxKeySize) return false;
  if (t == kTypeRangeDeletion) {
    // value holds the exclusive end key; ts is unused.
    *ts = 0;
    *expire_at = kNoExpiry;
    return TakeLengthPrefixed(input, value) && value->size() <= WriteBatch::kMaxKeySize &&
           *key < *value;
  }
  if (!GetFixed64(input, &u)) return false;
  *ts = static_cast<int64_t>(u);
  *expire_at = kNoExpiry;
  *value = {};
  if (t == kTypeValueExpiring) {
    if (!GetFixed64(input, &u)) return false;
    *expire_at = static_cast<int64_t>(u);
  }
  if (t != kTypeDeletion) {
    if (!TakeLengthPrefixed(input, value) || value->size() > WriteBatch::kMaxValueSize) return false;
  }
  return true;
}

// Calls fn(type, key, ts, value, expire_at) for each entry; checks that the
// entry count matches the header and that nothing trails.
template <typename Fn>
bool Parse(std::string_view rep, Fn&& fn) {
  if (rep.size() < WriteBatchInternal::kHeader) return false;
  uint32_t count = DecodeFixed32(rep.data() + 8);
  std::string_view input = rep.substr(WriteBatchInternal::kHeader);
  uint32_t found = 0;
  while (!input.empty()) {
    ValueType type;
    std::string_view key, value;
    int64_t ts, expire_at;
    if (!ParseEntry(&input, &type, &key, &ts, &value, &expire_at)) return false;
    fn(type, key, ts, value, expire_at);
    found++;
  }
  return found == count;
}

// Appends one put entry; type is kTypeValue or kTypeValueExpiring. The rep
// grows once and the fields are encoded in place: a batch of many small
// entries (a document and its index entries) pays no append per field.
void AppendPut(std::string* rep, ValueType type, std::string_view key, int64_t ts,
               std::string_view value, int64_t expire_at) {
  const size_t at = rep->size();
  rep->resize(at + 1 + 2 * kMaxVarint32Length + key.size() + 16 + value.size());
  char* p = rep->data() + at;
  *p++ = static_cast<char>(type);
  p = EncodeVarint32(p, static_cast<uint32_t>(key.size()));
  std::memcpy(p, key.data(), key.size());
  p += key.size();
  EncodeFixed64(p, static_cast<uint64_t>(ts));
  p += 8;
  if (type == kTypeValueExpiring) {
    EncodeFixed64(p, static_cast<uint64_t>(expire_at));
    p += 8;
  }
  p = EncodeVarint32(p, static_cast<uint32_t>(value.size()));
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  p += value.size();
  rep->resize(static_cast<size_t>(p - rep->data()));
}

}  // namespace

WriteBatch::WriteBatch() { Clear(); }

void WriteBatch::Clear() {
  rep_.assign(WriteBatchInternal::kHeader, '\0');
  spoiled_ = false;
}

uint32_t WriteBatch::Count() const { return DecodeFixed32(rep_.data() + 8); }

void WriteBatch::Put(std::string_view key, int64_t ts, std::string_view value,
                     int64_t expire_at) {
  if (key.size() > kMaxKeySize || value.size() > kMaxValueSize) {
    spoiled_ = true;
    return;
  }
  WriteBatchInternal::SetCount(this, Count() + 1);
  AppendPut(&rep_, expire_at != kNoExpiry ? kTypeValueExpiring : kTypeValue, key, ts, value,
            expire_at);
}

void WriteBatch::Delete(std::string_view key, int64_t ts) {
  if (key.size() > kMaxKeySize) {
    spoiled_ = true;
    return;
  }
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(kTypeDeletion));
  PutLengthPrefixed(&rep_, key);
  PutFixed64(&rep_, static_cast<uint64_t>(ts));
}

void WriteBatch::DeleteRange(std::string_view start, std::string_view end) {
  if (start.size() > kMaxKeySize || end.size() > kMaxKeySize) {
    spoiled_ = true;
    return;
  }
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(kTypeRangeDeletion));
  PutLengthPrefixed(&rep_, start);
  PutLengthPrefixed(&rep_, end);
}

Status WriteBatch::Iterate(Handler* handler) const {
  bool ok = Parse(rep_, [handler](ValueType type, std::string_view key, int64_t ts,
                                  std::string_view value, int64_t expire_at) {
    if (type == kTypeRangeDeletion) {
      handler->DeleteRange(key, value);
    } else if (type == kTypeDeletion) {
      handler->Delete(key, ts);
    } else {
      handler->Put(key, ts, value, expire_at);
    }
  });
  return ok ? Status::OK() : Status::Corruption("malformed write batch");
}

Status WriteBatch::FromRep(std::string rep, WriteBatch* batch) {
  bool ok = Parse(rep, [](ValueType, std::string_view, int64_t, std::string_view, int64_t) {});
  if (!ok) return Status::InvalidArgument("malformed write batch");
  batch->rep_ = std::move(rep);
  return Status::OK();
}

Status WriteBatchInternal::SetContents(WriteBatch* b, std::string_view rep) {
  bool ok = Parse(rep, [](ValueType, std::string_view, int64_t, std::string_view, int64_t) {});
  if (!ok) return Status::Corruption("malformed write batch");
  b->rep_.assign(rep.data(), rep.size());
  return Status::OK();
}

bool WriteBatchInternal::ApplyDefaultExpiry(const WriteBatch& b, int64_t now_us, int64_t ttl_us,
                                            bool from_ts, WriteBatch* out) {
  auto expiry = [ttl_us](int64_t base) {
    return base > kNoExpiry - 1 - ttl_us ? kNoExpiry - 1 : base + ttl_us;
  };
  const int64_t from_now = expiry(now_us);
  bool any = false;
  WriteBatch copy;
  Parse(b.rep_, [&](ValueType type, std::string_view key, int64_t ts, std::string_view value,
                    int64_t exp) {
    if (type == kTypeDeletion) {
      copy.Delete(key, ts);
    } else if (type == kTypeRangeDeletion) {
      copy.DeleteRange(key, value);
    } else {
      // An explicit expiry, kNoExpiry included, opts out of the default.
      any |= type == kTypeValue;
      AppendPut(&copy.rep_, kTypeValueExpiring, key, ts, value,
                type != kTypeValue ? exp : (from_ts ? expiry(ts) : from_now));
      SetCount(&copy, copy.Count() + 1);
    }
  });
  if (!any) return false;
  *out = std::move(copy);
  return true;
}

void WriteBatchInternal::Append(WriteBatch* dst, const WriteBatch& src) {
  dst->spoiled_ |= src.spoiled_;
  SetCount(dst, dst->Count() + src.Count());
  dst->rep_.append(src.rep_.data() + kHeader, src.rep_.size() - kHeader);
}

void WriteBatchInternal::InsertInto(const WriteBatch& b, MemTable* mem) {
  SequenceNumber seq = Sequence(b);
  bool ok = Parse(b.rep_, [&](ValueType type, std::string_view key, int64_t ts,
                              std::string_view value, int64_t expire_at) {
    if (type == kTypeRangeDeletion) {
      mem->AddRangeDeletion(seq++, key, value);
    } else {
      mem->Add(seq++, type, key, ts, value, expire_at);
    }
  });
  (void)ok;  // validated when the batch was built
}

}  // namespace flowdb
