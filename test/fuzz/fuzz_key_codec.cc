// libFuzzer target for the key codec (src/doc/key_codec.h).
//
// 1. Arbitrary bytes through DecodeKey and SkipKey: never a crash; when
//    DecodeKey accepts a key, re-encoding it gives back exactly the bytes it
//    consumed (the encoding is canonical) and SkipKey consumes the same.
// 2. The input read as a small program that builds a key (numbers, dates,
//    UTF-16 strings, UTF-8 strings, binary, nested arrays): encode, decode,
//    and the decoded key equals the built one and re-encodes identically.
//
// Built with FLOWDB_BUILD_FUZZ=ON and run by scripts/fuzz.sh (test/fuzz/README.md).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "key_codec.h"

using flowdb::Status;
using flowdb::doc::DecodeKey;
using flowdb::doc::EncodeKey;
using flowdb::doc::Key;
using flowdb::doc::KeyEncoder;
using flowdb::doc::SkipKey;

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void DecodeArbitrary(std::string_view bytes) {
  std::string_view in = bytes, skip = bytes;
  Key key;
  Status s = DecodeKey(&in, &key);
  Status t = SkipKey(&skip);
  if (!s.ok()) return;
  Check(t.ok());
  Check(in.size() == skip.size());
  std::string again;
  Check(EncodeKey(key, &again).ok());
  Check(again == bytes.substr(0, bytes.size() - in.size()));
}

// Reads a key-building program from *p..end into enc and into the model key.
struct Builder {
  const uint8_t* p;
  const uint8_t* end;

  bool More() const { return p < end; }
  uint8_t Byte() { return p < end ? *p++ : 0; }

  // Builds one key; returns false if the encoder refused it (NaN, depth, bad UTF-8).
  bool Build(KeyEncoder* enc, Key* model, int depth) {
    const uint8_t op = Byte() % 6;
    switch (op) {
      case 0:
      case 1: {
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++) bits = (bits << 8) | Byte();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        const bool date = op == 1;
        *model = date ? Key::Date(v) : Key::Number(v);
        Status s = date ? enc->AddDate(v) : enc->AddNumber(v);
        if (v != v) {
          Check(!s.ok());
          return false;
        }
        Check(s.ok());
        return true;
      }
      case 2: {
        size_t n = Byte() % 8;
        std::u16string units;
        for (size_t i = 0; i < n; i++) units.push_back(static_cast<char16_t>((Byte() << 8) | Byte()));
        *model = Key::String(units);
        enc->AddString(units);
        return true;
      }
      case 3: {
        size_t n = Byte() % 12;
        std::string utf8;
        for (size_t i = 0; i < n; i++) utf8.push_back(static_cast<char>(Byte()));
        // The model comes from the encoder's own output (the UTF-8 path is
        // checked against the UTF-16 path in key_codec_test.cc).
        std::string tmp;
        KeyEncoder probe(&tmp);
        if (!probe.AddStringUtf8(utf8).ok()) return false;
        std::string_view in(tmp);
        Check(DecodeKey(&in, model).ok() && in.empty());
        Check(enc->AddStringUtf8(utf8).ok());
        return true;
      }
      case 4: {
        size_t n = Byte() % 12;
        std::string bytes;
        for (size_t i = 0; i < n; i++) bytes.push_back(static_cast<char>(Byte()));
        *model = Key::Binary(bytes);
        enc->AddBinary(bytes);
        return true;
      }
      default: {
        size_t n = Byte() % 5;
        if (!enc->BeginArray().ok()) return false;
        *model = Key::Array({});
        for (size_t i = 0; i < n && More(); i++) {
          Key e;
          if (!Build(enc, &e, depth + 1)) return false;
          model->array.push_back(std::move(e));
        }
        enc->EndArray();
        return true;
      }
    }
  }
};

void RoundTrip(const uint8_t* data, size_t size) {
  Builder b{data, data + size};
  std::string enc_bytes;
  KeyEncoder enc(&enc_bytes);
  Key model;
  if (!b.Build(&enc, &model, 0)) return;
  std::string_view in(enc_bytes);
  Key decoded;
  Check(DecodeKey(&in, &decoded).ok());
  Check(in.empty());
  Check(decoded == model);
  std::string again;
  Check(EncodeKey(decoded, &again).ok());
  Check(again == enc_bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DecodeArbitrary(std::string_view(reinterpret_cast<const char*>(data), size));
  RoundTrip(data, size);
  return 0;
}
