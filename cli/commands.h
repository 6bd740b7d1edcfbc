// The subcommands, one setup function per cli/cmd_*.cpp; cli/main.cpp lists them in its command table, each
// under the #ifdef of the modules it needs (CODESSM_HAVE_<MODULE>, defined by cli/CMakeLists.txt for every
// built module), so switching a module off removes its commands and nothing else.
#pragma once

#include <CLI/CLI.hpp>

namespace codessm::cli {

void setup_model(CLI::App& app);      ///< model presets|info|init|forward          (cmd_model.cpp)
void setup_bench(CLI::App& app);      ///< bench forward|train                      (cmd_bench.cpp)
void setup_tokenizer(CLI::App& app);  ///< tokenizer train|encode|decode|convert|shard (cmd_tokenizer.cpp)
void setup_corpus(CLI::App& app);     ///< corpus build                             (cmd_corpus.cpp)
void setup_dataset(CLI::App& app);    ///< dataset types                            (cmd_dataset.cpp)
void setup_pretrain(CLI::App& app);   ///< pretrain                                 (cmd_train.cpp)
void setup_finetune(CLI::App& app);   ///< finetune                                 (cmd_train.cpp)
void setup_eval(CLI::App& app);       ///< eval                                     (cmd_eval.cpp)
void setup_interpret(CLI::App& app);  ///< interpret                                (cmd_interpret.cpp)
void setup_report(CLI::App& app);     ///< report (one HTML page of results)         (cmd_report.cpp)
void setup_extrapolate(CLI::App& app);  ///< extrapolate (length extrapolation)     (cmd_extrapolate.cpp)
void setup_study(CLI::App& app);      ///< study (the SSM-Interpret study)            (cmd_study.cpp)
/// probe: `run` (DirectProbe, when the probe module is built) and `dataset`/`layers` (when layer_probe is).
CLI::App* add_probe_command(CLI::App& app);
void setup_probe_run(CLI::App& probe);       ///< probe run                         (cmd_probe.cpp)
void setup_probe_layers(CLI::App& probe);    ///< probe dataset, probe layers       (cmd_probe_layers.cpp)

}  // namespace codessm::cli
