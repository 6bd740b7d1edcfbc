// Wiring for `codessm pretrain`: a TrainConfig (file or the built-in tiny default, plus --set overrides),
// the tokenizer, the model (a preset sized to the tokenizer, or a checkpoint), the spectral-monitoring hook
// (interpret lives above train in the DAG, so the hook is installed here), then train::Trainer.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codessm/config/train_config.h"

namespace codessm::pipelines {

namespace fs = std::filesystem;

/// Per-call knobs of `codessm pretrain` (never persisted; the TrainConfig is); `codessm finetune` adds its task.
struct PretrainOptions {
  fs::path config_file;                 ///< JSON TrainConfig; "" = run_dir/run_config.json on --resume, else the default
  std::vector<std::string> overrides;   ///< `key=value` on TrainConfig fields
  fs::path out;                         ///< run folder
  bool resume = false;
  int64_t stop_after_step = 0;          ///< stop with a checkpoint after this many steps (0 = run to max_steps)
  double max_seconds = 0;               ///< stop with an evaluation and a checkpoint after this many seconds (0 = none)
  bool progress = true;
};

/// The built-in default: codessm-tiny, L 128, B 8, 600 steps, warm-up 30, lr 5e-3 (a CPU demo, not the paper's recipe;
/// its tokenizer/train_shards are empty and must be set).
config::TrainConfig default_pretrain_config();

/// Resolves the config (file or default, then overrides), loads tokenizer and model, trains, and writes
/// run_dir/reports/pretrain.json (envelope "train.pretrain"). Returns the results object.
nlohmann::json run_pretrain(const PretrainOptions& o);

}  // namespace codessm::pipelines
