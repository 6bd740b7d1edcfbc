// Task config → objective (the variant's type names it), and what the fine-tuning objectives share.
#include "codessm/train/finetune_objectives.h"

#include <algorithm>
#include <type_traits>

#include "codessm/core/error.h"
#include "task_objectives.h"

namespace codessm::train {

namespace detail {

std::vector<size_t> ExampleStream::next_indices(int64_t rank, int64_t world) {
  std::vector<size_t> idx;
  for (int64_t r = 0; r < world; ++r) {
    auto b = order_.next();
    if (r == rank) idx = std::move(b);
  }
  return idx;
}

std::vector<std::pair<size_t, size_t>> eval_chunks(size_t n, size_t batch) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t b = 0; b < n; b += batch) out.emplace_back(b, std::min(n, b + batch));
  return out;
}

void require_specials(const data::Tokenizer& tok, const std::string& what) {
  // Batches are padded with <pad>, and sequences framed by <s> ... </s> (CodeXGLUE's RoBERTa convention).
  const auto& s = tok.special_ids();
  CODESSM_REQUIRE(s.pad >= 0 && s.bos >= 0 && s.eos >= 0, UsageError,
                  "{}: the tokenizer has no <pad>, <s> or </s> token (pad {}, bos {}, eos {}); use one trained by "
                  "`codessm tokenizer train`, or a Hugging Face folder whose tokenizer.json declares them",
                  what, s.pad, s.bos, s.eos);
}

ClassificationSource ClassificationSource::of(const config::ClassificationTaskConfig& c) {
  ClassificationSource s;
  s.dataset = c.dataset;
  s.text_field = c.text_field;
  s.label_field = c.label_field;
  s.max_length = c.max_length;
  s.eval_max_examples = c.eval_max_examples;
  return s;
}

ClassificationSource ClassificationSource::of(const config::CloneTaskConfig& c) {
  ClassificationSource s;
  s.clone = true;
  s.clone_data = c.clone_data;
  s.max_length = c.max_length;
  s.eval_max_examples = c.eval_max_examples;
  return s;
}

}  // namespace detail

namespace {

using config::ClassificationTaskConfig;
using config::CloneTaskConfig;
using config::RetrievalTaskConfig;
using config::TypesTaskConfig;

std::shared_ptr<const data::Tokenizer> checked(std::shared_ptr<const data::Tokenizer> tok, const std::string& what) {
  CODESSM_REQUIRE(tok != nullptr, UsageError, "{}: a tokenizer is required", what);
  detail::require_specials(*tok, what);
  return tok;
}

}  // namespace

TrainObjective make_task_objective(const config::TaskConfig& task, const ExampleBatching& b,
                                   std::shared_ptr<const data::Tokenizer> tok) {
  return std::visit(
      [&](const auto& c) -> TrainObjective {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, RetrievalTaskConfig>) {
          return detail::make_retrieval(c, b, checked(tok, "retrieval"));
        } else if constexpr (std::is_same_v<T, ClassificationTaskConfig> || std::is_same_v<T, CloneTaskConfig>) {
          const auto s = detail::ClassificationSource::of(c);
          return detail::make_classification(s, c.train_data, c.eval_data, b,
                                             checked(tok, s.clone ? "clone" : "classification"));
        } else if constexpr (std::is_same_v<T, TypesTaskConfig>) {
          return detail::make_types(c, b, checked(tok, "types"));
        } else {
          throw UsageError("objective mlm is not a fine-tuning objective: use retrieval, classification, clone or types");
        }
      },
      task);
}

TrainObjective make_task_objective(const config::TrainConfig& cfg, std::shared_ptr<const data::Tokenizer> tok) {
  return make_task_objective(cfg.task, ExampleBatching{cfg.optim.batch_size, cfg.run.data_seed}, std::move(tok));
}

std::unique_ptr<Evaluator> make_task_evaluator(const config::TaskConfig& task, int64_t batch_size,
                                               std::shared_ptr<const data::Tokenizer> tok, const std::string& data,
                                               const std::vector<std::string>& labels) {
  CODESSM_REQUIRE(!data.empty(), UsageError, "evaluation: no data file to evaluate on");
  return std::visit(
      [&](const auto& c) -> std::unique_ptr<Evaluator> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, RetrievalTaskConfig>) {
          return detail::make_retrieval_evaluator(c, batch_size, checked(tok, "retrieval"), data);
        } else if constexpr (std::is_same_v<T, ClassificationTaskConfig> || std::is_same_v<T, CloneTaskConfig>) {
          const auto s = detail::ClassificationSource::of(c);
          return detail::make_classification_evaluator(s, batch_size, checked(tok, s.clone ? "clone" : "classification"),
                                                       data, labels);
        } else if constexpr (std::is_same_v<T, TypesTaskConfig>) {
          return detail::make_types_evaluator(c, batch_size, checked(tok, "types"), data, labels);
        } else {
          throw UsageError("objective mlm has no benchmark evaluator: evaluate MLM checkpoints with cloze");
        }
      },
      task);
}

}  // namespace codessm::train
