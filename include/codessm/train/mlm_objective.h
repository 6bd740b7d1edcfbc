// The MLM objective (a stream over token shards and a held-out evaluator) and its loss: cross-entropy over the selected positions only (labels −100
// elsewhere, as PyTorch's ignore_index), in fp32 even under bf16 autocast, plus accuracy on those positions.
// Shapes: B batch, L length, V vocabulary.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "codessm/config/train_config.h"
#include "codessm/data/mlm_batcher.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"
#include "codessm/train/objective.h"

namespace codessm::train {

/// Mean cross-entropy over positions with label != −100. logits r(B L V) (any float dtype), labels i64(B L).
/// Returns an fp32 scalar (NaN when no position is selected, which the caller treats as non-finite).
torch::Tensor mlm_loss(const torch::Tensor& logits, const torch::Tensor& labels);

/// Sum (not mean) of the cross-entropy over positions with label != −100: divided by a *global* masked-token
/// count, it makes data-parallel ranks' gradients add up to the combined batch's. fp32 scalar.
torch::Tensor mlm_loss_sum(const torch::Tensor& logits, const torch::Tensor& labels);

/// mlm_loss_sum of one batch with the vocabulary product only at the selected positions (training's path: the
/// ~15% masked tokens instead of all B·L rows; CodeModel::mlm_logits_at). labels stay on the CPU, so picking the
/// positions needs no device synchronisation. Twin: mlm_loss_sum(model->forward(in).logits, labels).
/// in: the batch already on `device`; labels i64(B L) on the CPU. Returns an fp32 scalar on `device`.
torch::Tensor masked_mlm_loss_sum(model::CodeModel& model, const model::ModelInput& in, const torch::Tensor& labels,
                                  const torch::Device& device);

/// Forward pass of one batch on `device`: the MLM loss (fp32 scalar) and the logits.
struct MlmStepOutput {
  torch::Tensor loss;
  torch::Tensor logits;  ///< r(B L V)
};
MlmStepOutput mlm_forward(model::CodeModel& model, const data::MlmBatch& batch, const torch::Device& device);

/// Held-out metrics: loss averaged over every masked token of every batch, and top-1 accuracy on them.
struct EvalMetrics {
  double loss = 0;
  double accuracy = 0;
  int64_t masked_tokens = 0;
  int64_t batches = 0;
  nlohmann::json to_json() const;
};

/// Evaluates in eval mode without gradients (restores train mode after).
EvalMetrics evaluate_mlm(model::CodeModel& model, const std::vector<data::MlmBatch>& batches,
                         const torch::Device& device);

/// How MLM batches are drawn: micro-batch size and the masking seed (OptimConfig::batch_size,
/// RunConfig::data_seed).
struct MlmBatching {
  int64_t batch_size = 32;
  uint64_t seed = 0;
};

/// MLM pretraining as a TrainObjective: the masked stream of `data.train_shards` (or of each of `data.stages` in
/// turn, by optimizer step), evaluation on `eval_shards` or on the first `eval_batches` batches held out of every
/// epoch (of the last stage when staged: the target domain). Primary metric: eval_loss (lower is better).
/// No best/ folder: the last checkpoint is the result of pretraining.
TrainObjective make_mlm_objective(const config::MlmDataConfig& data, const MlmBatching& batching, int64_t max_steps,
                                  std::shared_ptr<const data::Tokenizer> tok);
/// The same from a whole MLM TrainConfig.
TrainObjective make_mlm_objective(const config::TrainConfig& cfg, std::shared_ptr<const data::Tokenizer> tok);

/// The stages a run trains on, in order: `data.stages`, or train_shards for all `max_steps`.
std::vector<config::MlmStage> stages_of(const config::MlmDataConfig& data, int64_t max_steps);

}  // namespace codessm::train
