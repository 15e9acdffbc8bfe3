#include "table/bloom.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "util/hash.h"

namespace flowdb {

namespace {

constexpr int kMinProbes = 1;
constexpr int kMaxProbes = 30;
constexpr size_t kMinBits = 64;

int ProbesFor(int bits_per_key) {
  const int k = static_cast<int>(std::lround(bits_per_key * 0.69));
  return std::clamp(k, kMinProbes, kMaxProbes);
}

// Calls fn(bit) for each of the k bits of a key hash in a filter of n bits.
template <typename Fn>
inline bool ForEachProbe(uint64_t h, int k, uint64_t n, Fn fn) {
  const uint64_t delta = std::rotl(h, 32);
  for (int j = 0; j < k; j++) {
    if (!fn(h % n)) return false;
    h += delta;
  }
  return true;
}

}  // namespace

BloomFilterBuilder::BloomFilterBuilder(int bits_per_key)
    : bits_per_key_(std::max(bits_per_key, 1)), num_probes_(ProbesFor(bits_per_key_)) {}

void BloomFilterBuilder::AddKey(std::string_view user_key) {
  if (!hashes_.empty() && user_key == last_key_) return;
  last_key_.assign(user_key.data(), user_key.size());
  hashes_.push_back(Hash64(user_key.data(), user_key.size()));
}

std::string BloomFilterBuilder::Finish() {
  const size_t bits = std::max<size_t>(hashes_.size() * bits_per_key_, kMinBits);
  const size_t bytes = (bits + 7) / 8;
  std::string filter(bytes + 1, '\0');
  const uint64_t n = uint64_t{bytes} * 8;
  for (uint64_t h : hashes_) {
    ForEachProbe(h, num_probes_, n, [&](uint64_t bit) {
      filter[bit / 8] = static_cast<char>(filter[bit / 8] | (1 << (bit % 8)));
      return true;
    });
  }
  filter[bytes] = static_cast<char>(num_probes_);
  hashes_.clear();
  last_key_.clear();
  return filter;
}

bool BloomKeyMayMatch(std::string_view user_key, std::string_view filter) {
  if (filter.size() < 2) return true;
  const int k = static_cast<uint8_t>(filter.back());
  if (k < kMinProbes || k > kMaxProbes) return true;
  const uint64_t n = uint64_t{filter.size() - 1} * 8;
  const uint64_t h = Hash64(user_key.data(), user_key.size());
  return ForEachProbe(h, k, n, [&](uint64_t bit) {
    return (static_cast<uint8_t>(filter[bit / 8]) >> (bit % 8)) & 1;
  });
}

}  // namespace flowdb
