// Key paths of the document store: parsing and validation of IndexedDB key
// paths, and extraction of keys from JSON documents with simdjson.

#ifndef FLOWDB_DOC_KEY_PATH_H_
#define FLOWDB_DOC_KEY_PATH_H_

namespace flowdb::doc {

/** The version of the simdjson library compiled in, e.g. "3.9.4". */
const char* SimdjsonVersionString();

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_KEY_PATH_H_
