// codessm: one executable; the command table below lists every subcommand, each under the #ifdef of the
// modules it needs (CODESSM_HAVE_<MODULE>, one per built module, from cli/CMakeLists.txt).
// Exit codes: 0 ok, 1 usage/config, 2 data/IO, 3 numerical, 4 internal, 128+signal after a graceful stop
// (143 SIGTERM, 130 SIGINT: `pretrain`/`finetune` save a checkpoint first; core/stop_signal.h).
#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <cstdio>

#include "codessm/core/error.h"
#include "codessm/core/logging.h"
#include "codessm/core/stop_signal.h"
#include "commands.h"

namespace {

/// One row per top-level command: its setup adds the CLI11 subcommand, its flags and the callback.
struct Command {
  const char* name;
  void (*setup)(CLI::App& app);
};

void setup_probe(CLI::App& app) {
  [[maybe_unused]] CLI::App* probe = codessm::cli::add_probe_command(app);
#ifdef CODESSM_HAVE_PROBE
  codessm::cli::setup_probe_run(*probe);
#endif
#ifdef CODESSM_HAVE_LAYER_PROBE
  codessm::cli::setup_probe_layers(*probe);
#endif
}

const Command kCommands[] = {
#ifdef CODESSM_HAVE_PIPELINES
    {"model", codessm::cli::setup_model},
    {"bench", codessm::cli::setup_bench},
    {"pretrain", codessm::cli::setup_pretrain},
    {"finetune", codessm::cli::setup_finetune},
    {"eval", codessm::cli::setup_eval},
    {"extrapolate", codessm::cli::setup_extrapolate},
#endif
#ifdef CODESSM_HAVE_DATA
    {"tokenizer", codessm::cli::setup_tokenizer},
#endif
#ifdef CODESSM_HAVE_CORPUS
    {"corpus", codessm::cli::setup_corpus},
    {"dataset", codessm::cli::setup_dataset},
#endif
#ifdef CODESSM_HAVE_INTERPRET
    {"interpret", codessm::cli::setup_interpret},
#endif
#ifdef CODESSM_HAVE_PROBE
    {"probe", setup_probe},
#endif
#ifdef CODESSM_HAVE_WEBREPORT
    {"report", codessm::cli::setup_report},
#endif
#ifdef CODESSM_HAVE_STUDY
    {"study", codessm::cli::setup_study},
#endif
};

}  // namespace

namespace codessm::cli {

/// LibTorch's allocation failures: CUDA's "CUDA out of memory" and the CPU allocator's "can't allocate memory".
bool is_out_of_memory(const std::string& what) {
  return what.find("out of memory") != std::string::npos || what.find("can't allocate memory") != std::string::npos;
}

/// A batch that does not fit: say which settings lower the memory, not only LibTorch's byte count.
std::string out_of_memory_message(const std::string& what) {
  const auto nl = what.find('\n');
  return "out of memory: " + what.substr(0, nl) +
         "\nThe model or the batch does not fit in this device's memory. Lower --set batch_size (keep the effective "
         "batch with --set grad_accum), the sequence length (--set context_length / max_length, --lengths, or the "
         "input's length), use --dtype bf16, or choose a smaller model.";
}

}  // namespace codessm::cli

int main(int argc, char** argv) {
  CLI::App app{"codessm: train, fine-tune and explain state-space models of source code"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")->capture_default_str();
  for (const auto& c : kCommands) c.setup(app);
  app.parse_complete_callback([&] { codessm::core::init_logging(log_level); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;
  } catch (const codessm::core::Interrupted& e) {
    spdlog::warn("{}", e.what());
    return e.exit_code();
  } catch (const codessm::Error& e) {
    spdlog::error("{}", e.what());
    return static_cast<int>(e.kind());
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    if (codessm::cli::is_out_of_memory(what)) {
      spdlog::error("{}", codessm::cli::out_of_memory_message(what));
      return 1;
    }
    spdlog::error("LibTorch: {}", what);
    return 4;
  } catch (const std::bad_alloc& e) {
    spdlog::error("{}", codessm::cli::out_of_memory_message(e.what()));
    return 1;
  } catch (const std::invalid_argument& e) {
    spdlog::error("{}", e.what());
    return 1;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 2;
  }
  return 0;
}
