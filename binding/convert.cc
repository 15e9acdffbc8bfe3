#include "convert.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "errors.h"
#include "flowdb/record.h"
#include "doc_keys.h"
#include "key_codec.h"

namespace flowdb::binding {

namespace {
constexpr double kMaxSafeInteger = 9007199254740991.0;
// Bytes ToKey offers a string key before asking for its exact UTF-8 length.
constexpr size_t kKeyFirstTry = 128;
}  // namespace

bool ToBytes(Napi::Env env, Napi::Value v, const char* what, std::string* out) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowTypeError(env, std::string(what) + " must be a Uint8Array or Buffer");
    return false;
  }
  Napi::Uint8Array a = v.As<Napi::Uint8Array>();
  out->assign(reinterpret_cast<const char*>(a.Data()), a.ByteLength());
  return true;
}

bool ToKey(Napi::Env env, Napi::Value v, const char* what, std::string* out) {
  if (v.IsString()) {
    napi_env e = env;
    size_t len = 0;
    // One call suffices when the key fits the room `out` already has. The
    // conversion writes whole characters only (at most 4 bytes each), so
    // when 4 bytes besides the terminator stay unused, nothing was cut off.
    out->resize(std::max<size_t>(out->capacity(), kKeyFirstTry));
    if (napi_get_value_string_utf8(e, v, out->data(), out->size(), &len) != napi_ok) return false;
    if (len + 5 <= out->size()) {  // room for the terminator and one more character
      out->resize(len);
      return true;
    }
    if (napi_get_value_string_utf8(e, v, nullptr, 0, &len) != napi_ok) return false;
    out->resize(len + 1);
    if (napi_get_value_string_utf8(e, v, out->data(), len + 1, &len) != napi_ok) return false;
    out->resize(len);
    return true;
  }
  if (v.IsTypedArray()) return ToBytes(env, v, what, out);
  ThrowTypeError(env, std::string(what) + " must be a string, Uint8Array or Buffer");
  return false;
}

bool ToInt64(Napi::Env env, Napi::Value v, const char* what, int64_t* out) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || std::trunc(d) != d) {
      ThrowTypeError(env, std::string(what) + " must be an integer");
      return false;
    }
    if (std::fabs(d) > kMaxSafeInteger) {
      ThrowRangeError(env, std::string(what) + " must be a safe integer (use a bigint)");
      return false;
    }
    *out = static_cast<int64_t>(d);
    return true;
  }
  if (v.IsBigInt()) {
    bool lossless = false;
    *out = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) {
      ThrowRangeError(env, std::string(what) + " does not fit a signed 64-bit integer");
      return false;
    }
    return true;
  }
  ThrowTypeError(env, std::string(what) + " must be a number or bigint");
  return false;
}

bool ToUint64(Napi::Env env, Napi::Value v, const char* what, uint64_t* out) {
  int64_t i;
  if (!ToInt64(env, v, what, &i)) return false;
  if (i < 0) {
    ThrowRangeError(env, std::string(what) + " must not be negative");
    return false;
  }
  *out = static_cast<uint64_t>(i);
  return true;
}

bool ToBool(Napi::Env env, Napi::Value v, const char* what, bool* out) {
  if (!v.IsBoolean()) {
    ThrowTypeError(env, std::string(what) + " must be a boolean");
    return false;
  }
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

Napi::Value Int64ToJs(Napi::Env env, int64_t v) {
  if (v >= -static_cast<int64_t>(kMaxSafeInteger) && v <= static_cast<int64_t>(kMaxSafeInteger)) {
    return Napi::Number::New(env, static_cast<double>(v));
  }
  return Napi::BigInt::New(env, v);
}

Napi::Value ExpireToJs(Napi::Env env, int64_t expire_at) {
  if (expire_at == kNoExpiry) return env.Null();
  return Int64ToJs(env, expire_at);
}

bool ToWtf8Name(Napi::Env env, Napi::Value v, const char* what, std::string* out) {
  if (!v.IsString()) {
    ThrowTypeError(env, std::string(what) + " must be a string");
    return false;
  }
  // V8's UTF-8 writer is fast, but writes a lone surrogate as U+FFFD: its
  // output is the WTF-8 unless it holds EF BF BD (a lone surrogate, or a
  // U+FFFD of the string itself), and only then is the string converted
  // unit by unit below. Documents reach here as JSON.stringify output, which
  // escapes lone surrogates, so their UTF-8 is taken as is.
  size_t length = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &length) != napi_ok) {
    NAPI_THROW(Napi::Error::New(env), false);
  }
  out->resize(length);
  if (napi_get_value_string_utf8(env, v, out->data(), length + 1, &length) != napi_ok) {
    NAPI_THROW(Napi::Error::New(env), false);
  }
  out->resize(length);
  if (out->find("\xEF\xBF\xBD") == std::string::npos) return true;
  std::u16string units = v.As<Napi::String>().Utf16Value();
  out->clear();
  for (size_t i = 0; i < units.size(); i++) {
    uint32_t c = units[i];
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < units.size() && units[i + 1] >= 0xdc00 && units[i + 1] <= 0xdfff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (units[i + 1] - 0xdc00);
      i++;
    }
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (c >> 6)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
    } else if (c < 0x10000) {  // lone surrogates included
      out->push_back(static_cast<char>(0xe0 | (c >> 12)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (c >> 18)));
      out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
    }
  }
  return true;
}

Napi::String Wtf8NameToJs(Napi::Env env, std::string_view name) {
  std::u16string units;
  units.reserve(name.size());
  auto cont = [&](size_t i) { return i < name.size() && (static_cast<unsigned char>(name[i]) & 0xc0) == 0x80; };
  for (size_t i = 0; i < name.size();) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    uint32_t cp = 0xfffd;
    size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if (c >= 0xc2 && c < 0xe0 && cont(i + 1)) {
      cp = ((c & 0x1fu) << 6) | (name[i + 1] & 0x3f);
      len = 2;
    } else if (c >= 0xe0 && c < 0xf0 && cont(i + 1) && cont(i + 2)) {
      cp = ((c & 0x0fu) << 12) | ((name[i + 1] & 0x3fu) << 6) | (name[i + 2] & 0x3f);
      len = 3;
      if (cp < 0x800) cp = 0xfffd;
    } else if (c >= 0xf0 && c < 0xf5 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      cp = ((c & 0x07u) << 18) | ((name[i + 1] & 0x3fu) << 12) | ((name[i + 2] & 0x3fu) << 6) | (name[i + 3] & 0x3f);
      len = 4;
      if (cp < 0x10000 || cp > 0x10ffff) cp = 0xfffd;
    }
    if (cp >= 0x10000) {
      units.push_back(static_cast<char16_t>(0xd800 + ((cp - 0x10000) >> 10)));
      units.push_back(static_cast<char16_t>(0xdc00 + ((cp - 0x10000) & 0x3ff)));
    } else {
      units.push_back(static_cast<char16_t>(cp));
    }
    i += len;
  }
  return Napi::String::New(env, units);
}

Napi::Buffer<char> CopyToBuffer(Napi::Env env, std::string_view bytes) {
  return Napi::Buffer<char>::Copy(env, bytes.data(), bytes.size());
}

Napi::Value NewFromClass(Napi::Env env, const Napi::FunctionReference& cls, napi_value arg) {
  napi_value ctor = nullptr, obj = nullptr;
  if (cls.IsEmpty() || napi_get_reference_value(env, cls, &ctor) != napi_ok || ctor == nullptr ||
      napi_new_instance(env, ctor, 1, &arg, &obj) != napi_ok) {
    return Napi::Value();
  }
  return Napi::Value(env, obj);
}

bool IsTaggedExternal(Napi::Env env, Napi::Value v, const napi_type_tag* tag) {
  napi_valuetype type;
  bool tagged = false;
  return napi_typeof(env, v, &type) == napi_ok && type == napi_external &&
         napi_check_object_type_tag(env, v, tag, &tagged) == napi_ok && tagged;
}

}  // namespace flowdb::binding

namespace flowdb::binding {

namespace {

Status InvalidDocKey(const char* what, const char* why) {
  return Status::InvalidKey(std::string(what) + " is not a valid key", why);
}

// Appends the key `v` to `enc`; `stack` holds the arrays being encoded (a
// cycle is not a key).
Status EncodeDocKey(Napi::Env env, Napi::Value v, const char* what, doc::KeyEncoder* enc,
                    std::vector<napi_value>* stack) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::isnan(d)) return InvalidDocKey(what, "NaN");
    return enc->AddNumber(d);
  }
  if (v.IsString()) {
    enc->AddString(v.As<Napi::String>().Utf16Value());
    return Status::OK();
  }
  if (v.IsDate()) {
    double ms = v.As<Napi::Date>().ValueOf();
    if (std::isnan(ms)) return InvalidDocKey(what, "an invalid Date");
    return enc->AddDate(ms);
  }
  if (v.IsArrayBuffer()) {
    Napi::ArrayBuffer ab = v.As<Napi::ArrayBuffer>();
    enc->AddBinary(std::string_view(static_cast<const char*>(ab.Data()), ab.ByteLength()));
    return Status::OK();
  }
  if (v.IsTypedArray()) {
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    const char* base = static_cast<const char*>(ta.ArrayBuffer().Data());
    enc->AddBinary(std::string_view(base == nullptr ? "" : base + ta.ByteOffset(), ta.ByteLength()));
    return Status::OK();
  }
  if (v.IsDataView()) {
    Napi::DataView dv = v.As<Napi::DataView>();
    const char* base = static_cast<const char*>(dv.ArrayBuffer().Data());
    enc->AddBinary(std::string_view(base == nullptr ? "" : base + dv.ByteOffset(), dv.ByteLength()));
    return Status::OK();
  }
  if (!v.IsArray()) return InvalidDocKey(what, "not a number, Date, string, binary or array");
  for (napi_value seen : *stack) {
    if (Napi::Value(env, seen).StrictEquals(v)) return InvalidDocKey(what, "an array that contains itself");
  }
  Napi::Array a = v.As<Napi::Array>();
  FLOWDB_RETURN_IF_ERROR(enc->BeginArray());
  stack->push_back(v);
  uint32_t n = a.Length();
  for (uint32_t i = 0; i < n; i++) {
    if (!a.HasOwnProperty(std::to_string(i))) return InvalidDocKey(what, "an array with a hole");
    Napi::Value e = a.Get(i);
    if (env.IsExceptionPending()) return InvalidDocKey(what, "an array element could not be read");
    FLOWDB_RETURN_IF_ERROR(EncodeDocKey(env, e, what, enc, stack));
  }
  stack->pop_back();
  enc->EndArray();
  return Status::OK();
}

Napi::Value KeyToJs(Napi::Env env, const doc::Key& k) {
  switch (k.type) {
    case doc::Key::Type::kNumber: return Napi::Number::New(env, k.number);
    case doc::Key::Type::kDate: return Napi::Date::New(env, k.number);
    case doc::Key::Type::kString:
      return Napi::String::New(env, k.string.data(), k.string.size());
    case doc::Key::Type::kBinary: {
      Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, k.binary.size());
      if (!k.binary.empty()) std::memcpy(ab.Data(), k.binary.data(), k.binary.size());
      return ab;
    }
    case doc::Key::Type::kArray: {
      Napi::Array a = Napi::Array::New(env, k.array.size());
      for (size_t i = 0; i < k.array.size(); i++) a.Set(static_cast<uint32_t>(i), KeyToJs(env, k.array[i]));
      return a;
    }
  }
  return env.Undefined();
}

}  // namespace

bool ToDocKey(Napi::Env env, Napi::Value v, const char* what, std::string* out) {
  out->clear();
  doc::KeyEncoder enc(out);
  std::vector<napi_value> stack;
  Status s = EncodeDocKey(env, v, what, &enc, &stack);
  if (s.ok()) return true;
  if (env.IsExceptionPending()) return false;  // a getter threw
  ThrowStatus(env, s.IsInvalidKey() ? s : Status::InvalidKey(std::string(what) + " is not a valid key", s.ToString()));
  return false;
}

Napi::Value DocKeyToJs(Napi::Env env, std::string_view encoded) {
  std::string_view in = encoded;
  doc::Key key;
  if (doc::DecodeKey(&in, &key).ok() && in.empty()) return KeyToJs(env, key);
  return CopyToBuffer(env, encoded);
}

Napi::Value PackedDocKeysToJs(Napi::Env env, std::string_view packed, const std::vector<size_t>& ends) {
  std::vector<std::string_view> keys;
  keys.reserve(ends.size());
  size_t begin = 0;
  for (size_t end : ends) {
    keys.push_back(packed.substr(begin, end - begin));
    begin = end;
  }
  return DocKeysToJs(env, keys);
}

Napi::Value DocKeysToJs(Napi::Env env, const std::vector<std::string_view>& encoded) {
  std::vector<double> numbers(encoded.size());
  bool all_numbers = true;
  for (size_t i = 0; i < encoded.size() && all_numbers; i++) {
    all_numbers = doc::DecodeNumberKey(encoded[i], &numbers[i]);
  }
  if (all_numbers) {
    // Checked raw calls: while a worker thread terminates, creation fails
    // and no data pointer may be written through.
    void* data = nullptr;
    napi_value buffer = nullptr, array = nullptr;
    if (napi_create_arraybuffer(env, numbers.size() * sizeof(double), &data, &buffer) != napi_ok ||
        buffer == nullptr || (!numbers.empty() && data == nullptr)) {
      return Napi::Value();
    }
    if (!numbers.empty()) std::memcpy(data, numbers.data(), numbers.size() * sizeof(double));
    if (napi_create_typedarray(env, napi_float64_array, numbers.size(), buffer, 0, &array) != napi_ok ||
        array == nullptr) {
      return Napi::Value();
    }
    return Napi::Value(env, array);
  }
  napi_value array = nullptr;
  if (napi_create_array_with_length(env, encoded.size(), &array) != napi_ok || array == nullptr) {
    return Napi::Value();
  }
  for (size_t i = 0; i < encoded.size(); i++) {
    Napi::Value key = DocKeyToJs(env, encoded[i]);
    if (key.IsEmpty() || napi_set_element(env, array, static_cast<uint32_t>(i), key) != napi_ok) {
      return Napi::Value();
    }
  }
  return Napi::Value(env, array);
}

}  // namespace flowdb::binding
