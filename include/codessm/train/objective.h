// What the one training loop (train::Trainer) trains on: an Objective owns a task's data stream, turns its
// next micro-batch into a loss, and evaluates the model on its held-out split. MLM pretraining
// (mlm_objective.h) and every fine-tuning task (finetune_objectives.h) implement it; the loop itself knows
// nothing about data formats, heads or metrics.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "codessm/model/code_model.h"
#include "codessm/train/mlm_stream.h"

namespace codessm::train {

/// A micro-batch's loss as a sum over its items and the item count (masked tokens for MLM, examples for
/// classification and retrieval, labelled words for type inference). The loop divides by the count (of all
/// ranks together under data parallelism), so accumulation and data parallelism weight every item equally.
struct MicroBatchLoss {
  torch::Tensor loss_sum;  ///< fp32 scalar, differentiable
  double count = 0;        ///< items the sum is over (> 0)
  uint64_t tokens = 0;     ///< real (non-pad) input tokens, for tokens/s
};

/// One evaluation: every metric (JSON, the source of truth) and the one used for model selection.
struct EvalResult {
  nlohmann::json metrics = nlohmann::json::object();
  std::string primary;           ///< name of the selection metric (a key of `metrics`)
  double value = 0;              ///< its value
  bool higher_is_better = true;
};

class Objective {
 public:
  virtual ~Objective() = default;
  /// "mlm", "retrieval", "classification", "clone", "types".
  virtual std::string name() const = 0;
  /// The loss of the next micro-batch of this rank (the stream advances by `world` micro-batches: rank r
  /// keeps the r-th, so the data position is the same on every rank). `step` is the optimizer step it
  /// belongs to (staged objectives switch data by step). Runs under the caller's autocast.
  virtual MicroBatchLoss next(model::CodeModel& model, const torch::Device& device, int64_t step, int64_t rank,
                              int64_t world) = 0;
  /// Where the stream stands (saved in checkpoints) and how to return there exactly.
  virtual StreamPosition position() const = 0;
  virtual void restore(const StreamPosition& pos) = 0;
  /// Metrics on the held-out split, in eval mode without gradients (train mode is restored after).
  virtual EvalResult evaluate(model::CodeModel& model, const torch::Device& device) = 0;
};

}  // namespace codessm::train
