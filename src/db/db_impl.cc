#include "db/db_impl.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "db/builder.h"
#include "db/db_iter.h"
#include "db/filename.h"
#include "db/log_writer.h"
#include "db/options_file.h"
#include "db/scan_cursor.h"
#include "db/write_batch_internal.h"
#include "flowdb/option_limits.h"
#include "table/merging_iterator.h"

namespace flowdb {

namespace {

// A group commit merges queued batches up to this many bytes.
constexpr size_t kMaxGroupBytes = 1u << 20;

// True if the internal-key range [smallest, largest] of a file can hold
// user keys in [lower, upper] (nullptr = unbounded).
bool FileOverlaps(const FileMetaData& f, const std::string* lower, const std::string* upper) {
  if (lower != nullptr && ExtractUserKey(f.largest) < std::string_view(*lower)) return false;
  if (upper != nullptr && ExtractUserKey(f.smallest) > std::string_view(*upper)) return false;
  return true;
}

}  // namespace

// One request in the write queue. The queue's leader carries out its own
// request and, for writes, those of the writes grouped behind it.
struct DBImpl::Writer {
  enum class Kind {
    kWrite,           // apply batch (after callback, if any)
    kSwitchMemtable,  // freeze the memtable (if not empty) and start a new one
    kResume,          // DB::Resume: leads alone, never grouped
    kCheckpoint,      // PinCheckpointView: leads alone, never grouped
  };
  Writer(Kind k, WriteBatch* b, WriteCallback* cb) : kind(k), batch(b), callback(cb) {}

  const Kind kind;
  WriteBatch* batch;  // kWrite: what is applied; may point to *ttl_batch
  WriteCallback* const callback;  // may be null
  // Give the batch's entries the default expiry (Options::default_ttl_us)
  // once the callback has filled it.
  bool default_ttl = false;
  std::optional<WriteBatch> ttl_batch;  // built only when needed
  bool excluded = false;  // its callback failed: status set, nothing applied
  Status status;
  bool done = false;
  std::condition_variable cv;
};

namespace {

// DB::Patch as a write callback: reads the record while the writer leads and
// puts the patched record into the batch the write applies.
class PatchCallback final : public WriteCallback {
 public:
  PatchCallback(std::string_view key, int64_t ts, const PatchOptions& patch, Record* result,
                WriteBatch* batch)
      : key_(key), ts_(ts), patch_(patch), result_(result), batch_(batch) {}

  Status Callback(DB* db) override {
    std::string value;
    int64_t expire_at = kNoExpiry;
    Status s = db->Get(ReadOptions(), key_, ts_, &value, &expire_at);
    if (s.IsNotFound()) return Status::NotFound("no live record with this key and ts");
    FLOWDB_RETURN_IF_ERROR(s);
    if (patch_.set_value) value = patch_.value;
    if (patch_.set_expire_at) expire_at = patch_.expire_at;
    batch_->Clear();
    batch_->Put(key_, ts_, value, expire_at);
    if (result_ != nullptr) {
      result_->key.assign(key_);
      result_->ts = ts_;
      result_->value = std::move(value);
      result_->expire_at = expire_at;
    }
    return Status::OK();
  }

 private:
  const std::string_view key_;
  const int64_t ts_;
  const PatchOptions& patch_;
  Record* const result_;
  WriteBatch* const batch_;
};

}  // namespace

DBImpl::DBImpl(const Options& options, std::string dbname)
    : options_(options),
      dbname_(std::move(dbname)),
      env_(options.env != nullptr ? options.env : Env::Default()) {}

class DBImpl::SnapshotImpl final : public Snapshot {
 public:
  SnapshotImpl(SequenceNumber seq, const DBImpl* owner) : seq_(seq), owner_(owner) {}
  uint64_t sequence() const override { return seq_; }
  const DBImpl* owner() const { return owner_; }
  std::list<SnapshotImpl*>::iterator pos;

 private:
  const SequenceNumber seq_;
  const DBImpl* const owner_;
};

DBImpl::~DBImpl() { Close().PermitUncheckedError(); }

Status DB::Open(const Options& options, const std::string& path, std::unique_ptr<DB>* result) {
  result->reset();
  if (path.empty()) return Status::InvalidArgument("empty database path");
  FLOWDB_RETURN_IF_ERROR(CheckOptions(options));
  auto db = std::make_unique<DBImpl>(options, path);
  FLOWDB_RETURN_IF_ERROR(db->Open());
  *result = std::move(db);
  return Status::OK();
}

TableOptions DBImpl::MakeTableOptions() const {
  TableOptions t;
  t.block_size = options_.block_size;
  t.block_restart_interval = options_.block_restart_interval;
  t.bloom_bits_per_key = options_.bloom_bits_per_key;
  t.compression = options_.compression;
  return t;
}

Status DBImpl::Open() {
  // Refused before anything is created.
  if (!options_.create_if_missing && !env_->FileExists(CurrentFileName(dbname_))) {
    return Status::InvalidArgument("database does not exist", dbname_);
  }
  // A directory created here (the database's, and missing ones above it)
  // survives a power loss only once the entry for it in its parent is synced;
  // files created in it later make their own entries durable (SyncDir after
  // each creation or rename).
  const bool new_db_dir = !env_->FileExists(dbname_);
  const bool new_sub_dir =
      !env_->FileExists(WalDirName(dbname_)) || !env_->FileExists(TableDirName(dbname_));
  Status s = new_db_dir ? CreateParentDirs(env_, dbname_) : Status::OK();
  if (s.ok()) s = env_->CreateDir(dbname_);
  if (s.ok()) s = env_->CreateDir(WalDirName(dbname_));
  if (s.ok()) s = env_->CreateDir(TableDirName(dbname_));
  if (s.ok() && new_db_dir) s = env_->SyncDir(ParentDirName(dbname_));
  if (s.ok() && (new_db_dir || new_sub_dir)) s = env_->SyncDir(dbname_);
  if (!s.ok()) return s;
  s = env_->LockFile(LockFileName(dbname_), &db_lock_);
  if (!s.ok()) {
    if (s.IsLocked()) return Status::Locked("database is open elsewhere", dbname_);
    return s;
  }
  std::map<std::string, std::string> stored;
  s = ReadOptionsFile(env_, dbname_, &stored);
  if (s.ok()) {
    s = CheckOptionsCompatible(stored, options_, options_.stored_settings);
  } else if (s.IsNotFound()) {
    s = Status::OK();
  }
  if (!s.ok()) {
    env_->UnlockFile(std::move(db_lock_)).PermitUncheckedError();
    return s;
  }
  block_cache_ = std::make_unique<BlockCache>(options_.block_cache_size);
  table_cache_ = std::make_unique<TableCache>(dbname_, env_, block_cache_.get(),
                                              static_cast<size_t>(options_.max_open_files));
  versions_ = std::make_unique<VersionSet>(dbname_, env_);
  s = Recover();
  // After recovery, whose cleanup removes a stale OPTIONS.tmp. Extras stored
  // by an earlier open and not passed now (a JsonDB's format, when a plain
  // engine opens its directory) are written again: they describe the data,
  // not this open, and must still guard the next one.
  std::map<std::string, std::string> extras = StoredOptionsExtras(stored);
  for (const auto& [name, value] : options_.stored_settings) extras[name] = value;
  if (s.ok()) s = WriteOptionsFile(env_, dbname_, options_, extras);
  if (!s.ok()) {
    env_->UnlockFile(std::move(db_lock_)).PermitUncheckedError();
    return s;
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    InstallReadState();
  }
  opened_ = true;
  bg_thread_ = std::thread([this] { BackgroundLoop(); });
  compaction_thread_ = std::thread([this] { CompactionLoop(); });
  return Status::OK();
}

void DBImpl::InstallReadState() {
  auto rs = std::make_shared<ReadState>();
  rs->mem = mem_;
  rs->imm.assign(imm_.begin(), imm_.end());
  rs->version = versions_->current();
  rs->drop_floor = drop_floor_;
  // A file's range tombstones enter file_range_dels_ before any Version
  // holds the file and leave after none does, so equal versions have equal
  // tombstones.
  std::shared_ptr<const ReadState> prev = CurrentReadState();
  if (prev != nullptr && prev->version == rs->version) {
    rs->sst_range_dels = prev->sst_range_dels;
  } else if (!file_range_dels_.empty()) {
    std::vector<RangeTombstone> all;
    for (const auto& f : rs->version->files()) {
      auto it = file_range_dels_.find(f->number);
      if (it != file_range_dels_.end()) all.insert(all.end(), it->second.begin(), it->second.end());
    }
    if (!all.empty()) rs->sst_range_dels = std::make_shared<const RangeDelSet>(all);
  }
  std::shared_ptr<const ReadState> next = std::move(rs);
  std::lock_guard<std::mutex> l(read_state_mu_);
  read_state_.swap(next);  // the old state is released after the lock
}

std::shared_ptr<const DBImpl::ReadState> DBImpl::CurrentReadState() const {
  std::lock_guard<std::mutex> l(read_state_mu_);
  return read_state_;
}

std::shared_ptr<const DBImpl::ReadState> DBImpl::GetReadState(SequenceNumber* snapshot) const {
  // The sequence first: every entry with seq ≤ *snapshot was inserted into a
  // memtable before the sequence was published, and every read state
  // installed since then still reaches that memtable or the SSTable it was
  // flushed to. If a flush or compaction that started after the sequence
  // was read has already installed its result, it may have dropped versions
  // visible at that sequence: take both again.
  while (true) {
    *snapshot = versions_->last_sequence();
    std::shared_ptr<const ReadState> rs = CurrentReadState();
    if (rs == nullptr || *snapshot >= rs->drop_floor) return rs;
  }
}

std::shared_ptr<const RangeDelView> DBImpl::RangeDels(const ReadState& rs) {
  std::shared_ptr<RangeDelView> view;
  auto add = [&view](std::shared_ptr<const RangeDelSet> set) {
    if (set == nullptr || set->empty()) return;
    if (view == nullptr) view = std::make_shared<RangeDelView>();
    view->Add(std::move(set));
  };
  add(rs.mem->RangeDeletions());
  for (const auto& m : rs.imm) add(m->RangeDeletions());
  add(rs.sst_range_dels);
  return view;
}

Status DBImpl::LoadRangeDels(const FileMetaData& f) {
  std::shared_ptr<Table> table;
  FLOWDB_RETURN_IF_ERROR(table_cache_->Get(f, /*memory_only=*/false, &table));
  std::vector<RangeTombstone> list;
  Status s = DecodeRangeTombstones(table->range_deletions(), &list);
  if (!s.ok()) return Status::Corruption(TableFileName(dbname_, f.number), s.ToString());
  if (list.size() != f.num_range_dels) {
    return Status::Corruption(TableFileName(dbname_, f.number),
                              "range tombstone count differs from the manifest's");
  }
  std::lock_guard<std::mutex> l(mu_);
  file_range_dels_[f.number] = std::move(list);
  return Status::OK();
}

SequenceNumber DBImpl::SmallestSnapshot() const {
  std::lock_guard<std::mutex> l(snapshot_mu_);
  if (snapshots_.empty()) return versions_->last_sequence();
  return snapshots_.front()->sequence();
}

const Snapshot* DBImpl::GetSnapshot() {
  if (closed_) return nullptr;
  std::lock_guard<std::mutex> l(snapshot_mu_);
  auto* snap = new SnapshotImpl(versions_->last_sequence(), this);
  snapshots_.push_back(snap);
  snap->pos = std::prev(snapshots_.end());
  return snap;
}

void DBImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  auto* snap = const_cast<SnapshotImpl*>(static_cast<const SnapshotImpl*>(snapshot));
  {
    std::lock_guard<std::mutex> l(snapshot_mu_);
    snapshots_.erase(snap->pos);
  }
  delete snap;
}

// ---------------------------------------------------------------------------
// Writes

namespace {

// Records the lifetime of a scope, in µs, into a histogram.
class LatencyTimer {
 public:
  LatencyTimer(Env* env, Histogram* h) : env_(env), h_(h), start_(env->NowNanos()) {}
  ~LatencyTimer() { h_->Add((env_->NowNanos() - start_) / 1000); }

 private:
  Env* const env_;
  Histogram* const h_;
  const uint64_t start_;
};

void Summarize(const Histogram& h, LatencySummary* out) {
  HistogramData d;
  h.Snapshot(&d);
  out->count = d.count;
  out->sum = d.sum;
  out->p50 = d.Percentile(50);
  out->p90 = d.Percentile(90);
  out->p99 = d.Percentile(99);
  out->max = static_cast<double>(d.max);
}

}  // namespace

namespace {

// The error of a write whose batch holds an entry over a size limit (see
// WriteBatch::Put): refused whole, nothing written.
Status SpoiledBatchError() {
  return Status::InvalidArgument(
      "write batch", "an entry's key is over " + std::to_string(WriteBatch::kMaxKeySize) +
                         " bytes or its value over " + std::to_string(WriteBatch::kMaxValueSize) +
                         " (WriteBatch::kMaxKeySize, kMaxValueSize); nothing was written");
}

}  // namespace

Status DBImpl::Write(WriteBatch* batch) { return Write(batch, nullptr); }

Status DBImpl::Write(WriteBatch* batch, WriteCallback* callback) {
  if (batch == nullptr) return Status::InvalidArgument("null write batch");
  if (batch->spoiled()) return SpoiledBatchError();
  if (batch->empty() && callback == nullptr) return closed_ ? Status::Closed() : Status::OK();
  LatencyTimer timer(env_, &write_latency_);
  Writer w(Writer::Kind::kWrite, batch, callback);
  if (options_.default_ttl_us > 0) {
    if (callback != nullptr) {
      w.default_ttl = true;  // the callback may still change the batch
    } else if (WriteBatchInternal::ApplyDefaultExpiry(
                   *batch, env_->NowMicros(), options_.default_ttl_us,
                   options_.ttl_basis == Options::TtlBasis::kRecordTs, &w.ttl_batch.emplace())) {
      w.batch = &*w.ttl_batch;
    }
  }
  return WriteInternal(&w);
}

Status DBImpl::DeleteRange(std::string_view start, std::string_view end) {
  if (!(start < end)) return Status::InvalidArgument("DeleteRange needs start < end");
  if (end.size() > WriteBatch::kMaxKeySize) return Status::InvalidArgument("key too large");
  WriteBatch batch;
  batch.DeleteRange(start, end);
  Writer w(Writer::Kind::kWrite, &batch, nullptr);
  return WriteInternal(&w);
}

Status DBImpl::Patch(std::string_view key, int64_t ts, const PatchOptions& patch,
                     Record* result) {
  if (key.size() > WriteBatch::kMaxKeySize) return Status::InvalidArgument("key too large");
  if (patch.set_value && patch.value.size() > WriteBatch::kMaxValueSize) {
    return Status::InvalidArgument("value too large");
  }
  // The patched record keeps its expiry (or takes the patch's): no default
  // expiry is applied.
  WriteBatch batch;
  PatchCallback callback(key, ts, patch, result, &batch);
  Writer w(Writer::Kind::kWrite, &batch, &callback);
  return WriteInternal(&w);
}

Status DBImpl::WriteInternal(Writer* w) {
  if (closed_) return Status::Closed();
  std::unique_lock<std::mutex> lock(mu_);
  writers_.push_back(w);
  while (!w->done && w != writers_.front()) w->cv.wait(lock);
  if (w->done) return w->status;

  // This writer leads: every earlier request has been carried out.
  const bool is_write = w->kind == Writer::Kind::kWrite;
  Status s = shutting_down_ ? Status::Closed()
                            : MakeRoomForWrite(lock, w->kind == Writer::Kind::kSwitchMemtable);
  Writer* last_writer = w;
  if (s.ok() && is_write) {
    last_writer = SelectGroup();
    bool callbacks = false;
    for (Writer* m : group_) callbacks |= m->callback != nullptr;
    if (callbacks) {
      // Callbacks may read the DB: they run without mu_, and the queue
      // keeps every other writer waiting meanwhile.
      lock.unlock();
      PrepareGroup();
      lock.lock();
    }
    WriteBatch* group = BuildBatchGroup();
    if (group != nullptr) {
      SequenceNumber last = versions_->last_sequence();
      WriteBatchInternal::SetSequence(group, last + 1);
      last += group->Count();
      MemTable* mem = mem_.get();
      if (mem->first_write_micros() == 0) mem->set_first_write_micros(env_->NowMicros());
      // Only the leader touches wal_ and mem_, so they can be used unlocked.
      lock.unlock();
      s = wal_->AddRecord(WriteBatchInternal::Contents(*group));
      if (s.ok() && options_.sync_mode == SyncMode::kAlways) {
        s = wal_->Sync();
        wal_syncs_.fetch_add(1, std::memory_order_relaxed);
      }
      if (s.ok()) WriteBatchInternal::InsertInto(*group, mem);
      lock.lock();
      if (s.ok()) {
        versions_->SetLastSequence(last);
        if (has_commit_listeners_.load(std::memory_order_relaxed)) NotifyCommitListeners(last);
        records_written_.fetch_add(group->Count(), std::memory_order_relaxed);
        bytes_written_.fetch_add(group->ApproximateSize(), std::memory_order_relaxed);
        write_groups_.fetch_add(1, std::memory_order_relaxed);
      } else {
        // The WAL tail is unknown now: refuse further writes.
        SetBackgroundError(s);
      }
      if (group == &group_batch_) group_batch_.Clear();
    }
  }
  group_.clear();

  // s is the group's status; a writer whose callback failed keeps its own.
  while (true) {
    Writer* ready = writers_.front();
    writers_.pop_front();
    if (ready != w) {
      if (!ready->excluded) ready->status = s;
      ready->done = true;
      ready->cv.notify_one();
    }
    if (ready == last_writer) break;
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return w->excluded ? w->status : s;
}

DBImpl::Writer* DBImpl::SelectGroup() {
  Writer* first = writers_.front();
  group_.clear();
  group_.push_back(first);
  size_t size = first->batch->ApproximateSize();
  // Let a small batch lead only a small group, so its latency stays low.
  size_t max_size = size <= (128u << 10) ? size + (128u << 10) : kMaxGroupBytes;
  for (auto it = writers_.begin() + 1; it != writers_.end(); ++it) {
    Writer* w = *it;
    // A memtable switch runs alone; a callback that must see every earlier
    // write leads its own group.
    if (w->kind != Writer::Kind::kWrite) break;
    if (w->callback != nullptr && !w->callback->AllowGrouping()) break;
    size += w->batch->ApproximateSize();
    if (size > max_size) break;
    group_.push_back(w);
  }
  return group_.back();
}

void DBImpl::PrepareGroup() {
  for (Writer* m : group_) {
    if (m->callback == nullptr) continue;
    Status s = m->callback->Callback(this);
    // A callback may add to the batch (a JsonDB index backfill does): an
    // entry over a size limit refuses the write, as at DB::Write.
    if (s.ok() && m->batch->spoiled()) s = SpoiledBatchError();
    if (!s.ok()) {
      m->excluded = true;
      m->status = std::move(s);
      continue;
    }
    if (m->default_ttl &&
        WriteBatchInternal::ApplyDefaultExpiry(*m->batch, env_->NowMicros(),
                                               options_.default_ttl_us,
                                               options_.ttl_basis == Options::TtlBasis::kRecordTs,
                                               &m->ttl_batch.emplace())) {
      m->batch = &*m->ttl_batch;
    }
  }
}

WriteBatch* DBImpl::BuildBatchGroup() {
  WriteBatch* result = nullptr;
  for (Writer* m : group_) {
    if (m->excluded || m->batch->empty()) continue;
    if (result == nullptr) {
      result = m->batch;
      continue;
    }
    if (result != &group_batch_) {
      group_batch_.Clear();
      WriteBatchInternal::Append(&group_batch_, *result);
      result = &group_batch_;
    }
    WriteBatchInternal::Append(result, *m->batch);
  }
  return result;
}

Status DBImpl::MakeRoomForWrite(std::unique_lock<std::mutex>& lock, bool force) {
  bool stalled = false;
  auto stall_start = std::chrono::steady_clock::now();
  Status s;
  while (true) {
    if (!bg_error_.ok()) {
      s = bg_error_;
      break;
    }
    if (shutting_down_) {
      s = Status::Closed();
      break;
    }
    bool full = mem_->ApproximateMemoryUsage() >= options_.memtable_size;
    if (!force && !full && !flush_requested_) break;
    if (mem_->empty()) {
      flush_requested_ = false;
      break;
    }
    if (static_cast<int>(imm_.size()) >= options_.max_frozen_memtables) {
      if (!stalled) stalls_.fetch_add(1, std::memory_order_relaxed);
      stalled = true;
      bg_cv_.notify_all();
      bg_cv_.wait(lock);
      continue;
    }
    s = SwitchMemtable();
    force = false;
    flush_requested_ = false;
    if (!s.ok()) {
      // As after every write-path failure (a failed sync may leave the old
      // WAL's durability unknown): read-only until Resume or reopen.
      SetBackgroundError(s);
      break;
    }
  }
  if (stalled) {
    auto waited = std::chrono::steady_clock::now() - stall_start;
    stall_micros_.fetch_add(
        std::chrono::duration_cast<std::chrono::microseconds>(waited).count(),
        std::memory_order_relaxed);
  }
  return s;
}

Status DBImpl::SwitchMemtable(bool sync_old_wal) {
  uint64_t number = versions_->NewFileNumber();
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewWritableFile(WalFileName(dbname_, number), &file);
  if (s.ok() && sync_old_wal && options_.sync_mode != SyncMode::kAlways) {
    // The old WAL must be durable before the new one can be: otherwise a
    // power loss could keep later writes and lose earlier ones.
    s = wal_->Sync();
  }
  std::unique_ptr<log::Writer> wal;
  if (s.ok()) {
    // The header is durable before any record goes in (log_format.h).
    wal = std::make_unique<log::Writer>(file.get(), log::LogKind::kWal, /*new_file=*/true);
    s = wal->Sync();
  }
  if (s.ok()) s = env_->SyncDir(WalDirName(dbname_));
  if (!s.ok()) {
    wal.reset();
    if (file) env_->RemoveFile(WalFileName(dbname_, number)).PermitUncheckedError();
    return s;
  }
  wal_ = std::move(wal);
  wal_file_ = std::move(file);
  wal_number_ = number;
  imm_.push_front(mem_);
  mem_ = std::make_shared<MemTable>(number);
  InstallReadState();
  bg_cv_.notify_all();
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Background work

void DBImpl::BackgroundLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  auto next_sync = std::chrono::steady_clock::now();
  while (!shutting_down_) {
    if (!imm_.empty() && bg_error_.ok()) {
      flush_running_ = true;
      Status s = FlushOldestImmutable(lock);
      flush_running_ = false;
      if (!s.ok()) SetBackgroundError(s);
      bg_cv_.notify_all();
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    if (options_.sync_mode == SyncMode::kInterval && now >= next_sync && bg_error_.ok()) {
      std::shared_ptr<WritableFile> wal = wal_file_;
      lock.unlock();
      Status s = wal->Sync();
      wal_syncs_.fetch_add(1, std::memory_order_relaxed);
      lock.lock();
      if (!s.ok()) SetBackgroundError(s);
      next_sync = now + std::chrono::milliseconds(options_.sync_interval_ms);
      continue;
    }
    bool flush_due = options_.flush_interval_ms > 0 && !mem_->empty() && bg_error_.ok() &&
                     env_->NowMicros() - mem_->first_write_micros() >=
                         int64_t{options_.flush_interval_ms} * 1000;
    if (flush_due && writers_.empty() &&
        static_cast<int>(imm_.size()) < options_.max_frozen_memtables) {
      // No leader is inserting into mem_, and a new one needs mu_ first:
      // switching here is safe.
      Status s = SwitchMemtable();
      flush_requested_ = false;
      if (!s.ok()) SetBackgroundError(s);
      continue;
    }
    if (flush_due && !writers_.empty()) flush_requested_ = true;  // the next leader switches
    auto deadline = now + std::chrono::milliseconds(250);
    if (options_.sync_mode == SyncMode::kInterval) deadline = std::min(deadline, next_sync);
    bg_cv_.wait_until(lock, deadline);
  }
}

Status DBImpl::FlushOldestImmutable(std::unique_lock<std::mutex>& lock) {
  std::shared_ptr<MemTable> imm = imm_.back();
  FileMetaData meta;
  meta.number = versions_->NewFileNumber();
  pending_outputs_.insert(meta.number);
  DropPolicy policy;
  policy.smallest_snapshot = SmallestSnapshot();
  // Every SSTable is older than any memtable: with none, nothing lies below.
  policy.bottommost = versions_->current()->files().empty() && !compaction_running_;
  policy.now_micros = env_->NowMicros();
  lock.unlock();
  const uint64_t start = env_->NowNanos();
  std::vector<RangeTombstone> range_dels;
  for (RangeTombstone& t : imm->RangeTombstones()) {
    if (KeepRangeTombstone(t, policy)) range_dels.push_back(std::move(t));
  }
  std::shared_ptr<const RangeDelSet> covering = imm->RangeDeletions();
  policy.range_dels = covering.get();
  Status s;
  {
    std::unique_ptr<Iterator> iter = imm->NewIterator();
    CompactionIterator input(iter.get(), policy);
    s = BuildTable(dbname_, env_, MakeTableOptions(), &input, range_dels, &meta);
  }
  lock.lock();
  if (!s.ok()) {
    pending_outputs_.erase(meta.number);
    return s;
  }
  // The WALs older than the next memtable's are no longer needed.
  uint64_t log_number = imm_.size() > 1 ? imm_[imm_.size() - 2]->wal_number() : mem_->wal_number();
  VersionEdit edit;
  if (meta.file_size > 0) edit.AddFile(meta);
  edit.SetLogNumber(log_number);
  // Known before any read state can hold the file (see InstallReadState).
  if (meta.file_size > 0 && !range_dels.empty()) file_range_dels_[meta.number] = range_dels;
  lock.unlock();
  s = versions_->LogAndApply(&edit);
  lock.lock();
  pending_outputs_.erase(meta.number);
  if (!s.ok()) {
    file_range_dels_.erase(meta.number);
    return s;
  }
  imm_.pop_back();
  drop_floor_ = std::max(drop_floor_, policy.smallest_snapshot);
  InstallReadState();
  flushes_.fetch_add(1, std::memory_order_relaxed);
  flush_bytes_.fetch_add(meta.file_size, std::memory_order_relaxed);
  flush_latency_.Add((env_->NowNanos() - start) / 1000);
  bg_cv_.notify_all();  // the compaction thread may have work
  lock.unlock();
  RemoveObsoleteFiles();
  lock.lock();
  return Status::OK();
}

void DBImpl::SetBackgroundError(const Status& s) {
  if (s.ok() || !bg_error_.ok()) return;
  bg_error_ = s;
  bg_cv_.notify_all();
}

Status DBImpl::Flush() {
  if (closed_) return Status::Closed();
  Writer w(Writer::Kind::kSwitchMemtable, nullptr, nullptr);
  Status s = WriteInternal(&w);
  if (!s.ok()) return s;
  std::unique_lock<std::mutex> lock(mu_);
  bg_cv_.notify_all();
  while (!imm_.empty() && bg_error_.ok() && !shutting_down_) bg_cv_.wait(lock);
  if (!bg_error_.ok()) return bg_error_;
  if (shutting_down_ && !imm_.empty()) return Status::Closed();
  return Status::OK();
}

Status DBImpl::Resume() {
  if (closed_) return Status::Closed();
  // Lead the write queue (alone: only kWrite requests are grouped), so that
  // no writer touches the WAL or the memtable meanwhile.
  Writer w(Writer::Kind::kResume, nullptr, nullptr);
  std::unique_lock<std::mutex> lock(mu_);
  writers_.push_back(&w);
  while (&w != writers_.front()) w.cv.wait(lock);
  Status s = ResumeLocked(lock);
  writers_.pop_front();
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return s;
}

Status DBImpl::PinCheckpointView(CheckpointView* view) {
  Writer w(Writer::Kind::kCheckpoint, nullptr, nullptr);
  std::unique_lock<std::mutex> lock(mu_);
  writers_.push_back(&w);
  while (&w != writers_.front()) w.cv.wait(lock);
  // Leading: every write before this one has published its sequence, and
  // none appends to the WAL until this one is done.
  Status s = shutting_down_ ? Status::Closed() : bg_error_;
  if (s.ok()) {
    view->version = versions_->SnapshotState(&view->edit);
    view->wal_number = wal_number_;
    view->wal_size = wal_->FileSize();
    wal_pins_.insert(*view->edit.log_number());
  }
  writers_.pop_front();
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return s;
}

void DBImpl::PinWal(uint64_t number) {
  std::lock_guard<std::mutex> l(mu_);
  wal_pins_.insert(number);
}

void DBImpl::UnpinWal(uint64_t number) {
  std::lock_guard<std::mutex> l(mu_);
  wal_pins_.erase(wal_pins_.find(number));
}

std::vector<uint64_t> DBImpl::WalNumbers(const std::vector<std::string>& names) {
  std::vector<uint64_t> wals;
  for (const std::string& name : names) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type == FileType::kWal) wals.push_back(number);
  }
  std::sort(wals.begin(), wals.end());
  return wals;
}

uint64_t DBImpl::AddCommitListener(std::function<void(uint64_t)> listener) {
  std::lock_guard<std::mutex> l(listeners_mu_);
  uint64_t id = next_listener_id_++;
  commit_listeners_.emplace(id, std::move(listener));
  has_commit_listeners_.store(true, std::memory_order_relaxed);
  return id;
}

void DBImpl::RemoveCommitListener(uint64_t id) {
  std::lock_guard<std::mutex> l(listeners_mu_);
  commit_listeners_.erase(id);
  has_commit_listeners_.store(!commit_listeners_.empty(), std::memory_order_relaxed);
}

void DBImpl::NotifyCommitListeners(SequenceNumber last) {
  std::lock_guard<std::mutex> l(listeners_mu_);
  for (const auto& [id, listener] : commit_listeners_) listener(last);
}

Status DBImpl::ResumeLocked(std::unique_lock<std::mutex>& lock) {
  if (shutting_down_) return Status::Closed();
  if (bg_error_.ok()) return Status::OK();
  // A flush or merge that began before the error may still be running.
  while ((flush_running_ || compaction_running_) && !shutting_down_) bg_cv_.wait(lock);
  if (shutting_down_) return Status::Closed();
  // The manifest that failed is not written again: a fresh one takes over.
  Status s = versions_->manifest_error();
  if (!s.ok()) s = versions_->WriteSnapshotManifest();
  // The WAL's tail is unknown after a failed append or sync: cut it back to
  // the last acknowledged record and make that durable, so that it reads
  // cleanly when it is no longer the newest WAL; then start a new one. The
  // flushes below make the old WAL obsolete.
  if (s.ok()) {
    s = wal_file_->Truncate(options_.sync_mode == SyncMode::kAlways ? wal_->SyncedSize()
                                                                    : wal_->FileSize());
  }
  if (s.ok()) s = wal_file_->Sync();
  if (s.ok()) s = SwitchMemtable(/*sync_old_wal=*/false);
  if (!s.ok()) return s;
  // The check that the cause is gone: every memtable reaches an SSTable and
  // the manifest, as a flush would.
  bg_error_ = Status::OK();
  bg_cv_.notify_all();
  while (!imm_.empty() && bg_error_.ok() && !shutting_down_) bg_cv_.wait(lock);
  if (!bg_error_.ok()) return bg_error_;
  if (!imm_.empty()) return Status::Closed();
  return Status::OK();
}

// Deletes table files that no Version in use names and no running job is
// writing, WAL files older than the log number, and old manifests. Called at
// open and after flushes, compactions and GC. Deletes nothing while the
// manifest has a write error.
void DBImpl::RemoveObsoleteFiles() {
  // List first, then learn what is live: a file created after the listing
  // is not touched, and one listed is either still pending then or already
  // in a Version (jobs register outputs before creating them and install
  // them before unregistering).
  std::vector<std::string> tables, wals, top;
  bool have_tables = env_->GetChildren(TableDirName(dbname_), &tables).ok();
  bool have_wals = env_->GetChildren(WalDirName(dbname_), &wals).ok();
  bool have_top = env_->GetChildren(dbname_, &top).ok();
  // The log number before the pins: a pin taken after this read holds a
  // log number at least as large, so nothing it needs is below this one.
  uint64_t log_number = versions_->log_number();
  std::set<uint64_t> live;
  {
    std::lock_guard<std::mutex> l(mu_);
    live = pending_outputs_;
    if (!wal_pins_.empty()) log_number = std::min(log_number, *wal_pins_.begin());
  }
  // After a failed manifest write, the manifest CURRENT names may hold an
  // edit that the in-memory state lacks (a flush's output, a log number
  // that retires WALs): no file is safe to delete until a fresh manifest.
  if (!versions_->AddLiveFiles(&live)) return;
  const uint64_t manifest = versions_->manifest_number();

  uint64_t number;
  FileType type;
  for (const std::string& name : have_tables ? tables : std::vector<std::string>()) {
    if (ParseFileName(name, &number, &type) && type == FileType::kTable && !live.count(number)) {
      table_cache_->Evict(number);
      env_->RemoveFile(TableDirName(dbname_) + "/" + name).PermitUncheckedError();
    }
  }
  // Segments below the log number are flushed: the newest of them stay
  // within wal_retention_bytes, for change feeds.
  std::vector<uint64_t> flushed_wals = WalNumbers(have_wals ? wals : std::vector<std::string>());
  flushed_wals.erase(std::lower_bound(flushed_wals.begin(), flushed_wals.end(), log_number),
                     flushed_wals.end());
  uint64_t retained = 0;
  for (auto it = flushed_wals.rbegin(); it != flushed_wals.rend(); ++it) {
    const std::string fname = WalFileName(dbname_, *it);
    uint64_t size = 0;
    if (retained < options_.wal_retention_bytes && env_->GetFileSize(fname, &size).ok() &&
        retained + size <= options_.wal_retention_bytes) {
      retained += size;
      continue;
    }
    retained = options_.wal_retention_bytes;  // older segments all go
    env_->RemoveFile(fname).PermitUncheckedError();
  }
  for (const std::string& name : have_top ? top : std::vector<std::string>()) {
    if (!ParseFileName(name, &number, &type)) continue;
    // A newer manifest is one whose CURRENT switch failed; while open, it
    // may instead be a rotation in progress.
    if ((type == FileType::kManifest && (number < manifest || (number > manifest && !opened_))) ||
        (type == FileType::kTemp && !opened_)) {
      env_->RemoveFile(dbname_ + "/" + name).PermitUncheckedError();
    }
  }
}

// ---------------------------------------------------------------------------
// Reads

// Out of line: point reads stay as small as before snapshots were pointers
// (inlined, this grew Get enough to change its inlining: +2% instructions).
[[gnu::noinline]] Status DBImpl::ReadSequence(const ReadOptions& options,
                                              SequenceNumber* sequence) const {
  if (options.snapshot == nullptr) return Status::OK();
  // Only this DB's GetSnapshot makes snapshots, so the cast is sound for
  // ours; another DB's is told apart by its owner.
  const auto* snap = static_cast<const SnapshotImpl*>(options.snapshot);
  if (snap->owner() != this) return Status::InvalidArgument("snapshot of another database");
  *sequence = std::min(*sequence, snap->sequence());
  return Status::OK();
}

Status DBImpl::NewInternalIterator(const ReadOptions& options, SequenceNumber snapshot,
                                   const std::shared_ptr<const ReadState>& pinned,
                                   const std::string* lower, const std::string* upper,
                                   const std::string* only_key,
                                   std::unique_ptr<Iterator>* result) {
  const ReadState& rs = *pinned;
  std::vector<std::unique_ptr<Iterator>> children;
  children.reserve(1 + rs.imm.size() + std::min<size_t>(rs.version->files().size(), 16));
  // An empty memtable adds nothing: whatever a writer adds to it later has a
  // sequence number above this read's snapshot. Leaving it out lets a read
  // of a single SSTable skip the merging iterator altogether.
  if (!rs.mem->empty()) children.push_back(rs.mem->NewIterator());
  for (const auto& m : rs.imm) children.push_back(m->NewIterator());
  for (const auto& f : rs.version->files()) {
    if (!FileOverlaps(*f, lower, upper)) continue;
    if (f->min_seq > snapshot) continue;
    if (f->max_ts < options.ts_min || f->min_ts > options.ts_max) continue;
    std::shared_ptr<Table> table;
    FLOWDB_RETURN_IF_ERROR(table_cache_->Get(*f, options.memory_only, &table));
    if (only_key != nullptr && !table->KeyMayMatch(*only_key)) {
      bloom_useful_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    std::unique_ptr<Iterator> it = table->NewIterator(options);
    it->Pin(table);  // keeps the reader open while iterating
    children.push_back(std::move(it));
  }
  *result = NewMergingIterator(std::move(children));
  // Pins are released after the merging iterator's children are destroyed,
  // so the memtables and version they read stay alive until then.
  (*result)->Pin(pinned);
  return Status::OK();
}

Status DBImpl::Get(const ReadOptions& options, std::string_view key, int64_t ts,
                   std::string* value, int64_t* expire_at) {
  if (closed_) return Status::Closed();
  LatencyTimer timer(env_, &read_latency_);
  SequenceNumber snapshot;
  std::shared_ptr<const ReadState> rs = GetReadState(&snapshot);
  if (options.snapshot != nullptr) FLOWDB_RETURN_IF_ERROR(ReadSequence(options, &snapshot));
  int64_t now = env_->NowMicros();
  gets_.fetch_add(1, std::memory_order_relaxed);

  ValueType type;
  int64_t exp = kNoExpiry;
  SequenceNumber seq = 0;
  // The candidate value, copied out only on success (*value must stay
  // unchanged on NotFound). Per thread and reused: a fresh string per read
  // was a malloc and a free on every point read. A large value's buffer is
  // not kept past the read.
  thread_local std::string tmp;
  tmp.clear();
  struct ReleaseLarge {
    std::string& s;
    ~ReleaseLarge() {
      if (s.capacity() > (64u << 10)) std::string().swap(s);
    }
  } release_large{tmp};
  auto finish = [&](ValueType t, int64_t e, SequenceNumber found_seq) -> Status {
    if (t == kTypeDeletion || e <= now) return Status::NotFound("");
    std::shared_ptr<const RangeDelView> range_dels = RangeDels(*rs);
    if (range_dels != nullptr && range_dels->Covers(key, found_seq, snapshot)) {
      return Status::NotFound("");
    }
    if (value != nullptr) value->assign(tmp);
    if (expire_at != nullptr) *expire_at = e;
    return Status::OK();
  };
  if (rs->mem->Get(key, ts, snapshot, &type, &tmp, &exp, &seq)) return finish(type, exp, seq);
  for (const auto& m : rs->imm) {
    if (m->Get(key, ts, snapshot, &type, &tmp, &exp, &seq)) return finish(type, exp, seq);
  }

  // SSTables may overlap in sequence ranges: the entry with the largest
  // sequence wins. Files are sorted by max_seq descending, so the search
  // stops once no remaining file can hold a newer entry.
  // SeekKey(key, ts, snapshot), built in a per-thread buffer (keys are
  // bounded by the maximum key size) rather than allocated per read.
  thread_local std::string target;
  target.clear();
  AppendInternalKey(&target, key, ts, snapshot, kTypeValueExpiring);
  bool found = false;
  SequenceNumber best_seq = 0;
  ValueType best_type = kTypeDeletion;
  for (const auto& f : rs->version->files()) {
    if (found && f->max_seq <= best_seq) break;
    if (f->min_seq > snapshot || ts < f->min_ts || ts > f->max_ts) continue;
    if (InternalKeyComparator::Compare(target, f->largest) > 0) continue;
    if (CompareRecordId(ExtractRecordId(target), ExtractRecordId(f->smallest)) < 0) continue;
    std::shared_ptr<Table> table;
    FLOWDB_RETURN_IF_ERROR(table_cache_->Get(*f, options.memory_only, &table));
    TableGetResult entry;
    Status s = table->Get(options, target, &entry);
    if (!s.ok()) {
      if (!s.IsCorruption()) return s;
      return Status::Corruption(TableFileName(dbname_, f->number), s.message());
    }
    if (entry.filtered) {
      bloom_useful_.fetch_add(1, std::memory_order_relaxed);
    } else {
      get_sst_probes_.fetch_add(1, std::memory_order_relaxed);
    }
    if (!entry.found) continue;
    if (!found || entry.sequence > best_seq) {
      found = true;
      best_seq = entry.sequence;
      best_type = entry.type;
      exp = kNoExpiry;
      if (entry.type != kTypeDeletion) {
        std::string_view v;
        if (!DecodeEntryValue(entry.type, entry.value, &v, &exp)) {
          return Status::Corruption(TableFileName(dbname_, f->number), "entry value too short");
        }
        tmp.assign(v);
      }
    }
  }
  if (!found) return Status::NotFound("");
  return finish(best_type, exp, best_seq);
}

Status DBImpl::GetLatest(const ReadOptions& options, std::string_view key, Record* record) {
  if (closed_) return Status::Closed();
  LatencyTimer timer(env_, &read_latency_);
  SequenceNumber snapshot;
  std::shared_ptr<const ReadState> rs = GetReadState(&snapshot);
  FLOWDB_RETURN_IF_ERROR(ReadSequence(options, &snapshot));
  std::string k(key);
  std::unique_ptr<Iterator> internal;
  FLOWDB_RETURN_IF_ERROR(NewInternalIterator(options, snapshot, rs, &k, &k, &k, &internal));
  std::unique_ptr<RecordIterator> it =
      NewDBIterator(std::move(internal), snapshot, env_->NowMicros(), RangeDels(*rs));
  it->SeekForPrev(key, std::numeric_limits<int64_t>::max());
  if (!it->Valid()) {
    FLOWDB_RETURN_IF_ERROR(it->status());
    return Status::NotFound("");
  }
  if (it->key() != key) return Status::NotFound("");
  record->key.assign(key);
  record->ts = it->ts();
  record->value.assign(it->value());
  record->expire_at = it->expire_at();
  return Status::OK();
}

namespace {

class ErrorRecordIterator final : public RecordIterator {
 public:
  explicit ErrorRecordIterator(Status s) : status_(std::move(s)) {}
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Seek(std::string_view, int64_t) override {}
  void SeekForPrev(std::string_view, int64_t) override {}
  void Next() override {}
  void Prev() override {}
  std::string_view key() const override { return {}; }
  int64_t ts() const override { return 0; }
  std::string_view value() const override { return {}; }
  int64_t expire_at() const override { return kNoExpiry; }
  Status status() const override { return status_; }

 private:
  Status status_;
};

}  // namespace

std::unique_ptr<RecordIterator> DBImpl::NewIterator(const ReadOptions& options) {
  if (closed_) return std::make_unique<ErrorRecordIterator>(Status::Closed());
  SequenceNumber snapshot;
  std::shared_ptr<const ReadState> rs = GetReadState(&snapshot);
  Status s = ReadSequence(options, &snapshot);
  std::unique_ptr<Iterator> internal;
  if (s.ok()) s = NewInternalIterator(options, snapshot, rs, nullptr, nullptr, nullptr, &internal);
  if (!s.ok()) return std::make_unique<ErrorRecordIterator>(s);
  return NewDBIterator(std::move(internal), snapshot, env_->NowMicros(), RangeDels(*rs));
}

std::unique_ptr<ScanCursor> DBImpl::NewScan(const ReadOptions& options, const ScanOptions& scan) {
  if (closed_) {
    return NewScanCursor([](bool) { return std::make_unique<ErrorRecordIterator>(Status::Closed()); },
                         scan);
  }
  SequenceNumber snapshot;
  std::shared_ptr<const ReadState> rs = GetReadState(&snapshot);
  Status s = ReadSequence(options, &snapshot);
  if (!s.ok()) {
    return NewScanCursor([s](bool) { return std::make_unique<ErrorRecordIterator>(s); }, scan);
  }
  ReadOptions ro = options;
  ro.snapshot = nullptr;  // the cursor outlives the call; snapshot holds the sequence
  ro.ts_min = std::max(ro.ts_min, scan.ts_min);
  ro.ts_max = std::min(ro.ts_max, scan.ts_max);
  const int64_t now = env_->NowMicros();
  // Every iterator the cursor builds reads the same pinned memtables and
  // files at the same sequence and expiry clock, so a rebuilt one sees the
  // same records.
  auto make = [this, rs, ro, snapshot, now, scan](bool memory_only)
      -> std::unique_ptr<RecordIterator> {
    ReadOptions o = ro;
    o.memory_only = memory_only;
    std::unique_ptr<Iterator> internal;
    Status s =
        NewInternalIterator(o, snapshot, rs, scan.has_lower ? &scan.lower : nullptr,
                            scan.has_upper ? &scan.upper : nullptr, nullptr, &internal);
    if (!s.ok()) return std::make_unique<ErrorRecordIterator>(s);
    return NewDBIterator(std::move(internal), snapshot, now, RangeDels(*rs));
  };
  return NewScanCursor(std::move(make), scan);
}

DBStats DBImpl::GetStats() const {
  DBStats st;
  st.last_sequence = versions_ ? versions_->last_sequence() : 0;
  st.records_written = records_written_.load();
  st.bytes_written = bytes_written_.load();
  st.wal_syncs = wal_syncs_.load();
  st.write_groups = write_groups_.load();
  st.flushes = flushes_.load();
  st.stall_micros = stall_micros_.load();
  st.bloom_useful = bloom_useful_.load();
  st.stalls = stalls_.load();
  st.flush_bytes = flush_bytes_.load();
  st.compactions = compactions_.load();
  st.compaction_bytes_read = compaction_bytes_read_.load();
  st.compaction_bytes_written = compaction_bytes_written_.load();
  st.compaction_entries_dropped = compaction_entries_dropped_.load();
  st.gc_runs = gc_runs_.load();
  st.gc_files = gc_files_.load();
  st.gc_records = gc_records_.load();
  st.gets = gets_.load();
  st.get_sst_probes = get_sst_probes_.load();
  st.wal_skipped_regions = wal_skipped_regions_;
  st.wal_skipped_bytes = wal_skipped_bytes_;
  {
    std::lock_guard<std::mutex> l(snapshot_mu_);
    st.snapshots = snapshots_.size();
  }
  if (table_cache_) st.table_readers = table_cache_->Size();
  Summarize(write_latency_, &st.write_latency);
  Summarize(read_latency_, &st.read_latency);
  Summarize(flush_latency_, &st.flush_latency);
  Summarize(compaction_latency_, &st.compaction_latency);
  std::shared_ptr<const ReadState> rs = CurrentReadState();
  if (rs) {
    st.memtable_bytes = rs->mem->ApproximateMemoryUsage();
    for (const auto& m : rs->imm) st.memtable_bytes += m->ApproximateMemoryUsage();
    st.frozen_memtables = rs->imm.size();
    st.sstables = rs->version->files().size();
    st.sstable_bytes = rs->version->TotalFileSize();
    st.range_deletions = rs->mem->NumRangeDeletions();
    for (const auto& m : rs->imm) st.range_deletions += m->NumRangeDeletions();
    for (const auto& f : rs->version->files()) {
      st.range_deletions += f->num_range_dels;
      st.largest_sstable_bytes = std::max(st.largest_sstable_bytes, f->file_size);
    }
  }
  if (block_cache_) {
    BlockCache::Stats cs = block_cache_->GetStats();
    st.block_cache_hits = cs.hits;
    st.block_cache_misses = cs.misses;
    st.block_cache_bytes = cs.usage;
  }
  return st;
}

Status DBImpl::Close() {
  if (closed_.exchange(true)) return Status::OK();
  if (!opened_) return Status::OK();
  {
    std::unique_lock<std::mutex> lock(mu_);
    // Let queued writers finish; new ones see closed_.
    while (!writers_.empty()) bg_cv_.wait_for(lock, std::chrono::milliseconds(1));
    shutting_down_ = true;
    compaction_cancel_ = true;
    bg_cv_.notify_all();
  }
  if (bg_thread_.joinable()) bg_thread_.join();
  if (compaction_thread_.joinable()) compaction_thread_.join();
  Status s;
  if (wal_ && options_.sync_mode != SyncMode::kAlways) s = wal_->Sync();
  {
    std::lock_guard<std::mutex> l(mu_);
    wal_.reset();
    if (wal_file_) {
      Status c = wal_file_->Close();
      if (s.ok()) s = c;
    }
    wal_file_.reset();
    {
      std::lock_guard<std::mutex> rl(read_state_mu_);
      read_state_.reset();
    }
    imm_.clear();
    mem_.reset();
  }
  table_cache_.reset();
  versions_.reset();
  if (db_lock_) {
    Status u = env_->UnlockFile(std::move(db_lock_));
    if (s.ok()) s = u;
  }
  return s;
}

Status DestroyDB(const std::string& path, const Options& options) {
  Env* env = options.env != nullptr ? options.env : Env::Default();
  std::unique_ptr<FileLock> lock;
  Status s = env->LockFile(LockFileName(path), &lock);
  if (!s.ok()) return s;
  for (const std::string& dir : {WalDirName(path), TableDirName(path)}) {
    std::vector<std::string> names;
    if (env->GetChildren(dir, &names).ok()) {
      for (const auto& n : names) env->RemoveFile(dir + "/" + n).PermitUncheckedError();
      env->RemoveDir(dir).PermitUncheckedError();
    }
  }
  std::vector<std::string> names;
  if (env->GetChildren(path, &names).ok()) {
    for (const auto& n : names) {
      uint64_t number;
      FileType type;
      if (ParseFileName(n, &number, &type) && type != FileType::kLock) {
        env->RemoveFile(path + "/" + n).PermitUncheckedError();
      }
    }
  }
  env->UnlockFile(std::move(lock)).PermitUncheckedError();
  env->RemoveFile(LockFileName(path)).PermitUncheckedError();
  env->RemoveDir(path).PermitUncheckedError();
  return Status::OK();
}

}  // namespace flowdb
