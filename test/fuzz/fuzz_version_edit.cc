// Fuzz target: VersionEdit::DecodeFrom over arbitrary bytes (one MANIFEST
// record's payload).
//
// Properties: no crash; errors are Corruption; an edit that decodes
// re-encodes to bytes that decode to the same encoding (a stable round
// trip).

#include <cstddef>
#include <cstdint>
#include <string>

#include "db/version_edit.h"
#include "fuzz_util.h"

using flowdb::fuzz::Fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  flowdb::VersionEdit edit;
  flowdb::Status s = edit.DecodeFrom(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!s.ok()) {
    if (!s.IsCorruption()) Fail("DecodeFrom: not Corruption");
    return 0;
  }
  std::string once;
  edit.EncodeTo(&once);
  flowdb::VersionEdit again;
  if (!again.DecodeFrom(once).ok()) Fail("a decoded edit does not decode after encoding");
  std::string twice;
  again.EncodeTo(&twice);
  if (once != twice) Fail("encoding is not stable");
  return 0;
}
