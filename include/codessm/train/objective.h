// What the one training loop (train::Trainer) trains on, split as Marian splits its BatchGenerator from its
// Validator: a TrainStream turns its next micro-batch into a loss and knows its exact data position; an
// Evaluator scores the model on a held-out split. A TrainObjective is one of each plus how evaluations select
// models. MLM pretraining (mlm_objective.h) and every fine-tuning objective (finetune_objectives.h) build one;
// evaluation-only uses (`codessm eval`, the test split) build just an Evaluator, so nothing that cannot train
// has a next(). The loop itself knows nothing about data formats, heads or metrics.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codessm/config/model_config.h"
#include "codessm/model/code_model.h"
#include "codessm/train/train_state.h"

namespace codessm::train {

/// A micro-batch's loss as a sum over its items and the item count (masked tokens for MLM, examples for
/// classification and retrieval, labelled words for type inference). The step runner divides the step's summed
/// gradient by the count of all its micro-batches (of all ranks under data parallelism), so accumulation and
/// data parallelism weight every item of the step equally.
struct MicroBatchLoss {
  torch::Tensor loss_sum;  ///< fp32 scalar, differentiable
  double count = 0;        ///< items the sum is over (> 0); computed on the host from CPU labels (no device sync)
  uint64_t tokens = 0;     ///< real (non-pad) input tokens, for tokens/s
};

/// One evaluation: every metric (JSON, the source of truth) and the one used for model selection.
struct EvalResult {
  nlohmann::json metrics = nlohmann::json::object();
  std::string primary;           ///< name of the selection metric (a key of `metrics`)
  double value = 0;              ///< its value
  bool higher_is_better = true;
};

/// Makes `metric` the selection metric of `r` ("" keeps the evaluator's own). A loss is lower-is-better,
/// everything else higher. UsageError listing the numeric metrics when `metric` is not one of them.
void select_metric(EvalResult& r, const std::string& metric);

/// The training data of an objective, as a resumable stream of micro-batch losses.
class TrainStream {
 public:
  virtual ~TrainStream() = default;
  /// The loss of the next micro-batch of this rank (the stream advances by `world` micro-batches: rank r
  /// keeps the r-th, so the data position is the same on every rank). `step` is the optimizer step it
  /// belongs to (staged streams switch data by step). Runs under the caller's autocast.
  virtual MicroBatchLoss next(model::CodeModel& model, const torch::Device& device, int64_t step, int64_t rank,
                              int64_t world) = 0;
  /// Where the stream stands (saved in checkpoints) and how to return there exactly.
  virtual StreamPosition position() const = 0;
  virtual void restore(const StreamPosition& pos) = 0;
};

/// Scores a model on a fixed held-out split, in eval mode without gradients (the model's mode is restored).
class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual EvalResult evaluate(model::CodeModel& model, const torch::Device& device) = 0;
  /// Evaluates and writes one prediction per evaluated item to `file` (JSONL, atomic). Evaluators without
  /// per-item predictions (MLM) write none and return evaluate().
  virtual EvalResult evaluate_with_predictions(model::CodeModel& model, const torch::Device& device,
                                               const std::filesystem::path& file) {
    return evaluate(model, device);
  }
};

/// The head an objective needs on the model: its kind and the label names (empty for MLM and retrieval).
struct HeadSpec {
  config::HeadKind kind = config::HeadKind::kMaskedLM;
  std::vector<std::string> labels;
};

/// What the trainer drives: a stream, an evaluator of the held-out split, and model-selection properties.
struct TrainObjective {
  std::string name;                       ///< "mlm", "retrieval", ... (progress bar, logs)
  HeadSpec head;                          ///< the model must carry this head
  std::unique_ptr<TrainStream> stream;
  std::unique_ptr<Evaluator> evaluator;
  /// Keep run_dir/best/ = the model of the best evaluation (fine-tuning selects on dev, CodeXGLUE practice;
  /// MLM pretraining does not, its last checkpoint is the result).
  bool keeps_best = false;
};

}  // namespace codessm::train
