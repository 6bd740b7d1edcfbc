// Private to train: what the fine-tuning objectives share, and the constructors behind make_task_objective /
// make_task_evaluator (one file per objective).
#pragma once

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "codessm/core/logging.h"
#include "codessm/train/example_order.h"
#include "codessm/train/finetune_objectives.h"
#include "codessm/train/model_inputs.h"

namespace codessm::train::detail {

/// The training side every fine-tuning stream shares: the shuffled example order of the training set and this
/// rank's share of a micro-batch. A task implements next().
class ExampleStream : public TrainStream {
 public:
  StreamPosition position() const override { return order_.position(); }
  void restore(const StreamPosition& pos) override { order_.restore(pos); }

 protected:
  ExampleStream(size_t n_examples, const ExampleBatching& b, const std::string& file)
      : order_(n_examples, b.batch_size, b.seed, file) {}
  /// Indices of this rank's next micro-batch: the order advances by `world` batches and rank r keeps the r-th,
  /// so every rank's position stays the same.
  std::vector<size_t> next_indices(int64_t rank, int64_t world);

 private:
  ExampleOrder order_;
};

/// The evaluation side every fine-tuning evaluator shares: with or without a predictions file. A task
/// implements run_eval().
class ExampleEvaluator : public Evaluator {
 public:
  EvalResult evaluate(model::CodeModel& model, const torch::Device& device) override {
    return run_eval(model, device, nullptr);
  }
  EvalResult evaluate_with_predictions(model::CodeModel& model, const torch::Device& device,
                                       const std::filesystem::path& file) override {
    return run_eval(model, device, &file);
  }

 protected:
  /// The metrics (in eval mode, without gradients); with `predictions`, one JSON line per item written there.
  virtual EvalResult run_eval(model::CodeModel& model, const torch::Device& device,
                              const std::filesystem::path* predictions) = 0;
};

TrainObjective make_retrieval(const config::RetrievalTaskConfig& c, const ExampleBatching& b,
                              std::shared_ptr<const data::Tokenizer> tok);
std::unique_ptr<Evaluator> make_retrieval_evaluator(const config::RetrievalTaskConfig& c, int64_t batch_size,
                                                    std::shared_ptr<const data::Tokenizer> tok, const std::string& data);

/// Classification and clone detection (a pair classification over BigCloneBench's functions) share one
/// implementation; `clone` selects the pair reader and head.
struct ClassificationSource {
  bool clone = false;
  std::string dataset = "auto", text_field = "func", label_field = "target";  ///< classification reader
  std::string clone_data;                                                      ///< clone: data.jsonl
  int64_t max_length = 512, eval_max_examples = 0;
  static ClassificationSource of(const config::ClassificationTaskConfig& c);
  static ClassificationSource of(const config::CloneTaskConfig& c);
};
TrainObjective make_classification(const ClassificationSource& s, const std::string& train_data,
                                   const std::string& eval_data, const ExampleBatching& b,
                                   std::shared_ptr<const data::Tokenizer> tok);
std::unique_ptr<Evaluator> make_classification_evaluator(const ClassificationSource& s, int64_t batch_size,
                                                         std::shared_ptr<const data::Tokenizer> tok,
                                                         const std::string& data, const std::vector<std::string>& labels);

TrainObjective make_types(const config::TypesTaskConfig& c, const ExampleBatching& b,
                          std::shared_ptr<const data::Tokenizer> tok);
std::unique_ptr<Evaluator> make_types_evaluator(const config::TypesTaskConfig& c, int64_t batch_size,
                                                std::shared_ptr<const data::Tokenizer> tok, const std::string& data,
                                                const std::vector<std::string>& labels);

/// The evaluation set: the examples of the eval file, or — when there is none (`from_train`) — the training
/// examples, with a warning that the figures are optimistic; cut to the first `eval_max_examples` (without an
/// eval file, to at most `fallback_cap`, so that evaluating during training stays cheap).
template <typename T>
std::vector<T> evaluation_set(std::vector<T> examples, bool from_train, int64_t eval_max_examples,
                              const std::string& what, size_t fallback_cap) {
  if (from_train) spdlog::warn("{}: no eval_data; evaluating on training examples (optimistic)", what);
  const size_t cap = eval_max_examples > 0 ? static_cast<size_t>(eval_max_examples) : from_train ? fallback_cap : 0;
  if (cap > 0 && examples.size() > cap) examples.resize(cap);
  return examples;
}

/// Batches of `batch` consecutive indices over [0, n): the evaluation order.
std::vector<std::pair<size_t, size_t>> eval_chunks(size_t n, size_t batch);

/// Evaluation batch size of a training batch size (no gradients: twice as many fit).
inline size_t eval_batch(int64_t batch_size) { return static_cast<size_t>(std::max<int64_t>(batch_size, 1)) * 2; }

/// UsageError unless the tokenizer has the specials the objectives frame and pad with.
void require_specials(const data::Tokenizer& tok, const std::string& what);

}  // namespace codessm::train::detail
