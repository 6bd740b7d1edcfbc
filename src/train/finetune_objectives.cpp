// Task name -> objective, and each task's default selection metric.
#include "codessm/train/finetune_objectives.h"

#include <algorithm>

#include "codessm/core/error.h"
#include "task_objectives.h"

namespace codessm::train {

namespace {

std::unique_ptr<TaskObjective> make(const config::TrainConfig& cfg, std::shared_ptr<const data::Tokenizer> tok,
                                    const detail::TaskFiles& files) {
  CODESSM_REQUIRE(tok != nullptr, UsageError, "{}: a tokenizer is required", cfg.task);
  // Batches are padded with <pad>, and sequences framed by <s> ... </s> (CodeXGLUE's RoBERTa convention).
  const auto& s = tok->special_ids();
  CODESSM_REQUIRE(s.pad >= 0 && s.bos >= 0 && s.eos >= 0, UsageError,
                  "{}: the tokenizer has no <pad>, <s> or </s> token (pad {}, bos {}, eos {}); use one trained by "
                  "`codessm tokenizer train`, or a Hugging Face folder whose tokenizer.json declares them",
                  cfg.task, s.pad, s.bos, s.eos);
  if (cfg.task == "retrieval") return detail::make_retrieval(cfg, std::move(tok), files);
  if (cfg.task == "classification" || cfg.task == "clone") return detail::make_classification(cfg, std::move(tok), files);
  if (cfg.task == "types") return detail::make_types(cfg, std::move(tok), files);
  throw UsageError(fmt::format("task '{}' is not a fine-tuning task: use retrieval, classification, clone or types",
                               cfg.task));
}

}  // namespace

namespace detail {

std::vector<size_t> ExampleObjective::next_indices(int64_t rank, int64_t world) {
  CODESSM_REQUIRE(order_ != nullptr, UsageError, "{}: built for evaluation only (no train_data)", name());
  std::vector<size_t> idx;
  for (int64_t r = 0; r < world; ++r) {
    auto b = order_->next();
    if (r == rank) idx = std::move(b);
  }
  return idx;
}

std::vector<std::pair<size_t, size_t>> eval_chunks(size_t n, size_t batch) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t b = 0; b < n; b += batch) out.emplace_back(b, std::min(n, b + batch));
  return out;
}

}  // namespace detail

std::unique_ptr<TaskObjective> make_task_objective(const config::TrainConfig& cfg,
                                                   std::shared_ptr<const data::Tokenizer> tok) {
  return make(cfg, std::move(tok), detail::TaskFiles{cfg.train_data, cfg.eval_data, {}});
}

std::unique_ptr<TaskObjective> make_eval_objective(const config::TrainConfig& cfg,
                                                   std::shared_ptr<const data::Tokenizer> tok,
                                                   const std::string& data, const std::vector<std::string>& labels) {
  CODESSM_REQUIRE(!data.empty(), UsageError, "{}: no data file to evaluate on", cfg.task);
  return make(cfg, std::move(tok), detail::TaskFiles{"", data, labels});
}

std::string default_metric(const config::TrainConfig& cfg) {
  if (!cfg.metric.empty()) return cfg.metric;
  if (cfg.task == "retrieval") return "mrr";
  if (cfg.task == "clone" || cfg.task == "types") return "f1";
  if (cfg.task == "mlm") return "eval_loss";
  return cfg.dataset == "diversevul" || cfg.dataset == "codecomplex" ? "macro_f1" : "accuracy";
}

}  // namespace codessm::train
