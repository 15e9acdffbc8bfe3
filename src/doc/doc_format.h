// The document store's keyspace in the engine: every JsonDB record is an
// engine record at ts = 0 that never expires. Grammar (ids are 4-byte
// big-endian, assigned once from a counter and never reused):
//
//   id-counter   := 0x00                                   → fixed64 next id
//   catalog      := 0x01 database-name                     → catalog value
//   key-gen      := 0x02 store-id                          → fixed64 current number
//   document     := 0x03 store-id encoded-primary-key      → JSON text
//   index-entry  := 0x04 index-id encoded-index-key encoded-primary-key → ""
//   value-keys   := 0x05 store-id encoded-primary-key      → index-key list
//
// value-keys exists only for stores with opaque values (StoreSpec::
// opaque_values) and only for a value that has at least one index entry:
// it remembers the index keys the caller gave with the value, so that an
// overwrite or delete removes exactly those entries without interpreting
// the value. index-key list := (fixed32 index-id, fixed32 n, n encoded
// keys)*, index ids increasing. The document record of such a store holds
// the value bytes alone, so every read path is the JSON stores' one.
//
// database-name: bytes given by the caller; the binding writes a JS name as
// WTF-8 (UTF-8, a lone surrogate as the 3-byte sequence of its code unit),
// as it does store and index names. "" is the database JsonDB::Open returns.
// Encoded keys are the key codec's (key_codec.h): self-delimiting, so an
// index entry splits into index key and primary key with SkipKey, and all
// entries of one index key share the prefix 0x04 index-id encoded-index-key.
// Unique indexes use the same layout (the unique check is a prefix scan that
// finds at most one entry). Deleting a store or an index, or clearing a
// store, is one range tombstone per id prefix [kind id, kind id+1).
//
// The catalog value (catalog.cc) of a database: fixed32 catalog format
// version, then (version 2) the fixed64 IndexedDB version, then per store:
// id, name, key path, flags (auto_increment, opaque_values), indexes (id,
// name, key path, unique, multi_entry). A catalog is written in version 1
// while it needs nothing of version 2 (database version 0, no opaque
// store), so directories stay readable by builds that know only version 1;
// a build meeting a newer catalog version refuses it (kNotSupported). The
// engine's stored setting "jsondb.format" holds kFormatVersion (the
// keyspace layout above); a mismatch refuses the open.

#ifndef FLOWDB_DOC_DOC_FORMAT_H_
#define FLOWDB_DOC_DOC_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace flowdb::doc {

inline constexpr const char* kFormatSettingName = "jsondb.format";
inline constexpr const char* kFormatVersion = "1";

enum class RecordKind : uint8_t {
  kIdCounter = 0x00,
  kCatalog = 0x01,
  kKeyGenerator = 0x02,
  kDocument = 0x03,
  kIndexEntry = 0x04,
  kValueKeys = 0x05,
};

// Key generators stop at 2^53 (IndexedDB: the largest integer a double holds
// exactly).
inline constexpr double kMaxGeneratedKey = 9007199254740992.0;

inline void AppendId(std::string* out, uint32_t id) {
  out->push_back(static_cast<char>(id >> 24));
  out->push_back(static_cast<char>(id >> 16));
  out->push_back(static_cast<char>(id >> 8));
  out->push_back(static_cast<char>(id));
}

// The prefix shared by every record of `kind` for store or index `id`.
inline std::string IdPrefix(RecordKind kind, uint32_t id) {
  std::string out(1, static_cast<char>(kind));
  AppendId(&out, id);
  return out;
}

inline std::string IdCounterKey() { return std::string(1, static_cast<char>(RecordKind::kIdCounter)); }

inline std::string CatalogKey(std::string_view database) {
  std::string out(1, static_cast<char>(RecordKind::kCatalog));
  out.append(database);
  return out;
}

inline std::string KeyGeneratorKey(uint32_t store_id) {
  return IdPrefix(RecordKind::kKeyGenerator, store_id);
}

inline std::string DocumentKey(uint32_t store_id, std::string_view primary_key) {
  std::string out = IdPrefix(RecordKind::kDocument, store_id);
  out.append(primary_key);
  return out;
}

inline std::string IndexEntryKey(uint32_t index_id, std::string_view index_key,
                                 std::string_view primary_key) {
  std::string out = IdPrefix(RecordKind::kIndexEntry, index_id);
  out.append(index_key);
  out.append(primary_key);
  return out;
}

inline std::string ValueKeysKey(uint32_t store_id, std::string_view primary_key) {
  std::string out = IdPrefix(RecordKind::kValueKeys, store_id);
  out.append(primary_key);
  return out;
}

// The range of every catalog record (all databases of the directory).
inline std::string CatalogPrefix() { return std::string(1, static_cast<char>(RecordKind::kCatalog)); }

inline constexpr size_t kIdPrefixSize = 5;

// The smallest string greater than every string with prefix `s`; empty if
// none (s is all 0xff).
inline std::string PrefixSuccessor(std::string_view s) {
  std::string out(s);
  while (!out.empty()) {
    unsigned char c = static_cast<unsigned char>(out.back());
    if (c != 0xff) {
      out.back() = static_cast<char>(c + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

inline void PutFixed64BE(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

inline bool GetFixed64BE(std::string_view in, uint64_t* v) {
  if (in.size() != 8) return false;
  uint64_t r = 0;
  for (char c : in) r = (r << 8) | static_cast<unsigned char>(c);
  *v = r;
  return true;
}

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_DOC_FORMAT_H_
