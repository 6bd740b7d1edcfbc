#include "test_utils.h"

#include <gtest/gtest.h>

#include "codessm/core/io.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace codessm::test {

namespace fs = std::filesystem;

fs::path source_dir() { return fs::path(CODESSM_SOURCE_DIR); }

fs::path shared_data_dir() {
  if (const char* env = std::getenv("CODESSM_SHARED_DATA")) {
    if (fs::exists(env)) return fs::path(env);
  }
  auto p = source_dir().parent_path() / "shared" / "data";
  return fs::exists(p) ? p : fs::path();
}

fs::path temp_dir(const std::string& name) {
  auto p = fs::temp_directory_path() / ("codessm_test_" + std::to_string(::getpid())) / name;
  core::remove_tree(p);
  fs::create_directories(p);
  static struct Cleanup {
    ~Cleanup() {
      core::remove_tree(fs::temp_directory_path() / ("codessm_test_" + std::to_string(::getpid())));
    }
  } cleanup;
  return p;
}

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

fs::path codessm_binary() { return fs::path(CODESSM_BINARY); }

int run_command(const std::string& cmd, std::string* output) {
  std::string full = cmd + " 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf{};
  std::string out;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int status = ::pclose(pipe);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string run_codessm_ok(const std::string& args) {
  std::string out;
  const int rc = run_command(codessm_binary().string() + " " + args, &out);
  EXPECT_EQ(rc, 0) << args << "\n" << out;
  return out;
}

}  // namespace codessm::test
