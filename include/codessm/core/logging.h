// One logging facade over spdlog (CTranslate2 and Marian both use spdlog). Logs go to stderr so that
// stdout stays machine-readable (JSON, tables).
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace codessm::core {

/// Sets up the stderr logger. `level` is one of trace, debug, info, warn, error, off.
void init_logging(const std::string& level = "info");

}  // namespace codessm::core
