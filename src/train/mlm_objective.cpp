#include "codessm/train/mlm_objective.h"

#include <cmath>
#include <limits>

#include "codessm/data/mlm_masking.h"

namespace codessm::train {

namespace {

/// Cross-entropy over the selected positions, in fp32: bf16 logits lose the small differences the loss is made of.
torch::Tensor selected_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                     torch::nn::functional::CrossEntropyFuncOptions::reduction_t reduction) {
  const int64_t V = logits.size(-1);
  return torch::nn::functional::cross_entropy(
      logits.reshape({-1, V}).to(torch::kFloat32), labels.reshape({-1}),  // (B·L, V), (B·L)
      torch::nn::functional::CrossEntropyFuncOptions().ignore_index(data::kIgnoreLabel).reduction(reduction));
}

}  // namespace

torch::Tensor mlm_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  return selected_cross_entropy(logits, labels, torch::kMean);
}

torch::Tensor mlm_loss_sum(const torch::Tensor& logits, const torch::Tensor& labels) {
  return selected_cross_entropy(logits, labels, torch::kSum);
}

MlmStepOutput mlm_forward(model::CodeModel& model, const data::MlmBatch& batch, const torch::Device& device) {
  model::ModelInput in;
  in.input_ids = batch.input_ids.to(device);            // (B, L)
  in.attention_mask = batch.attention_mask.to(device);  // (B, L)
  auto out = model->forward(in);
  auto labels = batch.labels.to(device);                // (B, L)
  return MlmStepOutput{mlm_loss(out.logits, labels), out.logits};
}

nlohmann::json EvalMetrics::to_json() const {
  return {{"eval_loss", loss}, {"eval_accuracy", accuracy}, {"masked_tokens", masked_tokens}, {"batches", batches}};
}

EvalMetrics evaluate_mlm(model::CodeModel& model, const std::vector<data::MlmBatch>& batches,
                         const torch::Device& device) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  EvalMetrics m;
  double loss_sum = 0;
  int64_t correct = 0;
  for (const auto& b : batches) {
    auto out = mlm_forward(model, b, device);
    auto labels = b.labels.to(device);                                    // (B, L)
    auto sel = labels.ne(data::kIgnoreLabel);                             // (B, L) bool
    const int64_t n = sel.sum().item<int64_t>();
    if (n == 0) continue;
    // Token-weighted: a batch's mean loss counts once per masked token, so the result does not depend on
    // how the held-out sequences are cut into batches.
    loss_sum += out.loss.item<double>() * static_cast<double>(n);
    correct += out.logits.argmax(-1).eq(labels).logical_and(sel).sum().item<int64_t>();
    m.masked_tokens += n;
    ++m.batches;
  }
  if (was_training) model->train();
  m.loss = m.masked_tokens ? loss_sum / m.masked_tokens : std::numeric_limits<double>::quiet_NaN();
  m.accuracy = m.masked_tokens ? static_cast<double>(correct) / m.masked_tokens : 0.0;
  return m;
}

}  // namespace codessm::train
