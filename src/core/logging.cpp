#include "codessm/core/logging.h"

#include <chrono>
#include <ctime>

#ifndef CODESSM_NO_SPDLOG
#include <spdlog/sinks/stdout_color_sinks.h>
#endif

#include "codessm/core/error.h"

#ifdef CODESSM_NO_SPDLOG
namespace spdlog {
namespace level {
level_enum from_str(const std::string& s) {
  if (s == "trace") return trace;
  if (s == "debug") return debug;
  if (s == "info") return info;
  if (s == "warn" || s == "warning") return warn;
  if (s == "error" || s == "err") return err;
  if (s == "critical") return critical;
  return off;
}
}  // namespace level
namespace detail {
level::level_enum& current_level() {
  static level::level_enum l = level::info;
  return l;
}
void emit(level::level_enum lvl, const std::string& msg) {
  static const char* names[] = {"trace", "debug", "info", "warning", "error", "critical", "off"};
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%H:%M:%S", std::localtime(&t));
  std::fprintf(stderr, "[%s] [%s] %s\n", buf, names[lvl], msg.c_str());
}
}  // namespace detail
}  // namespace spdlog
#endif

namespace codessm::core {

void init_logging(const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    throw UsageError(fmt::format("unknown log level '{}': use trace, debug, info, warn, error or off", level));
  }
#ifndef CODESSM_NO_SPDLOG
  auto logger = spdlog::stderr_color_mt("codessm");
  logger->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
  spdlog::set_default_logger(logger);
#endif
  spdlog::set_level(lvl);
}

}  // namespace codessm::core
