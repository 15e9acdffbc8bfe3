#include "key_path.h"

#include <simdjson.h>

namespace flowdb::doc {

const char* SimdjsonVersionString() { return SIMDJSON_VERSION; }

}  // namespace flowdb::doc
