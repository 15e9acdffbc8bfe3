// DBImpl::MultiGet: many point reads at one view, sharing the per-read work.
//
// The lookups are taken in (key, ts) order, each distinct one once. Every
// memtable (active, then frozen newest first) is searched with one skiplist
// finger for the whole run, so a key close to the previous one costs a few
// comparisons; the keys it does not answer go on to the SSTables, each
// visited once (files in Get's order, newest max_seq first) with the keys
// that may still find a newer entry there, its reader pinned once and a data
// block reused while consecutive keys fall into it. The answer for every
// key is the one DBImpl::Get gives at the same sequence number.

#include <algorithm>
#include <numeric>

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/table_cache.h"
#include "db/version_set.h"
#include "table/table.h"

namespace flowdb {

namespace {

// Where one distinct (key, ts) stands.
struct KeyState {
  uint32_t index;  // its first position in the lookups
  bool done = false;   // settled: by a memtable, an error, or no newer file left
  bool found = false;  // an SSTable holds an entry for it (type, seq, expire_at)
  ValueType type = kTypeDeletion;
  SequenceNumber seq = 0;
  int64_t expire_at = kNoExpiry;
  uint32_t target_begin = 0, target_end = 0;  // its SeekKey in `targets`
};

}  // namespace

Status DBImpl::MultiGet(const ReadOptions& options, std::span<const PointLookup> lookups,
                        std::vector<std::string>* values, std::vector<Status>* statuses,
                        std::vector<int64_t>* expire_ats) {
  if (closed_) return Status::Closed();
  SequenceNumber snapshot;
  std::shared_ptr<const ReadState> rs = GetReadState(&snapshot);
  if (options.snapshot != nullptr) FLOWDB_RETURN_IF_ERROR(ReadSequence(options, &snapshot));
  const size_t n = lookups.size();
  values->resize(n);
  for (std::string& v : *values) v.clear();
  statuses->assign(n, Status::OK());
  if (expire_ats != nullptr) expire_ats->assign(n, kNoExpiry);
  if (n == 0) return Status::OK();
  const int64_t now = env_->NowMicros();
  gets_.fetch_add(n, std::memory_order_relaxed);

  // Per-thread scratch, reused: a query calls this once per batch.
  thread_local std::vector<uint32_t> order;
  thread_local std::vector<KeyState> keys;
  thread_local std::vector<std::pair<uint32_t, uint32_t>> dups;
  thread_local std::string targets;
  // The lookups in (key, ts) order; callers often pass them sorted.
  order.resize(n);
  std::iota(order.begin(), order.end(), 0u);
  auto less = [&lookups](uint32_t a, uint32_t b) {
    const int c = lookups[a].key.compare(lookups[b].key);
    return c < 0 || (c == 0 && lookups[a].ts < lookups[b].ts);
  };
  if (!std::is_sorted(order.begin(), order.end(), less)) {
    std::sort(order.begin(), order.end(), less);
  }
  keys.clear();
  // (repeated lookup, the position of its first occurrence)
  dups.clear();
  for (uint32_t i : order) {
    const PointLookup& l = lookups[i];
    if (!keys.empty()) {
      const PointLookup& prev = lookups[keys.back().index];
      if (prev.key == l.key && prev.ts == l.ts) {
        dups.emplace_back(i, keys.back().index);
        continue;
      }
    }
    keys.push_back(KeyState{i});
  }

  std::shared_ptr<const RangeDelView> range_dels;
  bool range_dels_loaded = false;
  // Settles key k from its newest entry (type t, expiry e, sequence seq),
  // whose value is already in (*values)[k.index].
  auto finish = [&](KeyState& k, ValueType t, int64_t e, SequenceNumber seq) {
    k.done = true;
    std::string& value = (*values)[k.index];
    bool live = t != kTypeDeletion && e > now;
    if (live) {
      if (!range_dels_loaded) {
        range_dels = RangeDels(*rs);
        range_dels_loaded = true;
      }
      if (range_dels != nullptr && range_dels->Covers(lookups[k.index].key, seq, snapshot)) {
        live = false;
      }
    }
    if (!live) {
      value.clear();
      (*statuses)[k.index] = Status::NotFound("");
      return;
    }
    if (expire_ats != nullptr) (*expire_ats)[k.index] = e;
  };

  // Memtables: newest first; a key found in one is settled there.
  size_t pending = keys.size();
  auto search_memtable = [&](const MemTable& mem) {
    MemTable::Table::Finger finger;
    for (KeyState& k : keys) {
      if (k.done) continue;
      const PointLookup& l = lookups[k.index];
      ValueType type;
      int64_t exp = kNoExpiry;
      SequenceNumber seq = 0;
      if (mem.Get(l.key, l.ts, snapshot, &type, &(*values)[k.index], &exp, &seq, &finger)) {
        finish(k, type, exp, seq);
        pending--;
      }
    }
  };
  search_memtable(*rs->mem);
  for (const auto& m : rs->imm) {
    if (pending == 0) break;
    search_memtable(*m);
  }
  if (pending == 0) {
    for (const auto& [dup, first] : dups) {
      (*values)[dup] = (*values)[first];
      (*statuses)[dup] = (*statuses)[first];
      if (expire_ats != nullptr) (*expire_ats)[dup] = (*expire_ats)[first];
    }
    return Status::OK();
  }

  // SSTables. Each remaining key's SeekKey(key, ts, snapshot), end to end.
  targets.clear();
  for (KeyState& k : keys) {
    if (k.done) continue;
    k.target_begin = static_cast<uint32_t>(targets.size());
    AppendInternalKey(&targets, lookups[k.index].key, lookups[k.index].ts, snapshot,
                      kTypeValueExpiring);
    k.target_end = static_cast<uint32_t>(targets.size());
  }
  uint64_t bloom_useful = 0, probes = 0;
  for (const auto& f : rs->version->files()) {
    if (pending == 0) break;
    if (f->min_seq > snapshot) continue;
    std::shared_ptr<Table> table;
    Status open_status;
    TableGetHint hint;
    for (KeyState& k : keys) {
      if (k.done) continue;
      // Files come newest max_seq first: none after this one can hold an
      // entry newer than the one found.
      if (k.found && f->max_seq <= k.seq) {
        k.done = true;
        pending--;
        continue;
      }
      const int64_t ts = lookups[k.index].ts;
      if (ts < f->min_ts || ts > f->max_ts) continue;
      std::string_view target(targets.data() + k.target_begin, k.target_end - k.target_begin);
      if (InternalKeyComparator::Compare(target, f->largest) > 0) continue;
      if (CompareRecordId(ExtractRecordId(target), ExtractRecordId(f->smallest)) < 0) continue;
      Status s;
      if (table == nullptr && open_status.ok()) {
        open_status = table_cache_->Get(*f, options.memory_only, &table);
      }
      TableGetResult entry;
      if (!open_status.ok()) {
        s = open_status;
      } else {
        s = table->Get(options, target, &entry, &hint);
        if (!s.ok() && s.IsCorruption()) {
          s = Status::Corruption(TableFileName(dbname_, f->number), s.message());
        }
      }
      if (!s.ok()) {
        (*statuses)[k.index] = std::move(s);
        (*values)[k.index].clear();
        k.done = true;
        k.found = false;
        pending--;
        continue;
      }
      if (entry.filtered) {
        bloom_useful++;
      } else {
        probes++;
      }
      if (!entry.found || (k.found && entry.sequence <= k.seq)) continue;
      k.found = true;
      k.seq = entry.sequence;
      k.type = entry.type;
      k.expire_at = kNoExpiry;
      std::string& value = (*values)[k.index];
      value.clear();
      if (entry.type != kTypeDeletion) {
        std::string_view v;
        if (!DecodeEntryValue(entry.type, entry.value, &v, &k.expire_at)) {
          (*statuses)[k.index] =
              Status::Corruption(TableFileName(dbname_, f->number), "entry value too short");
          k.done = true;
          k.found = false;
          pending--;
          continue;
        }
        value.assign(v);
      }
    }
  }
  if (bloom_useful != 0) bloom_useful_.fetch_add(bloom_useful, std::memory_order_relaxed);
  if (probes != 0) get_sst_probes_.fetch_add(probes, std::memory_order_relaxed);
  for (KeyState& k : keys) {
    // Keys settled by a memtable have no target; errors are settled too.
    if (k.target_end == 0 || !(*statuses)[k.index].ok()) continue;
    if (k.found) {
      finish(k, k.type, k.expire_at, k.seq);
    } else {
      (*statuses)[k.index] = Status::NotFound("");
    }
  }
  for (const auto& [dup, first] : dups) {
    (*values)[dup] = (*values)[first];
    (*statuses)[dup] = (*statuses)[first];
    if (expire_ats != nullptr) (*expire_ats)[dup] = (*expire_ats)[first];
  }
  return Status::OK();
}

}  // namespace flowdb
