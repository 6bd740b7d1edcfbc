// One logging facade (CTranslate2 and Marian both use spdlog). Logs go to stderr so that stdout stays
// machine-readable (JSON, tables). Include this header, never <spdlog/...> directly: on the GPU machine
// PyTorch ships its own fmt (v12), which shadows the system fmt that the system spdlog was built for, so
// there (CODESSM_NO_SPDLOG) a small spdlog-compatible logger over fmt stands in for it.
#pragma once

#include <string>

#ifndef CODESSM_NO_SPDLOG
#include <spdlog/spdlog.h>
#else
#include <fmt/format.h>

#include <cstdio>

namespace spdlog {
namespace level {
enum level_enum { trace = 0, debug, info, warn, err, critical, off };
level_enum from_str(const std::string& s);
}  // namespace level
namespace detail {
level::level_enum& current_level();
void emit(level::level_enum lvl, const std::string& msg);
}  // namespace detail
inline void set_level(level::level_enum l) { detail::current_level() = l; }
inline level::level_enum get_level() { return detail::current_level(); }
#define CODESSM_LOG_FN(name, lvl)                                              \
  template <typename... Args>                                                  \
  void name(fmt::format_string<Args...> f, Args&&... args) {                   \
    if (lvl >= detail::current_level())                                        \
      detail::emit(lvl, fmt::format(f, std::forward<Args>(args)...));          \
  }                                                                            \
  template <typename T>                                                        \
  void name(const T& msg) {                                                    \
    if (lvl >= detail::current_level()) detail::emit(lvl, fmt::format("{}", msg)); \
  }
CODESSM_LOG_FN(trace, level::trace)
CODESSM_LOG_FN(debug, level::debug)
CODESSM_LOG_FN(info, level::info)
CODESSM_LOG_FN(warn, level::warn)
CODESSM_LOG_FN(error, level::err)
CODESSM_LOG_FN(critical, level::critical)
#undef CODESSM_LOG_FN
}  // namespace spdlog
#endif

namespace codessm::core {

/// Sets up the stderr logger. `level` is one of trace, debug, info, warn, error, off.
void init_logging(const std::string& level = "info");

}  // namespace codessm::core
