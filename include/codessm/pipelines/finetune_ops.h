// Wiring for `codessm finetune` (a fine-tuning objective + the one trainer, then the test split with the best
// dev checkpoint) and `codessm eval` (a checkpoint on one benchmark file, or zero-shot cloze).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codessm/config/train_config.h"
#include "codessm/pipelines/train_ops.h"

namespace codessm::pipelines {

namespace fs = std::filesystem;

/// A training run's knobs plus the objective.
struct FinetuneOptions : TrainRunOptions {
  std::string objective;               ///< retrieval, classification, clone or types; overrides the config's when set
};

/// The fine-tuning default (the paper's recipe, model-spec §6.1: lr 5e-5, linear schedule, 300 warm-up steps,
/// batch 32; evaluation every 200 steps). Data paths, tokenizer and model must be set.
config::TrainConfig default_finetune_config();

/// Trains, keeps run_dir/best/, then evaluates best/ (or the last model) on test_data when given, writing
/// run_dir/reports/finetune.json (envelope "train.finetune"), finetune.md and test_predictions.jsonl.
nlohmann::json run_finetune(const FinetuneOptions& o);

struct EvalOptions {
  std::string objective;               ///< retrieval, classification, clone, types, cloze or mlm
  fs::path model;                      ///< checkpoint folder
  fs::path tokenizer;                  ///< "" = the tokenizer saved in the checkpoint folder
  std::vector<std::string> data;       ///< file(s) to evaluate (cloze: one per language)
  fs::path answers;                    ///< cloze: CodeXGLUE answers file, or folder with <lang>/answers.txt
  std::vector<std::string> overrides;  ///< the objective's task config: dataset, max_length, pooling, clone_data, ...
  int64_t batch_size = 32;             ///< evaluation batches are twice this
  fs::path out;                        ///< report folder ("" = print only)
  std::string device = "cpu";
};

/// Evaluates and writes out/eval.json (envelope "eval.<objective>"), eval.md and predictions.
nlohmann::json run_eval(const EvalOptions& o);

/// Adds a held-out check's settings ({field: value}, docs/study.md) to `o`: batch_size is EvalOptions::batch_size,
/// every other field a --set override of the evaluated config.
void add_eval_settings(EvalOptions& o, const nlohmann::json& settings);

}  // namespace codessm::pipelines
