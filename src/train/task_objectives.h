// Private to train: the constructors behind make_task_objective / make_eval_objective, one file per task.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codessm/train/finetune_objectives.h"

namespace codessm::train::detail {

/// Where an objective's data comes from: training file (empty = evaluation only) and evaluation file.
struct TaskFiles {
  std::string train, eval;
  std::vector<std::string> labels;  ///< evaluation only: the model's label names
};

std::unique_ptr<TaskObjective> make_retrieval(const config::TrainConfig& cfg, std::shared_ptr<const data::Tokenizer> tok,
                                              const TaskFiles& files);
std::unique_ptr<TaskObjective> make_classification(const config::TrainConfig& cfg,
                                                   std::shared_ptr<const data::Tokenizer> tok, const TaskFiles& files);
std::unique_ptr<TaskObjective> make_types(const config::TrainConfig& cfg, std::shared_ptr<const data::Tokenizer> tok,
                                          const TaskFiles& files);

/// Batches of `batch` consecutive indices over [0, n): the evaluation order.
std::vector<std::pair<size_t, size_t>> eval_chunks(size_t n, size_t batch);

}  // namespace codessm::train::detail
