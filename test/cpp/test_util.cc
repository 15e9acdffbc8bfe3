#include "test_util.h"

#include <unistd.h>

#include <filesystem>

namespace flowdb::test {

std::string RandomKey(Random* rnd, size_t len) {
  static const char kTestChars[] = {'\0', '\1', 'a', 'b', 'c', 'd', 'e', '\xfd', '\xfe', '\xff'};
  std::string result;
  for (size_t i = 0; i < len; i++) result += kTestChars[rnd->Uniform(sizeof(kTestChars))];
  return result;
}

std::string RandomBytes(Random* rnd, size_t len) {
  std::string result(len, '\0');
  for (size_t i = 0; i < len; i++) result[i] = static_cast<char>(rnd->Uniform(256));
  return result;
}

std::string TempDir(const std::string& name) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() /
                 ("flowdb-test-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

}  // namespace flowdb::test
