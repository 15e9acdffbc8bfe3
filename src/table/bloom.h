// A bloom filter over the user keys of an SSTable.
//
//   filter := bits (a whole number of bytes, ≥ 8) | k (1 byte)
//
// Key i sets the k bits h + j·δ (mod the bit count) for j in [0, k), where
// h = Hash64(key) and δ = h rotated by 32 bits: double hashing from one
// 64-bit hash. k = round(0.69 · bits_per_key) clamped to [1, 30], which
// minimises the false positive rate. A k byte outside [1, 30] is reserved
// for other encodings; readers answer "may match" for it.
//
// Thread safety: BloomFilterBuilder is used by one thread at a time;
// BloomKeyMayMatch is a pure function.

#ifndef FLOWDB_TABLE_BLOOM_H_
#define FLOWDB_TABLE_BLOOM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flowdb {

class BloomFilterBuilder {
 public:
  // REQUIRES: bits_per_key >= 1.
  explicit BloomFilterBuilder(int bits_per_key);

  // Adds a user key. A key equal to the previous one is ignored: a table
  // holds many (ts, seq) versions of one user key in a row.
  void AddKey(std::string_view user_key);

  // Distinct keys added (counting only consecutive duplicates as one).
  size_t num_keys() const { return hashes_.size(); }

  // Returns the filter over every key added and resets the builder.
  std::string Finish();

 private:
  const int bits_per_key_;
  const int num_probes_;
  std::vector<uint64_t> hashes_;
  std::string last_key_;
};

// False only if user_key was certainly not added to the filter. An empty or
// malformed filter answers true.
bool BloomKeyMayMatch(std::string_view user_key, std::string_view filter);

}  // namespace flowdb

#endif  // FLOWDB_TABLE_BLOOM_H_
