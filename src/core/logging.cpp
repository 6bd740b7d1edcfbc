#include "codessm/core/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include "codessm/core/error.h"

namespace codessm::core {

void init_logging(const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    throw UsageError(fmt::format("unknown log level '{}': use trace, debug, info, warn, error or off", level));
  }
  auto logger = spdlog::stderr_color_mt("codessm");
  logger->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(lvl);
}

}  // namespace codessm::core
