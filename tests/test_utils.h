// Shared test helpers: fixture paths, the float64 comparison with a stated tolerance, and
// EXPECT_THROW_WITH for error messages.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace codessm::test {

/// The repository root (tests run with it as the working directory too).
std::filesystem::path source_dir();
/// ../shared/data next to the repository, or empty when absent (tests that need it skip).
std::filesystem::path shared_data_dir();
/// A fresh temporary folder, removed at exit of the test binary.
std::filesystem::path temp_dir(const std::string& name);
/// Writes `bytes` to `path`, creating its parent folders (fixture source trees).
void write_file(const std::filesystem::path& path, const std::string& bytes);
/// The built codessm executable.
std::filesystem::path codessm_binary();
/// Runs a shell command, returns its exit code; stdout+stderr go to `output`.
int run_command(const std::string& cmd, std::string* output = nullptr);
/// Runs `codessm ARGS`, expects exit code 0 (a test failure showing the output otherwise), returns the output.
std::string run_codessm_ok(const std::string& args);

}  // namespace codessm::test

/// Skips the test unless ../shared/data exists.
#define CODESSM_REQUIRE_SHARED_DATA()                                                   \
  do {                                                                                  \
    if (::codessm::test::shared_data_dir().empty())                                     \
      GTEST_SKIP() << "../shared/data is absent (it exists only in the dev/CI checkout)"; \
  } while (0)

/// Expects `stmt` to throw ExcType whose what() contains `substr`. Wrap a statement with top-level
/// commas (braced initialisers) in parentheses: EXPECT_THROW_WITH((void)(f({1, 2})), E, "msg").
#define EXPECT_THROW_WITH(stmt, ExcType, substr)                                               \
  do {                                                                                         \
    try {                                                                                      \
      stmt;                                                                                    \
      ADD_FAILURE() << "expected " #ExcType " containing '" << (substr) << "'; nothing thrown"; \
    } catch (const ExcType& e_) {                                                              \
      EXPECT_NE(std::string(e_.what()).find(substr), std::string::npos)                        \
          << "message was: " << e_.what();                                                     \
    }                                                                                          \
  } while (0)
