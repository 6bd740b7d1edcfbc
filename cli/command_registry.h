// Subcommand table {name, summary, setup}: each cli/cmd_*.cpp registers itself with a static
// CommandRegistrar, so adding a command touches no shared file.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace codessm::cli {

/// A top-level subcommand. `setup` adds the CLI11 subcommand (with its own sub-subcommands and a
/// callback that runs the pipeline) to the app.
struct Command {
  std::string name;
  std::string summary;
  std::function<void(CLI::App& parent)> setup;
};

std::vector<Command>& command_table();

struct CommandRegistrar {
  explicit CommandRegistrar(Command c) { command_table().push_back(std::move(c)); }
};

}  // namespace codessm::cli
