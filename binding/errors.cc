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
};
#undef FLOWDB_ERROR_CODE
const size_t kNumErrorCodes = sizeof(kErrorCodes) / sizeof(kErrorCodes[0]);

const char* ErrorCodeFor(const Status& s) {
  const bool no_space = s.IsNoSpace();
  const char* io_error = nullptr;
  for (const ErrorCode& c : kErrorCodes) {
    if (no_space ? c.sub == Status::SubCode::kNoSpace
                 : c.sub == Status::SubCode::kNone && c.status == s.code()) {
      return c.code;
    }
    if (c.status == Status::Code::kIOError && c.sub == Status::SubCode::kNone) io_error = c.code;
  }
  return io_error;  // not reached for a non-OK status
}

Napi::Value MakeError(Napi::Env env, const char* code, const std::string& message) {
  AddonData* data = GetAddonData(env);
  if (data != nullptr && !data->error_class.IsEmpty()) {
    return data->error_class.New({Napi::String::New(env, message), Napi::String::New(env, code)});
  }
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  return err.Value();
}

Napi::Value MakeError(Napi::Env env, const Status& s) {
  return MakeError(env, ErrorCodeFor(s), s.ToString());
}

Napi::Value ThrowStatus(Napi::Env env, const Status& s) {
  Napi::Value err = MakeError(env, s);
  if (!env.IsExceptionPending()) Napi::Error(env, err).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowTypeError(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowRangeError(Napi::Env env, const std::string& message) {
  Napi::RangeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
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
