#include "command_registry.h"

namespace codessm::cli {

std::vector<Command>& command_table() {
  static std::vector<Command> table;
  return table;
}

}  // namespace codessm::cli
