// Fuzz target: Block::Open and block iterators over arbitrary block
// contents (what a data or index block holds once its checksum matched).
//
// Properties: no crash; every walk ends; when a forward and a backward walk
// both end without error they see the same entries in opposite orders; a
// seek to a key the forward walk saw, in a block whose keys are in order,
// lands on that key.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/dbformat.h"
#include "fuzz_util.h"
#include "table/block.h"

using flowdb::fuzz::Fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string contents(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<flowdb::Block> block;
  flowdb::Status s = flowdb::Block::Open(contents, &block);
  if (!s.ok()) {
    if (!s.IsCorruption()) Fail("Open: not Corruption");
    if (block != nullptr) Fail("Open failed but left a block");
    return 0;
  }
  std::vector<std::pair<std::string, std::string>> forward, backward;
  std::unique_ptr<flowdb::Iterator> it = block->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    forward.emplace_back(it->key(), it->value());
    if (forward.size() > size) Fail("more entries than bytes");
  }
  const bool forward_ok = it->status().ok();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    backward.emplace_back(it->key(), it->value());
    if (backward.size() > size) Fail("more entries than bytes");
  }
  const bool backward_ok = it->status().ok();
  if (forward_ok && backward_ok) {
    if (forward.size() != backward.size()) Fail("forward and backward walks differ in length");
    for (size_t i = 0; i < forward.size(); i++) {
      if (forward[i] != backward[forward.size() - 1 - i]) Fail("forward and backward walks differ");
    }
  }

  bool sorted = forward_ok;
  for (size_t i = 1; sorted && i < forward.size(); i++) {
    sorted = flowdb::InternalKeyComparator::Compare(forward[i - 1].first, forward[i].first) < 0;
  }
  for (size_t i = 0; i < forward.size() && i < 64; i++) {
    const std::string& key = forward[i].first;
    it->Seek(key);
    if (sorted && (!it->Valid() || it->key() != key)) Fail("seek missed a key of the block");
    it->SeekForPrev(key);
    if (sorted && (!it->Valid() || it->key() != key)) Fail("SeekForPrev missed a key of the block");
    for (int j = 0; j < 3 && it->Valid(); j++) it->Prev();
    bool found = false;
    uint64_t tag = 0;
    std::string_view value;
    s = block->Get(key, &found, &tag, &value);
    if (!s.ok() && !s.IsCorruption()) Fail("Get: not Corruption");
    if (sorted && s.ok() && !found) Fail("Get missed a key of the block");
    if (found && value.size() > block->size()) Fail("Get value larger than the block");
  }
  return 0;
}
