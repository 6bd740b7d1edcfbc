// Private to pipelines: what `codessm pretrain`, `finetune` and `eval` share — config resolution, models sized
// to the tokenizer, the spectral-monitoring hook, and data-parallel set-up under torchrun.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "codessm/config/train_config.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"
#include "codessm/pipelines/train_ops.h"
#include "codessm/train/data_parallel.h"
#include "codessm/train/trainer.h"

namespace codessm::pipelines::detail {

namespace fs = std::filesystem;

/// `config_file`, else RUN_DIR/run_config.json on resume, else `defaults` (whose required paths may come from
/// the overrides), then the overrides; validated. `command` names the caller in errors.
config::TrainConfig resolve_train_config(const fs::path& config_file, bool resume, const fs::path& out,
                                         const std::vector<std::string>& overrides, const config::TrainConfig& defaults,
                                         const std::string& command);

/// A preset's config resolved with `overrides` and sized to the tokenizer (vocab_size, pad id).
config::ModelConfig preset_sized_to(const std::string& preset, const std::vector<std::string>& overrides,
                                    const data::Tokenizer& tok, int64_t context_length);

/// Per-layer spectral centroid / LHFR logged at each evaluation (SSM models, when interpret is built).
train::TrainerHooks make_hooks(const config::TrainConfig& c, const config::ModelConfig& mc);

/// The trainer's per-call options from the command's (and the data-parallel group, null for one process).
train::TrainOptions trainer_options(const PretrainOptions& o, std::shared_ptr<train::GradientSync> sync);

/// Under torchrun (WORLD_SIZE > 1): a gradient sync (Gloo on CPU, NCCL on CUDA) and cfg.device set to
/// cuda:LOCAL_RANK; null otherwise.
std::shared_ptr<train::GradientSync> setup_distributed(config::TrainConfig& cfg, int64_t* rank);

}  // namespace codessm::pipelines::detail
