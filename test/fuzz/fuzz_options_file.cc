// Fuzz target: the OPTIONS file parser (ParseOptionsFile) and the
// compatibility check that reads its values.
//
// Properties: no crash; parse errors are Corruption or NotSupported; a
// parsed file's options can be checked against the defaults without a
// crash.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "db/options_file.h"
#include "flowdb/options.h"
#include "fuzz_util.h"

using flowdb::fuzz::Fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::map<std::string, std::string> parsed;
  flowdb::Status s =
      flowdb::ParseOptionsFile(std::string_view(reinterpret_cast<const char*>(data), size), &parsed);
  if (!s.ok()) {
    if (!s.IsCorruption() && !s.IsNotSupported()) Fail("ParseOptionsFile: unexpected status");
    if (!parsed.empty()) Fail("a failed parse changed its output");
    return 0;
  }
  std::map<std::string, std::string> extras = flowdb::StoredOptionsExtras(parsed);
  (void)flowdb::ValidateOptionsExtras(extras);
  flowdb::Options options;
  (void)flowdb::CheckOptionsCompatible(parsed, options, extras);
  return 0;
}
