// Private to pipelines: held-out masked-token metrics of a checkpoint on token shards, at any context length
// (`codessm eval --task mlm`, the zero-shot length curve of `codessm extrapolate`, the shipped-model checks).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "codessm/config/train_config.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"

namespace codessm::pipelines::detail {

/// The first `cfg.mlm.eval_batches` batches of `cfg.mlm.eval_shards` (B = cfg.optim.batch_size, L =
/// cfg.mlm.context_length, masks from cfg.run.data_seed / mlm.mlm_probability, exactly as a training run's
/// held-out set), evaluated in fp32 without
/// gradients: {eval_loss, eval_accuracy, masked_tokens, batches, context_length, batch_size}.
nlohmann::json mlm_heldout_metrics(model::CodeModel& model, std::shared_ptr<const data::Tokenizer> tok,
                                   const config::TrainConfig& cfg, const torch::Device& device);

}  // namespace codessm::pipelines::detail
