// Compaction and whole-file expiry: the second background thread of DBImpl.
//
// SSTables are sorted runs ordered by age (Version::files(), newest first).
// Size-tiered compaction merges a run of adjacent files into one, so the
// files keep disjoint sequence ranges and a point read can still stop at the
// first (newest) file holding the record. See Options::compaction_trigger
// for when a merge starts and which files it takes.

#include <algorithm>
#include <chrono>

#include "db/builder.h"
#include "db/compaction_iter.h"
#include "db/db_impl.h"
#include "db/filename.h"
#include "table/merging_iterator.h"

namespace flowdb {

struct DBImpl::CompactionJob {
  std::vector<std::shared_ptr<const FileMetaData>> inputs;  // adjacent, newest first
  bool bottommost = false;  // the inputs include the oldest file
};

namespace {

// How often the compaction thread looks for whole-file expiry and retries
// after a failed merge.
constexpr auto kIdleWait = std::chrono::seconds(1);

bool UserRangesOverlap(const FileMetaData& a, const FileMetaData& b) {
  return !(ExtractUserKey(a.largest) < ExtractUserKey(b.smallest) ||
           ExtractUserKey(b.largest) < ExtractUserKey(a.smallest));
}

}  // namespace

bool DBImpl::PickCompaction(bool all, CompactionJob* job) {
  // Held: the flush thread may install a new Version meanwhile.
  const std::shared_ptr<const Version> v = versions_->current();
  const auto& files = v->files();
  job->inputs.clear();
  if (files.empty()) return false;
  size_t first = 0, take = 0;
  if (all) {
    take = files.size();
  } else {
    if (options_.compaction_trigger == 0 ||
        files.size() < static_cast<size_t>(options_.compaction_trigger)) {
      return false;
    }
    // Space amplification: everything newer than the oldest file, compared
    // with it (for data that is overwritten, newer files are mostly garbage
    // once merged).
    uint64_t oldest = files.back()->file_size, newer = 0;
    for (size_t i = 0; i + 1 < files.size(); i++) newer += files[i]->file_size;
    if (newer * 100 > static_cast<uint64_t>(options_.max_space_amplification) * oldest) {
      take = files.size();
    } else {
      // Size ratio: from the newest file down, the first run in which each
      // next (older) file is not much bigger than the files taken before it.
      const uint64_t ratio = 100 + static_cast<uint64_t>(options_.compaction_size_ratio);
      for (first = 0; first + 1 < files.size(); first++) {
        uint64_t acc = files[first]->file_size;
        take = 1;
        while (first + take < files.size() && files[first + take]->file_size * 100 <= acc * ratio) {
          acc += files[first + take]->file_size;
          take++;
        }
        if (take >= 2) break;
      }
      // Too many files and no run of similar sizes: merge the newest ones to
      // bring the count back under the trigger.
      if (take < 2) {
        first = 0;
        take = files.size() - static_cast<size_t>(options_.compaction_trigger) + 2;
      }
    }
  }
  auto begin = files.begin() + static_cast<ptrdiff_t>(first);
  job->inputs.assign(begin, begin + static_cast<ptrdiff_t>(take));
  job->bottommost = first + take == files.size();
  return true;
}

Status DBImpl::RunCompaction(std::unique_lock<std::mutex>& lock, CompactionJob* job) {
  FileMetaData meta;
  meta.number = versions_->NewFileNumber();
  pending_outputs_.insert(meta.number);
  compacting_files_.clear();
  std::vector<RangeTombstone> tombstones;
  uint64_t bytes_read = 0;
  for (const auto& f : job->inputs) {
    compacting_files_.insert(f->number);
    bytes_read += f->file_size;
    auto it = file_range_dels_.find(f->number);
    if (it != file_range_dels_.end()) {
      tombstones.insert(tombstones.end(), it->second.begin(), it->second.end());
    }
  }
  DropPolicy policy;
  policy.smallest_snapshot = SmallestSnapshot();
  policy.bottommost = job->bottommost;
  policy.now_micros = env_->NowMicros();
  policy.cancel = &compaction_cancel_;
  lock.unlock();
  const uint64_t start = env_->NowNanos();

  RangeDelSet covering(tombstones);
  policy.range_dels = covering.empty() ? nullptr : &covering;
  std::vector<RangeTombstone> kept;
  for (RangeTombstone& t : tombstones) {
    if (KeepRangeTombstone(t, policy)) kept.push_back(std::move(t));
  }
  Status s;
  CompactionCounts counts;
  {
    std::vector<std::unique_ptr<Iterator>> children;
    ReadOptions ro;
    ro.fill_cache = false;
    for (const auto& f : job->inputs) {
      std::shared_ptr<Table> table;
      s = table_cache_->Get(*f, /*memory_only=*/false, &table);
      if (!s.ok()) break;
      std::unique_ptr<Iterator> it = table->NewIterator(ro);
      it->Pin(table);
      children.push_back(std::move(it));
    }
    if (s.ok()) {
      std::unique_ptr<Iterator> merged = NewMergingIterator(std::move(children));
      CompactionIterator input(merged.get(), policy);
      s = BuildTable(dbname_, env_, MakeTableOptions(), &input, kept, &meta);
      counts = input.counts();
    }
  }

  lock.lock();
  VersionEdit edit;
  if (s.ok()) {
    for (const auto& f : job->inputs) edit.RemoveFile(f->number);
    if (meta.file_size > 0) {
      edit.AddFile(meta);
      // Known before any read state can hold the file (see InstallReadState).
      if (!kept.empty()) file_range_dels_[meta.number] = kept;
    }
    lock.unlock();
    s = versions_->LogAndApply(&edit);
    lock.lock();
    // The manifest's state is unknown after a failed append: stop writing.
    if (!s.ok()) SetBackgroundError(s);
  }
  pending_outputs_.erase(meta.number);
  compacting_files_.clear();
  if (!s.ok()) {
    file_range_dels_.erase(meta.number);
    return s;
  }
  for (const auto& f : job->inputs) file_range_dels_.erase(f->number);
  drop_floor_ = std::max(drop_floor_, policy.smallest_snapshot);
  InstallReadState();
  compactions_.fetch_add(1, std::memory_order_relaxed);
  compaction_latency_.Add((env_->NowNanos() - start) / 1000);
  compaction_bytes_read_.fetch_add(bytes_read, std::memory_order_relaxed);
  compaction_bytes_written_.fetch_add(meta.file_size, std::memory_order_relaxed);
  compaction_entries_dropped_.fetch_add(counts.overwritten + counts.range_deleted +
                                            counts.tombstones_dropped + counts.expired_dropped,
                                        std::memory_order_relaxed);
  lock.unlock();
  RemoveObsoleteFiles();
  lock.lock();
  return Status::OK();
}

Status DBImpl::DropExpiredFilesLocked(std::unique_lock<std::mutex>& lock, uint64_t* files_out,
                                      uint64_t* entries_out) {
  if (files_out != nullptr) *files_out = 0;
  if (entries_out != nullptr) *entries_out = 0;
  const int64_t now = env_->NowMicros();
  std::shared_ptr<const Version> v = versions_->current();
  const auto& files = v->files();
  // Oldest first: a file whose entries have all expired still hides older
  // versions of the same records, so it may go only if no older file that
  // stays overlaps its keys.
  std::vector<const FileMetaData*> staying;
  std::vector<const FileMetaData*> dropped;
  for (size_t i = files.size(); i-- > 0;) {
    const FileMetaData& f = *files[i];
    bool expired = f.max_expire <= now && f.num_range_dels == 0 &&
                   !compacting_files_.count(f.number) && !pending_outputs_.count(f.number);
    if (expired) {
      for (const FileMetaData* g : staying) {
        if (UserRangesOverlap(f, *g)) {
          expired = false;
          break;
        }
      }
    }
    (expired ? dropped : staying).push_back(&f);
  }
  if (dropped.empty()) return Status::OK();
  VersionEdit edit;
  uint64_t entries = 0;
  const size_t dropped_files = dropped.size();
  for (const FileMetaData* f : dropped) {
    edit.RemoveFile(f->number);
    entries += f->num_entries;
  }
  dropped.clear();
  staying.clear();
  v.reset();  // or its files would count as in use below
  lock.unlock();
  Status s = versions_->LogAndApply(&edit);
  lock.lock();
  if (!s.ok()) {
    SetBackgroundError(s);
    return s;
  }
  InstallReadState();
  gc_runs_.fetch_add(1, std::memory_order_relaxed);
  gc_files_.fetch_add(dropped_files, std::memory_order_relaxed);
  gc_records_.fetch_add(entries, std::memory_order_relaxed);
  if (files_out != nullptr) *files_out = dropped_files;
  if (entries_out != nullptr) *entries_out = entries;
  lock.unlock();
  RemoveObsoleteFiles();
  lock.lock();
  return Status::OK();
}

void DBImpl::CompactionLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  auto next_gc = std::chrono::steady_clock::now();
  auto retry_after = std::chrono::steady_clock::time_point::min();
  while (!shutting_down_) {
    auto now = std::chrono::steady_clock::now();
    if (!bg_error_.ok()) {
      // Read-only: fail waiting manual compactions and idle.
      if (manual_compactions_done_ < manual_compactions_requested_) {
        manual_compactions_done_ = manual_compactions_requested_;
        manual_compaction_status_ = bg_error_;
        bg_cv_.notify_all();
      }
      bg_cv_.wait_for(lock, kIdleWait);
      continue;
    }
    CompactionJob job;
    if (manual_compactions_done_ < manual_compactions_requested_) {
      uint64_t target = manual_compactions_requested_;
      compaction_running_ = true;
      Status s = PickCompaction(/*all=*/true, &job) ? RunCompaction(lock, &job) : Status::OK();
      compaction_running_ = false;
      manual_compactions_done_ = target;
      manual_compaction_status_ = s;
      bg_cv_.notify_all();
      continue;
    }
    if (now >= next_gc) {
      compaction_running_ = true;
      DropExpiredFilesLocked(lock, nullptr, nullptr).PermitUncheckedError();
      compaction_running_ = false;
      next_gc = now + kIdleWait;
      bg_cv_.notify_all();
      continue;
    }
    if (now >= retry_after && PickCompaction(/*all=*/false, &job)) {
      compaction_running_ = true;
      Status s = RunCompaction(lock, &job);
      compaction_running_ = false;
      // A failed merge leaves its inputs in place; try again later.
      if (!s.ok()) retry_after = now + kIdleWait;
      bg_cv_.notify_all();
      continue;
    }
    bg_cv_.wait_until(lock, std::min(next_gc, now + kIdleWait));
  }
}

Status DBImpl::CompactAll() {
  FLOWDB_RETURN_IF_ERROR(Flush());
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = ++manual_compactions_requested_;
  bg_cv_.notify_all();
  while (manual_compactions_done_ < target && !shutting_down_) bg_cv_.wait(lock);
  if (manual_compactions_done_ < target) return Status::Closed();
  return manual_compaction_status_;
}

Status DBImpl::DropExpiredFiles(uint64_t* files, uint64_t* entries) {
  if (closed_) return Status::Closed();
  std::unique_lock<std::mutex> lock(mu_);
  while (compaction_running_ && !shutting_down_) bg_cv_.wait(lock);
  if (shutting_down_) return Status::Closed();
  if (!bg_error_.ok()) return bg_error_;
  compaction_running_ = true;
  Status s = DropExpiredFilesLocked(lock, files, entries);
  compaction_running_ = false;
  bg_cv_.notify_all();
  return s;
}

}  // namespace flowdb
