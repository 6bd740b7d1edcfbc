// Held-out MLM metrics through the MLM objective itself, so a checkpoint is scored on exactly the batches (and
// masks) its training run evaluated on when given the same shards and settings.
#include "mlm_eval.h"

#include "codessm/core/error.h"
#include "codessm/train/mlm_objective.h"

namespace codessm::pipelines::detail {

nlohmann::json mlm_heldout_metrics(model::CodeModel& model, std::shared_ptr<const data::Tokenizer> tok,
                                   const config::TrainConfig& cfg_in, const torch::Device& device) {
  CODESSM_REQUIRE(!cfg_in.mlm.eval_shards.empty(), UsageError, "mlm evaluation: no held-out shards given (--data SHARDS)");
  const auto& mc = model->config();
  CODESSM_REQUIRE(mc.head == config::HeadKind::kMaskedLM, UsageError,
                  "mlm evaluation needs a checkpoint with an MLM head; this one has head {}", config::to_string(mc.head));
  CODESSM_REQUIRE(mc.vocab_size >= tok->vocab_size(), UsageError,
                  "the model's vocab_size {} is smaller than the tokenizer's {}: use the tokenizer it was trained with",
                  mc.vocab_size, tok->vocab_size());
  CODESSM_REQUIRE(mc.position_embedding_type != "absolute" || cfg_in.mlm.context_length <= mc.max_position_embeddings,
                  UsageError, "context_length {} exceeds the model's {} absolute positions", cfg_in.mlm.context_length,
                  mc.max_position_embeddings);
  config::TrainConfig cfg = cfg_in;
  cfg.objective = config::ObjectiveKind::kMlm;
  if (cfg.mlm.train_shards.empty() && cfg.mlm.stages.empty()) cfg.mlm.train_shards = cfg.mlm.eval_shards;
  auto objective = train::make_mlm_objective(cfg, std::move(tok));
  auto r = objective.evaluator->evaluate(model, device).metrics;
  r["context_length"] = cfg.mlm.context_length;
  r["batch_size"] = cfg.optim.batch_size;
  return r;
}

}  // namespace codessm::pipelines::detail
