#include "db/version_edit.h"

namespace flowdb {

namespace {

// Persisted: never renumber.
enum Tag : uint32_t {
  kComparator = 1,
  kLogNumber = 2,
  kNextFileNumber = 3,
  kLastSequence = 4,
  kNewFile = 5,
  kDeletedFile = 6,
};

bool GetInt64(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetFixed64(in, &u)) return false;
  *v = static_cast<int64_t>(u);
  return true;
}

bool DecodeFile(std::string_view* in, FileMetaData* f) {
  std::string_view smallest, largest;
  if (!GetVarint64(in, &f->number) || !GetVarint64(in, &f->file_size) ||
      !GetVarint64(in, &f->num_entries) || !GetLengthPrefixed(in, &smallest) ||
      !GetLengthPrefixed(in, &largest) || !GetInt64(in, &f->min_ts) ||
      !GetInt64(in, &f->max_ts) || !GetInt64(in, &f->min_expire) ||
      !GetInt64(in, &f->max_expire) || !GetVarint64(in, &f->min_seq) ||
      !GetVarint64(in, &f->max_seq) || !GetVarint64(in, &f->num_range_dels)) {
    return false;
  }
  if (smallest.size() < kInternalKeySuffix || largest.size() < kInternalKeySuffix) return false;
  f->smallest.assign(smallest);
  f->largest.assign(largest);
  return true;
}

}  // namespace

void VersionEdit::EncodeTo(std::string* dst) const {
  if (comparator_) {
    PutVarint32(dst, kComparator);
    PutLengthPrefixed(dst, *comparator_);
  }
  if (log_number_) {
    PutVarint32(dst, kLogNumber);
    PutVarint64(dst, *log_number_);
  }
  if (next_file_number_) {
    PutVarint32(dst, kNextFileNumber);
    PutVarint64(dst, *next_file_number_);
  }
  if (last_sequence_) {
    PutVarint32(dst, kLastSequence);
    PutVarint64(dst, *last_sequence_);
  }
  for (uint64_t number : deleted_files_) {
    PutVarint32(dst, kDeletedFile);
    PutVarint64(dst, number);
  }
  for (const FileMetaData& f : new_files_) {
    PutVarint32(dst, kNewFile);
    PutVarint64(dst, f.number);
    PutVarint64(dst, f.file_size);
    PutVarint64(dst, f.num_entries);
    PutLengthPrefixed(dst, f.smallest);
    PutLengthPrefixed(dst, f.largest);
    PutFixed64(dst, static_cast<uint64_t>(f.min_ts));
    PutFixed64(dst, static_cast<uint64_t>(f.max_ts));
    PutFixed64(dst, static_cast<uint64_t>(f.min_expire));
    PutFixed64(dst, static_cast<uint64_t>(f.max_expire));
    PutVarint64(dst, f.min_seq);
    PutVarint64(dst, f.max_seq);
    PutVarint64(dst, f.num_range_dels);
  }
}

Status VersionEdit::DecodeFrom(std::string_view src) {
  *this = VersionEdit();
  std::string_view in = src;
  while (!in.empty()) {
    uint32_t tag;
    if (!GetVarint32(&in, &tag)) return Status::Corruption("manifest edit: bad tag");
    bool ok = true;
    uint64_t v;
    switch (tag) {
      case kComparator: {
        std::string_view name;
        ok = GetLengthPrefixed(&in, &name);
        if (ok) comparator_ = std::string(name);
        break;
      }
      case kLogNumber:
        ok = GetVarint64(&in, &v);
        if (ok) log_number_ = v;
        break;
      case kNextFileNumber:
        ok = GetVarint64(&in, &v);
        if (ok) next_file_number_ = v;
        break;
      case kLastSequence:
        ok = GetVarint64(&in, &v);
        if (ok) last_sequence_ = v;
        break;
      case kDeletedFile:
        ok = GetVarint64(&in, &v);
        if (ok) deleted_files_.insert(v);
        break;
      case kNewFile: {
        FileMetaData f;
        ok = DecodeFile(&in, &f);
        if (ok) new_files_.push_back(std::move(f));
        break;
      }
      default:
        return Status::Corruption("manifest edit: unknown tag", std::to_string(tag));
    }
    if (!ok) return Status::Corruption("manifest edit: truncated field", std::to_string(tag));
  }
  return Status::OK();
}

}  // namespace flowdb
