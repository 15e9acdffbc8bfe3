// Maps engine Status values to JS errors: a FlowDBError (the class lib/
// registers at load) with a stable `code`, or a TypeError/RangeError for
// argument mistakes found in native code.

#ifndef FLOWDB_BINDING_ERRORS_H_
#define FLOWDB_BINDING_ERRORS_H_

#include <napi.h>

#include "flowdb/status.h"

namespace flowdb::binding {

// Stable error codes; exported to JS as constants.errorCodes.
struct ErrorCode {
  const char* key;      // constants.errorCodes key, e.g. "LOCKED"
  const char* code;     // the code string, e.g. "FLOWDB_LOCKED"
  Status::Code status;  // the Status code it stands for
  Status::SubCode sub;  // kNone, or the sub-code that selects it whatever the code
};
extern const ErrorCode kErrorCodes[];
extern const size_t kNumErrorCodes;

// The code string for a non-OK status.
const char* ErrorCodeFor(const Status& s);

// A FlowDBError for s (a plain Error with .code if the class was not
// registered); empty when it cannot be made (the environment is terminating,
// when no JS can run). Never aborts.
Napi::Value MakeError(Napi::Env env, const Status& s);
Napi::Value MakeError(Napi::Env env, const char* code, const std::string& message);

// Throw a FlowDBError for s, a TypeError or a RangeError, unless the
// environment is terminating (then nothing is thrown: no JS will run).
// Return an empty value (undefined in JS) for `return Throw...(...)`.
Napi::Value ThrowStatus(Napi::Env env, const Status& s);
Napi::Value ThrowTypeError(Napi::Env env, const std::string& message);
Napi::Value ThrowRangeError(Napi::Env env, const std::string& message);

// JS: setErrorClass(FlowDBError)
Napi::Value SetErrorClass(const Napi::CallbackInfo& info);

}  // namespace flowdb::binding

#endif  // FLOWDB_BINDING_ERRORS_H_
