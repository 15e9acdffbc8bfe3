// Key codec of the document store: IndexedDB keys as byte strings whose
// bytewise (memcmp, shorter-prefix-first) order is IndexedDB's "compare two
// keys" order. One codec serves primary keys, index keys and key-range bounds.
//
// Grammar (every key is self-delimiting, so encoded keys concatenate and
// split unambiguously):
//
//   key       := number | date | string | binary | array
//   number    := 0x10 double64          a Number key
//   date      := 0x20 double64          a Date key (milliseconds since the epoch)
//   string    := 0x30 units terminator  a String key
//   binary    := 0x40 bytes terminator  a Binary key
//   array     := 0x50 key* 0x00         an Array key
//   double64  := 8 bytes, big-endian, of the IEEE-754 bits b of the value
//                (-0 written as +0; NaN is not a key): b with its sign bit
//                set if the value is positive, ~b if it is negative
//   units     := the string's UTF-16 code units, each written as UTF-8 writes
//                a code point of that value (1 to 3 bytes; a surrogate, paired
//                or not, is written on its own as 3 bytes: CESU-8), then
//                escaped
//   bytes     := the binary's bytes, escaped
//   escaped   := every 0x00 byte written as 0x00 0xFF
//   terminator:= 0x00 0x00
//
// Why this orders as IndexedDB does:
// - Tags increase Number < Date < String < Binary < Array, and the array end
//   0x00 is below every tag, so an array that is a prefix of another sorts
//   first and arrays compare element by element.
// - The double transform maps the total order of non-NaN doubles onto
//   unsigned 64-bit order.
// - UTF-8 applied to each 16-bit code unit separately is monotonic in the
//   unit's value and prefix-free, so bytes compare as code units do (U+FFFF
//   sorts after U+10000, whose first unit is 0xD800).
// - After escaping, the terminator 0x00 0x00 is below an escaped 0x00
//   (0x00 0xFF) and below any other byte, so a prefix sorts first.
//
// Thread safety: stateless functions; a KeyEncoder is used by one thread.

#ifndef FLOWDB_DOC_KEY_CODEC_H_
#define FLOWDB_DOC_KEY_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "flowdb/status.h"

namespace flowdb::doc {

/** Tag bytes of the key grammar above (part of the on-disk format). */
enum KeyTag : uint8_t {
  kKeyArrayEnd = 0x00,
  kKeyNumber = 0x10,
  kKeyDate = 0x20,
  kKeyString = 0x30,
  kKeyBinary = 0x40,
  kKeyArray = 0x50,
};

/**
 * Deepest nesting of Array keys the codec accepts (an array holding a
 * number has depth 1). Deeper keys are refused as invalid keys when encoded
 * and as corruption when decoded, so decoding never recurses without bound.
 */
inline constexpr int kMaxKeyDepth = 1000;

/**
 * A decoded key: a small tree used to return keys to JS and in tests.
 * Only the member for `type` is meaningful.
 */
struct Key {
  enum class Type : uint8_t { kNumber, kDate, kString, kBinary, kArray };

  Type type = Type::kNumber;
  double number = 0;       // kNumber; kDate: milliseconds since the epoch
  std::u16string string;   // kString: UTF-16 code units, lone surrogates allowed
  std::string binary;      // kBinary: the bytes
  std::vector<Key> array;  // kArray: the elements

  static Key Number(double v);
  static Key Date(double ms);
  static Key String(std::u16string s);
  static Key Binary(std::string bytes);
  static Key Array(std::vector<Key> elements);

  /** Structural equality (numbers by value, so -0 equals 0). */
  friend bool operator==(const Key& a, const Key& b);
};

/**
 * Appends the encodings of keys to a string, one key or one array element at
 * a time. Arrays are written between BeginArray() and EndArray().
 *
 * On a non-OK Status the output holds a partial key: the caller discards it
 * (e.g. resizes the string back to its length before the key).
 */
class KeyEncoder {
 public:
  /** Appends to *out, which must outlive the encoder. */
  explicit KeyEncoder(std::string* out) : out_(out) {}

  /** A Number key. InvalidKey if `v` is NaN; -0 is encoded as 0. */
  Status AddNumber(double v);
  /** A Date key of `ms` milliseconds since the epoch. InvalidKey if NaN. */
  Status AddDate(double ms);
  /** A String key given as UTF-16 code units (any units, lone surrogates too). */
  void AddString(std::u16string_view units);
  /**
   * A String key given as UTF-8 in which surrogates may also appear on their
   * own as 3-byte sequences (WTF-8 and CESU-8 are accepted: that is how a
   * JS string with lone surrogates is written in UTF-8 form). InvalidKey for
   * anything else (a truncated or bad sequence, an overlong form, a code
   * point above U+10FFFF).
   */
  Status AddStringUtf8(std::string_view utf8);
  /** A Binary key of these bytes. */
  void AddBinary(std::string_view bytes);
  /** Opens an Array key. InvalidKey if it would nest deeper than kMaxKeyDepth. */
  Status BeginArray();
  /** Closes the innermost open Array key. REQUIRES: depth() > 0. */
  void EndArray();
  /** Array keys currently open. */
  int depth() const { return depth_; }

 private:
  std::string* out_;
  int depth_ = 0;
};

/** Appends the encoding of `key` to *out. InvalidKey for a NaN number/date or too deep a nesting. */
Status EncodeKey(const Key& key, std::string* out);

/**
 * Decodes the key at the front of *in into *out and advances *in past it.
 * Corruption (with *in unspecified) if the bytes do not start with a
 * well-formed key of the grammar.
 */
Status DecodeKey(std::string_view* in, Key* out);

/**
 * Advances *in past the key at its front without decoding it (e.g. to split
 * an index key from the primary key that follows it). Corruption if the bytes
 * do not start with a well-formed key; it checks framing only (tags,
 * terminators, lengths, nesting), not that string units are well-formed.
 */
Status SkipKey(std::string_view* in);

}  // namespace flowdb::doc

#endif  // FLOWDB_DOC_KEY_CODEC_H_
