#include "table/block.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>

#include "db/dbformat.h"
#include "util/coding.h"

namespace flowdb {

namespace {
// Defined below with the other entry decoding.
Status CheckEntryBoundaries(const char* data, uint32_t restarts, uint32_t num_restarts);
}  // namespace

Status Block::Open(std::string contents, std::unique_ptr<Block>* block) {
  block->reset();
  const size_t size = contents.size();
  if (size < 4 || size > std::numeric_limits<uint32_t>::max()) {
    return Status::Corruption("block of bad size " + std::to_string(size));
  }
  const uint32_t num_restarts = DecodeFixed32(contents.data() + size - 4);
  if (num_restarts == 0 || num_restarts > (size - 4) / 4) {
    return Status::Corruption("block with bad restart count " + std::to_string(num_restarts));
  }
  const uint32_t restarts_offset = static_cast<uint32_t>(size - 4 - 4 * size_t{num_restarts});
  // Restart points must start at 0 and increase strictly inside the entries;
  // an empty block has the single restart point 0.
  const char* restarts = contents.data() + restarts_offset;
  uint32_t prev = 0;
  for (uint32_t i = 0; i < num_restarts; i++) {
    const uint32_t r = DecodeFixed32(restarts + 4 * i);
    const bool ok = (i == 0) ? r == 0 : (r > prev && r < restarts_offset);
    if (!ok) {
      return Status::Corruption("block with bad restart point " + std::to_string(i));
    }
    prev = r;
  }
  if (restarts_offset == 0 && num_restarts != 1) {
    return Status::Corruption("empty block with several restart points");
  }
  FLOWDB_RETURN_IF_ERROR(CheckEntryBoundaries(contents.data(), restarts_offset, num_restarts));
  block->reset(new Block(std::move(contents), restarts_offset, num_restarts));
  return Status::OK();
}

namespace {

uint32_t RestartPoint(const char* data, uint32_t restarts, uint32_t i) {
  return DecodeFixed32(data + restarts + 4 * i);
}

Status BadEntry(uint32_t offset, const char* what) {
  return Status::Corruption("bad block entry at offset " + std::to_string(offset), what);
}

// Decodes the header of the entry at data + offset in a block whose entries
// end at data + restarts. On success returns null, *p points at the key
// bytes and the key and value lengths fit inside the entries; otherwise
// returns what is wrong.
inline const char* DecodeHeader(const char* data, uint32_t restarts, uint32_t offset,
                                const char** p, uint32_t* shared, uint32_t* non_shared,
                                uint32_t* value_len) {
  const char* limit = data + restarts;
  const char* q = data + offset;
  if ((q = GetVarint32Ptr(q, limit, shared)) == nullptr ||
      (q = GetVarint32Ptr(q, limit, non_shared)) == nullptr ||
      (q = GetVarint32Ptr(q, limit, value_len)) == nullptr) {
    return "truncated entry header";
  }
  if (uint64_t{*non_shared} + *value_len > static_cast<uint64_t>(limit - q)) {
    return "entry overruns the block";
  }
  *p = q;
  return nullptr;
}

// Walks the entry headers of a block whose restart array (increasing, inside
// the entries) starts at `restarts`, and checks that every restart point is
// where an entry starts. A restart point inside an entry would make walks
// from it (backward reads, seeks) see other entries than a forward walk.
// Also rejects a header that does not decode or overruns the entries, since
// the walk cannot go past it.
Status CheckEntryBoundaries(const char* data, uint32_t restarts, uint32_t num_restarts) {
  // Runs on every block read from a file: the common entry, whose three
  // lengths fit one varint byte each, takes a short path.
  uint32_t next_restart = 1;  // restart point 0 is offset 0
  uint32_t next_restart_offset =
      num_restarts > 1 ? DecodeFixed32(data + restarts + 4) : std::numeric_limits<uint32_t>::max();
  uint32_t offset = 0;
  while (offset < restarts) {
    const auto* q = reinterpret_cast<const uint8_t*>(data + offset);
    uint64_t end;
    if (restarts - offset >= 3 && (q[0] | q[1] | q[2]) < 128) {
      end = uint64_t{offset} + 3 + q[1] + q[2];
    } else {
      const char* p;
      uint32_t shared, non_shared, value_len;
      const char* problem = DecodeHeader(data, restarts, offset, &p, &shared, &non_shared, &value_len);
      if (problem != nullptr) return BadEntry(offset, problem);
      end = static_cast<uint64_t>(p - data) + non_shared + value_len;
    }
    if (end > restarts) return BadEntry(offset, "entry overruns the block");
    offset = static_cast<uint32_t>(end);
    // Restart points increase strictly, so at most one lies at or before the
    // next entry, and it must be that entry.
    if (offset >= next_restart_offset) {
      if (offset != next_restart_offset) {
        return Status::Corruption("block with restart point " + std::to_string(next_restart) +
                                  " inside an entry");
      }
      next_restart++;
      next_restart_offset = next_restart < num_restarts
                                ? DecodeFixed32(data + restarts + 4 * size_t{next_restart})
                                : std::numeric_limits<uint32_t>::max();
    }
  }
  return Status::OK();
}

// The key of the entry at restart point i, whose prefix is never shared.
Status KeyAtRestartPoint(const char* data, uint32_t restarts, uint32_t i, std::string_view* key) {
  const uint32_t offset = RestartPoint(data, restarts, i);
  const char* p;
  uint32_t shared, non_shared, value_len;
  const char* problem = DecodeHeader(data, restarts, offset, &p, &shared, &non_shared, &value_len);
  if (problem != nullptr) return BadEntry(offset, problem);
  if (shared != 0 || non_shared < kInternalKeySuffix) {
    return BadEntry(offset, "bad key at restart point");
  }
  *key = std::string_view(p, non_shared);
  return Status::OK();
}

// Requests the cache lines of data[from, to): a walk from one restart point to
// the next reads every entry header in between, and asking for all of them
// first lets those misses overlap instead of coming one entry at a time.
// Prefetches never fault, so a corrupt bound costs time, not safety.
void PrefetchRange(const char* data, uint32_t from, uint32_t to) {
  for (uint32_t line = from & ~63u; line < to; line += 64) __builtin_prefetch(data + line);
}

// Blocks with at most this many restart points have all their restart keys
// prefetched before the binary search (16 KiB blocks of ~150-byte entries at
// interval 16 have 7).
constexpr uint32_t kPrefetchRestarts = 16;

// Sets *index to the last restart point whose key is < target, or 0: the
// first entry ≥ target lies between it and the next restart point's entry.
Status FindRestartPoint(const char* data, uint32_t restarts, uint32_t num_restarts,
                        std::string_view target, uint32_t* index) {
  uint32_t left = 0;
  uint32_t right = num_restarts - 1;
  // A small block's restart keys are few: request them all at once, so the
  // search's dependent probes find them in cache. (A restart point's offset
  // is checked before use; a bad one only makes the prefetch useless.)
  if (num_restarts <= kPrefetchRestarts) {
    for (uint32_t i = 1; i < num_restarts; i++) {
      const uint32_t offset = RestartPoint(data, restarts, i);
      if (offset < restarts) __builtin_prefetch(data + offset);
    }
  }
  while (left < right) {
    const uint32_t mid = left + (right - left + 1) / 2;
    std::string_view mid_key;
    FLOWDB_RETURN_IF_ERROR(KeyAtRestartPoint(data, restarts, mid, &mid_key));
    if (InternalKeyComparator::Compare(mid_key, target) < 0) {
      left = mid;
    } else {
      right = mid - 1;
    }
  }
  *index = left;
  return Status::OK();
}

// The current key of a block iterator. Keys up to kInline bytes (the usual
// internal key is a short user key plus 16 bytes) stay inside the object, so
// positioning a fresh iterator, as every point read does, allocates nothing.
class KeyBuffer {
 public:
  KeyBuffer() = default;
  KeyBuffer(const KeyBuffer&) = delete;
  KeyBuffer& operator=(const KeyBuffer&) = delete;

  size_t size() const { return size_; }
  std::string_view view() const { return {data_, size_}; }
  void clear() { size_ = 0; }
  // Keeps the first n bytes. REQUIRES: n <= size().
  void Truncate(size_t n) { size_ = n; }
  void Append(const char* p, size_t n) {
    if (size_ + n > capacity_) Grow(size_ + n);
    std::memcpy(data_ + size_, p, n);
    size_ += n;
  }

 private:
  static constexpr size_t kInline = 64;

  void Grow(size_t need) {
    const size_t capacity = std::max(need, 2 * capacity_);
    auto bigger = std::make_unique<char[]>(capacity);
    std::memcpy(bigger.get(), data_, size_);
    heap_ = std::move(bigger);
    data_ = heap_.get();
    capacity_ = capacity;
  }

  char inline_[kInline];
  char* data_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = kInline;
  std::unique_ptr<char[]> heap_;
};

// Walks the entries of a block. Invalid iff current_ == restarts_.
class BlockIterator final : public Iterator {
 public:
  BlockIterator(const char* data, uint32_t restarts, uint32_t num_restarts)
      : data_(data),
        restarts_(restarts),
        num_restarts_(num_restarts),
        current_(restarts),
        next_(restarts),
        restart_index_(num_restarts) {}

  bool Valid() const override { return current_ < restarts_; }

  void SeekToFirst() override {
    status_ = Status::OK();
    SeekToRestartPoint(0);
    ParseNextEntry();
  }

  void SeekToLast() override {
    status_ = Status::OK();
    SeekToRestartPoint(num_restarts_ - 1);
    walked_end_ = 0;
    while (ParseNextEntry()) {
      Record();
      if (next_ >= restarts_) break;
    }
  }

  void Seek(std::string_view target) override {
    if (!SeekToRestartBefore(target)) return;
    while (ParseNextEntry() && InternalKeyComparator::Compare(key_.view(), target) < 0) {
    }
  }

  // The walk is Seek's, except that it goes one entry past target's
  // position only to step back to the entry before, which it remembers.
  void SeekForPrev(std::string_view target) override {
    if (!SeekToRestartBefore(target)) return;
    walked_end_ = 0;
    while (ParseNextEntry()) {
      Record();
      if (InternalKeyComparator::Compare(key_.view(), target) > 0) {
        // The walk's restart point has a key < target unless it is point
        // 0: only then can the first entry walked be past target, and no
        // entry of the block is ≤ target.
        if (walked_end_ == 1) {
          MarkInvalid();
        } else if (!StepBackInWalk()) {
          Prev();
        }
        return;
      }
      if (next_ >= restarts_) return;  // the last entry is ≤ target
    }
  }

  void Next() override { ParseNextEntry(); }

  void Prev() override {
    if (StepBackInWalk()) return;
    const uint32_t original = current_;
    while (RestartPoint(restart_index_) >= original) {
      if (restart_index_ == 0) {  // original was the first entry
        MarkInvalid();
        return;
      }
      restart_index_--;
    }
    SeekToRestartPoint(restart_index_);
    PrefetchRange(data_, next_, original);
    walked_end_ = 0;
    while (ParseNextEntry()) {
      Record();
      if (next_ >= original) break;
    }
  }

  std::string_view key() const override { return key_.view(); }
  std::string_view value() const override { return value_; }
  Status status() const override { return status_; }

 private:
  uint32_t RestartPoint(uint32_t i) const { return flowdb::RestartPoint(data_, restarts_, i); }

  // Leaves the iterator so that ParseNextEntry() reads the last restart
  // point whose key is < target (or restart point 0), with the interval after
  // it prefetched. On a bad target or a corrupt block records the error and
  // returns false (invalid).
  bool SeekToRestartBefore(std::string_view target) {
    status_ = Status::OK();
    if (target.size() < kInternalKeySuffix) {
      MarkInvalid();
      status_ = Status::InvalidArgument("seek target is not an internal key");
      return false;
    }
    uint32_t i;
    Status s = FindRestartPoint(data_, restarts_, num_restarts_, target, &i);
    if (!s.ok()) {
      MarkInvalid();
      status_ = std::move(s);
      return false;
    }
    SeekToRestartPoint(i);
    PrefetchRange(data_, next_,
                  i + 1 < num_restarts_ ? std::min(RestartPoint(i + 1) + 1, restarts_) : restarts_);
    return true;
  }

  // Leaves the iterator so that ParseNextEntry() reads restart point i.
  void SeekToRestartPoint(uint32_t i) {
    key_.clear();
    restart_index_ = i;
    next_ = RestartPoint(i);
  }

  // Notes the entry just parsed as the newest of the current walk.
  void Record() {
    Walked& w = walked_[walked_end_ % kWalked];
    w.offset = current_;
    w.restart = restart_index_;
    const std::string_view k = key_.view();
    if (k.size() <= sizeof(w.key)) {
      std::memcpy(w.key, k.data(), k.size());
      w.key_size = static_cast<uint32_t>(k.size());
    } else {
      w.key_size = kKeyNotKept;
    }
    walked_cur_ = walked_end_++;
  }

  // Moves to the entry before the current one if the last walk passed it
  // and kept its key. Returns false (nothing changed) otherwise.
  bool StepBackInWalk() {
    const uint32_t cur = walked_cur_;
    if (!Valid() || cur >= walked_end_ || cur == 0 || cur - 1 + kWalked < walked_end_ ||
        walked_[cur % kWalked].offset != current_) {
      return false;
    }
    const Walked& w = walked_[(cur - 1) % kWalked];
    if (w.key_size == kKeyNotKept) return false;
    const char* p;
    uint32_t shared, non_shared, value_len;
    const char* problem = DecodeHeader(data_, restarts_, w.offset, &p, &shared, &non_shared, &value_len);
    if (problem != nullptr) {  // it decoded when walked: not reachable
      Corrupt(w.offset, problem);
      return true;
    }
    current_ = w.offset;
    restart_index_ = w.restart;
    key_.clear();
    key_.Append(w.key, w.key_size);
    value_ = std::string_view(p + non_shared, value_len);
    next_ = static_cast<uint32_t>(p + non_shared + value_len - data_);
    walked_cur_ = cur - 1;
    return true;
  }

  void MarkInvalid() {
    current_ = next_ = restarts_;
    restart_index_ = num_restarts_;
    key_.clear();
    value_ = {};
  }

  void Corrupt(uint32_t offset, const char* what) {
    MarkInvalid();
    status_ = BadEntry(offset, what);
  }

  // Moves to the entry at next_. Returns false (invalid) at the end of the
  // block or on corruption.
  bool ParseNextEntry() {
    current_ = next_;
    if (current_ >= restarts_) {
      MarkInvalid();
      return false;
    }
    const char* p;
    uint32_t shared, non_shared, value_len;
    const char* problem =
        DecodeHeader(data_, restarts_, current_, &p, &shared, &non_shared, &value_len);
    if (problem != nullptr) {
      Corrupt(current_, problem);
      return false;
    }
    while (restart_index_ + 1 < num_restarts_ && RestartPoint(restart_index_ + 1) <= current_) {
      restart_index_++;
    }
    if (shared > key_.size() || (shared != 0 && RestartPoint(restart_index_) == current_)) {
      Corrupt(current_, "bad shared key prefix");
      return false;
    }
    if (uint64_t{shared} + non_shared < kInternalKeySuffix) {
      Corrupt(current_, "key shorter than an internal key");
      return false;
    }
    key_.Truncate(shared);
    key_.Append(p, non_shared);
    value_ = std::string_view(p + non_shared, value_len);
    next_ = static_cast<uint32_t>(p + non_shared + value_len - data_);
    return true;
  }

  const char* const data_;
  const uint32_t restarts_;      // offset of the restart array
  const uint32_t num_restarts_;  // ≥ 1
  uint32_t current_;             // offset of the current entry
  uint32_t next_;                // offset of the entry after it
  uint32_t restart_index_;       // restart point at or before current_
  KeyBuffer key_;
  std::string_view value_;
  Status status_;

  // The last kWalked entries of the latest backward walk (SeekForPrev, Prev,
  // SeekToLast), consecutive in the block, in a ring indexed by walk
  // position: a Prev right after a walk steps back through them without
  // walking again. A latest-version read needs two (the entry found and the
  // one before it, which shows where the record's versions end); a reverse
  // scan walks a restart interval once every kWalked - 1 steps instead of
  // every step.
  static constexpr uint32_t kWalked = 4;
  static constexpr uint32_t kKeyNotKept = ~uint32_t{0};
  struct Walked {
    uint32_t offset;    // of the entry
    uint32_t restart;   // restart point at or before it
    uint32_t key_size;  // kKeyNotKept if the key did not fit in `key`
    char key[64];
  };
  Walked walked_[kWalked];
  uint32_t walked_end_ = 0;  // entries walked so far (0: no walk to use)
  uint32_t walked_cur_ = 0;  // walk position of the current entry
};

}  // namespace

std::unique_ptr<Iterator> Block::NewIterator() const {
  return std::make_unique<BlockIterator>(contents_.data(), restarts_offset_, num_restarts_);
}

Status Block::Get(std::string_view target, bool* found, uint64_t* tag,
                  std::string_view* value) const {
  *found = false;
  if (target.size() < kInternalKeySuffix) {
    return Status::InvalidArgument("lookup target is not an internal key");
  }
  const char* data = contents_.data();
  uint32_t restart;
  FLOWDB_RETURN_IF_ERROR(FindRestartPoint(data, restarts_offset_, num_restarts_, target, &restart));
  // The first entry ≥ target lies between that restart point and the next
  // one's entry, inclusive. If it has target's record id (user key | ts),
  // it is the first entry there with that record id and a tag ≤ target's
  // (tags sort descending); if not, no entry has both. So the walk tests
  // each key for exactly that, which needs only the key's common prefix with
  // target and its last 8 bytes: prefix-compressed keys are never rebuilt.
  const uint32_t next_restart = restart + 1 < num_restarts_
                                    ? RestartPoint(data, restarts_offset_, restart + 1)
                                    : restarts_offset_;
  const size_t n = target.size();
  const size_t id_len = n - 8;  // user key | ts
  const uint64_t target_tag = ExtractTag(target);
  size_t key_len = 0;  // of the current entry's key
  size_t matched = 0;  // bytes the current key shares with target (≤ n)
  char tail[8] = {};   // the current key's bytes at [id_len, n), those it has
  uint32_t offset = RestartPoint(data, restarts_offset_, restart);
  PrefetchRange(data, offset, std::min(next_restart + 1, restarts_offset_));
  while (offset <= next_restart && offset < restarts_offset_) {
    const char* p;
    uint32_t shared, non_shared, value_len;
    const char* problem =
        DecodeHeader(data, restarts_offset_, offset, &p, &shared, &non_shared, &value_len);
    if (problem != nullptr) return BadEntry(offset, problem);
    if (shared > key_len || (shared != 0 && offset == next_restart)) {
      return BadEntry(offset, "bad shared key prefix");
    }
    const size_t len = size_t{shared} + non_shared;
    if (len < kInternalKeySuffix) return BadEntry(offset, "key shorter than an internal key");
    // The key is the previous key's first `shared` bytes, then p[0, non_shared).
    if (shared <= matched) {
      matched = shared;
      while (matched < n && matched < len && p[matched - shared] == target[matched]) matched++;
    }
    key_len = len;
    // Only a key starting with target's record id can match, and only such
    // a key passes tail bytes on (a key sharing more than id_len bytes with
    // it starts the same way), so other keys skip the tail.
    if (matched >= id_len) {
      for (size_t i = std::max<size_t>(shared, id_len); i < std::min(len, n); i++) {
        tail[i - id_len] = p[i - shared];
      }
      if (len == n) {  // same user key and ts
        const uint64_t t = DecodeFixed64(tail);
        if (t <= target_tag) {  // tags sort descending: key ≥ target
          *found = true;
          *tag = t;
          *value = std::string_view(p + non_shared, value_len);
          return Status::OK();
        }
      }
    }
    offset = static_cast<uint32_t>(p + non_shared + value_len - data);
  }
  return Status::OK();
}

}  // namespace flowdb
