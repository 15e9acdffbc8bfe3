// Catalog: the schema of one JsonDB database — its object stores and
// indexes with their numeric ids — and its stored form (doc_format.h).
//
// Thread safety: a Catalog is an immutable value once built; JsonDB shares
// it between transactions as shared_ptr<const Catalog> and replaces it whole
// on each schema change.

#ifndef FLOWDB_DOC_CATALOG_H_
#define FLOWDB_DOC_CATALOG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "flowdb/jsondb.h"
#include "flowdb/status.h"

namespace flowdb::doc {

struct IndexInfo {
  uint32_t id = 0;
  IndexSpec spec;
};

struct StoreInfo {
  uint32_t id = 0;
  std::string name;
  KeyPathSpec key_path;
  bool auto_increment = false;
  bool opaque_values = false;      // StoreSpec::opaque_values
  std::vector<IndexInfo> indexes;  // sorted by name

  const IndexInfo* FindIndex(std::string_view name) const;
  // The StoreSpec this describes (indexes sorted by name).
  StoreSpec ToSpec() const;
};

class Catalog {
 public:
  // Stores by name.
  std::map<std::string, StoreInfo, std::less<>> stores;
  // The database's IndexedDB version (0: never set).
  uint64_t version = 0;
  // Identifies this catalog value in the process (not stored): caches keyed
  // by it never confuse two schemas.
  uint64_t generation = 0;
  static uint64_t NewGeneration();

  const StoreInfo* FindStore(std::string_view name) const;
  StoreInfo* FindStore(std::string_view name);

  // The stored form (doc_format.h: version 1 unless version or an opaque
  // store needs 2) and its parser; Corruption on a malformed value,
  // NotSupported on a catalog version newer than this build knows.
  std::string Encode() const;
  static Status Decode(std::string_view in, Catalog* out);
};

// Checks a key path against IndexedDB's rules: kString "" or dotted
// identifiers; kArray of one or more non-empty dotted paths. kInvalidArgument
// names the offending path. `what` labels the message.
Status ValidateKeyPath(const KeyPathSpec& path, std::string_view what);
// Checks a store definition (its key path, auto_increment with a kNone or
// non-empty kString path, index names distinct, each index valid).
Status ValidateStoreSpec(const StoreSpec& spec);
// Checks an index definition (key path not kNone, multi_entry not with kArray).
Status ValidateIndexSpec(const IndexSpec& spec);

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_CATALOG_H_
