// Error types and check macros shared by every module.
// The library throws and never exits; cli/main.cpp maps the error kind to an exit code
// (1 usage/config, 2 data/IO, 3 numerical), following Marian's convention (docs/architecture.md).
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace codessm {

/// What went wrong, in the terms of the exit-code convention.
enum class ErrorKind { kUsage = 1, kData = 2, kNumerical = 3, kInternal = 4 };

/// Base error of codessm. The message names the file/field/tensor and says how to fix it.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

/// A bad option, config field or preset name.
struct UsageError : Error {
  explicit UsageError(const std::string& m) : Error(ErrorKind::kUsage, m) {}
};
/// A missing, truncated or malformed file.
struct DataError : Error {
  explicit DataError(const std::string& m) : Error(ErrorKind::kData, m) {}
};
/// NaN/Inf or divergence.
struct NumericalError : Error {
  explicit NumericalError(const std::string& m) : Error(ErrorKind::kNumerical, m) {}
};

}  // namespace codessm

/// Throws codessm::Error (kInternal) with a formatted message when `cond` is false.
#define CODESSM_CHECK(cond, ...)                                                              \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      throw ::codessm::Error(::codessm::ErrorKind::kInternal,                                 \
                             fmt::format("{}:{}: check `{}` failed: {}", __FILE__, __LINE__, \
                                         #cond, fmt::format(__VA_ARGS__)));                  \
    }                                                                                         \
  } while (0)

/// Throws the given error type with a formatted message when `cond` is false.
#define CODESSM_REQUIRE(cond, ErrType, ...)                 \
  do {                                                      \
    if (!(cond)) throw ErrType(fmt::format(__VA_ARGS__));   \
  } while (0)
