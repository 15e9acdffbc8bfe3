// Version strings reported to JS as flowdb.versions.

#include <lz4.h>

#include "flowdb/db.h"
#include "table/format.h"

namespace flowdb {

const char* LZ4VersionString() { return LZ4_versionString(); }

int FormatVersion() { return static_cast<int>(kTableFormatVersion); }

}  // namespace flowdb
