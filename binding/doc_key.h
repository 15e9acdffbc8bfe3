// Key-codec functions exported to JS (binding.compareKeys).

#ifndef FLOWDB_BINDING_DOC_KEY_H_
#define FLOWDB_BINDING_DOC_KEY_H_

#include <napi.h>

namespace flowdb::binding {

// compareKeys(a, b) → -1, 0 or 1: IndexedDB's cmp() as the document store
// orders keys, i.e. the bytewise order of the two keys' encodings
// (src/doc/key_codec.h). Throws FlowDBError FLOWDB_INVALID_KEY if either
// argument is not a valid key.
Napi::Value CompareKeys(const Napi::CallbackInfo& info);

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_DOC_KEY_H_
