#include "key_codec.h"

#include <cmath>
#include <cstring>
#include <utility>

namespace flowdb::doc {

namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;

// 0x00 inside a string or binary is written as kEscape0 kEscapedZero; the
// value ends with kEscape0 kTerminator.
constexpr char kEscape0 = '\x00';
constexpr char kEscapedZero = '\xff';
constexpr char kTerminator = '\x00';

uint64_t OrderedBits(double v) {
  if (v == 0) v = 0;  // -0 → +0
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return (bits & kSignBit) ? ~bits : bits | kSignBit;
}

double FromOrderedBits(uint64_t bits) {
  bits = (bits & kSignBit) ? bits & ~kSignBit : ~bits;
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

void PutDouble(std::string* out, char tag, double v) {
  uint64_t b = OrderedBits(v);
  char buf[9];
  buf[0] = tag;
  for (int i = 0; i < 8; i++) buf[1 + i] = static_cast<char>(b >> (56 - 8 * i));
  out->append(buf, sizeof buf);
}

// Appends the 1-3 byte form of one UTF-16 code unit (UTF-8's form for a code
// point of that value), with 0x00 escaped.
inline void PutUnit(std::string* out, char16_t u) {
  if (u == 0) {
    out->push_back(kEscape0);
    out->push_back(kEscapedZero);
  } else if (u < 0x80) {
    out->push_back(static_cast<char>(u));
  } else if (u < 0x800) {
    char b[2] = {static_cast<char>(0xC0 | (u >> 6)), static_cast<char>(0x80 | (u & 0x3F))};
    out->append(b, 2);
  } else {
    char b[3] = {static_cast<char>(0xE0 | (u >> 12)), static_cast<char>(0x80 | ((u >> 6) & 0x3F)),
                 static_cast<char>(0x80 | (u & 0x3F))};
    out->append(b, 3);
  }
}

inline bool IsCont(unsigned char c) { return (c & 0xC0) == 0x80; }

void PutTerminator(std::string* out) {
  out->push_back(kEscape0);
  out->push_back(kTerminator);
}

Status BadKeyBytes(const char* what) { return Status::Corruption("bad key encoding", what); }

// Reads a 0x00-escaped, terminated run from *in: appends the decoded bytes to
// *out (if not null) and advances *in past the terminator.
Status ReadEscaped(std::string_view* in, std::string* out) {
  const char* p = in->data();
  const char* end = p + in->size();
  while (true) {
    const void* z = std::memchr(p, 0, static_cast<size_t>(end - p));
    if (z == nullptr) return BadKeyBytes("unterminated string or binary");
    const char* zp = static_cast<const char*>(z);
    if (out) out->append(p, static_cast<size_t>(zp - p));
    if (zp + 1 >= end) return BadKeyBytes("unterminated string or binary");
    if (zp[1] == kTerminator) {
      in->remove_prefix(static_cast<size_t>(zp + 2 - in->data()));
      return Status::OK();
    }
    if (zp[1] != kEscapedZero) return BadKeyBytes("bad escape in string or binary");
    if (out) out->push_back('\0');
    p = zp + 2;
  }
}

// Decodes the canonical code-unit form of a string (as PutUnit writes it).
Status DecodeUnits(std::string_view bytes, std::u16string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  out->reserve(bytes.size());
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {  // 0x00 here is an unescaped zero unit
      out->push_back(c);
      p++;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (end - p < 2 || !IsCont(p[1])) return BadKeyBytes("bad string unit");
      out->push_back(static_cast<char16_t>(((c & 0x1F) << 6) | (p[1] & 0x3F)));
      p += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (end - p < 3 || !IsCont(p[1]) || !IsCont(p[2])) return BadKeyBytes("bad string unit");
      char16_t u = static_cast<char16_t>(((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F));
      if (u < 0x800) return BadKeyBytes("overlong string unit");
      out->push_back(u);
      p += 3;
    } else {
      return BadKeyBytes("bad string unit");
    }
  }
  return Status::OK();
}

Status Decode(std::string_view* in, Key* out, int depth) {
  if (in->empty()) return BadKeyBytes("empty key");
  const char tag = (*in)[0];
  in->remove_prefix(1);
  switch (static_cast<uint8_t>(tag)) {
    case kKeyNumber:
    case kKeyDate: {
      if (in->size() < 8) return BadKeyBytes("truncated number");
      uint64_t b = 0;
      for (int i = 0; i < 8; i++) b = (b << 8) | static_cast<unsigned char>((*in)[i]);
      in->remove_prefix(8);
      double v = FromOrderedBits(b);
      if (std::isnan(v)) return BadKeyBytes("NaN number");
      if (v == 0 && std::signbit(v)) return BadKeyBytes("negative zero");
      out->type = tag == static_cast<char>(kKeyNumber) ? Key::Type::kNumber : Key::Type::kDate;
      out->number = v;
      return Status::OK();
    }
    case kKeyString: {
      std::string bytes;
      FLOWDB_RETURN_IF_ERROR(ReadEscaped(in, &bytes));
      out->type = Key::Type::kString;
      out->string.clear();
      return DecodeUnits(bytes, &out->string);
    }
    case kKeyBinary:
      out->type = Key::Type::kBinary;
      out->binary.clear();
      return ReadEscaped(in, &out->binary);
    case kKeyArray: {
      if (depth >= kMaxKeyDepth) return BadKeyBytes("array keys nested too deep");
      out->type = Key::Type::kArray;
      out->array.clear();
      while (true) {
        if (in->empty()) return BadKeyBytes("unterminated array");
        if ((*in)[0] == static_cast<char>(kKeyArrayEnd)) {
          in->remove_prefix(1);
          return Status::OK();
        }
        out->array.emplace_back();
        FLOWDB_RETURN_IF_ERROR(Decode(in, &out->array.back(), depth + 1));
      }
    }
    default:
      return BadKeyBytes("unknown tag");
  }
}

Status EncodeRec(const Key& key, KeyEncoder* enc) {
  switch (key.type) {
    case Key::Type::kNumber:
      return enc->AddNumber(key.number);
    case Key::Type::kDate:
      return enc->AddDate(key.number);
    case Key::Type::kString:
      enc->AddString(key.string);
      return Status::OK();
    case Key::Type::kBinary:
      enc->AddBinary(key.binary);
      return Status::OK();
    case Key::Type::kArray:
      FLOWDB_RETURN_IF_ERROR(enc->BeginArray());
      for (const Key& e : key.array) FLOWDB_RETURN_IF_ERROR(EncodeRec(e, enc));
      enc->EndArray();
      return Status::OK();
  }
  return Status::InvalidKey("unknown key type");
}

}  // namespace

Key Key::Number(double v) {
  Key k;
  k.type = Type::kNumber;
  k.number = v;
  return k;
}

Key Key::Date(double ms) {
  Key k;
  k.type = Type::kDate;
  k.number = ms;
  return k;
}

Key Key::String(std::u16string s) {
  Key k;
  k.type = Type::kString;
  k.string = std::move(s);
  return k;
}

Key Key::Binary(std::string bytes) {
  Key k;
  k.type = Type::kBinary;
  k.binary = std::move(bytes);
  return k;
}

Key Key::Array(std::vector<Key> elements) {
  Key k;
  k.type = Type::kArray;
  k.array = std::move(elements);
  return k;
}

bool operator==(const Key& a, const Key& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case Key::Type::kNumber:
    case Key::Type::kDate:
      return a.number == b.number;
    case Key::Type::kString:
      return a.string == b.string;
    case Key::Type::kBinary:
      return a.binary == b.binary;
    case Key::Type::kArray:
      return a.array == b.array;
  }
  return false;
}

Status KeyEncoder::AddNumber(double v) {
  if (std::isnan(v)) return Status::InvalidKey("NaN is not a valid key");
  PutDouble(out_, static_cast<char>(kKeyNumber), v);
  return Status::OK();
}

Status KeyEncoder::AddDate(double ms) {
  if (std::isnan(ms)) return Status::InvalidKey("an invalid Date is not a valid key");
  PutDouble(out_, static_cast<char>(kKeyDate), ms);
  return Status::OK();
}

void KeyEncoder::AddString(std::u16string_view units) {
  out_->push_back(static_cast<char>(kKeyString));
  for (char16_t u : units) PutUnit(out_, u);
  PutTerminator(out_);
}

Status KeyEncoder::AddStringUtf8(std::string_view utf8) {
  out_->push_back(static_cast<char>(kKeyString));
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  const auto* end = p + utf8.size();
  // Runs of 1-3 byte sequences are already in code-unit form: they are
  // copied as they are; only 0x00 and 4-byte sequences are rewritten.
  const auto* run = p;
  auto flush = [&](const unsigned char* upto) {
    out_->append(reinterpret_cast<const char*>(run), static_cast<size_t>(upto - run));
  };
  while (p < end) {
    unsigned char c = *p;
    if (c >= 0x01 && c < 0x80) {
      p++;
    } else if (c == 0) {
      flush(p);
      out_->push_back(kEscape0);
      out_->push_back(kEscapedZero);
      run = ++p;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (end - p < 2 || !IsCont(p[1])) return Status::InvalidKey("string is not valid UTF-8");
      p += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (end - p < 3 || !IsCont(p[1]) || !IsCont(p[2]) || (c == 0xE0 && p[1] < 0xA0)) {
        return Status::InvalidKey("string is not valid UTF-8");
      }
      p += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (end - p < 4 || !IsCont(p[1]) || !IsCont(p[2]) || !IsCont(p[3]) ||
          (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F)) {
        return Status::InvalidKey("string is not valid UTF-8");
      }
      uint32_t cp = (static_cast<uint32_t>(c & 0x07) << 18) | ((p[1] & 0x3F) << 12) |
                    ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
      flush(p);
      cp -= 0x10000;
      PutUnit(out_, static_cast<char16_t>(0xD800 + (cp >> 10)));
      PutUnit(out_, static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
      p += 4;
      run = p;
    } else {
      return Status::InvalidKey("string is not valid UTF-8");
    }
  }
  flush(p);
  PutTerminator(out_);
  return Status::OK();
}

void KeyEncoder::AddBinary(std::string_view bytes) {
  out_->push_back(static_cast<char>(kKeyBinary));
  while (!bytes.empty()) {
    const void* z = std::memchr(bytes.data(), 0, bytes.size());
    size_t n = z ? static_cast<size_t>(static_cast<const char*>(z) - bytes.data()) : bytes.size();
    out_->append(bytes.data(), n);
    bytes.remove_prefix(n);
    if (!bytes.empty()) {
      out_->push_back(kEscape0);
      out_->push_back(kEscapedZero);
      bytes.remove_prefix(1);
    }
  }
  PutTerminator(out_);
}

Status KeyEncoder::BeginArray() {
  if (depth_ >= kMaxKeyDepth) return Status::InvalidKey("array keys nested too deep");
  depth_++;
  out_->push_back(static_cast<char>(kKeyArray));
  return Status::OK();
}

void KeyEncoder::EndArray() {
  depth_--;
  out_->push_back(static_cast<char>(kKeyArrayEnd));
}

Status EncodeKey(const Key& key, std::string* out) {
  KeyEncoder enc(out);
  return EncodeRec(key, &enc);
}

Status DecodeKey(std::string_view* in, Key* out) { return Decode(in, out, 0); }

Status SkipKey(std::string_view* in) {
  int depth = 0;
  do {
    if (in->empty()) return BadKeyBytes(depth ? "unterminated array" : "empty key");
    const uint8_t tag = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    switch (tag) {
      case kKeyNumber:
      case kKeyDate:
        if (in->size() < 8) return BadKeyBytes("truncated number");
        in->remove_prefix(8);
        break;
      case kKeyString:
      case kKeyBinary:
        FLOWDB_RETURN_IF_ERROR(ReadEscaped(in, nullptr));
        break;
      case kKeyArray:
        if (depth >= kMaxKeyDepth) return BadKeyBytes("array keys nested too deep");
        depth++;
        break;
      case kKeyArrayEnd:
        if (depth == 0) return BadKeyBytes("unknown tag");
        depth--;
        break;
      default:
        return BadKeyBytes("unknown tag");
    }
  } while (depth > 0);
  return Status::OK();
}

}  // namespace flowdb::doc
