// The fine-tuning objectives (model-spec §6.3; formats and metrics in docs/finetune.md), each built from its
// own task config only:
//   retrieval       bi-encoder, one shared encoder for queries and code, in-batch contrastive loss; MRR over the
//                   whole evaluation pool (AdvTest, CoSQA, WebQuery, SQA, code-to-code)
//   classification  sequence classification (Devign accuracy, DiverseVul macro F1, CodeComplex macro F1)
//   clone           pair classification, each code encoded separately (BigCloneBench P/R/F1)
//   types           token classification over the most frequent types + UNK (ManyTypes4TypeScript F1, top-100 F1)
// For training, an objective reads its training file (labels come from it) and its evaluation file; for
// evaluation only there is just an Evaluator, which reads the file to evaluate and takes its labels from the
// model (config.json id2label).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codessm/config/train_config.h"
#include "codessm/data/tokenizer.h"
#include "codessm/train/objective.h"

namespace codessm::train {

/// How a fine-tuning objective batches its examples (OptimConfig::batch_size, RunConfig::data_seed);
/// evaluation uses batches twice as large (no gradients).
struct ExampleBatching {
  int64_t batch_size = 32;
  uint64_t seed = 0;
};

/// For training: the task's stream over train_data and evaluator over eval_data (when eval_data is empty, the
/// first eval_max_examples — or 1000 — training examples, with a warning in the log). The objective is the one
/// the task config's type names (RetrievalTaskConfig → retrieval, ...); UsageError for monostate.
TrainObjective make_task_objective(const config::TaskConfig& task, const ExampleBatching& batching,
                                   std::shared_ptr<const data::Tokenizer> tok);
/// The same from a whole fine-tuning TrainConfig.
TrainObjective make_task_objective(const config::TrainConfig& cfg, std::shared_ptr<const data::Tokenizer> tok);

/// For evaluation only: an evaluator of `data` (task.clone_data too for clone) with the model's label names
/// `labels` (id2label; ignored by retrieval). Evaluation batches are 2 × `batch_size`.
std::unique_ptr<Evaluator> make_task_evaluator(const config::TaskConfig& task, int64_t batch_size,
                                               std::shared_ptr<const data::Tokenizer> tok, const std::string& data,
                                               const std::vector<std::string>& labels);

}  // namespace codessm::train
