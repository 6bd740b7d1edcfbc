// Sequence classification (Devign, DiverseVul, CodeComplex, generic JSONL) and clone detection (BigCloneBench
// pairs, each code encoded separately and the pooled pair classified: model::PairClassificationHead).
// Loss: cross-entropy summed over the micro-batch's examples. Evaluation: argmax predictions scored by
// tasks::classification_scores (+ binary precision/recall/F1 of label "1" when the labels are {0, 1}).
#include <algorithm>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/tasks/datasets.h"
#include "codessm/tasks/metrics.h"
#include "codessm/train/finetune_data.h"
#include "task_objectives.h"

namespace codessm::train::detail {

namespace {

using nlohmann::json;

class ClassificationObjective : public ExampleObjective {
 public:
  ClassificationObjective(const config::TrainConfig& c, std::shared_ptr<const data::Tokenizer> tok, const TaskFiles& f)
      : cfg_(c), tok_(std::move(tok)), pairs_(c.task == "clone") {
    if (!f.train.empty()) {
      train_ = read(f.train);
      CODESSM_REQUIRE(!train_.empty(), DataError, "{}: no examples (an empty dataset): nothing to train on", f.train);
      labels_ = tasks::LabelMap::from_examples(train_);
      CODESSM_REQUIRE(labels_.size() >= 2, DataError, "{}: only one label ('{}') in the training data; a classifier "
                      "needs at least two", f.train, labels_.size() ? labels_.label(0) : "");
      start_order(train_.size(), c, f.train);
    } else {
      CODESSM_REQUIRE(!f.labels.empty(), UsageError,
                      "{}: the model has no label names (config.json id2label); evaluate a checkpoint fine-tuned by "
                      "`codessm finetune`",
                      c.task);
      labels_ = tasks::LabelMap(f.labels);
      // LabelMap sorts; the model's ids follow its own id2label order, which must then be sorted too.
      CODESSM_REQUIRE(labels_.labels() == f.labels, UsageError,
                      "the model's id2label {} is not in sorted order; it was not written by codessm finetune",
                      json(f.labels).dump());
    }
    eval_ = evaluation_set(f.eval.empty() ? train_ : read(f.eval), f.eval.empty(), c, 1000);
    CODESSM_REQUIRE(!eval_.empty(), DataError, "{}: nothing to evaluate in '{}'", c.task, f.eval);
    for (const auto& e : eval_)
      CODESSM_REQUIRE(labels_.contains(e.label), DataError,
                      "{}: example '{}' has label '{}', which the training data never had (labels: {})", c.task, e.id,
                      e.label, json(labels_.labels()).dump());
  }
  std::string name() const override { return cfg_.task; }
  HeadSpec head() const override {
    return {pairs_ ? config::Task::kPairClassification : config::Task::kSequenceClassification, labels_.labels()};
  }

  MicroBatchLoss next(model::CodeModel& model, const torch::Device& device, int64_t, int64_t rank,
                      int64_t world) override {
    const auto idx = next_indices(rank, world);
    std::vector<int64_t> y;
    for (size_t i : idx) y.push_back(labels_.id(train_[i].label));
    auto in = inputs(train_, idx);
    auto logits = model->forward(to_device(in, device)).logits.to(torch::kFloat32);  // r(B C)
    auto target = torch::tensor(y, torch::kInt64).to(device);                        // i64(B)
    MicroBatchLoss m;
    m.loss_sum = torch::nn::functional::cross_entropy(
        logits, target, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    m.count = static_cast<double>(idx.size());
    m.tokens = real_tokens(in);
    return m;
  }


 private:
  std::vector<tasks::ClassificationExample> read(const std::string& path) const {
    if (pairs_) return tasks::read_bigclonebench(cfg_.clone_data, path);
    return tasks::read_classification(path, cfg_.dataset, cfg_.text_field, cfg_.label_field);
  }

  /// One row per example, or two (a_i, b_i interleaved, as the pair head expects) for clone pairs.
  model::ModelInput inputs(const std::vector<tasks::ClassificationExample>& ex, const std::vector<size_t>& idx) const {
    std::vector<std::vector<int32_t>> seqs;
    for (size_t i : idx) {
      seqs.push_back(encode_for_model(*tok_, ex[i].text, cfg_.max_length));
      if (pairs_) seqs.push_back(encode_for_model(*tok_, ex[i].text2, cfg_.max_length));
    }
    return pad_batch(seqs, tok_->special_ids().pad);
  }

  EvalResult run_eval(model::CodeModel& model, const torch::Device& device,
                      const std::filesystem::path* pred_file) override {
    ScopedEvalMode eval_mode(model);
    std::vector<int64_t> gold, pred;
    std::vector<std::vector<float>> probs;
    const size_t bs = static_cast<size_t>(std::max<int64_t>(cfg_.batch_size, 1)) * 2;
    for (auto [b, e] : eval_chunks(eval_.size(), bs)) {
      std::vector<size_t> idx;
      for (size_t i = b; i < e; ++i) idx.push_back(i);
      auto logits = model->forward(to_device(inputs(eval_, idx), device)).logits.to(torch::kFloat32);  // r(n C)
      auto p = torch::softmax(logits, 1).to(torch::kCPU).contiguous();
      auto am = logits.argmax(1).to(torch::kCPU);
      for (size_t k = 0; k < idx.size(); ++k) {
        gold.push_back(labels_.id(eval_[idx[k]].label));
        pred.push_back(am[k].item<int64_t>());
        if (pred_file) probs.emplace_back(p[k].data_ptr<float>(), p[k].data_ptr<float>() + p.size(1));
      }
    }
    const auto scores = tasks::classification_scores(gold, pred, labels_.size());
    EvalResult r;
    r.metrics = scores.to_json(labels_.labels());
    r.metrics["examples"] = eval_.size();
    if (labels_.size() == 2 && labels_.contains("1")) {
      const auto bin = tasks::binary_scores(gold, pred, labels_.id("1"));
      r.metrics["precision"] = bin.precision;
      r.metrics["recall"] = bin.recall;
      r.metrics["f1"] = bin.f1;
      r.metrics["binary"] = bin.to_json();
    }
    r.primary = default_metric(cfg_);
    CODESSM_REQUIRE(r.metrics.contains(r.primary) && r.metrics[r.primary].is_number(), UsageError,
                    "metric '{}' is not available for {} (accuracy, macro_f1, weighted_f1; precision, recall, f1 "
                    "for labels {{0, 1}})",
                    r.primary, cfg_.task);
    r.value = r.metrics[r.primary].get<double>();
    if (pred_file) {
      std::string out;
      for (size_t i = 0; i < eval_.size(); ++i)
        out += json{{"id", eval_[i].id}, {"label", eval_[i].label}, {"prediction", labels_.label(pred[i])},
                    {"probabilities", probs[i]}}.dump() + "\n";
      core::write_file_atomic(*pred_file, out);
    }
    return r;
  }

  config::TrainConfig cfg_;
  std::shared_ptr<const data::Tokenizer> tok_;
  bool pairs_;
  std::vector<tasks::ClassificationExample> train_, eval_;
  tasks::LabelMap labels_;
};

}  // namespace

std::unique_ptr<TaskObjective> make_classification(const config::TrainConfig& cfg,
                                                   std::shared_ptr<const data::Tokenizer> tok, const TaskFiles& files) {
  return std::make_unique<ClassificationObjective>(cfg, std::move(tok), files);
}

}  // namespace codessm::train::detail
