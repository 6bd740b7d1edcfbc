// Flag groups shared by subcommands: device, dtype, seed, threads, output folder.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace codessm::cli {

struct RuntimeFlags {
  std::string device = "cpu";
  std::string dtype = "fp32";
  uint64_t seed = 0;
  int threads = 0;  ///< 0: LibTorch's default (all cores)
};

/// Adds --device, --dtype, --seed, --threads to `app`.
void add_runtime_flags(CLI::App& app, RuntimeFlags& f);
/// Applies --threads and --seed (call at the start of the callback).
void apply_runtime_flags(const RuntimeFlags& f);

}  // namespace codessm::cli
