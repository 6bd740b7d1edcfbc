// Wiring for `codessm finetune` (a task objective + the one trainer, then the test split with the best dev
// checkpoint) and `codessm eval` (a checkpoint on one benchmark file, or zero-shot cloze).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codessm/config/train_config.h"
#include "codessm/pipelines/train_ops.h"

namespace codessm::pipelines {

namespace fs = std::filesystem;

/// A training run's knobs (config file, overrides, run folder, resume, ...) plus the task.
struct FinetuneOptions : PretrainOptions {
  std::string task;                    ///< overrides the config's task when set
};

/// The fine-tuning default (the paper's recipe, model-spec §6.1: lr 5e-5, linear schedule, 300 warm-up steps,
/// batch 32; evaluation every 200 steps). Data paths, tokenizer and model must be set.
config::TrainConfig default_finetune_config();

/// Trains, keeps run_dir/best/, then evaluates best/ (or the last model) on test_data when given, writing
/// run_dir/reports/finetune.json (envelope "train.finetune"), finetune.md and test_predictions.jsonl.
nlohmann::json run_finetune(const FinetuneOptions& o);

struct EvalOptions {
  std::string task;                    ///< retrieval, classification, clone, types, cloze or mlm
  fs::path model;                      ///< checkpoint folder
  fs::path tokenizer;
  std::vector<std::string> data;       ///< file(s) to evaluate (cloze: one per language)
  fs::path answers;                    ///< cloze: CodeXGLUE answers file, or folder with <lang>/answers.txt
  std::vector<std::string> overrides;  ///< TrainConfig fields: dataset, max_length, pooling, clone_data, ...
  fs::path out;                        ///< report folder ("" = print only)
  std::string device = "cpu";
};

/// Evaluates and writes out/eval.json (envelope "eval.<task>"), eval.md and predictions.
nlohmann::json run_eval(const EvalOptions& o);

}  // namespace codessm::pipelines
