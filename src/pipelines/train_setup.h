// Private to pipelines: what `codessm pretrain` and `codessm finetune` share — prepare_run() resolves the config
// (parse → patch → validate once), sets up data parallelism and the seed, loads the tokenizer, builds the
// objective and the model (resolve_model), checks that tokenizer, data and model fit, and fills the trainer's
// options and hooks. run_pretrain / run_finetune then only differ in what they do around Trainer::run.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "codessm/config/train_config.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"
#include "codessm/pipelines/train_ops.h"
#include "codessm/train/objective.h"
#include "codessm/train/trainer.h"

namespace codessm::pipelines::detail {

namespace fs = std::filesystem;

/// Everything a training run needs, resolved.
struct PreparedRun {
  config::TrainConfig cfg;
  std::shared_ptr<const data::Tokenizer> tok;
  train::TrainObjective objective;
  model::CodeModel model{nullptr};
  train::TrainerHooks hooks;
  train::TrainOptions options;
  int64_t rank = 0;
};

/// `o.config_file`, else RUN_DIR/run_config.json on resume, else `defaults`; then o.overrides; validated once.
/// `command` names the caller in errors; its objective must be mlm (`mlm`) or a fine-tuning one (!`mlm`).
config::TrainConfig resolve_train_config(const TrainRunOptions& o, const config::TrainConfig& defaults, bool mlm,
                                         const std::string& command);

/// The whole set-up of a `pretrain` (mlm) or `finetune` run.
PreparedRun prepare_run(const TrainRunOptions& o, const config::TrainConfig& defaults, bool mlm,
                        const std::string& command);

}  // namespace codessm::pipelines::detail
