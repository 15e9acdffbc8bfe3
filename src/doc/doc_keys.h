// The key operations the document core needs, on top of the key codec
// (key_codec.h) and key path extraction (key_path.h): one narrow seam, so
// the core does not depend on the codec's internals.
//
// Thread safety: a DocKeyExtractor is used by one thread at a time (it keeps
// a parser); the free functions are thread-safe.

#ifndef FLOWDB_DOC_DOC_KEYS_H_
#define FLOWDB_DOC_DOC_KEYS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flowdb/jsondb.h"
#include "flowdb/status.h"

namespace flowdb::doc {

// The encoded Number key `v` (REQUIRES: v is not NaN).
std::string EncodeNumberKey(double v);
// True iff `key` is exactly one encoded Number key; *v receives it.
bool DecodeNumberKey(std::string_view key, double* v);
// OK iff `key` is exactly one well-formed encoded key; else kInvalidKey.
Status CheckEncodedKey(std::string_view key);
// Removes one encoded key from the front of *in; Corruption if malformed.
Status SkipEncodedKey(std::string_view* in);

// The engine takes keys of at most WriteBatch::kMaxKeySize bytes and values
// of at most kMaxValueSize, and refuses a whole batch that breaks either. A
// document write is checked against them when it is made, so that a key too
// large fails that call, not the transaction's commit. Its engine keys are
// id prefix + primary key (the document, its index-keys record) and id prefix
// + index key + primary key (each index entry): `pk` is the encoded primary
// key, `longest_index_key` the longest encoded index key of the write (0 if
// none). kInvalidKey for a key too large, kInvalidArgument for a value.
Status CheckEngineSizes(std::string_view pk, size_t longest_index_key, size_t value_size);
// The encoding of an Array key's start: an Array key of elements e1..en is
// ArrayKeyStart() + enc(e1) + ... + enc(en) + an end marker.
std::string ArrayKeyStart();

// What a key path yields in one document.
struct PathKeys {
  enum class State : uint8_t {
    kKey,      // keys holds the key(s) (several only for multiEntry)
    kMissing,  // a path does not resolve to a value
    kInvalid,  // the value is not a valid key
  };
  State state = State::kMissing;
  std::vector<std::string> keys;  // encoded; multiEntry: distinct, sorted
};

// A key path to evaluate, parsed and validated once (ValidateKeyPath first).
struct KeyPathRequest {
  ::flowdb::KeyPathSpec path;
  bool multi_entry = false;
};

// Parses documents and evaluates a fixed list of key paths on each, in one
// parse per document.
class DocKeyExtractor {
 public:
  explicit DocKeyExtractor(std::vector<KeyPathRequest> requests);
  ~DocKeyExtractor();
  DocKeyExtractor(const DocKeyExtractor&) = delete;
  DocKeyExtractor& operator=(const DocKeyExtractor&) = delete;

  // Validates `json` (kInvalidArgument if it is not one JSON value) and
  // fills (*out)[i] for request i.
  Status Extract(std::string_view json, std::vector<PathKeys>* out);

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// Writes `key` (a generated Number) into `json` at dotted `path`, creating
// missing intermediate objects; kInvalidKey if a step is not an object.
Status InjectNumberKey(std::string_view json, const std::string& path, double key,
                       std::string* out);

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_DOC_KEYS_H_
