// Conversions between JS values and the plain C++ values the engine takes.
// Each To* function returns false after throwing a TypeError/RangeError that
// names `what`.

#ifndef FLOWDB_BINDING_CONVERT_H_
#define FLOWDB_BINDING_CONVERT_H_

#include <napi.h>

#include <vector>

#include <cstdint>
#include <string>
#include <string_view>

#include "flowdb/options.h"

namespace flowdb::binding {

// A key: a string (stored as UTF-8) or a Uint8Array/Buffer (raw bytes).
bool ToKey(Napi::Env env, Napi::Value v, const char* what, std::string* out);
// Raw bytes from a Uint8Array/Buffer.
bool ToBytes(Napi::Env env, Napi::Value v, const char* what, std::string* out);
// A timestamp: a safe-integer number or a bigint that fits int64.
bool ToInt64(Napi::Env env, Napi::Value v, const char* what, int64_t* out);
// A non-negative safe integer (sizes, counts).
bool ToUint64(Napi::Env env, Napi::Value v, const char* what, uint64_t* out);
bool ToBool(Napi::Env env, Napi::Value v, const char* what, bool* out);

// A document key (IndexedDB key: a number but NaN, a Date with a valid time,
// a string, an ArrayBuffer or a view of one, an array of keys) as its
// encoded bytes (src/doc/key_codec.h). Anything else throws FlowDBError
// FLOWDB_INVALID_KEY naming `what`.
bool ToDocKey(Napi::Env env, Napi::Value v, const char* what, std::string* out);
// An encoded document key as a JS value (binary as an ArrayBuffer); bytes
// that do not decode as a whole key (a compound-key prefix) come back as a
// Buffer of the encoded bytes.
Napi::Value DocKeyToJs(Napi::Env env, std::string_view encoded);
// Many encoded document keys at once: a Float64Array when every one is a
// number (one copy instead of an element set per key; JS callers that hand
// keys to users make it an Array), else an Array of DocKeyToJs values.
// Empty when it cannot be made (the environment is terminating).
Napi::Value DocKeysToJs(Napi::Env env, const std::vector<std::string_view>& encoded);
// DocKeysToJs for keys stored back to back in `packed`: key i ends just
// before ends[i] (and starts where key i - 1 ends).
Napi::Value PackedDocKeysToJs(Napi::Env env, std::string_view packed, const std::vector<size_t>& ends);

// A name of a database, object store or index: a JS string as WTF-8 (UTF-8,
// with each lone surrogate written as the 3-byte sequence of its code unit),
// so that every JS string has its own bytes; well-formed strings give their
// UTF-8. TypeError naming `what` if v is not a string.
bool ToWtf8Name(Napi::Env env, Napi::Value v, const char* what, std::string* out);
// The JS string of a WTF-8 name (bytes that are not WTF-8 become U+FFFD).
Napi::String Wtf8NameToJs(Napi::Env env, std::string_view name);

// open()'s and openJsonDB()'s (path, options) arguments (binding/addon.cc);
// false with a JS exception pending on bad input.
bool ToOpenOptions(const Napi::CallbackInfo& info, std::string* path, Options* options,
                   bool* in_memory);

// A number when |v| ≤ Number.MAX_SAFE_INTEGER, else a bigint.
Napi::Value Int64ToJs(Napi::Env env, int64_t v);
// An expiry: null for "never", else Int64ToJs.
Napi::Value ExpireToJs(Napi::Env env, int64_t expire_at);
// A JS-owned Buffer holding a copy of the bytes (never external memory:
// Electron's memory cage forbids buffers over native memory).
Napi::Buffer<char> CopyToBuffer(Napi::Env env, std::string_view bytes);

// `new cls(arg)` for a class the addon registered; empty when it cannot be
// done (the environment is terminating). Unlike node-addon-api's
// FunctionReference::New, a failure never goes through Napi::Error::New,
// which aborts when the pending exception is the termination.
Napi::Value NewFromClass(Napi::Env env, const Napi::FunctionReference& cls, napi_value arg);
// Whether v is an External tagged with `tag`; false also when the check
// cannot run (the environment is terminating).
bool IsTaggedExternal(Napi::Env env, Napi::Value v, const napi_type_tag* tag);

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_CONVERT_H_
