// Key paths of the document store: IndexedDB key paths, their validation,
// the extraction of keys from JSON documents with simdjson On-Demand (several
// key paths in one parse), and key injection for auto-increment stores.
//
// Extraction follows IndexedDB's "extract a key from a value using a key
// path" on the value JSON.parse would give:
// - each identifier steps into an object's own property (the last of
//   duplicate names, as JSON.parse keeps it); `length` of a string is its
//   count of UTF-16 code units and `length` of an array its element count;
//   any other step into a non-object, or to an absent property, is a
//   missing key (IndexedDB's "failure");
// - the value found converts to a key: a number is a Number key, a string a
//   String key (lone-surrogate escapes such as "\ud800" are kept, as JS keeps
//   them), an array an Array key if every element converts; objects, true,
//   false and null are not valid keys;
// - a compound key path (an array of paths) yields an Array key of its
//   paths' values; it is missing if any path is missing and invalid if any
//   value is not a valid key;
// - multiEntry: an array yields one key per element that converts, duplicates
//   removed, invalid elements skipped; any other value yields itself as one
//   key, or no key if it is not a valid key.
// JSON numbers are doubles, as in JS: integers beyond 2^53 round to the
// nearest double, and numbers beyond the double range are refused.
//
// Thread safety: a KeyPath is an immutable value. A KeyExtractor holds a
// parser and must be used by one thread at a time.

#ifndef FLOWDB_DOC_KEY_PATH_H_
#define FLOWDB_DOC_KEY_PATH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flowdb/status.h"

namespace flowdb::doc {

/**
 * An IndexedDB key path: a single path ('' for the value itself, or
 * identifiers joined by '.') or a non-empty array of such paths (a compound
 * key path, which yields an Array key).
 */
class KeyPath {
 public:
  /**
   * Parses a single key path. InvalidArgument unless it is '' or identifiers
   * joined by '.'. Identifiers are checked exactly for ASCII (a letter, '$'
   * or '_', then letters, digits, '$', '_'); any non-ASCII character is
   * accepted (the JS layer applies ECMAScript's full ID_Start/ID_Continue
   * rule before a key path reaches here).
   */
  static Status Parse(std::string_view path, KeyPath* out);
  /** Parses a compound key path. InvalidArgument if empty or any path is not valid. */
  static Status ParseArray(const std::vector<std::string>& paths, KeyPath* out);

  /** Whether this is a compound (array) key path. */
  bool is_array() const { return is_array_; }
  /** The single paths, as given (one for a single key path). */
  const std::vector<std::string>& paths() const { return paths_; }
  /** The identifiers of paths()[i] ('' has none). */
  const std::vector<std::string>& steps(size_t i) const { return steps_[i]; }

  friend bool operator==(const KeyPath& a, const KeyPath& b) {
    return a.is_array_ == b.is_array_ && a.paths_ == b.paths_;
  }

 private:
  bool is_array_ = false;
  std::vector<std::string> paths_;
  std::vector<std::vector<std::string>> steps_;
};

/** What one key path yields from one document. */
enum class KeyOutcome : uint8_t {
  kKey,      // one key (or, for multiEntry, zero or more keys)
  kMissing,  // the path does not exist in the document (IndexedDB "failure")
  kInvalid,  // the value at the path is not a valid key
};

/** A key path to extract, and whether it is a multiEntry index's. */
struct KeyPathSpec {
  KeyPath path;
  bool multi_entry = false;
};

/**
 * The keys extracted from one document: for each KeyPathSpec, in order, its
 * outcome and its encoded keys (key_codec.h) — exactly one for kKey without
 * multiEntry, zero or more distinct ones with multiEntry, none otherwise.
 */
class ExtractedKeys {
 public:
  size_t size() const { return outcomes_.size(); }
  KeyOutcome outcome(size_t i) const { return outcomes_[i]; }
  /** Encoded keys of spec i. */
  size_t key_count(size_t i) const { return first_[i + 1] - first_[i]; }
  std::string_view key(size_t i, size_t k = 0) const {
    size_t at = first_[i] + k;
    return std::string_view(bytes_).substr(offsets_[at], offsets_[at + 1] - offsets_[at]);
  }

 private:
  friend class KeyExtractor;
  std::vector<KeyOutcome> outcomes_;
  std::vector<size_t> first_;    // spec i's keys are [first_[i], first_[i+1])
  std::vector<size_t> offsets_;  // key k is bytes_[offsets_[k], offsets_[k+1])
  std::string bytes_;
};

/**
 * Extracts the keys of several key paths from JSON documents, each document
 * parsed once. Reuse one extractor for many documents: it keeps its parser
 * and buffers.
 */
class KeyExtractor {
 public:
  KeyExtractor();
  ~KeyExtractor();
  KeyExtractor(const KeyExtractor&) = delete;
  KeyExtractor& operator=(const KeyExtractor&) = delete;

  /**
   * Sets the key paths to extract, e.g. the store's key path followed by
   * each index's. InvalidArgument if a multiEntry spec has a compound key
   * path (IndexedDB forbids it).
   */
  Status Init(std::vector<KeyPathSpec> specs);

  /**
   * Parses `json` and fills *out with one result per spec. The whole
   * document is validated: InvalidArgument if it is not one JSON value
   * (syntax, bad UTF-8, numbers beyond the double range, nesting deeper than
   * 1,024, trailing content). REQUIRES: Init() succeeded.
   */
  Status Extract(std::string_view json, ExtractedKeys* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/**
 * IndexedDB "inject a key into a value using a key path" on JSON text: writes
 * the Number `key` at the single, non-empty `path` into the document and
 * appends the resulting JSON to *out. Missing intermediate objects are
 * created. InvalidArgument if `path` is '' or compound, if the document is
 * not a JSON object, or if a step lands on a value that is not an object
 * (IndexedDB's "check that a key could be injected" fails). The caller
 * injects only when the path is missing (KeyOutcome::kMissing). NaN refused.
 */
Status InjectKey(std::string_view json, const KeyPath& path, double key, std::string* out);

/** The version of the simdjson library compiled in, e.g. "3.9.4". */
const char* SimdjsonVersionString();

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_KEY_PATH_H_
