#include "doc_keys.h"

#include <string>

#include "doc_format.h"
#include "flowdb/write_batch.h"
#include "key_codec.h"
#include "key_path.h"

namespace flowdb::doc {

std::string EncodeNumberKey(double v) {
  std::string out;
  KeyEncoder enc(&out);
  enc.AddNumber(v).PermitUncheckedError();  // REQUIRES: v is not NaN
  return out;
}

bool DecodeNumberKey(std::string_view key, double* v) {
  if (key.empty() || static_cast<uint8_t>(key[0]) != kKeyNumber) return false;
  Key k;
  if (!DecodeKey(&key, &k).ok() || !key.empty()) return false;
  *v = k.number;
  return true;
}

Status CheckEncodedKey(std::string_view key) {
  Key k;
  if (key.empty() || !DecodeKey(&key, &k).ok() || !key.empty()) {
    return Status::InvalidKey("not a well-formed encoded key");
  }
  return Status::OK();
}

Status SkipEncodedKey(std::string_view* in) { return SkipKey(in); }

Status CheckEngineSizes(std::string_view pk, size_t longest_index_key, size_t value_size) {
  constexpr size_t kMaxKey = WriteBatch::kMaxKeySize;
  const size_t room = kMaxKey - kIdPrefixSize;  // for index key + primary key
  if (pk.size() > room) {
    return Status::InvalidKey("the primary key is too large",
                              std::to_string(pk.size()) + " bytes encoded; at most " + std::to_string(room));
  }
  if (pk.size() + longest_index_key > room) {
    return Status::InvalidKey("an index key is too large",
                              std::to_string(longest_index_key) + " bytes encoded with a primary key of " +
                                  std::to_string(pk.size()) + "; together at most " + std::to_string(room));
  }
  if (value_size > WriteBatch::kMaxValueSize) {
    return Status::InvalidArgument("the value is too large", std::to_string(value_size) + " bytes; at most " +
                                   std::to_string(WriteBatch::kMaxValueSize));
  }
  return Status::OK();
}

std::string ArrayKeyStart() { return std::string(1, static_cast<char>(kKeyArray)); }

namespace {

Status ToKeyPath(const ::flowdb::KeyPathSpec& spec, KeyPath* out) {
  switch (spec.kind) {
    case ::flowdb::KeyPathSpec::Kind::kString:
      if (spec.paths.size() != 1) return Status::InvalidArgument("a string key path has one path");
      return KeyPath::Parse(spec.paths[0], out);
    case ::flowdb::KeyPathSpec::Kind::kArray:
      return KeyPath::ParseArray(spec.paths, out);
    case ::flowdb::KeyPathSpec::Kind::kNone:
      break;
  }
  return Status::InvalidArgument("no key path");
}

}  // namespace

struct DocKeyExtractor::Rep {
  KeyExtractor extractor;
  ExtractedKeys keys;
  Status init;
  size_t count = 0;
};

DocKeyExtractor::DocKeyExtractor(std::vector<KeyPathRequest> requests) : rep_(new Rep) {
  rep_->count = requests.size();
  std::vector<doc::KeyPathSpec> specs;
  for (auto& r : requests) {
    doc::KeyPathSpec spec;
    spec.multi_entry = r.multi_entry;
    rep_->init = ToKeyPath(r.path, &spec.path);
    if (!rep_->init.ok()) return;
    specs.push_back(std::move(spec));
  }
  rep_->init = rep_->extractor.Init(std::move(specs));
}

DocKeyExtractor::~DocKeyExtractor() = default;

Status DocKeyExtractor::Extract(std::string_view json, std::vector<PathKeys>* out) {
  FLOWDB_RETURN_IF_ERROR(rep_->init);
  FLOWDB_RETURN_IF_ERROR(rep_->extractor.Extract(json, &rep_->keys));
  out->resize(rep_->count);
  for (size_t i = 0; i < rep_->count; i++) {
    PathKeys& p = (*out)[i];
    p.keys.clear();
    switch (rep_->keys.outcome(i)) {
      case KeyOutcome::kKey:
        p.state = PathKeys::State::kKey;
        break;
      case KeyOutcome::kMissing:
        p.state = PathKeys::State::kMissing;
        continue;
      case KeyOutcome::kInvalid:
        p.state = PathKeys::State::kInvalid;
        continue;
    }
    size_t n = rep_->keys.key_count(i);
    for (size_t k = 0; k < n; k++) p.keys.emplace_back(rep_->keys.key(i, k));
  }
  return Status::OK();
}

Status InjectNumberKey(std::string_view json, const std::string& path, double key, std::string* out) {
  KeyPath kp;
  FLOWDB_RETURN_IF_ERROR(KeyPath::Parse(path, &kp));
  out->clear();
  Status s = InjectKey(json, kp, key, out);
  if (s.IsInvalidArgument() && !s.IsInvalidKey()) {
    return Status::InvalidKey("cannot store the generated key:", s.message());
  }
  return s;
}

}  // namespace flowdb::doc
