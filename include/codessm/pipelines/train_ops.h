// Wiring for `codessm pretrain`: a TrainConfig (file or the built-in tiny default, plus --set overrides), the
// tokenizer, the MLM objective, the model (pipelines::resolve_model), the spectral-monitoring hook (interpret
// lives above train in the DAG, so the hook is installed here), then train::Trainer.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codessm/config/train_config.h"

namespace codessm::pipelines {

namespace fs = std::filesystem;

/// Per-call knobs of a training run (never persisted; the TrainConfig is), shared by pretrain and finetune.
struct TrainRunOptions {
  fs::path config_file;                 ///< JSON TrainConfig; "" = run_dir/run_config.json on --resume, else the default
  std::vector<std::string> overrides;   ///< `key=value` on TrainConfig fields (config/overrides.h)
  fs::path out;                         ///< run folder
  bool resume = false;
  int64_t stop_after_step = 0;          ///< stop with a checkpoint after this many steps (0 = run to max_steps)
  double max_seconds = 0;               ///< time budget: evaluate, save and stop once spent (0 = none)
  bool progress = true;
};

/// The built-in default: codessm-tiny, L 128, B 8, 600 steps, warm-up 30, lr 5e-3 (a CPU demo, not the paper's recipe;
/// its tokenizer and training shards are empty and must be set).
config::TrainConfig default_pretrain_config();

/// Resolves the config (file or default, then overrides), loads tokenizer and model, trains, and writes
/// run_dir/reports/pretrain.json (envelope "train.pretrain"). Returns the results object.
nlohmann::json run_pretrain(const TrainRunOptions& o);

}  // namespace codessm::pipelines
