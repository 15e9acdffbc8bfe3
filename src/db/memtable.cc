#include "db/memtable.h"

#include <cstring>

#include "util/hash.h"

namespace flowdb {

namespace {

// Decodes the length-prefixed slice at p (memtable entries are trusted).
std::string_view GetLengthPrefixedAt(const char* p) {
  uint32_t len;
  const char* q = GetVarint32Ptr(p, p + kMaxVarint32Length, &len);
  return std::string_view(q, len);
}

class MemTableIterator final : public Iterator {
 public:
  explicit MemTableIterator(const MemTable::Table* table) : iter_(table) {}

  bool Valid() const override { return iter_.Valid(); }
  void Seek(std::string_view target) override {
    scratch_.clear();
    PutLengthPrefixed(&scratch_, target);
    iter_.Seek(scratch_.data());
  }
  void SeekToFirst() override { iter_.SeekToFirst(); }
  void SeekToLast() override { iter_.SeekToLast(); }
  void Next() override { iter_.Next(); }
  void Prev() override { iter_.Prev(); }
  std::string_view key() const override { return GetLengthPrefixedAt(iter_.key()); }
  std::string_view value() const override {
    std::string_view k = key();
    return GetLengthPrefixedAt(k.data() + k.size());
  }
  Status status() const override { return Status::OK(); }

 private:
  MemTable::Table::Iterator iter_;
  std::string scratch_;
};

// Whether the memtable entry at *entry (null: none) has user key `key`.
bool HasUserKey(const char* const* entry, std::string_view key) {
  if (entry == nullptr) return false;
  uint32_t ikey_len = 0;
  const char* p = GetVarint32Ptr(*entry, *entry + kMaxVarint32Length, &ikey_len);
  return ikey_len == key.size() + kInternalKeySuffix && std::memcmp(p, key.data(), key.size()) == 0;
}

}  // namespace

int MemTableKeyComparator::operator()(const char* a, const char* b) const {
  // The skiplist head holds a null key; it is never compared.
  return InternalKeyComparator::Compare(GetLengthPrefixedAt(a), GetLengthPrefixedAt(b));
}

MemTable::MemTable(uint64_t wal_number)
    : wal_number_(wal_number), table_(MemTableKeyComparator{}, &arena_) {}

void MemTable::Add(SequenceNumber seq, ValueType type, std::string_view key, int64_t ts,
                   std::string_view value, int64_t expire_at) {
  size_t ikey_len = key.size() + kInternalKeySuffix;
  size_t val_len = 0;
  if (type == kTypeValue) val_len = value.size();
  if (type == kTypeValueExpiring) val_len = 8 + value.size();
  size_t total = VarintLength(ikey_len) + ikey_len + VarintLength(val_len) + val_len;
  char* buf = arena_.Allocate(total);
  char* p = EncodeVarint32(buf, static_cast<uint32_t>(ikey_len));
  std::memcpy(p, key.data(), key.size());
  p += key.size();
  EncodeOrderedInt64(p, ts);
  EncodeFixed64(p + 8, PackTag(seq, type));
  p += kInternalKeySuffix;
  p = EncodeVarint32(p, static_cast<uint32_t>(val_len));
  if (type == kTypeValueExpiring) {
    EncodeFixed64(p, static_cast<uint64_t>(expire_at));
    p += 8;
  }
  if (type != kTypeDeletion && !value.empty()) std::memcpy(p, value.data(), value.size());
  // Without hints (every key so far written once), no hash either.
  uint64_t hash = 0;
  if (!hints_.empty()) {
    hash = Hash64(key.data(), key.size());
    if (auto hint = hints_.find(hash); hint != hints_.end()) {
      table_.InsertWithSplice(buf, &hint->second);
      entries_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  Table::Neighbors near;
  table_.InsertWithSplice(buf, &shared_hint_, &near);
  if (HasUserKey(near.before, key) || HasUserKey(near.after, key)) {
    // A series: its next insert lands beside this one.
    if (hints_.empty()) hash = Hash64(key.data(), key.size());
    if (hints_.size() >= kMaxInsertHints) hints_.clear();
    hints_.emplace(hash, shared_hint_);
    // A map node holds the splice, the hash and about two pointers.
    hint_bytes_.store(hints_.size() * (sizeof(Table::Splice) + 32), std::memory_order_relaxed);
  }
  entries_.fetch_add(1, std::memory_order_relaxed);
}

namespace {

// The length-prefixed seek key SeekKey(key, ts, snapshot), on the stack
// unless the key is long.
class MemTableSeekKey {
 public:
  [[gnu::always_inline]] MemTableSeekKey(std::string_view key, int64_t ts, SequenceNumber snapshot) {
    size_t ikey_len = key.size() + kInternalKeySuffix;
    size_t need = VarintLength(ikey_len) + ikey_len;
    data_ = stack_;
    if (need > sizeof(stack_)) {
      heap_.resize(need);
      data_ = heap_.data();
    }
    char* p = EncodeVarint32(data_, static_cast<uint32_t>(ikey_len));
    std::memcpy(p, key.data(), key.size());
    EncodeOrderedInt64(p + key.size(), ts);
    // The largest type sorts first among equal sequence numbers (SeekKey).
    EncodeFixed64(p + key.size() + 8, PackTag(snapshot, kTypeValueExpiring));
  }
  const char* data() const { return data_; }

 private:
  char stack_[256];
  std::string heap_;
  char* data_;
};

// The answer of a Get whose seek left iter at the first entry ≥ the seek key.
[[gnu::always_inline]] inline bool ReadFoundEntry(const MemTable::Table::Iterator& iter, std::string_view key, int64_t ts,
                    ValueType* type, std::string* value, int64_t* expire_at, SequenceNumber* seq) {
  if (!iter.Valid()) return false;
  std::string_view ikey = GetLengthPrefixedAt(iter.key());
  ParsedInternalKey parsed;
  if (!ParseInternalKey(ikey, &parsed) || parsed.user_key != key || parsed.ts != ts) return false;
  *type = parsed.type;
  if (seq != nullptr) *seq = parsed.sequence;
  if (parsed.type != kTypeDeletion) {
    std::string_view stored = GetLengthPrefixedAt(ikey.data() + ikey.size()), v;
    int64_t exp = kNoExpiry;
    DecodeEntryValue(parsed.type, stored, &v, &exp);
    if (value != nullptr) value->assign(v.data(), v.size());
    if (expire_at != nullptr) *expire_at = exp;
  }
  return true;
}

}  // namespace

bool MemTable::Get(std::string_view key, int64_t ts, SequenceNumber snapshot, ValueType* type,
                   std::string* value, int64_t* expire_at, SequenceNumber* seq) const {
  MemTableSeekKey target(key, ts, snapshot);
  Table::Iterator iter(&table_);
  iter.Seek(target.data());
  return ReadFoundEntry(iter, key, ts, type, value, expire_at, seq);
}

bool MemTable::Get(std::string_view key, int64_t ts, SequenceNumber snapshot, ValueType* type,
                   std::string* value, int64_t* expire_at, SequenceNumber* seq,
                   Table::Finger* finger) const {
  MemTableSeekKey target(key, ts, snapshot);
  Table::Iterator iter(&table_);
  iter.Seek(target.data(), finger);
  return ReadFoundEntry(iter, key, ts, type, value, expire_at, seq);
}

void MemTable::AddRangeDeletion(SequenceNumber seq, std::string_view start,
                                std::string_view end) {
  std::lock_guard<std::mutex> l(range_del_mu_);
  range_dels_.push_back(RangeTombstone{std::string(start), std::string(end), seq});
  range_del_set_.reset();
  arena_.Allocate(start.size() + end.size() + 64);  // charge the flush threshold
  range_del_count_.store(range_dels_.size(), std::memory_order_release);
}

std::shared_ptr<const RangeDelSet> MemTable::RangeDeletions() const {
  if (NumRangeDeletions() == 0) return nullptr;
  std::lock_guard<std::mutex> l(range_del_mu_);
  if (range_del_set_ == nullptr) range_del_set_ = std::make_shared<const RangeDelSet>(range_dels_);
  return range_del_set_;
}

std::vector<RangeTombstone> MemTable::RangeTombstones() const {
  std::lock_guard<std::mutex> l(range_del_mu_);
  return range_dels_;
}

std::unique_ptr<Iterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(&table_);
}

}  // namespace flowdb
