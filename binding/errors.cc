#include "errors.h"

#include "addon_data.h"

namespace flowdb::binding {

const ErrorCode kErrorCodes[] = {
    {"NOT_FOUND", "FLOWDB_NOT_FOUND"},
    {"CORRUPTION", "FLOWDB_CORRUPTION"},
    {"NOT_SUPPORTED", "FLOWDB_NOT_SUPPORTED"},
    {"INVALID_ARGUMENT", "FLOWDB_INVALID_ARGUMENT"},
    {"IO_ERROR", "FLOWDB_IO_ERROR"},
    {"NO_SPACE", "FLOWDB_NO_SPACE"},
    {"BUSY", "FLOWDB_BUSY"},
    {"LOCKED", "FLOWDB_LOCKED"},
    {"CLOSED", "FLOWDB_CLOSED"},
    // Document store (JsonDB).
    {"CONFLICT", "FLOWDB_CONFLICT"},
    {"CONSTRAINT", "FLOWDB_CONSTRAINT"},
    {"INVALID_KEY", "FLOWDB_INVALID_KEY"},
    {"READ_ONLY", "FLOWDB_READ_ONLY"},
    {"TRANSACTION_INACTIVE", "FLOWDB_TRANSACTION_INACTIVE"},
};
const size_t kNumErrorCodes = sizeof(kErrorCodes) / sizeof(kErrorCodes[0]);

const char* ErrorCodeFor(const Status& s) {
  if (s.IsNoSpace()) return "FLOWDB_NO_SPACE";
  switch (s.subcode()) {
    case Status::SubCode::kInvalidKey: return "FLOWDB_INVALID_KEY";
    case Status::SubCode::kTransactionReadOnly: return "FLOWDB_READ_ONLY";
    case Status::SubCode::kTransactionInactive: return "FLOWDB_TRANSACTION_INACTIVE";
    default: break;
  }
  switch (s.code()) {
    case Status::Code::kNotFound: return "FLOWDB_NOT_FOUND";
    case Status::Code::kCorruption: return "FLOWDB_CORRUPTION";
    case Status::Code::kNotSupported: return "FLOWDB_NOT_SUPPORTED";
    case Status::Code::kInvalidArgument: return "FLOWDB_INVALID_ARGUMENT";
    case Status::Code::kIOError: return "FLOWDB_IO_ERROR";
    case Status::Code::kBusy: return "FLOWDB_BUSY";
    case Status::Code::kLocked: return "FLOWDB_LOCKED";
    case Status::Code::kClosed: return "FLOWDB_CLOSED";
    case Status::Code::kConflict: return "FLOWDB_CONFLICT";
    case Status::Code::kConstraint: return "FLOWDB_CONSTRAINT";
    case Status::Code::kOk: break;
  }
  return "FLOWDB_IO_ERROR";
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
