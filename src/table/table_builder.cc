#include "table/table_builder.h"

#include <algorithm>
#include <cassert>
#include <limits>

#include "db/dbformat.h"
#include "flowdb/env.h"

namespace flowdb {

namespace {

constexpr int64_t kTsMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kTsMin = std::numeric_limits<int64_t>::min();

}  // namespace

TableBuilder::TableBuilder(const TableOptions& options, WritableFile* file)
    : options_(options),
      file_(file),
      data_block_(options.block_restart_interval),
      // One restart per entry: exact binary search over the block index.
      index_block_(1),
      block_min_ts_(kTsMax),
      block_max_ts_(kTsMin) {
  if (options_.bloom_bits_per_key > 0) {
    filter_ = std::make_unique<BloomFilterBuilder>(options_.bloom_bits_per_key);
  }
  props_.bloom_bits_per_key = std::max(options_.bloom_bits_per_key, 0);
  props_.format_version = kTableFormatVersion;
}

TableBuilder::~TableBuilder() { assert(closed_); }

void TableBuilder::Add(std::string_view internal_key, std::string_view value) {
  assert(!closed_);
  if (!status_.ok()) return;
  ParsedInternalKey key;
  if (!ParseInternalKey(internal_key, &key)) {
    status_ = Status::InvalidArgument("TableBuilder::Add: malformed internal key");
    return;
  }
  if (props_.num_entries > 0 && InternalKeyComparator::Compare(internal_key, last_key_) <= 0) {
    status_ = Status::InvalidArgument("TableBuilder::Add: key does not sort after the previous key");
    return;
  }
  int64_t expire_at = kNoExpiry;
  if (key.type == kTypeValueExpiring) {
    std::string_view record_value;
    if (!DecodeEntryValue(key.type, value, &record_value, &expire_at)) {
      status_ = Status::InvalidArgument("TableBuilder::Add: expiring value without expire_at");
      return;
    }
  }

  if (props_.num_entries == 0) props_.smallest_key.assign(internal_key);
  props_.num_entries++;
  if (key.type == kTypeDeletion) props_.num_deletions++;
  props_.raw_key_bytes += internal_key.size();
  props_.raw_value_bytes += value.size();
  props_.min_ts = std::min(props_.min_ts, key.ts);
  props_.max_ts = std::max(props_.max_ts, key.ts);
  props_.min_expire_at = std::min(props_.min_expire_at, expire_at);
  props_.max_expire_at = std::max(props_.max_expire_at, expire_at);
  props_.min_seq = std::min(props_.min_seq, key.sequence);
  props_.max_seq = std::max(props_.max_seq, key.sequence);
  if (filter_ != nullptr) filter_->AddKey(key.user_key);

  data_block_.Add(internal_key, value);
  last_key_.assign(internal_key);
  block_min_ts_ = std::min(block_min_ts_, key.ts);
  block_max_ts_ = std::max(block_max_ts_, key.ts);
  if (data_block_.CurrentSizeEstimate() >= options_.block_size) FlushDataBlock();
}

void TableBuilder::FlushDataBlock() {
  if (data_block_.empty() || !status_.ok()) return;
  IndexValue meta;
  meta.num_entries = data_block_.num_entries();
  meta.min_ts = block_min_ts_;
  meta.max_ts = block_max_ts_;
  WriteBlock(data_block_.Finish(), options_.compression, &meta.handle);
  if (!status_.ok()) return;
  std::string encoded;
  meta.EncodeTo(&encoded);
  index_block_.Add(last_key_, encoded);
  props_.data_blocks++;
  data_block_.Reset();
  block_min_ts_ = kTsMax;
  block_max_ts_ = kTsMin;
}

void TableBuilder::WriteBlock(std::string_view raw, Compression compression,
                              BlockHandle* handle) {
  EncodeBlock(raw, compression, &encoded_block_);
  status_ = file_->Append(encoded_block_);
  if (!status_.ok()) return;
  *handle = BlockHandle(offset_, encoded_block_.size() - kBlockTrailerSize);
  offset_ += encoded_block_.size();
}

void TableBuilder::SetRangeDeletions(std::string encoded, uint64_t count, uint64_t min_seq,
                                     uint64_t max_seq) {
  if (count == 0) return;
  range_dels_ = std::move(encoded);
  props_.num_range_deletions = count;
  props_.min_seq = std::min(props_.min_seq, min_seq);
  props_.max_seq = std::max(props_.max_seq, max_seq);
}

Status TableBuilder::Finish() {
  assert(!closed_);
  closed_ = true;
  FlushDataBlock();
  Footer footer;
  if (status_.ok() && filter_ != nullptr) {
    // Filter bits do not compress.
    WriteBlock(filter_->Finish(), Compression::kNone, &footer.filter_handle);
  }
  if (status_.ok() && !range_dels_.empty()) {
    BlockHandle h;
    WriteBlock(range_dels_, Compression::kNone, &h);
    props_.range_del_offset = h.offset();
    props_.range_del_size = h.size();
  }
  if (status_.ok()) {
    props_.largest_key = last_key_;
    std::string encoded;
    props_.EncodeTo(&encoded);
    WriteBlock(encoded, Compression::kNone, &footer.properties_handle);
  }
  if (status_.ok()) WriteBlock(index_block_.Finish(), options_.compression, &footer.index_handle);
  if (status_.ok()) {
    std::string encoded;
    footer.EncodeTo(&encoded);
    status_ = file_->Append(encoded);
    if (status_.ok()) offset_ += encoded.size();
  }
  return status_;
}

void TableBuilder::Abandon() {
  assert(!closed_);
  closed_ = true;
}

}  // namespace flowdb
