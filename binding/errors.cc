#include "errors.h"

#include "addon_data.h"

namespace flowdb::binding {

// One row per code: its constants.errorCodes key, the code string (the key
// with the FLOWDB_ prefix) and the Status it stands for.
#define FLOWDB_ERROR_CODE(key, status, sub) \
  {#key, "FLOWDB_" #key, Status::Code::status, Status::SubCode::sub}
const ErrorCode kErrorCodes[] = {
    FLOWDB_ERROR_CODE(NOT_FOUND, kNotFound, kNone),
    FLOWDB_ERROR_CODE(CORRUPTION, kCorruption, kNone),
    FLOWDB_ERROR_CODE(NOT_SUPPORTED, kNotSupported, kNone),
    FLOWDB_ERROR_CODE(INVALID_ARGUMENT, kInvalidArgument, kNone),
    FLOWDB_ERROR_CODE(IO_ERROR, kIOError, kNone),
    FLOWDB_ERROR_CODE(NO_SPACE, kIOError, kNoSpace),  // whatever the code
    FLOWDB_ERROR_CODE(BUSY, kBusy, kNone),
    FLOWDB_ERROR_CODE(LOCKED, kLocked, kNone),
    FLOWDB_ERROR_CODE(CLOSED, kClosed, kNone),
    // Change feed: the WAL after the requested sequence number was deleted.
    FLOWDB_ERROR_CODE(SEQUENCE_GONE, kNotFound, kSequenceGone),
    // Document store (JsonDB).
    FLOWDB_ERROR_CODE(CONFLICT, kConflict, kNone),
    FLOWDB_ERROR_CODE(CONSTRAINT, kConstraint, kNone),
    FLOWDB_ERROR_CODE(INVALID_KEY, kInvalidArgument, kInvalidKey),
    FLOWDB_ERROR_CODE(READ_ONLY, kInvalidArgument, kTransactionReadOnly),
    FLOWDB_ERROR_CODE(TRANSACTION_INACTIVE, kInvalidArgument, kTransactionInactive),
};
#undef FLOWDB_ERROR_CODE
const size_t kNumErrorCodes = sizeof(kErrorCodes) / sizeof(kErrorCodes[0]);

const char* ErrorCodeFor(const Status& s) {
  // A row with a sub-code selects its code whatever the Status code, so
  // those rows are checked first; then the row of the plain code.
  const Status::SubCode sub = s.subcode();
  if (sub != Status::SubCode::kNone) {
    for (const ErrorCode& c : kErrorCodes) {
      if (c.sub == sub) return c.code;
    }
  }
  const char* io_error = nullptr;
  for (const ErrorCode& c : kErrorCodes) {
    if (c.sub == Status::SubCode::kNone && c.status == s.code()) return c.code;
    if (c.status == Status::Code::kIOError && c.sub == Status::SubCode::kNone) io_error = c.code;
  }
  return io_error;  // not reached for a non-OK status
}

// Built with plain Node-API calls whose status is checked: while the
// environment terminates, constructing the FlowDBError (which runs JS) fails,
// and node-addon-api's own error path would then abort the process.
Napi::Value MakeError(Napi::Env env, const char* code, const std::string& message) {
  napi_value msg, code_value, err = nullptr;
  if (napi_create_string_utf8(env, message.data(), message.size(), &msg) != napi_ok ||
      napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value) != napi_ok) {
    return Napi::Value();
  }
  AddonData* data = GetAddonData(env);
  if (data != nullptr && !data->error_class.IsEmpty()) {
    napi_value ctor = nullptr;
    napi_value argv[2] = {msg, code_value};
    if (napi_get_reference_value(env, data->error_class, &ctor) == napi_ok && ctor != nullptr &&
        napi_new_instance(env, ctor, 2, argv, &err) == napi_ok) {
      return Napi::Value(env, err);
    }
    // JS could not run (the environment is terminating) or the class threw:
    // nothing more can be done here.
    return Napi::Value();
  }
  // Before lib/ registered the class: a plain Error with .code.
  if (napi_create_error(env, code_value, msg, &err) != napi_ok) return Napi::Value();
  return Napi::Value(env, err);
}

Napi::Value MakeError(Napi::Env env, const Status& s) {
  return MakeError(env, ErrorCodeFor(s), s.ToString());
}

Napi::Value ThrowStatus(Napi::Env env, const Status& s) {
  Napi::Value err = MakeError(env, s);
  bool pending = false;
  if (!err.IsEmpty() && napi_is_exception_pending(env, &pending) == napi_ok && !pending) {
    napi_throw(env, err);  // fails only while the environment terminates
  }
  return Napi::Value();
}

Napi::Value ThrowTypeError(Napi::Env env, const std::string& message) {
  napi_throw_type_error(env, nullptr, message.c_str());  // as napi_throw
  return Napi::Value();
}

Napi::Value ThrowRangeError(Napi::Env env, const std::string& message) {
  napi_throw_range_error(env, nullptr, message.c_str());  // as napi_throw
  return Napi::Value();
}

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    return ThrowTypeError(env, "setErrorClass(FlowDBError) expects a class");
  }
  GetAddonData(env)->error_class = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

}  // namespace flowdb::binding
