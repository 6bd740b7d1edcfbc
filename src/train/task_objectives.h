// Private to train: the constructors behind make_task_objective / make_eval_objective, one file per task.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codessm/core/logging.h"
#include "codessm/train/finetune_data.h"
#include "codessm/train/finetune_objectives.h"

namespace codessm::train::detail {

/// What every fine-tuning objective shares: the shuffled example order of the training set (absent when built
/// for evaluation only), this rank's share of a micro-batch, the saved position, and evaluation with or without
/// a predictions file. A task implements next(), head() and run_eval().
class ExampleObjective : public TaskObjective {
 public:
  StreamPosition position() const override { return order_ ? order_->position() : StreamPosition{}; }
  void restore(const StreamPosition& pos) override {
    if (order_) order_->restore(pos);
  }
  EvalResult evaluate(model::CodeModel& model, const torch::Device& device) override {
    return run_eval(model, device, nullptr);
  }
  EvalResult evaluate_with_predictions(model::CodeModel& model, const torch::Device& device,
                                       const std::filesystem::path& file) override {
    return run_eval(model, device, &file);
  }

 protected:
  /// Training mode: a shuffled order over `n` examples of `file` (batch_size, data_seed of `cfg`).
  void start_order(size_t n, const config::TrainConfig& cfg, const std::string& file) {
    order_ = std::make_unique<ExampleOrder>(n, cfg.batch_size, cfg.data_seed, file);
  }
  /// Indices of this rank's next micro-batch: the stream advances by `world` batches and rank r keeps the r-th,
  /// so every rank's position stays the same.
  std::vector<size_t> next_indices(int64_t rank, int64_t world);
  /// The metrics (in eval mode, without gradients); with `predictions`, one JSON line per item written there.
  virtual EvalResult run_eval(model::CodeModel& model, const torch::Device& device,
                              const std::filesystem::path* predictions) = 0;

 private:
  std::unique_ptr<ExampleOrder> order_;
};

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

/// The evaluation set: the examples of the eval file, or — when there is none (`from_train`) — the training
/// examples, with a warning that the figures are optimistic; cut to the first eval_max_examples (without an eval
/// file, to at most `fallback_cap`, so that evaluating during training stays cheap).
template <typename T>
std::vector<T> evaluation_set(std::vector<T> examples, bool from_train, const config::TrainConfig& c,
                              size_t fallback_cap) {
  if (from_train) spdlog::warn("{}: no eval_data; evaluating on training examples (optimistic)", c.task);
  const size_t cap = c.eval_max_examples > 0 ? static_cast<size_t>(c.eval_max_examples) : from_train ? fallback_cap : 0;
  if (cap > 0 && examples.size() > cap) examples.resize(cap);
  return examples;
}

/// Batches of `batch` consecutive indices over [0, n): the evaluation order.
std::vector<std::pair<size_t, size_t>> eval_chunks(size_t n, size_t batch);

}  // namespace codessm::train::detail
