// The fine-tuning tasks as Objectives of the one training loop (model-spec §6.3; formats and metrics in
// docs/finetune.md):
//   retrieval       bi-encoder, one shared encoder for queries and code, in-batch contrastive loss; MRR over the
//                   whole evaluation pool (AdvTest, CoSQA, WebQuery, SQA, code-to-code)
//   classification  sequence classification (Devign accuracy, DiverseVul macro F1, CodeComplex macro F1)
//   clone           pair classification, each code encoded separately (BigCloneBench P/R/F1)
//   types           token classification over the most frequent types + UNK (ManyTypes4TypeScript F1, top-100 F1)
// An objective reads its training file only when it trains; built "for evaluation" it reads just the file to
// evaluate and takes its labels from the model (config.json id2label).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "codessm/config/model_config.h"
#include "codessm/config/train_config.h"
#include "codessm/data/tokenizer.h"
#include "codessm/train/objective.h"

namespace codessm::train {

/// The head a task needs on the model: its kind and the label names (empty for retrieval).
struct HeadSpec {
  config::Task task = config::Task::kRetrieval;
  std::vector<std::string> labels;
};

class TaskObjective : public Objective {
 public:
  virtual HeadSpec head() const = 0;
  /// Evaluates like evaluate() and writes one prediction per evaluated item to `file` (JSONL, atomic).
  virtual EvalResult evaluate_with_predictions(model::CodeModel& model, const torch::Device& device,
                                               const std::filesystem::path& file) = 0;
};

/// For training: reads cfg.train_data (labels from it) and cfg.eval_data (evaluation; when empty, the
/// evaluation uses the first eval_max_examples — or 1000 — training examples and says so in the log).
std::unique_ptr<TaskObjective> make_task_objective(const config::TrainConfig& cfg,
                                                   std::shared_ptr<const data::Tokenizer> tok);

/// For evaluation only: reads `data` (cfg.clone_data too for clone) with labels `labels` (the model's
/// id2label; ignored by retrieval). next() is a UsageError.
std::unique_ptr<TaskObjective> make_eval_objective(const config::TrainConfig& cfg,
                                                   std::shared_ptr<const data::Tokenizer> tok,
                                                   const std::string& data, const std::vector<std::string>& labels);

/// The default selection metric of a task/dataset: retrieval "mrr"; clone "f1"; types "f1"; classification
/// "macro_f1" for diversevul and codecomplex, else "accuracy". cfg.metric overrides it.
std::string default_metric(const config::TrainConfig& cfg);

}  // namespace codessm::train
