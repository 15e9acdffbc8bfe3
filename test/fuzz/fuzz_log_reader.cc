// Fuzz target: log::Reader (WAL and MANIFEST record log) over arbitrary
// bytes. The first byte picks the mode (last file or not, salvage or not,
// WAL or MANIFEST); the rest is the file.
//
// Properties: no crash; reading ends; a torn tail only in the last file;
// every record returned lies inside the file; salvage never reports
// Corruption for a bad record and never returns fewer records than a strict
// read returned before stopping.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "db/log_reader.h"
#include "fuzz_util.h"

namespace {

using flowdb::fuzz::Fail;

std::vector<std::string> ReadAll(std::string_view file_bytes, bool is_last, bool skip,
                                 flowdb::log::LogKind kind, flowdb::Status* status, bool* torn) {
  flowdb::fuzz::StringSequentialFile file(file_bytes);
  flowdb::log::Reader reader(&file, "fuzz.log", kind, is_last, skip);
  std::vector<std::string> records;
  std::string_view record;
  std::string scratch;
  while (reader.ReadRecord(&record, &scratch)) {
    if (record.size() > file_bytes.size()) Fail("record larger than the file");
    records.emplace_back(record);
  }
  if (reader.ReadRecord(&record, &scratch)) Fail("record after the end");
  if (reader.LastRecordEndOffset() > file_bytes.size()) Fail("record end past the file");
  if (reader.SkippedBytes() > file_bytes.size()) Fail("skipped more than the file");
  if (!skip && reader.SkippedRegions() != 0) Fail("skipped without skip_corrupted");
  *status = reader.status();
  *torn = reader.TornTail();
  if (*torn && !is_last) Fail("torn tail in an older log");
  if (*torn && !status->ok()) Fail("torn tail with an error");
  return records;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const bool is_last = mode & 1;
  const auto kind = (mode & 2) ? flowdb::log::LogKind::kManifest : flowdb::log::LogKind::kWal;

  flowdb::Status strict_status, salvage_status;
  bool strict_torn, salvage_torn;
  std::vector<std::string> strict = ReadAll(bytes, is_last, false, kind, &strict_status, &strict_torn);
  std::vector<std::string> salvaged =
      ReadAll(bytes, is_last, true, kind, &salvage_status, &salvage_torn);
  if (!strict_status.ok() && !strict_status.IsCorruption()) Fail("strict read: not Corruption");
  if (!salvage_status.ok() && !salvage_status.IsCorruption()) Fail("salvage read: not Corruption");
  // Salvage keeps every record a strict read returned, in order.
  if (salvaged.size() < strict.size()) Fail("salvage returned fewer records");
  for (size_t i = 0; i < strict.size(); i++) {
    if (salvaged[i] != strict[i]) Fail("salvage returned other records");
  }
  // A clean strict read is the whole story: salvage reads the same.
  if (strict_status.ok() && salvaged != strict) Fail("salvage differs from a clean read");
  return 0;
}
