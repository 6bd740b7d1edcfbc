// Helpers for the tasks tests: paths of the checked-in fixtures (tests/data/tasks, each a few records in a
// benchmark's official format) and throw-away files for the malformed-input cases.
#pragma once

#include <filesystem>
#include <string>

#include "codessm/core/io.h"
#include "test_utils.h"

namespace codessm::benchmarks::test {

inline std::filesystem::path fixture(const std::string& name) {
  return ::codessm::test::source_dir() / "tests" / "data" / "tasks" / name;
}

/// Writes `text` to a fresh temp file and returns its path.
inline std::filesystem::path temp_file(const std::string& name, const std::string& text) {
  const auto path = ::codessm::test::temp_dir("tasks_" + name) / name;
  core::write_file_atomic(path, text);
  return path;
}

}  // namespace codessm::benchmarks::test
