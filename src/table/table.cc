#include "table/table.h"

#include <limits>

#include "db/dbformat.h"
#include "flowdb/env.h"
#include "table/block_cache.h"
#include "table/bloom.h"

namespace flowdb {

namespace {

// Prefixes a corruption message with where it happened; other errors (I/O)
// pass through unchanged.
Status Annotate(const Status& s, const std::string& context) {
  if (!s.IsCorruption()) return s;
  return Status::Corruption(context, s.message());
}

std::string OffsetName(const char* what, uint64_t offset) {
  return std::string("sstable ") + what + " at offset " + std::to_string(offset);
}

}  // namespace

Table::Table(std::unique_ptr<RandomAccessFile> file, uint64_t file_size, uint64_t table_id,
             BlockCache* cache)
    : file_(std::move(file)), file_size_(file_size), table_id_(table_id), cache_(cache) {}

Table::~Table() = default;

Status Table::Open(const TableReadOptions& options, std::unique_ptr<RandomAccessFile> file,
                   uint64_t file_size, uint64_t table_id, BlockCache* cache,
                   std::unique_ptr<Table>* table) {
  table->reset();
  if (file_size < Footer::kEncodedLength) {
    return Status::Corruption("sstable too short", std::to_string(file_size) + " bytes");
  }
  const uint64_t footer_offset = file_size - Footer::kEncodedLength;
  char buf[Footer::kEncodedLength];
  std::string_view input;
  FLOWDB_RETURN_IF_ERROR(file->Read(footer_offset, sizeof(buf), &input, buf));
  if (input.size() != Footer::kEncodedLength) {
    return Status::Corruption(OffsetName("footer", footer_offset), "truncated");
  }
  Footer footer;
  Status s = footer.DecodeFrom(input);
  if (!s.ok()) return Annotate(s, OffsetName("footer", footer_offset));

  std::unique_ptr<Table> t(new Table(std::move(file), file_size, table_id, cache));
  t->file_name_ = options.file_name;
  std::string contents;
  FLOWDB_RETURN_IF_ERROR(t->ReadMetaBlock("properties", footer.properties_handle, &contents));
  s = t->properties_.DecodeFrom(contents);
  if (s.ok() && t->properties_.format_version != footer.format_version) {
    s = Status::Corruption("format version differs from the footer's");
  }
  if (!s.ok()) return Annotate(s, OffsetName("properties block", footer.properties_handle.offset()));

  FLOWDB_RETURN_IF_ERROR(t->LoadIndex(footer.index_handle));
  if (footer.filter_handle.size() > 0) {
    FLOWDB_RETURN_IF_ERROR(t->ReadMetaBlock("filter", footer.filter_handle, &t->filter_));
  }
  if (t->properties_.range_del_size > 0) {
    BlockHandle h(t->properties_.range_del_offset, t->properties_.range_del_size);
    FLOWDB_RETURN_IF_ERROR(t->ReadMetaBlock("range deletion", h, &t->range_dels_));
  }
  if (options.paranoid_checks) FLOWDB_RETURN_IF_ERROR(t->VerifyDataBlocks());

  uint64_t usage = sizeof(Table) + t->filter_.capacity() + t->range_dels_.capacity() +
                   t->index_.capacity() * sizeof(IndexEntry) + t->index_keys_.capacity() +
                   t->index_key_ends_.capacity() * sizeof(uint32_t) +
                   t->properties_.smallest_key.capacity() + t->properties_.largest_key.capacity();
  t->memory_usage_ = usage;
  *table = std::move(t);
  return Status::OK();
}

Status Table::ReadMetaBlock(const char* name, const BlockHandle& handle,
                            std::string* contents) const {
  // Every block lies before the footer.
  const uint64_t end = file_size_ - Footer::kEncodedLength;
  if (handle.offset() > end || handle.size() > end - handle.offset() ||
      end - handle.offset() - handle.size() < kBlockTrailerSize) {
    return Status::Corruption(std::string("sstable ") + name + " block handle out of range",
                              "offset " + std::to_string(handle.offset()) + " size " +
                                  std::to_string(handle.size()));
  }
  return Annotate(ReadBlock(file_.get(), handle, contents), std::string("sstable ") + name);
}

Status Table::LoadIndex(const BlockHandle& handle) {
  const std::string name = OffsetName("index block", handle.offset());
  std::string contents;
  FLOWDB_RETURN_IF_ERROR(ReadMetaBlock("index", handle, &contents));
  std::unique_ptr<Block> block;
  Status s = Block::Open(std::move(contents), &block);
  if (!s.ok()) return Annotate(s, name);

  const uint64_t data_end = file_size_ - Footer::kEncodedLength;
  uint64_t total_entries = 0;
  std::unique_ptr<Iterator> it = block->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string entry = "entry " + std::to_string(index_.size());
    IndexEntry e;
    s = e.meta.DecodeFrom(it->value());
    if (!s.ok()) return Status::Corruption(name, entry + ": " + s.message());
    const BlockHandle& h = e.meta.handle;
    if (h.offset() > data_end || h.size() > data_end - h.offset() ||
        data_end - h.offset() - h.size() < kBlockTrailerSize) {
      return Status::Corruption(name, entry + ": data block handle out of range");
    }
    if (!index_.empty() && InternalKeyComparator::Compare(LastKey(index_.size() - 1), it->key()) >= 0) {
      return Status::Corruption(name, entry + ": keys out of order");
    }
    if (index_keys_.size() + it->key().size() > UINT32_MAX) {
      return Status::Corruption(name, entry + ": index keys too large");
    }
    total_entries += e.meta.num_entries;
    index_.push_back(std::move(e));
    index_keys_.append(it->key());
    index_key_ends_.push_back(static_cast<uint32_t>(index_keys_.size()));
  }
  if (!it->status().ok()) return Annotate(it->status(), name);
  if (index_.size() != properties_.data_blocks || total_entries != properties_.num_entries) {
    return Status::Corruption(name, "block or entry count differs from the properties");
  }
  return Status::OK();
}

std::string Table::DataBlockName(size_t i) const {
  std::string name = OffsetName("data block", index_[i].meta.handle.offset());
  return file_name_.empty() ? name : file_name_ + " " + name;
}

size_t Table::FindDataBlock(std::string_view target) const {
  size_t lo = 0, hi = index_.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (InternalKeyComparator::Compare(LastKey(mid), target) < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

Status Table::GetDataBlock(const ReadOptions& options, size_t i,
                           std::shared_ptr<const Block>* block) const {
  const BlockHandle& handle = index_[i].meta.handle;
  if (cache_ != nullptr) {
    *block = cache_->Lookup(table_id_, handle.offset());
    if (*block != nullptr) return Status::OK();
  }
  if (options.memory_only) return Status::WouldBlock("would block");
  data_block_reads_.fetch_add(1, std::memory_order_relaxed);
  std::string contents;
  Status s = ReadBlock(file_.get(), handle, &contents);
  if (!s.ok()) return Annotate(s, file_name_.empty() ? "sstable data" : file_name_ + " data");
  std::unique_ptr<Block> owned;
  s = Block::Open(std::move(contents), &owned);
  if (!s.ok()) return Annotate(s, DataBlockName(i));
  std::shared_ptr<const Block> shared = std::move(owned);
  if (cache_ != nullptr && options.fill_cache) cache_->Insert(table_id_, handle.offset(), shared);
  *block = std::move(shared);
  return Status::OK();
}

Status Table::VerifyDataBlocks() const {
  ReadOptions options;
  options.fill_cache = false;
  std::string prev_key;
  for (size_t i = 0; i < index_.size(); i++) {
    std::shared_ptr<const Block> block;
    FLOWDB_RETURN_IF_ERROR(GetDataBlock(options, i, &block));
    const IndexValue& meta = index_[i].meta;
    uint64_t count = 0;
    std::unique_ptr<Iterator> it = block->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ParsedInternalKey key;
      const char* problem = nullptr;
      if (!ParseInternalKey(it->key(), &key)) {
        problem = "malformed internal key";
      } else if (!prev_key.empty() && InternalKeyComparator::Compare(prev_key, it->key()) >= 0) {
        problem = "keys out of order";
      } else if (key.ts < meta.min_ts || key.ts > meta.max_ts) {
        problem = "ts outside the index's range";
      }
      if (problem != nullptr) {
        return Status::Corruption(DataBlockName(i),
                                  "entry " + std::to_string(count) + ": " + problem);
      }
      prev_key.assign(it->key());
      count++;
    }
    if (!it->status().ok()) return Annotate(it->status(), DataBlockName(i));
    if (count != meta.num_entries || prev_key != LastKey(i)) {
      return Status::Corruption(DataBlockName(i), "entries differ from the index");
    }
  }
  return Status::OK();
}

bool Table::KeyMayMatch(std::string_view user_key) const {
  return filter_.empty() || BloomKeyMayMatch(user_key, filter_);
}

Status Table::Get(const ReadOptions& options, std::string_view target, TableGetResult* result,
                  TableGetHint* hint) const {
  *result = TableGetResult();
  if (target.size() < kInternalKeySuffix) {
    return Status::InvalidArgument("lookup target is not an internal key");
  }
  if (!KeyMayMatch(ExtractUserKey(target))) {
    result->filtered = true;
    return Status::OK();
  }
  // The first block whose last key is ≥ target holds the first entry
  // ≥ target (the blocks before it hold only smaller keys), so no other
  // block can hold the answer. If that entry has target's ts, the ts lies in
  // the block's [min_ts, max_ts]; if not, there is nothing to read.
  // With a hint, the previous target (≤ this one) fell into the hint's
  // block or before it, so no earlier block can hold the answer.
  size_t i;
  if (hint != nullptr && hint->block_index < index_.size() &&
      InternalKeyComparator::Compare(LastKey(hint->block_index), target) >= 0) {
    i = hint->block_index;
  } else {
    i = FindDataBlock(target);
  }
  if (i == index_.size()) return Status::OK();
  const int64_t ts = ExtractTs(target);
  if (ts < index_[i].meta.min_ts || ts > index_[i].meta.max_ts) return Status::OK();

  std::shared_ptr<const Block> block;
  if (hint != nullptr && hint->block_index == i && hint->block != nullptr) {
    block = hint->block;
  } else {
    FLOWDB_RETURN_IF_ERROR(GetDataBlock(options, i, &block));
    if (hint != nullptr) {
      hint->block_index = i;
      hint->block = block;
    }
  }
  bool found;
  uint64_t tag;
  std::string_view value;
  Status s = block->Get(target, &found, &tag, &value);
  if (!s.ok()) return s.IsCorruption() ? Status::Corruption(DataBlockName(i), s.message()) : s;
  if (!found) return Status::OK();
  if (!IsValidValueType(tag & 0xff)) {
    return Status::Corruption(DataBlockName(i), "malformed internal key");
  }
  result->found = true;
  result->sequence = tag >> 8;
  result->type = static_cast<ValueType>(tag & 0xff);
  result->value = value;
  result->block = std::move(block);
  return Status::OK();
}

// A two-level iterator: the in-memory index picks data blocks, a block
// iterator walks the current one. Invalid iff data_iter_ is null or invalid.
class TableIterator final : public Iterator {
 public:
  TableIterator(const Table* table, const ReadOptions& options)
      : table_(table), options_(options), block_index_(table->index_.size()) {
    all_ts_ = options.ts_min == std::numeric_limits<int64_t>::min() &&
              options.ts_max == std::numeric_limits<int64_t>::max();
  }

  bool Valid() const override { return data_iter_ != nullptr && data_iter_->Valid(); }

  void SeekToFirst() override {
    status_ = Status::OK();
    FirstEntryFrom(0);
  }

  void SeekToLast() override {
    status_ = Status::OK();
    LastEntryBefore(table_->index_.size());
  }

  void Seek(std::string_view target) override {
    if (!StartSeek(target)) return;
    size_t lo = table_->FindDataBlock(target);
    if (lo < table_->index_.size() && Wanted(lo)) {
      if (!LoadBlock(lo)) return;
      data_iter_->Seek(target);
      if (data_iter_->Valid() || !DataIterOk()) return;
      lo++;
    }
    FirstEntryFrom(lo);
  }

  void SeekForPrev(std::string_view target) override {
    if (!StartSeek(target)) return;
    // Block i is the first whose last key is ≥ target: the entry sought is
    // in it or, if all of its entries are > target, in a block before it.
    const size_t i = table_->FindDataBlock(target);
    if (i < table_->index_.size() && Wanted(i)) {
      if (!LoadBlock(i)) return;
      data_iter_->SeekForPrev(target);
      if (data_iter_->Valid() || !DataIterOk()) return;
    }
    LastEntryBefore(i);
  }

  void Next() override {
    data_iter_->Next();
    if (data_iter_->Valid() || !DataIterOk()) return;
    FirstEntryFrom(block_index_ + 1);
  }

  void Prev() override {
    data_iter_->Prev();
    if (data_iter_->Valid() || !DataIterOk()) return;
    LastEntryBefore(block_index_);
  }

  std::string_view key() const override { return data_iter_->key(); }
  std::string_view value() const override { return data_iter_->value(); }
  Status status() const override { return status_; }

 private:
  // Clears the status for a seek to target. If target is not an internal
  // key, records that and returns false (invalid).
  bool StartSeek(std::string_view target) {
    status_ = Status::OK();
    if (target.size() >= kInternalKeySuffix) return true;
    ClearBlock();
    status_ = Status::InvalidArgument("seek target is not an internal key");
    return false;
  }

  // True iff block i may hold entries in [ts_min, ts_max].
  bool Wanted(size_t i) const {
    if (all_ts_) return true;
    const IndexValue& meta = table_->index_[i].meta;
    return meta.max_ts >= options_.ts_min && meta.min_ts <= options_.ts_max;
  }

  void ClearBlock() {
    data_iter_.reset();  // before the block it points into
    block_.reset();
    block_index_ = table_->index_.size();
  }

  // Makes block i current. On error records it and returns false (invalid).
  bool LoadBlock(size_t i) {
    if (i == block_index_ && data_iter_ != nullptr) return true;
    std::shared_ptr<const Block> block;
    Status s = table_->GetDataBlock(options_, i, &block);
    if (!s.ok()) {
      ClearBlock();
      status_ = std::move(s);
      return false;
    }
    data_iter_ = block->NewIterator();
    block_ = std::move(block);
    block_index_ = i;
    return true;
  }

  // After data_iter_ turned invalid: false (and the error recorded) if that
  // was an error rather than the end of the block.
  bool DataIterOk() {
    Status s = data_iter_->status();
    if (s.ok()) return true;
    std::string where = table_->DataBlockName(block_index_);
    ClearBlock();
    status_ = s.IsCorruption() ? Status::Corruption(where, s.message()) : std::move(s);
    return false;
  }

  // Positions at the first entry of the first wanted block at or after i.
  void FirstEntryFrom(size_t i) {
    for (; i < table_->index_.size(); i++) {
      if (!Wanted(i)) continue;
      if (!LoadBlock(i)) return;
      data_iter_->SeekToFirst();
      if (data_iter_->Valid() || !DataIterOk()) return;
    }
    ClearBlock();
  }

  // Positions at the last entry of the last wanted block before end.
  void LastEntryBefore(size_t end) {
    for (size_t i = end; i-- > 0;) {
      if (!Wanted(i)) continue;
      if (!LoadBlock(i)) return;
      data_iter_->SeekToLast();
      if (data_iter_->Valid() || !DataIterOk()) return;
    }
    ClearBlock();
  }

  const Table* const table_;
  const ReadOptions options_;
  bool all_ts_;
  size_t block_index_;  // index_.size() when no block is loaded
  std::shared_ptr<const Block> block_;
  std::unique_ptr<Iterator> data_iter_;  // over *block_; declared after it
  Status status_;
};

std::unique_ptr<Iterator> Table::NewIterator(const ReadOptions& options) const {
  return std::make_unique<TableIterator>(this, options);
}

}  // namespace flowdb
