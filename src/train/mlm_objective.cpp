#include "codessm/train/mlm_objective.h"

#include <cmath>
#include <limits>

#include "codessm/core/error.h"
#include "codessm/core/logging.h"
#include "codessm/data/mlm_masking.h"
#include "codessm/tensor/scopes.h"
#include "codessm/train/mlm_stream.h"

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

torch::Tensor masked_mlm_loss_sum(model::CodeModel& model, const model::ModelInput& in, const torch::Tensor& labels,
                                  const torch::Device& device) {
  auto flat = labels.reshape({-1});                                   // i64(B·L) on the CPU
  auto positions = flat.ne(data::kIgnoreLabel).nonzero().reshape({-1});  // i64(M) flat indices b·L + t
  auto hidden = model->encode(in, /*output_hidden_states=*/false).last_hidden;  // r(B L D)
  auto logits = model->mlm_logits_at(hidden, positions.to(device));              // r(M V)
  return selected_cross_entropy(logits, flat.index_select(0, positions).to(device), torch::kSum);
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
  tensor::ScopedEvalMode eval_mode(*model);
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
  m.loss = m.masked_tokens ? loss_sum / m.masked_tokens : std::numeric_limits<double>::quiet_NaN();
  m.accuracy = m.masked_tokens ? static_cast<double>(correct) / m.masked_tokens : 0.0;
  return m;
}

}  // namespace codessm::train

namespace codessm::train {

namespace {

data::MlmBatcherOptions batcher_options(const config::MlmDataConfig& c, const MlmBatching& b, bool keep_last) {
  data::MlmBatcherOptions o;
  o.batch_size = b.batch_size;
  o.packing.context_length = c.context_length;
  o.packing.pack = c.pack;
  o.mlm.mlm_probability = c.mlm_probability;
  o.mlm.whole_word = c.whole_word;
  o.mlm.seed = b.seed;
  o.keep_last = keep_last;
  return o;
}

/// The masked stream of the stages in turn, by optimizer step; its position records the stage.
class MlmTrainStream : public TrainStream {
 public:
  MlmTrainStream(std::vector<config::MlmStage> stages, data::MlmBatcherOptions options, uint64_t holdout,
                 std::shared_ptr<const data::Tokenizer> tok)
      : stages_(std::move(stages)), options_(options), holdout_(holdout), tok_(std::move(tok)) {
    open_stage(0);
  }

  MicroBatchLoss next(model::CodeModel& model, const torch::Device& device, int64_t step, int64_t rank,
                      int64_t world) override {
    const uint64_t stage = stage_of(step);
    if (stage != stage_) open_stage(stage);
    data::MlmBatch batch;
    for (int64_t r = 0; r < world; ++r) {
      auto b = stream_->next();
      if (r == rank) batch = std::move(b);
    }
    model::ModelInput in;
    in.input_ids = batch.input_ids.to(device);            // i64(B L)
    in.attention_mask = batch.attention_mask.to(device);  // i64(B L)
    MicroBatchLoss m;
    // The vocabulary product at the masked positions only (batch.labels: −100 off the selected positions).
    m.loss_sum = masked_mlm_loss_sum(model, in, batch.labels, device);
    // Counted on the CPU copies: no device synchronisation per micro-batch.
    m.count = static_cast<double>(batch.labels.ne(data::kIgnoreLabel).sum().item<int64_t>());
    m.tokens = static_cast<uint64_t>(batch.attention_mask.sum().item<int64_t>());
    return m;
  }

  StreamPosition position() const override {
    auto p = stream_->position();
    p.stage = stage_;
    return p;
  }
  void restore(const StreamPosition& pos) override {
    CODESSM_REQUIRE(pos.stage < stages_.size(), DataError,
                    "cannot restore data position: the checkpoint is in stage {} but the config has {} stage(s)",
                    pos.stage, stages_.size());
    open_stage(pos.stage);
    stream_->restore(pos);
  }

 private:
  uint64_t stage_of(int64_t step) const {
    int64_t end = 0;
    for (size_t i = 0; i < stages_.size(); ++i) {
      end += stages_[i].steps;
      if (step < end) return i;
    }
    return stages_.size() - 1;
  }
  void open_stage(uint64_t s) {
    if (stream_ && s != stage_) spdlog::info("stage {}: {}", s + 1, stages_[s].shards);
    stream_ = std::make_unique<MlmStream>(stages_[s].shards, *tok_, options_, holdout_);
    stage_ = s;
  }

  std::vector<config::MlmStage> stages_;
  data::MlmBatcherOptions options_;
  uint64_t holdout_ = 0, stage_ = 0;
  std::shared_ptr<const data::Tokenizer> tok_;
  std::unique_ptr<MlmStream> stream_;
};

/// The fixed held-out batches: masked-token loss and accuracy.
class MlmEvaluator : public Evaluator {
 public:
  explicit MlmEvaluator(std::vector<data::MlmBatch> batches) : batches_(std::move(batches)) {}
  EvalResult evaluate(model::CodeModel& model, const torch::Device& device) override {
    const auto m = evaluate_mlm(model, batches_, device);
    EvalResult r;
    r.metrics = m.to_json();
    r.primary = "eval_loss";
    r.value = m.loss;
    r.higher_is_better = false;
    return r;
  }

 private:
  std::vector<data::MlmBatch> batches_;
};

}  // namespace

std::vector<config::MlmStage> stages_of(const config::MlmDataConfig& data, int64_t max_steps) {
  if (!data.stages.empty()) return data.stages;
  return {config::MlmStage{data.train_shards, max_steps}};
}

TrainObjective make_mlm_objective(const config::MlmDataConfig& c, const MlmBatching& b, int64_t max_steps,
                                  std::shared_ptr<const data::Tokenizer> tok) {
  CODESSM_REQUIRE(tok != nullptr, UsageError, "mlm: the tokenizer that wrote the shards is required");
  const auto stages = stages_of(c, max_steps);
  const uint64_t holdout = c.eval_shards.empty() ? static_cast<uint64_t>(c.eval_batches) : 0;
  const std::string eval_from = c.eval_shards.empty() ? stages.back().shards : c.eval_shards;
  TrainObjective o;
  o.name = "mlm";
  o.head = {config::HeadKind::kMaskedLM, {}};
  o.stream = std::make_unique<MlmTrainStream>(stages, batcher_options(c, b, /*keep_last=*/false), holdout, tok);
  o.evaluator = std::make_unique<MlmEvaluator>(take_batches(eval_from, *tok, batcher_options(c, b, /*keep_last=*/true),
                                                            static_cast<uint64_t>(c.eval_batches),
                                                            /*allow_fewer=*/!c.eval_shards.empty()));
  return o;
}

TrainObjective make_mlm_objective(const config::TrainConfig& cfg, std::shared_ptr<const data::Tokenizer> tok) {
  CODESSM_REQUIRE(cfg.objective == config::ObjectiveKind::kMlm, UsageError,
                  "make_mlm_objective: the config's objective is {}", config::to_string(cfg.objective));
  return make_mlm_objective(cfg.mlm, MlmBatching{cfg.optim.batch_size, cfg.run.data_seed}, cfg.optim.max_steps,
                            std::move(tok));
}

}  // namespace codessm::train
