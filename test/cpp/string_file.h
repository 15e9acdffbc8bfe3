// In-memory WritableFile and RandomAccessFile over a std::string, for tests
// of table code that should not depend on an Env.

#ifndef FLOWDB_TEST_CPP_STRING_FILE_H_
#define FLOWDB_TEST_CPP_STRING_FILE_H_

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "flowdb/env.h"

namespace flowdb::test {

// Collects appended bytes in contents, and where each Append began.
class StringSink final : public WritableFile {
 public:
  Status Append(std::string_view data) override {
    append_offsets.push_back(contents.size());
    contents.append(data.data(), data.size());
    return Status::OK();
  }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  Status Truncate(uint64_t size) override {
    contents.resize(std::min<uint64_t>(size, contents.size()));
    return Status::OK();
  }

  std::string contents;
  std::vector<uint64_t> append_offsets;
};

// Serves reads from a string (copied into scratch, as a POSIX file would)
// and counts them. Reads past the end return fewer bytes, like pread.
class StringSource final : public RandomAccessFile {
 public:
  explicit StringSource(std::string contents) : contents_(std::move(contents)) {}

  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    reads_.fetch_add(1, std::memory_order_relaxed);
    if (offset >= contents_.size()) {
      *result = {};
      return Status::OK();
    }
    n = std::min<uint64_t>(n, contents_.size() - offset);
    std::memcpy(scratch, contents_.data() + offset, n);
    *result = std::string_view(scratch, n);
    return Status::OK();
  }

  int reads() const { return reads_.load(std::memory_order_relaxed); }

 private:
  const std::string contents_;
  mutable std::atomic<int> reads_{0};
};

// A file whose every read fails with an I/O error.
class FailingSource final : public RandomAccessFile {
 public:
  Status Read(uint64_t, size_t, std::string_view* result, char*) const override {
    *result = {};
    return Status::IOError("injected read error");
  }
};

}  // namespace flowdb::test

#endif  // FLOWDB_TEST_CPP_STRING_FILE_H_
