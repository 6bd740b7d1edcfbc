// The flag group every command shares (style §4.1 common_flags): one spelling, one help text and one place
// that applies each. A command picks the flags it has; `--out`'s help names what the command writes.
//   --device   cpu, cuda, cuda:N or auto          --dtype     the command's precision
//   --threads  CPU threads (LibTorch intra-op; the command's own workers where it has them)
//   --seed     the command's random seed          --out       where results go
//   --no-progress  no progress bar
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace codessm::cli {

struct CommonFlags {
  std::string device;                 ///< "" = the command's default (or its config's)
  std::string dtype;                  ///< "" = the command's default (or its config's)
  int threads = 0;                    ///< 0 = LibTorch's default
  std::optional<uint64_t> seed;       ///< unset = the command's default (or its config's)
  std::filesystem::path out;
  bool progress = true;
};

enum CommonFlag : unsigned {
  kDevice = 1u << 0,
  kDtype = 1u << 1,
  kThreads = 1u << 2,
  kSeed = 1u << 3,
  kOut = 1u << 4,
  kProgress = 1u << 5,
};

/// Help texts that differ by command.
struct CommonHelp {
  std::string out = "output folder";
  std::string dtype = "fp32, tf32 (CUDA matmuls in TF32) or bf16 (autocast; FFTs stay fp32)";
  bool out_required = false;
};

/// Adds the `which` flags of `f` to `cmd`.
void add_common_flags(CLI::App* cmd, CommonFlags& f, unsigned which, const CommonHelp& help = {});

/// What takes effect process-wide: LibTorch's intra-op threads.
void apply_common_flags(const CommonFlags& f);

/// The model a command acts on, positional everywhere (`codessm eval CKPT`, `codessm interpret CKPT`, ...).
/// `--model` (and probe layers' `--checkpoint`) stay accepted for old scripts but are not shown in the help.
CLI::Option* add_model_argument(CLI::App* cmd, std::string& model, const std::string& help, bool required = true);

}  // namespace codessm::cli
