// Fuzz target: Table::Open over an arbitrary SSTable file, then a full
// forward and backward iteration and point lookups of the keys seen. The
// first byte picks paranoid checks and whether a block cache is used.
//
// Properties: no crash; errors are Corruption (no I/O can fail here); walks
// end; clean forward and backward walks see as many entries.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "flowdb/options.h"
#include "fuzz_util.h"
#include "table/block_cache.h"
#include "table/table.h"

namespace {

using flowdb::fuzz::Fail;

class StringSource final : public flowdb::RandomAccessFile {
 public:
  explicit StringSource(std::string contents) : contents_(std::move(contents)) {}
  flowdb::Status Read(uint64_t offset, size_t n, std::string_view* result,
                      char* scratch) const override {
    if (offset >= contents_.size()) {
      *result = {};
      return flowdb::Status::OK();
    }
    n = static_cast<size_t>(std::min<uint64_t>(n, contents_.size() - offset));
    std::memcpy(scratch, contents_.data() + offset, n);
    *result = std::string_view(scratch, n);
    return flowdb::Status::OK();
  }

 private:
  const std::string contents_;
};

void CheckError(const flowdb::Status& s, const char* what) {
  if (!s.ok() && !s.IsCorruption()) Fail(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string contents(reinterpret_cast<const char*>(data) + 1, size - 1);
  const uint64_t file_size = contents.size();
  flowdb::TableReadOptions topt;
  topt.paranoid_checks = mode & 1;
  std::unique_ptr<flowdb::BlockCache> cache;
  if (mode & 2) cache = std::make_unique<flowdb::BlockCache>(1 << 20);
  std::unique_ptr<flowdb::Table> table;
  flowdb::Status s = flowdb::Table::Open(topt, std::make_unique<StringSource>(std::move(contents)),
                                         file_size, /*table_id=*/1, cache.get(), &table);
  CheckError(s, "Table::Open: not Corruption");
  if (!s.ok()) return 0;

  flowdb::ReadOptions ropt;
  std::vector<std::string> keys;
  std::unique_ptr<flowdb::Iterator> it = table->NewIterator(ropt);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    keys.emplace_back(it->key());
    if (keys.size() > file_size) Fail("more entries than bytes");
  }
  const bool forward_ok = it->status().ok();
  CheckError(it->status(), "forward walk: not Corruption");
  size_t backward = 0;
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    if (++backward > file_size) Fail("more entries than bytes");
  }
  CheckError(it->status(), "backward walk: not Corruption");
  if (forward_ok && it->status().ok() && backward != keys.size()) {
    Fail("forward and backward walks differ in length");
  }

  for (size_t i = 0; i < keys.size() && i < 32; i++) {
    flowdb::TableGetResult result;
    s = table->Get(ropt, keys[i], &result);
    CheckError(s, "Get: not Corruption");
    it->Seek(keys[i]);
    CheckError(it->status(), "Seek: not Corruption");
  }
  return 0;
}
