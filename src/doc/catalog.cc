#include "catalog.h"

#include <algorithm>
#include <atomic>
#include <set>

namespace flowdb::doc {

namespace {

constexpr uint32_t kCatalogVersion = 1;
// Adds the database version and the opaque_values store flag.
constexpr uint32_t kCatalogVersion2 = 2;

void PutU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void PutString(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

void PutKeyPath(std::string* out, const KeyPathSpec& k) {
  out->push_back(static_cast<char>(k.kind));
  PutU32(out, static_cast<uint32_t>(k.paths.size()));
  for (const auto& p : k.paths) PutString(out, p);
}

// A cursor over a catalog value; every Get fails once the input runs short.
struct Reader {
  std::string_view in;
  bool ok = true;

  uint64_t U64() {
    uint64_t hi = U32();
    uint64_t lo = U32();
    return (hi << 32) | lo;
  }
  uint32_t U32() {
    if (in.size() < 4) {
      ok = false;
      return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | static_cast<unsigned char>(in[i]);
    in.remove_prefix(4);
    return v;
  }
  uint8_t U8() {
    if (in.empty()) {
      ok = false;
      return 0;
    }
    uint8_t v = static_cast<unsigned char>(in[0]);
    in.remove_prefix(1);
    return v;
  }
  std::string String() {
    uint32_t n = U32();
    if (!ok || in.size() < n) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  KeyPathSpec KeyPath() {
    KeyPathSpec k;
    uint8_t kind = U8();
    if (kind > 2) ok = false;
    k.kind = static_cast<KeyPathSpec::Kind>(kind);
    uint32_t n = U32();
    if (n > in.size()) ok = false;  // each path takes at least 4 bytes
    for (uint32_t i = 0; ok && i < n; i++) k.paths.push_back(String());
    return k;
  }
};

bool IsIdentifierStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}
bool IsIdentifierPart(unsigned char c) { return IsIdentifierStart(c) || (c >= '0' && c <= '9'); }

bool IsDottedIdentifierPath(std::string_view path) {
  if (path.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string_view part = path.substr(start, dot == std::string_view::npos ? std::string_view::npos
                                                                             : dot - start);
    if (part.empty() || !IsIdentifierStart(static_cast<unsigned char>(part[0]))) return false;
    for (unsigned char c : part) {
      if (!IsIdentifierPart(c)) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

uint64_t Catalog::NewGeneration() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

const IndexInfo* StoreInfo::FindIndex(std::string_view name) const {
  for (const auto& index : indexes) {
    if (index.spec.name == name) return &index;
  }
  return nullptr;
}

StoreSpec StoreInfo::ToSpec() const {
  StoreSpec spec;
  spec.name = name;
  spec.key_path = key_path;
  spec.auto_increment = auto_increment;
  spec.opaque_values = opaque_values;
  for (const auto& index : indexes) spec.indexes.push_back(index.spec);
  return spec;
}

const StoreInfo* Catalog::FindStore(std::string_view name) const {
  auto it = stores.find(name);
  return it == stores.end() ? nullptr : &it->second;
}

StoreInfo* Catalog::FindStore(std::string_view name) {
  auto it = stores.find(name);
  return it == stores.end() ? nullptr : &it->second;
}

std::string Catalog::Encode() const {
  std::string out;
  bool v2 = version != 0 || std::any_of(stores.begin(), stores.end(),
                                        [](const auto& s) { return s.second.opaque_values; });
  PutU32(&out, v2 ? kCatalogVersion2 : kCatalogVersion);
  if (v2) {
    PutU32(&out, static_cast<uint32_t>(version >> 32));
    PutU32(&out, static_cast<uint32_t>(version));
  }
  PutU32(&out, static_cast<uint32_t>(stores.size()));
  for (const auto& [name, store] : stores) {
    PutU32(&out, store.id);
    PutString(&out, store.name);
    PutKeyPath(&out, store.key_path);
    out.push_back(static_cast<char>((store.auto_increment ? 1 : 0) | (store.opaque_values ? 2 : 0)));
    PutU32(&out, static_cast<uint32_t>(store.indexes.size()));
    for (const auto& index : store.indexes) {
      PutU32(&out, index.id);
      PutString(&out, index.spec.name);
      PutKeyPath(&out, index.spec.key_path);
      out.push_back(static_cast<char>((index.spec.unique ? 1 : 0) | (index.spec.multi_entry ? 2 : 0)));
    }
  }
  return out;
}

Status Catalog::Decode(std::string_view in, Catalog* out) {
  Reader r{in};
  uint32_t version = r.U32();
  if (r.ok && version > kCatalogVersion2) {
    return Status::NotSupported("jsondb catalog: the database was written with catalog version " +
                                std::to_string(version) + ", this build reads up to " +
                                std::to_string(kCatalogVersion2));
  }
  if (r.ok && version == 0) return Status::Corruption("jsondb catalog: unknown catalog version");
  Catalog catalog;
  if (version == kCatalogVersion2) catalog.version = r.U64();
  uint32_t n = r.U32();
  for (uint32_t i = 0; r.ok && i < n; i++) {
    StoreInfo store;
    store.id = r.U32();
    store.name = r.String();
    store.key_path = r.KeyPath();
    uint8_t flags = r.U8();
    if (flags > (version == kCatalogVersion2 ? 3 : 1)) r.ok = false;
    store.auto_increment = (flags & 1) != 0;
    store.opaque_values = (flags & 2) != 0;
    uint32_t m = r.U32();
    for (uint32_t j = 0; r.ok && j < m; j++) {
      IndexInfo index;
      index.id = r.U32();
      index.spec.name = r.String();
      index.spec.key_path = r.KeyPath();
      uint8_t f = r.U8();
      if (f > 3) r.ok = false;
      index.spec.unique = (f & 1) != 0;
      index.spec.multi_entry = (f & 2) != 0;
      store.indexes.push_back(std::move(index));
    }
    if (r.ok && !catalog.stores.emplace(store.name, std::move(store)).second) r.ok = false;
  }
  if (!r.ok || !r.in.empty()) return Status::Corruption("jsondb catalog: malformed catalog record");
  *out = std::move(catalog);
  return Status::OK();
}

Status ValidateKeyPath(const KeyPathSpec& path, std::string_view what) {
  switch (path.kind) {
    case KeyPathSpec::Kind::kNone:
      if (!path.paths.empty()) return Status::InvalidArgument(what, "key path kind none with paths");
      return Status::OK();
    case KeyPathSpec::Kind::kString:
      if (path.paths.size() != 1) return Status::InvalidArgument(what, "a string key path has one path");
      if (!path.paths[0].empty() && !IsDottedIdentifierPath(path.paths[0])) {
        return Status::InvalidArgument(what, "invalid key path \"" + path.paths[0] + "\"");
      }
      return Status::OK();
    case KeyPathSpec::Kind::kArray:
      if (path.paths.empty()) return Status::InvalidArgument(what, "an array key path must not be empty");
      for (const auto& p : path.paths) {
        if (!p.empty() && !IsDottedIdentifierPath(p)) {  // "" (the value) is allowed here too
          return Status::InvalidArgument(what, "invalid key path \"" + p + "\" in an array key path");
        }
      }
      return Status::OK();
  }
  return Status::InvalidArgument(what, "unknown key path kind");
}

Status ValidateIndexSpec(const IndexSpec& spec) {
  std::string what = "index \"" + spec.name + "\"";
  if (spec.key_path.kind == KeyPathSpec::Kind::kNone) {
    return Status::InvalidArgument(what, "an index needs a key path");
  }
  FLOWDB_RETURN_IF_ERROR(ValidateKeyPath(spec.key_path, what));
  if (spec.multi_entry && spec.key_path.kind == KeyPathSpec::Kind::kArray) {
    return Status::InvalidArgument(what, "multiEntry is not allowed with an array key path");
  }
  return Status::OK();
}

Status ValidateStoreSpec(const StoreSpec& spec) {
  std::string what = "object store \"" + spec.name + "\"";
  FLOWDB_RETURN_IF_ERROR(ValidateKeyPath(spec.key_path, what));
  if (spec.auto_increment &&
      (spec.key_path.kind == KeyPathSpec::Kind::kArray ||
       (spec.key_path.kind == KeyPathSpec::Kind::kString && spec.key_path.paths[0].empty()))) {
    return Status::InvalidArgument(what, "autoIncrement needs no key path or a non-empty string key path");
  }
  std::set<std::string_view> names;
  for (const auto& index : spec.indexes) {
    if (!names.insert(index.name).second) {
      return Status::InvalidArgument(what, "duplicate index name \"" + index.name + "\"");
    }
    FLOWDB_RETURN_IF_ERROR(ValidateIndexSpec(index));
  }
  return Status::OK();
}

}  // namespace flowdb::doc
