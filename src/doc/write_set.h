// WriteSet: a transaction's pending writes at engine-key level (all ts 0),
// with undo marks so that a failed call leaves no trace, and OverlayScan, the
// merge of an engine scan at the transaction's snapshot with those writes
// (read-your-writes for ranges).
//
// Thread safety: neither class is thread-safe; both belong to one
// transaction, which is used by one thread at a time.

#ifndef FLOWDB_DOC_WRITE_SET_H_
#define FLOWDB_DOC_WRITE_SET_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flowdb/db.h"
#include "flowdb/write_batch.h"
#include "util/coding.h"

namespace flowdb::doc {

// A half-open range [begin, end) of engine keys; end empty = unbounded.
struct EngineRange {
  std::string begin;
  std::string end;
  bool Contains(std::string_view key) const {
    return key >= begin && (end.empty() || key < end);
  }
};

// An engine scan over `range`, forward, at ts 0 (every JsonDB record is
// written at ts 0; see doc_format.h).
inline ScanOptions EngineScanOptions(EngineRange range) {
  ScanOptions scan;
  scan.ts_min = scan.ts_max = 0;
  scan.has_lower = true;
  scan.lower = std::move(range.begin);
  scan.has_upper = !range.end.empty();
  scan.upper = std::move(range.end);
  scan.upper_inclusive = false;
  return scan;
}

// Byte order of engine keys (memcmp order; CompareBytes, inline: a write
// set's keys are short and share their first bytes, so comparing 8 bytes at
// a time in place beats a call to memcmp per step of a search).
struct EngineKeyLess {
  using is_transparent = void;
  static int Compare(std::string_view a, std::string_view b) { return CompareBytes(a, b); }
  bool operator()(std::string_view a, std::string_view b) const { return Compare(a, b) < 0; }
};

class WriteSet {
 public:
  enum class Lookup { kAbsent, kValue, kDeleted };

  // A pending write: a value, or a delete. Its bytes live in the set's arena.
  struct Entry {
    using allocator_type = std::pmr::polymorphic_allocator<char>;
    explicit Entry(const allocator_type& a) : value(a) {}
    Entry(const Entry& o, const allocator_type& a) : deleted(o.deleted), value(o.value, a) {}
    Entry(Entry&& o, const allocator_type& a) : deleted(o.deleted), value(std::move(o.value), a) {}
    bool deleted = false;
    std::pmr::string value;
  };
  // Pending writes by engine key. Keys, values and map nodes are carved from
  // one arena per transaction (freed whole when the set is taken or
  // destroyed): a bulk write allocates no memory per entry.
  using Map = std::pmr::map<std::pmr::string, Entry, EngineKeyLess>;

  // The keys a committed write set changed, and what keeps them alive.
  struct WrittenKeys {
    std::vector<std::string_view> keys;  // sorted
    std::vector<EngineRange> ranges;
    std::shared_ptr<const void> storage;
  };

  WriteSet();
  WriteSet(const WriteSet&) = delete;
  WriteSet& operator=(const WriteSet&) = delete;

  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  // Deletes every key in `range`, pending or committed, as of now.
  void DeleteRange(const EngineRange& range);

  // The pending state of `key`: kValue (then *value, may be null, receives
  // it), kDeleted (a pending delete or range delete hides it), or kAbsent
  // (the snapshot decides).
  Lookup Find(std::string_view key, std::string* value) const;
  // True iff a pending range delete covers `key` (the snapshot's record is
  // hidden unless a later pending write replaced it).
  bool RangeDeleted(std::string_view key) const;

  bool empty() const { return entries_->empty() && ranges_.empty() && run_.empty() && appended_.empty(); }

  // Appended writes: a call that starts on an empty set (see Mark) and
  // puts documents in increasing key order knows that none of its keys is
  // pending, so its writes are kept in arrival order instead of the sorted
  // map, and sorted once when the batch is built. Whatever else needs the
  // pending writes (Find, Put, a scan's entries(), ...) first moves them
  // into the map, so they behave as Put and Delete would have.
  //
  // True when writes of run key `run_key` may be appended: the set holds
  // nothing but appended writes, the current call's mark was taken on an
  // empty set, and `run_key` is above every run key appended so far (so it
  // is not pending, nor is any key derived from it, such as an index entry
  // ending with the document's primary key).
  bool CanAppend(std::string_view run_key) const;
  // Appends a write (a delete when `deleted`) of `key`, which must not be
  // pending nor appended, nor ever be a run key. REQUIRES: CanAppend(r)
  // held for the run key r it belongs to, and nothing but appends since.
  void Append(std::string_view key, std::string_view value, bool deleted);
  // Append for the run key itself, which becomes the one later run keys
  // must exceed.
  void AppendRun(std::string_view run_key, std::string_view value);

  // Undo: Mark() returns a position; RollbackTo(mark) reverts every change
  // made after it. A mark taken while the set is empty (the first call of a
  // transaction, every call of a one-call transaction) records nothing:
  // rolling back to it empties the set, so bulk writes pay no undo log.
  // One mark at a time: ClearUndo (or RollbackTo) ends it.
  size_t Mark();
  void RollbackTo(size_t mark);
  // Forgets the undo log (a call succeeded: its changes stay).
  void ClearUndo() {
    undo_.clear();
    recording_ = true;
  }

  // The batch that applies the writes: range deletes first, then the point
  // writes (later in the batch wins, so writes made after a range delete
  // survive it).
  void BuildBatch(WriteBatch* batch) const;
  // Moves the written keys (sorted) and ranges out, for the commit log,
  // with the arena that holds them; leaves the set empty.
  WrittenKeys TakeWrittenKeys();

  const Map& entries() const {
    Materialize();
    return *entries_;
  }

 private:
  // An appended write; its bytes live in the arena.
  struct Appended {
    std::string_view key;
    std::string_view value;
    bool deleted;
  };
  // Moves the appended writes into the map (no undo: they belong to calls
  // that are over, or to the current one, whose mark was empty). Logically
  // const: the pending writes stay the same.
  void Materialize() const;
  // Sorts the appended writes that are not run keys by key, once.
  void SortAppended() const;
  // Calls fn(const Appended&) for every appended write in key order.
  template <typename F>
  void ForEachAppended(F&& fn) const;
  std::string_view CopyToArena(std::string_view bytes);
  struct Undo {
    enum Kind { kRestoreEntry, kEraseEntry, kPopRange } kind;
    std::string key;
    bool deleted = false;
    std::string value;
  };
  // Records how to undo a change of the entry at `it` (entries_.end(): `key`
  // is about to be inserted).
  void SaveEntry(Map::iterator it, std::string_view key);
  // The entry of `key`, created empty if absent, its old state saved.
  Entry& Touch(std::string_view key);
  // Sets `key` to `deleted`/`value` (undo replay).
  void Restore(std::string_view key, bool deleted, std::string_view value);
  // A fresh arena and an empty map on it.
  void Reset();
  // The entry of `key` (*hit) or the first entry after it (the place to
  // insert it), starting from the finger of the key's first byte when that
  // lies just before it.
  Map::iterator Seek(std::string_view key, bool* hit) const;
  // Makes `it` (the entry of `key`, non-empty) its first byte's finger.
  void SetFinger(std::string_view key, Map::iterator it);
  // Forgets every finger (an entry was erased).
  void DropFingers();

  static constexpr size_t kEmptyMark = static_cast<size_t>(-1);

  std::unique_ptr<std::pmr::monotonic_buffer_resource> arena_;
  // Never null; the map is built in arena_ (Reset) and never destroyed: the
  // arena's release frees it.
  Map* entries_ = nullptr;
  // Per first key byte (the record kind, doc_format.h): the entry last
  // touched with it, or entries_->end(). Map iterators survive inserts;
  // every erase drops them.
  static constexpr size_t kFingers = 8;
  Map::iterator fingers_[kFingers];
  std::vector<EngineRange> ranges_;
  std::vector<Undo> undo_;
  bool recording_ = true;  // false after an empty-set mark, until ClearUndo
  // Appended writes (none while entries_ or ranges_ holds any): the run
  // keys' (in key order by construction), the others' in arrival order,
  // and once sorted (SortAppended) their key order as positions.
  mutable std::vector<Appended> run_;
  mutable std::vector<Appended> appended_;
  mutable std::vector<uint32_t> order_;
  mutable bool appended_sorted_ = true;
};

// Called by a scan with the part of its range it has covered so far.
class ReadRecorder {
 public:
  virtual ~ReadRecorder() = default;
  // Covered [begin, end) (end empty = unbounded) replaces what slot `slot`
  // held. Returns the slot to use next time.
  virtual size_t RecordRange(size_t slot, std::string_view begin, std::string_view end) = 0;
  static constexpr size_t kNewSlot = static_cast<size_t>(-1);
};

// The records of the snapshot merged with a WriteSet over one engine range,
// forward or backward. The WriteSet may change between steps: the scan
// re-finds its place in it by key, and sees pending writes made ahead of its
// position.
class OverlayScan {
 public:
  // `recorder` may be null (read-only transactions record nothing).
  // `budget`, when not null, counts down per engine record stepped over;
  // at 0 the scan fails with Status::WouldBlock.
  OverlayScan(DB* db, const ReadOptions& options, const WriteSet* writes, EngineRange range,
              bool reverse, ReadRecorder* recorder, uint64_t* budget = nullptr);
  ~OverlayScan();

  // Moves to the next record; false at the end or on error (status()).
  bool Next();
  // Keys only: value() is empty for records read from the engine (counts
  // copy no documents). Set before the first Next().
  void SetKeysOnly(bool on) { keys_only_ = on; }
  // Continues from `target` (forward: first key >= target, or > when not
  // inclusive; reverse: last key <= / <). Never moves back behind the
  // current position.
  void Seek(std::string_view target, bool inclusive = true);
  // True once Next() returned a record.
  bool started() const { return started_; }
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  Status status() const { return status_; }

 private:
  void OpenEngine(std::string_view from, bool inclusive);
  bool EngineNext();
  void Record(bool done);

  DB* db_;
  ReadOptions options_;
  const WriteSet* writes_;
  EngineRange range_;
  bool reverse_;
  ReadRecorder* recorder_;
  uint64_t* budget_;
  size_t slot_ = ReadRecorder::kNewSlot;

  std::unique_ptr<ScanCursor> engine_;
  bool keys_only_ = false;
  bool engine_valid_ = false;  // engine_key_/engine_value_ hold a record
  bool engine_done_ = false;
  std::string engine_key_, engine_value_;

  bool started_ = false;  // key_ holds the last returned key
  std::string key_, value_;
  std::optional<std::string> seek_;  // pending Seek target
  bool seek_inclusive_ = true;
  Status status_;
};

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_WRITE_SET_H_
