#include "write_set.h"

#include <algorithm>
#include <new>
#include <tuple>

namespace flowdb::doc {

WriteSet::WriteSet() { Reset(); }

void WriteSet::Reset() {
  // The map itself, its nodes, keys and values all live in the arena, and
  // none of them owns anything else: dropping the arena frees them whole,
  // without a walk over the nodes to run their destructors.
  entries_ = nullptr;
  arena_ = std::make_unique<std::pmr::monotonic_buffer_resource>(std::pmr::new_delete_resource());
  entries_ = new (arena_->allocate(sizeof(Map), alignof(Map))) Map(arena_.get());
  DropFingers();
  run_.clear();
  appended_.clear();
  order_.clear();
  appended_sorted_ = true;
}

void WriteSet::DropFingers() {
  for (auto& f : fingers_) f = entries_->end();
}

WriteSet::Map::iterator WriteSet::Seek(std::string_view key, bool* hit) const {
  // The finger of the key's first byte: when `key` falls right after it (a
  // run of increasing keys, such as documents put in key order), two
  // comparisons place it instead of a search from the root.
  if (!key.empty()) {
    const size_t slot = static_cast<unsigned char>(key[0]);
    if (slot < kFingers && fingers_[slot] != entries_->end()) {
      auto f = fingers_[slot];
      const int c = EngineKeyLess::Compare(f->first, key);
      if (c == 0) {
        *hit = true;
        return f;
      }
      if (c < 0) {
        auto next = std::next(f);
        const int d = next == entries_->end() ? 1 : EngineKeyLess::Compare(next->first, key);
        if (d >= 0) {
          *hit = d == 0;
          return next;
        }
      }
    }
  }
  auto it = entries_->lower_bound(key);
  *hit = it != entries_->end() && EngineKeyLess::Compare(it->first, key) == 0;
  return it;
}

void WriteSet::SetFinger(std::string_view key, Map::iterator it) {
  const size_t slot = static_cast<unsigned char>(key[0]);
  if (slot < kFingers) fingers_[slot] = it;
}

size_t WriteSet::Mark() {
  if (recording_ && undo_.empty() && empty()) {
    recording_ = false;
    return kEmptyMark;
  }
  return undo_.size();
}

void WriteSet::SaveEntry(Map::iterator it, std::string_view key) {
  if (!recording_) return;
  if (it == entries_->end()) {
    undo_.push_back({Undo::kEraseEntry, std::string(key), false, {}});
  } else {
    undo_.push_back({Undo::kRestoreEntry, std::string(key), it->second.deleted,
                     std::string(it->second.value)});
  }
}

WriteSet::Entry& WriteSet::Touch(std::string_view key) {
  Materialize();
  bool hit = false;
  auto it = Seek(key, &hit);
  if (hit) {
    SaveEntry(it, key);
    if (!key.empty()) SetFinger(key, it);
    return it->second;
  }
  SaveEntry(entries_->end(), key);
  it = entries_->emplace_hint(it, std::piecewise_construct, std::forward_as_tuple(key),
                              std::forward_as_tuple());
  if (!key.empty()) SetFinger(key, it);
  return it->second;
}

void WriteSet::Restore(std::string_view key, bool deleted, std::string_view value) {
  Entry& e = entries_->try_emplace(std::pmr::string(key, entries_->get_allocator())).first->second;
  e.deleted = deleted;
  e.value.assign(value);
}

void WriteSet::Put(std::string_view key, std::string_view value) {
  Entry& e = Touch(key);
  e.deleted = false;
  e.value.assign(value);
}

void WriteSet::Delete(std::string_view key) {
  Entry& e = Touch(key);
  e.deleted = true;
  e.value.clear();
}

void WriteSet::DeleteRange(const EngineRange& range) {
  Materialize();
  DropFingers();
  auto it = entries_->lower_bound(std::string_view(range.begin));
  while (it != entries_->end() && range.Contains(it->first)) {
    if (recording_) {
      undo_.push_back({Undo::kRestoreEntry, std::string(it->first), it->second.deleted,
                       std::string(it->second.value)});
    }
    it = entries_->erase(it);
  }
  ranges_.push_back(range);
  if (recording_) undo_.push_back({Undo::kPopRange, {}, false, {}});
}

WriteSet::Lookup WriteSet::Find(std::string_view key, std::string* value) const {
  if (empty()) return Lookup::kAbsent;  // every read-only transaction
  Materialize();
  bool hit = false;
  auto it = Seek(key, &hit);
  if (hit) {
    if (it->second.deleted) return Lookup::kDeleted;
    if (value != nullptr) value->assign(it->second.value);
    return Lookup::kValue;
  }
  return RangeDeleted(key) ? Lookup::kDeleted : Lookup::kAbsent;
}

bool WriteSet::RangeDeleted(std::string_view key) const {
  for (const auto& r : ranges_) {
    if (r.Contains(key)) return true;
  }
  return false;
}

void WriteSet::RollbackTo(size_t mark) {
  if (mark == kEmptyMark) {
    Reset();
    ranges_.clear();
    undo_.clear();
    recording_ = true;
    return;
  }
  // Appends happen only in calls whose mark was empty: any appended here
  // belong to earlier calls and stay.
  Materialize();
  while (undo_.size() > mark) {
    Undo& u = undo_.back();
    switch (u.kind) {
      case Undo::kRestoreEntry:
        Restore(u.key, u.deleted, u.value);
        break;
      case Undo::kEraseEntry: {
        DropFingers();
        auto it = entries_->find(std::string_view(u.key));
        if (it != entries_->end()) entries_->erase(it);
        break;
      }
      case Undo::kPopRange:
        ranges_.pop_back();
        break;
    }
    undo_.pop_back();
  }
}

bool WriteSet::CanAppend(std::string_view run_key) const {
  if (recording_ || !entries_->empty() || !ranges_.empty()) return false;
  return run_.empty() || EngineKeyLess::Compare(run_.back().key, run_key) < 0;
}

std::string_view WriteSet::CopyToArena(std::string_view bytes) {
  if (bytes.empty()) return {};
  char* p = static_cast<char*>(arena_->allocate(bytes.size(), 1));
  std::memcpy(p, bytes.data(), bytes.size());
  return {p, bytes.size()};
}

void WriteSet::Append(std::string_view key, std::string_view value, bool deleted) {
  appended_.push_back({CopyToArena(key), deleted ? std::string_view() : CopyToArena(value), deleted});
  appended_sorted_ = false;
}

void WriteSet::AppendRun(std::string_view run_key, std::string_view value) {
  run_.push_back({CopyToArena(run_key), CopyToArena(value), false});
}

namespace {

// Bytes [at, at + 8) of `key` as a big-endian number, zero-padded: keys
// whose numbers differ are in the numbers' order.
uint64_t KeyWord(std::string_view key, size_t at) {
  uint64_t v = 0;
  if (key.size() > at) std::memcpy(&v, key.data() + at, std::min<size_t>(8, key.size() - at));
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

struct SortItem {
  uint64_t word;  // KeyWord of the key at the depth being sorted
  uint32_t pos;   // in the appended writes
  uint32_t size;  // of the key
};

// Sorts [b, e), whose keys share their first 8 * depth bytes, by key and
// then position: by one 8-byte word of the keys at a time, each run of
// equal words then by the next. Integer comparisons on a compact array,
// instead of key comparisons that would first step over the long prefix
// that index entries of one index and key share.
void SortByWords(SortItem* b, SortItem* e, const std::vector<std::string_view>& keys, size_t depth) {
  if (e - b < 2) return;
  const size_t at = depth * 8;
  bool longer = false;  // some key continues past this word
  for (SortItem* p = b; p != e; p++) {
    p->word = KeyWord(keys[p->pos], at);
    longer = longer || p->size > at + 8;
  }
  if (!longer) {
    // The words decide; keys equal to the end differ only in trailing zero
    // bytes (the shorter first) or not at all (the earlier write first).
    std::sort(b, e, [](const SortItem& x, const SortItem& y) {
      if (x.word != y.word) return x.word < y.word;
      if (x.size != y.size) return x.size < y.size;
      return x.pos < y.pos;
    });
    return;
  }
  std::sort(b, e, [](const SortItem& x, const SortItem& y) { return x.word < y.word; });
  for (SortItem* run = b; run != e;) {
    SortItem* next = run + 1;
    while (next != e && next->word == run->word) next++;
    if (next - run > 1) {
      // Keys that end within this word come first (zero padding sorts
      // them low among equal words), in (size, position) order; the rest by
      // their next word.
      SortItem* rest = std::partition(run, next, [at](const SortItem& x) { return x.size <= at + 8; });
      std::sort(run, rest, [](const SortItem& x, const SortItem& y) {
        return x.size != y.size ? x.size < y.size : x.pos < y.pos;
      });
      SortByWords(rest, next, keys, depth + 1);
    }
    run = next;
  }
}

}  // namespace

void WriteSet::SortAppended() const {
  if (appended_sorted_) return;
  std::vector<std::string_view> keys(appended_.size());
  std::vector<SortItem> items(appended_.size());
  for (size_t i = 0; i < appended_.size(); i++) {
    keys[i] = appended_[i].key;
    items[i] = {0, static_cast<uint32_t>(i), static_cast<uint32_t>(keys[i].size())};
  }
  SortByWords(items.data(), items.data() + items.size(), keys, 0);
  order_.resize(items.size());
  for (size_t i = 0; i < items.size(); i++) order_[i] = items[i].pos;
  appended_sorted_ = true;
}

template <typename F>
void WriteSet::ForEachAppended(F&& fn) const {
  SortAppended();
  size_t i = 0, j = 0;
  while (i < run_.size() || j < order_.size()) {
    if (j == order_.size() ||
        (i < run_.size() && EngineKeyLess::Compare(run_[i].key, appended_[order_[j]].key) < 0)) {
      fn(run_[i++]);
    } else {
      fn(appended_[order_[j++]]);
    }
  }
}

void WriteSet::Materialize() const {
  if (run_.empty() && appended_.empty()) return;
  // Every appended key is distinct: the order of these inserts is free.
  auto insert = [this](const Appended& a) {
    Entry& e = entries_->try_emplace(std::pmr::string(a.key, entries_->get_allocator())).first->second;
    e.deleted = a.deleted;
    e.value.assign(a.value);
  };
  for (const Appended& a : run_) insert(a);
  for (const Appended& a : appended_) insert(a);
  run_.clear();
  appended_.clear();
  order_.clear();
  appended_sorted_ = true;
}

void WriteSet::BuildBatch(WriteBatch* batch) const {
  if (!run_.empty() || !appended_.empty()) {
    // Only appended writes (they exclude map entries and ranges), in key
    // order: the memtable inserts a sorted run cheaply.
    size_t bytes = 0;
    for (const auto* list : {&run_, &appended_}) {
      for (const Appended& a : *list) bytes += a.key.size() + a.value.size() + WriteBatch::kMaxEntryOverhead;
    }
    batch->Reserve(bytes);
    ForEachAppended([batch](const Appended& a) {
      if (a.deleted) {
        batch->Delete(a.key, 0);
      } else {
        batch->Put(a.key, 0, a.value);
      }
    });
    return;
  }
  size_t bytes = 0;
  for (const auto& r : ranges_) bytes += r.begin.size() + r.end.size() + 1 + WriteBatch::kMaxEntryOverhead;
  for (const auto& [key, e] : *entries_) bytes += key.size() + e.value.size() + WriteBatch::kMaxEntryOverhead;
  batch->Reserve(bytes);
  for (const auto& r : ranges_) {
    // An unbounded end never occurs for document-store ranges (every range
    // is an id prefix or below one); guard anyway with the largest kind.
    batch->DeleteRange(r.begin, r.end.empty() ? std::string(1, '\xff') : r.end);
  }
  for (const auto& [key, e] : *entries_) {
    if (e.deleted) {
      batch->Delete(key, 0);
    } else {
      batch->Put(key, 0, e.value);
    }
  }
}

WriteSet::WrittenKeys WriteSet::TakeWrittenKeys() {
  // The keys stay in the arena, which now lives as long as they are needed.
  struct Storage {
    std::unique_ptr<std::pmr::monotonic_buffer_resource> arena;
  };
  auto storage = std::make_shared<Storage>();
  WrittenKeys out;
  out.keys.reserve(entries_->size() + run_.size() + appended_.size());
  for (const auto& [key, e] : *entries_) out.keys.emplace_back(key);
  ForEachAppended([&out](const Appended& a) { out.keys.push_back(a.key); });
  entries_ = nullptr;
  storage->arena = std::move(arena_);
  out.ranges = std::move(ranges_);
  out.storage = std::move(storage);
  ranges_.clear();
  undo_.clear();
  recording_ = true;
  Reset();
  return out;
}

OverlayScan::OverlayScan(DB* db, const ReadOptions& options, const WriteSet* writes,
                         EngineRange range, bool reverse, ReadRecorder* recorder,
                         uint64_t* budget)
    : db_(db),
      options_(options),
      writes_(writes),
      range_(std::move(range)),
      reverse_(reverse),
      recorder_(recorder),
      budget_(budget) {}

OverlayScan::~OverlayScan() = default;

void OverlayScan::OpenEngine(std::string_view from, bool inclusive) {
  ScanOptions scan;
  scan.ts_min = 0;
  scan.ts_max = 0;
  scan.reverse = reverse_;
  if (!reverse_) {
    scan.has_lower = true;
    scan.lower.assign(from);
    scan.lower_inclusive = inclusive;
    if (!range_.end.empty()) {
      scan.has_upper = true;
      scan.upper = range_.end;
      scan.upper_inclusive = false;
    }
  } else {
    scan.has_lower = true;
    scan.lower = range_.begin;
    scan.lower_inclusive = true;
    if (!from.empty()) {
      scan.has_upper = true;
      scan.upper.assign(from);
      scan.upper_inclusive = inclusive;
    }
  }
  engine_ = db_->NewScan(options_, scan);
  if (options_.memory_only) engine_->SetMemoryOnly(true);
  engine_valid_ = false;
  engine_done_ = false;
}

bool OverlayScan::EngineNext() {
  if (engine_done_) return false;
  if (budget_ != nullptr) {
    if (*budget_ == 0) {
      engine_done_ = true;
      engine_valid_ = false;
      status_ = Status::WouldBlock("jsondb: the read budget is spent");
      return false;
    }
    --*budget_;
  }
  if (engine_->Next()) {
    engine_key_.assign(engine_->key());
    if (!keys_only_) engine_value_.assign(engine_->value());
    engine_valid_ = true;
    return true;
  }
  engine_done_ = true;
  engine_valid_ = false;
  Status s = engine_->status();
  if (!s.ok()) status_ = std::move(s);
  return false;
}

void OverlayScan::Seek(std::string_view target, bool inclusive) {
  seek_.emplace(target);
  seek_inclusive_ = inclusive;
}

void OverlayScan::Record(bool done) {
  if (recorder_ == nullptr) return;
  if (!reverse_) {
    std::string end;
    if (!done) {
      end = key_;
      end.push_back('\0');
    } else {
      end = range_.end;
    }
    slot_ = recorder_->RecordRange(slot_, range_.begin, end);
  } else {
    slot_ = recorder_->RecordRange(slot_, done ? std::string_view(range_.begin)
                                               : std::string_view(key_),
                                   range_.end);
  }
}

bool OverlayScan::Next() {
  if (!status_.ok()) return false;
  if (started_ && engine_ != nullptr && !seek_.has_value() && !engine_valid_ && writes_->empty()) {
    // Nothing pending to merge (every read-only transaction): the engine
    // cursor, which only moves forward within the range, gives the next
    // record as is.
    if (!EngineNext()) {
      if (!status_.ok()) return false;
      Record(true);
      return false;
    }
    engine_valid_ = false;
    key_.swap(engine_key_);
    value_.swap(engine_value_);
    Record(false);
    return true;
  }
  // The bound this step starts from: a Seek target (inclusive), else just
  // past the last returned key, else the range's start.
  std::string bound;
  bool inclusive = true;
  bool unbounded = false;  // reverse only: no upper bound
  bool reopen = false;
  if (seek_.has_value()) {
    std::string target = std::move(*seek_);
    seek_.reset();
    bool ahead = !started_ || (reverse_ ? target < key_ : target > key_);
    inclusive = seek_inclusive_;
    if (ahead) {
      if (!reverse_ && target < range_.begin) {
        target = range_.begin;
        inclusive = true;
      }
      if (reverse_ && !range_.end.empty() && target >= range_.end) {
        target = range_.end;
        inclusive = false;
      }
      bound = std::move(target);
      reopen = true;
    } else {
      bound = key_;
      inclusive = false;
    }
  } else if (started_) {
    bound = key_;
    inclusive = false;
  } else if (!reverse_) {
    bound = range_.begin;
  } else if (range_.end.empty()) {
    unbounded = true;
  } else {
    bound = range_.end;
    inclusive = false;
  }
  if (engine_ == nullptr) {
    OpenEngine(bound, inclusive);
  } else if (reopen) {
    // Ahead of the position: the engine cursor moves there itself (its
    // Seek is inclusive; an exclusive bound's record is skipped below).
    engine_->Seek(bound);
    engine_valid_ = false;
    engine_done_ = false;
  }

  const auto& entries = writes_->entries();
  auto before_bound = [&](std::string_view k) {
    if (unbounded) return false;
    if (!reverse_) return inclusive ? k < bound : k <= bound;
    return inclusive ? k > bound : k >= bound;
  };
  while (true) {
    if (!engine_valid_ && !EngineNext() && !status_.ok()) return false;
    while (engine_valid_ && before_bound(engine_key_)) {
      engine_valid_ = false;
      if (!EngineNext() && !status_.ok()) return false;
    }
    // The nearest pending write at or past the bound.
    const WriteSet::Map::value_type* pending = nullptr;
    if (!reverse_) {
      auto it = inclusive ? entries.lower_bound(std::string_view(bound))
                          : entries.upper_bound(std::string_view(bound));
      if (it != entries.end() && range_.Contains(it->first)) pending = &*it;
    } else {
      auto it = unbounded ? entries.end()
                          : (inclusive ? entries.upper_bound(std::string_view(bound))
                                       : entries.lower_bound(std::string_view(bound)));
      if (it != entries.begin()) {
        --it;
        if (range_.Contains(it->first)) pending = &*it;
      }
    }
    bool take_pending =
        pending != nullptr &&
        (!engine_valid_ || (!reverse_ ? std::string_view(pending->first) <= engine_key_
                                      : std::string_view(pending->first) >= engine_key_));
    if (take_pending) {
      if (engine_valid_ && std::string_view(pending->first) == engine_key_) engine_valid_ = false;
      if (pending->second.deleted) {
        bound.assign(pending->first);
        inclusive = false;
        unbounded = false;
        continue;
      }
      key_.assign(pending->first);
      value_.assign(pending->second.value);
    } else if (engine_valid_) {
      engine_valid_ = false;
      if (writes_->RangeDeleted(engine_key_)) {
        bound = engine_key_;
        inclusive = false;
        unbounded = false;
        continue;
      }
      key_.swap(engine_key_);
      value_.swap(engine_value_);
    } else {
      Record(true);
      return false;
    }
    started_ = true;
    Record(false);
    return true;
  }
}

}  // namespace flowdb::doc
