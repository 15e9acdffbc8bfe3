// Fuzz target: the write batch decoder, as the WAL replay uses it
// (WriteBatchInternal::SetContents, then InsertInto a memtable) and as
// WriteBatch::FromRep checks a caller's bytes.
//
// Properties: no crash; SetContents and FromRep agree on what is well
// formed; a well-formed batch iterates without error, its entry count
// matches its header, and it can be applied to a memtable.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "db/memtable.h"
#include "db/write_batch_internal.h"
#include "flowdb/write_batch.h"
#include "fuzz_util.h"

namespace {

using flowdb::fuzz::Fail;

class CountingHandler final : public flowdb::WriteBatch::Handler {
 public:
  void Put(std::string_view, int64_t, std::string_view, int64_t) override { n++; }
  void Delete(std::string_view, int64_t) override { n++; }
  void DeleteRange(std::string_view, std::string_view) override { n++; }
  uint64_t n = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view rep(reinterpret_cast<const char*>(data), size);
  flowdb::WriteBatch from_rep;
  const flowdb::Status checked = flowdb::WriteBatch::FromRep(std::string(rep), &from_rep);
  flowdb::WriteBatch batch;
  const flowdb::Status set = flowdb::WriteBatchInternal::SetContents(&batch, rep);
  if (checked.ok() != set.ok()) Fail("FromRep and SetContents disagree");
  if (!set.ok()) return 0;
  CountingHandler handler;
  if (!batch.Iterate(&handler).ok()) Fail("a well-formed batch does not iterate");
  if (handler.n != batch.Count()) Fail("entry count differs from the header");
  auto mem = std::make_shared<flowdb::MemTable>(1);
  flowdb::WriteBatchInternal::InsertInto(batch, mem.get());
  return 0;
}
