// Helpers shared by the libFuzzer targets (test/fuzz/README.md).

#ifndef FLOWDB_TEST_FUZZ_FUZZ_UTIL_H_
#define FLOWDB_TEST_FUZZ_FUZZ_UTIL_H_

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "flowdb/env.h"

namespace flowdb::fuzz {

// Stops the run with a message: a property the engine promises was broken.
// libFuzzer saves the input that got here, as for a crash.
[[noreturn]] inline void Fail(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

// A SequentialFile over bytes in memory (copied into scratch, as a POSIX
// file would be).
class StringSequentialFile final : public SequentialFile {
 public:
  explicit StringSequentialFile(std::string_view data) : data_(data) {}

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    n = std::min(n, data_.size() - pos_);
    std::memcpy(scratch, data_.data() + pos_, n);
    *result = std::string_view(scratch, n);
    pos_ += n;
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    pos_ += static_cast<size_t>(std::min<uint64_t>(n, data_.size() - pos_));
    return Status::OK();
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace flowdb::fuzz

#endif  // FLOWDB_TEST_FUZZ_FUZZ_UTIL_H_
