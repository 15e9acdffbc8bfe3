// Fuzz target: MANIFEST recovery (VersionSet::Recover) of a database whose
// CURRENT names a MANIFEST holding arbitrary bytes, in an in-memory Env.
//
// Properties: no crash; the outcome is OK or Corruption (or InvalidArgument
// for a comparator other than the engine's); a recovered version's files
// are unique.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "db/filename.h"
#include "db/version_set.h"
#include "flowdb/env.h"
#include "fuzz_util.h"

using flowdb::fuzz::Fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::unique_ptr<flowdb::Env> env = flowdb::NewMemEnv();
  const std::string dbname = "/db";
  if (!env->CreateDir(dbname).ok()) Fail("CreateDir");
  const std::string manifest(reinterpret_cast<const char*>(data), size);
  if (!flowdb::WriteStringToFile(env.get(), manifest, flowdb::ManifestFileName(dbname, 1), false)
           .ok() ||
      !flowdb::SetCurrentFile(env.get(), dbname, 1).ok()) {
    Fail("setting up the MANIFEST");
  }
  flowdb::VersionSet versions(dbname, env.get());
  bool exists = false;
  flowdb::Status s = versions.Recover(&exists);
  if (!s.ok()) {
    if (!s.IsCorruption() && !s.IsInvalidArgument()) Fail("Recover: not Corruption");
    return 0;
  }
  if (!exists) Fail("CURRENT exists but Recover says no database");
  std::set<uint64_t> numbers;
  for (const auto& f : versions.current()->files()) {
    if (!numbers.insert(f->number).second) Fail("a file twice in the recovered version");
  }
  return 0;
}
