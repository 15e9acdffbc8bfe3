#include "doc_key.h"

#include <string>

#include "convert.h"

namespace flowdb::binding {

Napi::Value CompareKeys(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string a, b;
  if (!ToDocKey(env, info[0], "first key", &a)) return env.Undefined();
  if (!ToDocKey(env, info[1], "second key", &b)) return env.Undefined();
  const int c = a.compare(b);  // unsigned bytewise
  return Napi::Number::New(env, c < 0 ? -1 : c > 0 ? 1 : 0);
}

}  // namespace flowdb::binding
