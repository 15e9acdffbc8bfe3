#include "key_path.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "key_codec.h"

namespace flowdb::doc {

namespace od = simdjson::ondemand;

namespace {

constexpr int kMaxDocumentDepth = 1024;

bool IsIdentifierStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '$' || c == '_' || c >= 0x80;
}

bool IsIdentifierPart(unsigned char c) { return IsIdentifierStart(c) || (c >= '0' && c <= '9'); }

// Checks one single key path and splits it into identifiers.
Status ParseSingle(std::string_view path, std::vector<std::string>* steps) {
  steps->clear();
  if (path.empty()) return Status::OK();
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string_view id = path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (id.empty() || !IsIdentifierStart(static_cast<unsigned char>(id[0])) ||
        !std::all_of(id.begin(), id.end(), [](char c) { return IsIdentifierPart(static_cast<unsigned char>(c)); })) {
      return Status::InvalidArgument("invalid key path (identifiers joined by '.' expected)",
                                     std::string("'") + std::string(path) + "'");
    }
    steps->emplace_back(id);
    if (dot == std::string_view::npos) return Status::OK();
    start = dot + 1;
  }
}

Status BadJson(simdjson::error_code e) {
  return Status::InvalidArgument("document is not valid JSON", simdjson::error_message(e));
}

// simdjson skips a leading UTF-8 byte order mark; JSON.parse refuses one, and
// the stored text must stay readable by JSON.parse.
Status CheckNoBom(std::string_view json) {
  if (json.substr(0, 3) == "\xEF\xBB\xBF") {
    return Status::InvalidArgument("document is not valid JSON", "it starts with a byte order mark");
  }
  return Status::OK();
}

// Count of UTF-16 code units of a WTF-8 string: a 4-byte sequence is two.
double Utf16Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) n++;
    if (c >= 0xF0) n++;
  }
  return static_cast<double>(n);
}

}  // namespace

Status KeyPath::Parse(std::string_view path, KeyPath* out) {
  KeyPath kp;
  kp.steps_.emplace_back();
  FLOWDB_RETURN_IF_ERROR(ParseSingle(path, &kp.steps_.back()));
  kp.paths_.emplace_back(path);
  *out = std::move(kp);
  return Status::OK();
}

Status KeyPath::ParseArray(const std::vector<std::string>& paths, KeyPath* out) {
  if (paths.empty()) return Status::InvalidArgument("invalid key path: an empty array");
  KeyPath kp;
  kp.is_array_ = true;
  for (const std::string& p : paths) {
    kp.steps_.emplace_back();
    FLOWDB_RETURN_IF_ERROR(ParseSingle(p, &kp.steps_.back()));
    kp.paths_.push_back(p);
  }
  *out = std::move(kp);
  return Status::OK();
}

// The key paths of all specs merged into a trie of identifiers; a slot is one
// single path of one spec (a compound spec has one slot per path).
struct KeyExtractor::Impl {
  struct Node {
    std::string name;
    std::vector<int> children;
    std::vector<int> slots;          // paths that end here
    std::vector<int> subtree_slots;  // slots of every node below this one
  };
  struct Slot {
    bool multi_entry = false;
    KeyOutcome outcome = KeyOutcome::kMissing;
    std::string key;                // the key (not multiEntry)
    std::vector<std::string> keys;  // the distinct keys (multiEntry)
  };
  struct SpecSlots {
    bool compound = false;
    std::vector<int> slots;
  };

  std::vector<Node> nodes;  // nodes[0] is the root ('')
  std::vector<Slot> slots;
  std::vector<SpecSlots> specs;
  od::parser parser;
  std::string padded;    // the document, followed by SIMDJSON_PADDING bytes
  std::string scratch;   // one element's key
  std::vector<std::string> elements;
  int nesting = 0;  // objects and arrays open at this point of the walk

  // Counts one open object or array for its scope.
  struct Nest {
    explicit Nest(int* n) : n_(n) { ++*n_; }
    ~Nest() { --*n_; }
    int* n_;
  };
  // The walk recurses per level: a bound keeps deep documents off the stack.
  Status CheckNesting() const {
    if (nesting > kMaxDocumentDepth) return Status::InvalidArgument("document is nested deeper than 1024 levels");
    return Status::OK();
  }

  int Child(int node, const std::string& name) {
    for (int c : nodes[node].children) {
      if (nodes[c].name == name) return c;
    }
    return -1;
  }

  void SetMissing(int node) {
    for (int s : nodes[node].subtree_slots) slots[s].outcome = KeyOutcome::kMissing;
  }

  void SetChildrenMissing(int node) {
    for (int c : nodes[node].children) {
      for (int s : nodes[c].slots) slots[s].outcome = KeyOutcome::kMissing;
      SetMissing(c);
    }
  }

  // Sets the slots ending at `node` from a scalar that is a key (`key`
  // non-null) or not a valid key.
  void SetScalar(int node, const std::string* key) {
    for (int s : nodes[node].slots) {
      Slot& slot = slots[s];
      slot.keys.clear();
      if (key == nullptr) {
        slot.outcome = KeyOutcome::kInvalid;
      } else {
        slot.outcome = KeyOutcome::kKey;
        if (slot.multi_entry) slot.keys.push_back(*key); else slot.key = *key;
      }
    }
  }

  // Sets the "length" child of `node` (if any) to the number `len`.
  void SetLength(int node, double len) {
    int c = Child(node, "length");
    if (c < 0) return;
    std::string key;
    KeyEncoder(&key).AddNumber(len).PermitUncheckedError();  // a count is never NaN
    SetScalar(c, &key);
  }

  // Validates a value nobody asked for (so the whole document is checked).
  Status Skip(od::value v) {
    od::json_type t;
    if (auto e = v.type().get(t)) return BadJson(e);
    switch (t) {
      case od::json_type::object: {
        od::object obj;
        if (auto e = v.get_object().get(obj)) return BadJson(e);
        Nest nest(&nesting);
        FLOWDB_RETURN_IF_ERROR(CheckNesting());
        for (auto fr : obj) {
          od::field f;
          if (auto e = std::move(fr).get(f)) return BadJson(e);
          std::string_view k;
          if (auto e = f.unescaped_key(true).get(k)) return BadJson(e);
          FLOWDB_RETURN_IF_ERROR(Skip(f.value()));
        }
        return Status::OK();
      }
      case od::json_type::array: {
        od::array arr;
        if (auto e = v.get_array().get(arr)) return BadJson(e);
        Nest nest(&nesting);
        FLOWDB_RETURN_IF_ERROR(CheckNesting());
        for (auto er : arr) {
          od::value ev;
          if (auto e = std::move(er).get(ev)) return BadJson(e);
          FLOWDB_RETURN_IF_ERROR(Skip(ev));
        }
        return Status::OK();
      }
      case od::json_type::number: {
        double d;
        if (auto e = v.get_double().get(d)) return BadJson(e);
        return Status::OK();
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_wobbly_string().get(s)) return BadJson(e);
        return Status::OK();
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return BadJson(e);
        return Status::OK();
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return BadJson(e);
        if (!is_null) return BadJson(simdjson::N_ATOM_ERROR);
        return Status::OK();
      }
    }
    return BadJson(simdjson::INCORRECT_TYPE);
  }

  // Converts a value to a key appended to *out; *valid tells whether it is
  // one. The whole value is consumed (and validated) either way.
  Status Convert(od::value v, std::string* out, bool* valid, int depth) {
    od::json_type t;
    if (auto e = v.type().get(t)) return BadJson(e);
    switch (t) {
      case od::json_type::number: {
        double d;
        if (auto e = v.get_double().get(d)) return BadJson(e);
        *valid = KeyEncoder(out).AddNumber(d).ok();
        return Status::OK();
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_wobbly_string().get(s)) return BadJson(e);
        *valid = KeyEncoder(out).AddStringUtf8(s).ok();
        return Status::OK();
      }
      case od::json_type::array: {
        od::array arr;
        if (auto e = v.get_array().get(arr)) return BadJson(e);
        Nest nest(&nesting);
        FLOWDB_RETURN_IF_ERROR(CheckNesting());
        *valid = depth < kMaxKeyDepth;
        out->push_back(static_cast<char>(kKeyArray));
        for (auto er : arr) {
          od::value ev;
          if (auto e = std::move(er).get(ev)) return BadJson(e);
          if (*valid) {
            FLOWDB_RETURN_IF_ERROR(Convert(ev, out, valid, depth + 1));
          } else {
            FLOWDB_RETURN_IF_ERROR(Skip(ev));
          }
        }
        out->push_back(static_cast<char>(kKeyArrayEnd));
        return Status::OK();
      }
      default:
        *valid = false;
        return Skip(v);
    }
  }

  // Evaluates the trie below `node` on value v: sets every slot at or below it.
  Status Visit(int node, od::value v) {
    const Node& n = nodes[node];
    SetChildrenMissing(node);
    od::json_type t;
    if (auto e = v.type().get(t)) return BadJson(e);
    switch (t) {
      case od::json_type::object: {
        SetScalar(node, nullptr);
        if (n.children.empty()) return Skip(v);
        od::object obj;
        if (auto e = v.get_object().get(obj)) return BadJson(e);
        Nest nest(&nesting);
        FLOWDB_RETURN_IF_ERROR(CheckNesting());
        for (auto fr : obj) {
          od::field f;
          if (auto e = std::move(fr).get(f)) return BadJson(e);
          std::string_view k;
          if (auto e = f.unescaped_key(true).get(k)) return BadJson(e);
          int c = -1;
          for (int ci : nodes[node].children) {
            if (nodes[ci].name == k) c = ci;
          }
          // A repeated name is visited again: JSON.parse keeps the last one.
          FLOWDB_RETURN_IF_ERROR(c >= 0 ? Visit(c, f.value()) : Skip(f.value()));
        }
        return Status::OK();
      }
      case od::json_type::array:
        return VisitArray(node, v);
      case od::json_type::number:
      case od::json_type::string: {
        std::string key;
        bool valid = false;
        std::string_view s;
        if (t == od::json_type::string) {
          if (auto e = v.get_wobbly_string().get(s)) return BadJson(e);
          valid = KeyEncoder(&key).AddStringUtf8(s).ok();
          SetLength(node, Utf16Length(s));
        } else {
          double d;
          if (auto e = v.get_double().get(d)) return BadJson(e);
          valid = KeyEncoder(&key).AddNumber(d).ok();
        }
        SetScalar(node, valid ? &key : nullptr);
        return Status::OK();
      }
      default:
        SetScalar(node, nullptr);
        return Skip(v);
    }
  }

  // An array at `node`: its Array key for plain slots, its distinct valid
  // elements for multiEntry slots, its length for a "length" child.
  Status VisitArray(int node, od::value v) {
    od::array arr;
    if (auto e = v.get_array().get(arr)) return BadJson(e);
    Nest nest(&nesting);
    FLOWDB_RETURN_IF_ERROR(CheckNesting());
    const bool want_key = !nodes[node].slots.empty();
    std::string whole;
    whole.push_back(static_cast<char>(kKeyArray));
    bool all_valid = true;
    elements.clear();
    size_t count = 0;
    for (auto er : arr) {
      od::value ev;
      if (auto e = std::move(er).get(ev)) return BadJson(e);
      count++;
      if (!want_key) {
        FLOWDB_RETURN_IF_ERROR(Skip(ev));
        continue;
      }
      scratch.clear();
      bool valid = false;
      FLOWDB_RETURN_IF_ERROR(Convert(ev, &scratch, &valid, 1));
      if (valid) {
        whole += scratch;
        elements.push_back(scratch);
      } else {
        all_valid = false;
      }
    }
    whole.push_back(static_cast<char>(kKeyArrayEnd));
    if (want_key) {
      std::sort(elements.begin(), elements.end());
      elements.erase(std::unique(elements.begin(), elements.end()), elements.end());
      for (int s : nodes[node].slots) {
        Slot& slot = slots[s];
        slot.outcome = KeyOutcome::kKey;
        if (slot.multi_entry) {
          slot.keys = elements;
        } else if (all_valid) {
          slot.key = whole;
        } else {
          slot.outcome = KeyOutcome::kInvalid;
        }
      }
    }
    SetLength(node, static_cast<double>(count));
    return Status::OK();
  }

  // The document root is a scalar: only '' and "length" can match.
  Status VisitRootScalar(od::document& doc, od::json_type t) {
    SetChildrenMissing(0);
    std::string key;
    bool valid = false;
    switch (t) {
      case od::json_type::number: {
        double d;
        if (auto e = doc.get_double().get(d)) return BadJson(e);
        valid = KeyEncoder(&key).AddNumber(d).ok();
        break;
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = doc.get_wobbly_string().get(s)) return BadJson(e);
        valid = KeyEncoder(&key).AddStringUtf8(s).ok();
        SetLength(0, Utf16Length(s));
        break;
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = doc.get_bool().get(b)) return BadJson(e);
        break;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = doc.is_null().get(is_null)) return BadJson(e);
        if (!is_null) return BadJson(simdjson::N_ATOM_ERROR);
        break;
      }
      default:
        return BadJson(simdjson::INCORRECT_TYPE);
    }
    SetScalar(0, valid ? &key : nullptr);
    return Status::OK();
  }
};

KeyExtractor::KeyExtractor() : impl_(std::make_unique<Impl>()) {}
KeyExtractor::~KeyExtractor() = default;

Status KeyExtractor::Init(std::vector<KeyPathSpec> specs) {
  auto impl = std::make_unique<Impl>();
  impl->nodes.emplace_back();
  for (const KeyPathSpec& spec : specs) {
    if (spec.multi_entry && spec.path.is_array()) {
      return Status::InvalidArgument("a multiEntry index cannot have a compound key path");
    }
    Impl::SpecSlots ss;
    ss.compound = spec.path.is_array();
    for (size_t i = 0; i < spec.path.paths().size(); i++) {
      int slot = static_cast<int>(impl->slots.size());
      impl->slots.emplace_back();
      impl->slots.back().multi_entry = spec.multi_entry;
      int node = 0;
      for (const std::string& step : spec.path.steps(i)) {
        impl->nodes[node].subtree_slots.push_back(slot);
        int c = impl->Child(node, step);
        if (c < 0) {
          c = static_cast<int>(impl->nodes.size());
          impl->nodes.emplace_back();
          impl->nodes.back().name = step;
          impl->nodes[node].children.push_back(c);
        }
        node = c;
      }
      impl->nodes[node].slots.push_back(slot);
      ss.slots.push_back(slot);
    }
    impl->specs.push_back(std::move(ss));
  }
  // subtree_slots of a node lists the slots of its strict descendants.
  for (auto& n : impl->nodes) {
    std::vector<int> below;
    for (int s : n.subtree_slots) {
      if (std::find(n.slots.begin(), n.slots.end(), s) == n.slots.end()) below.push_back(s);
    }
    n.subtree_slots = std::move(below);
  }
  impl_ = std::move(impl);
  return Status::OK();
}

Status KeyExtractor::Extract(std::string_view json, ExtractedKeys* out) {
  Impl& m = *impl_;
  FLOWDB_RETURN_IF_ERROR(CheckNoBom(json));
  m.padded.assign(json);
  m.padded.append(simdjson::SIMDJSON_PADDING, ' ');
  for (auto& s : m.slots) s.outcome = KeyOutcome::kMissing;
  m.nesting = 0;

  od::document doc;
  if (auto e = m.parser.iterate(m.padded.data(), json.size(), m.padded.size()).get(doc)) return BadJson(e);
  od::json_type t;
  if (auto e = doc.type().get(t)) return BadJson(e);
  if (t == od::json_type::object || t == od::json_type::array) {
    od::value root;
    if (auto e = doc.get_value().get(root)) return BadJson(e);
    FLOWDB_RETURN_IF_ERROR(m.Visit(0, root));
  } else {
    FLOWDB_RETURN_IF_ERROR(m.VisitRootScalar(doc, t));
  }
  if (!doc.at_end()) return BadJson(simdjson::TRAILING_CONTENT);

  out->outcomes_.clear();
  out->first_.assign(1, 0);
  out->offsets_.assign(1, 0);
  out->bytes_.clear();
  auto add = [out](std::string_view key) {
    out->bytes_.append(key);
    out->offsets_.push_back(out->bytes_.size());
  };
  for (const auto& spec : m.specs) {
    KeyOutcome outcome = KeyOutcome::kKey;
    for (int s : spec.slots) {
      // A missing path makes a compound key missing even if another is invalid.
      if (m.slots[s].outcome == KeyOutcome::kMissing) outcome = KeyOutcome::kMissing;
      else if (m.slots[s].outcome == KeyOutcome::kInvalid && outcome == KeyOutcome::kKey) outcome = KeyOutcome::kInvalid;
    }
    out->outcomes_.push_back(outcome);
    if (outcome == KeyOutcome::kKey) {
      const Impl::Slot& first = m.slots[spec.slots[0]];
      if (spec.compound) {
        std::string key(1, static_cast<char>(kKeyArray));
        for (int s : spec.slots) key += m.slots[s].key;
        key.push_back(static_cast<char>(kKeyArrayEnd));
        add(key);
      } else if (first.multi_entry) {
        for (const std::string& k : first.keys) add(k);
      } else {
        add(first.key);
      }
    }
    out->first_.push_back(out->offsets_.size() - 1);
  }
  return Status::OK();
}

Status InjectKey(std::string_view json, const KeyPath& path, double key, std::string* out) {
  if (path.is_array() || path.steps(0).empty()) {
    return Status::InvalidArgument("a key can only be injected at a single, non-empty key path");
  }
  if (!std::isfinite(key)) return Status::InvalidArgument("the injected key must be a finite number");
  FLOWDB_RETURN_IF_ERROR(CheckNoBom(json));
  const std::vector<std::string>& steps = path.steps(0);
  od::parser parser;
  std::string padded;
  size_t base = 0;             // offset in json of the object being walked
  std::string_view cur = json;  // its text
  size_t brace = 0;            // offset in json just past the '{' to insert after
  bool empty = true;           // whether that object has no members
  size_t step = 0;             // steps[step..] are created there
  while (true) {
    padded.assign(cur);
    padded.append(simdjson::SIMDJSON_PADDING, ' ');
    od::document doc;
    if (auto e = parser.iterate(padded.data(), cur.size(), padded.size()).get(doc)) return BadJson(e);
    od::object obj;
    if (auto e = doc.get_object().get(obj)) {
      if (e == simdjson::INCORRECT_TYPE) {
        return Status::InvalidArgument(step == 0 ? "cannot inject a key: the document is not a JSON object"
                                                 : "cannot inject a key: a key path step is not an object");
      }
      return BadJson(e);
    }
    size_t open = cur.find('{');  // the object starts at its first '{' (after any whitespace)
    brace = base + open + 1;
    empty = true;
    // The last member of that name is the one JSON.parse keeps.
    std::string_view match;
    bool found = false;
    for (auto fr : obj) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return BadJson(e);
      empty = false;
      std::string_view k;
      if (auto e = f.unescaped_key(true).get(k)) return BadJson(e);
      od::value fv = f.value();
      std::string_view raw;
      if (auto e = fv.raw_json().get(raw)) return BadJson(e);
      if (k == steps[step]) {
        found = true;
        match = raw;
      }
    }
    if (!doc.at_end()) return BadJson(simdjson::TRAILING_CONTENT);
    if (!found) break;
    if (step + 1 == steps.size()) {
      return Status::InvalidArgument("cannot inject a key: the key path already has a value");
    }
    if (match.empty() || match[0] != '{') {
      return Status::InvalidArgument("cannot inject a key: a key path step is not an object");
    }
    size_t at = static_cast<size_t>(match.data() - padded.data());
    base += at;
    cur = json.substr(base, match.size());
    step++;
  }
  std::string member;
  for (size_t i = step; i < steps.size(); i++) {
    member += '"';
    member += steps[i];
    member += "\":";
    if (i + 1 < steps.size()) member += '{';
  }
  char num[32];
  double whole;
  std::to_chars_result r;
  if (std::modf(key, &whole) == 0 && std::fabs(key) <= 9007199254740992.0) {
    r = std::to_chars(num, num + sizeof num, static_cast<int64_t>(key));
  } else {
    r = std::to_chars(num, num + sizeof num, key);
  }
  member.append(num, r.ptr);
  for (size_t i = step + 1; i < steps.size(); i++) member += '}';
  if (!empty) member += ',';
  out->append(json.substr(0, brace));
  out->append(member);
  out->append(json.substr(brace));
  return Status::OK();
}

const char* SimdjsonVersionString() { return SIMDJSON_VERSION; }

}  // namespace flowdb::doc
