// libFuzzer target for the JSON key extraction (src/doc/key_path.h).
//
// The input is a JSON document. Never a crash or a hang; and:
// - extracting several key paths in one pass gives, for each, exactly what
//   extracting that key path alone gives;
// - every extracted key decodes (key_codec.h) and re-encodes to itself, and
//   a multiEntry result is strictly increasing (distinct, sorted);
// - a document that one extractor refuses, every extractor refuses;
// - where the key path `id` is missing from an object document, InjectKey
//   succeeds and extraction then finds the injected key there.
//
// Built with FLOWDB_BUILD_FUZZ=ON and run by scripts/fuzz.sh (test/fuzz/README.md).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "key_codec.h"
#include "key_path.h"

using namespace flowdb;
using namespace flowdb::doc;

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

KeyPath P(std::string_view s) {
  KeyPath kp;
  Check(KeyPath::Parse(s, &kp).ok());
  return kp;
}

KeyPath PA(std::vector<std::string> paths) {
  KeyPath kp;
  Check(KeyPath::ParseArray(paths, &kp).ok());
  return kp;
}

std::vector<KeyPathSpec> Specs() {
  return {{P("id"), false},      {P("a.b"), false},         {P("a"), true},
          {P("a"), false},       {P("a.length"), false},    {P(""), false},
          {P(""), true},         {PA({"id", "a.b"}), false}, {P("length"), false},
          {P("a.b.c"), true}};
}

struct Extractors {
  KeyExtractor all;
  std::vector<KeyExtractor> each;
  Extractors() : each(Specs().size()) {
    Check(all.Init(Specs()).ok());
    std::vector<KeyPathSpec> specs = Specs();
    for (size_t i = 0; i < specs.size(); i++) Check(each[i].Init({specs[i]}).ok());
  }
};

void CheckKey(std::string_view key) {
  std::string_view in = key;
  Key k;
  Check(DecodeKey(&in, &k).ok() && in.empty());
  std::string again;
  Check(EncodeKey(k, &again).ok() && again == key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Extractors* ex = new Extractors();
  std::string_view json(reinterpret_cast<const char*>(data), size);
  ExtractedKeys all, one;
  Status s = ex->all.Extract(json, &all);
  for (size_t i = 0; i < ex->each.size(); i++) {
    Status t = ex->each[i].Extract(json, &one);
    Check(s.ok() == t.ok());
    if (!s.ok()) continue;
    Check(all.outcome(i) == one.outcome(0));
    Check(all.key_count(i) == one.key_count(0));
    for (size_t k = 0; k < all.key_count(i); k++) {
      Check(all.key(i, k) == one.key(0, k));
      CheckKey(all.key(i, k));
      if (k > 0) Check(all.key(i, k - 1) < all.key(i, k));
    }
    if (all.outcome(i) != KeyOutcome::kKey) Check(all.key_count(i) == 0);
  }
  if (!s.ok()) return 0;
  // Injection where the primary key path is missing (a JSON object root).
  if (all.outcome(0) == KeyOutcome::kMissing) {
    std::string injected;
    Status is = InjectKey(json, P("id"), 12345, &injected);
    size_t first = json.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && json[first] == '{') {
      Check(is.ok());
      ExtractedKeys after;
      Check(ex->each[0].Extract(injected, &after).ok());
      Check(after.outcome(0) == KeyOutcome::kKey);
      std::string want;
      Check(KeyEncoder(&want).AddNumber(12345).ok());
      Check(after.key(0) == want);
    } else {
      Check(!is.ok());
    }
  }
  return 0;
}
