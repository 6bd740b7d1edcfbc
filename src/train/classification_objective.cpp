// Sequence classification (Devign, DiverseVul, CodeComplex, generic JSONL) and clone detection (BigCloneBench
// pairs, each code encoded separately and the pooled pair classified: model::PairClassificationHead).
// Loss: cross-entropy summed over the micro-batch's examples. Evaluation: argmax predictions scored by
// benchmarks::classification_scores (+ binary precision/recall/F1 of label "1" when the labels are {0, 1});
// the selection metric comes from the dataset's row of benchmarks::classification_selection_metric (clone: f1).
#include <algorithm>

#include "codessm/benchmarks/datasets.h"
#include "codessm/benchmarks/metrics.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/tensor/scopes.h"
#include "task_objectives.h"

namespace codessm::train::detail {

namespace {

using nlohmann::json;
using Examples = std::vector<benchmarks::ClassificationExample>;

/// What the stream and the evaluator share: the reader, the labels and the input encoding.
struct ClassificationTask {
  ClassificationSource src;
  std::shared_ptr<const data::Tokenizer> tok;
  benchmarks::LabelMap labels;

  std::string name() const { return src.clone ? "clone" : "classification"; }
  Examples read(const std::string& path) const {
    if (src.clone) return benchmarks::read_bigclonebench(src.clone_data, path);
    return benchmarks::read_classification(path, src.dataset, src.text_field, src.label_field);
  }
  /// One row per example, or two (a_i, b_i interleaved, as the pair head expects) for clone pairs.
  model::ModelInput inputs(const Examples& ex, const std::vector<size_t>& idx) const {
    std::vector<std::vector<int32_t>> seqs;
    for (size_t i : idx) {
      seqs.push_back(encode_for_model(*tok, ex[i].text, src.max_length));
      if (src.clone) seqs.push_back(encode_for_model(*tok, ex[i].text2, src.max_length));
    }
    return pad_batch(seqs, tok->special_ids().pad);
  }
  config::HeadKind head() const {
    return src.clone ? config::HeadKind::kPairClassification : config::HeadKind::kSequenceClassification;
  }
};

class ClassificationStream : public ExampleStream {
 public:
  ClassificationStream(std::shared_ptr<const ClassificationTask> task, Examples train, const ExampleBatching& b,
                       const std::string& file)
      : ExampleStream(train.size(), b, file), task_(std::move(task)), train_(std::move(train)) {}

  MicroBatchLoss next(model::CodeModel& model, const torch::Device& device, int64_t, int64_t rank,
                      int64_t world) override {
    const auto idx = next_indices(rank, world);
    std::vector<int64_t> y;
    for (size_t i : idx) y.push_back(task_->labels.id(train_[i].label));
    auto in = task_->inputs(train_, idx);
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
  std::shared_ptr<const ClassificationTask> task_;
  Examples train_;
};

class ClassificationEvaluator : public ExampleEvaluator {
 public:
  ClassificationEvaluator(std::shared_ptr<const ClassificationTask> task, Examples eval, int64_t batch_size,
                          const std::string& file)
      : task_(std::move(task)), eval_(std::move(eval)), batch_(eval_batch(batch_size)) {
    CODESSM_REQUIRE(!eval_.empty(), DataError, "{}: nothing to evaluate in '{}'", task_->name(), file);
    for (const auto& e : eval_)
      CODESSM_REQUIRE(task_->labels.contains(e.label), DataError,
                      "{}: example '{}' has label '{}', which the training data never had (labels: {})", task_->name(),
                      e.id, e.label, json(task_->labels.labels()).dump());
  }

 private:
  EvalResult run_eval(model::CodeModel& model, const torch::Device& device,
                      const std::filesystem::path* pred_file) override {
    tensor::ScopedEvalMode eval_mode(*model);
    const auto& labels = task_->labels;
    std::vector<int64_t> gold, pred;
    std::vector<std::vector<float>> probs;
    for (auto [b, e] : eval_chunks(eval_.size(), batch_)) {
      std::vector<size_t> idx;
      for (size_t i = b; i < e; ++i) idx.push_back(i);
      auto logits = model->forward(to_device(task_->inputs(eval_, idx), device)).logits.to(torch::kFloat32);  // r(n C)
      auto p = torch::softmax(logits, 1).to(torch::kCPU).contiguous();
      auto am = logits.argmax(1).to(torch::kCPU);
      for (size_t k = 0; k < idx.size(); ++k) {
        gold.push_back(labels.id(eval_[idx[k]].label));
        pred.push_back(am[k].item<int64_t>());
        if (pred_file) probs.emplace_back(p[k].data_ptr<float>(), p[k].data_ptr<float>() + p.size(1));
      }
    }
    const auto scores = benchmarks::classification_scores(gold, pred, labels.size());
    EvalResult r;
    r.metrics = scores.to_json(labels.labels());
    r.metrics["examples"] = eval_.size();
    if (labels.size() == 2 && labels.contains("1")) {
      const auto bin = benchmarks::binary_scores(gold, pred, labels.id("1"));
      r.metrics["precision"] = bin.precision;
      r.metrics["recall"] = bin.recall;
      r.metrics["f1"] = bin.f1;
      r.metrics["binary"] = bin.to_json();
    }
    r.primary = task_->src.clone ? "f1" : benchmarks::classification_selection_metric(task_->src.dataset);
    CODESSM_REQUIRE(r.metrics.contains(r.primary) && r.metrics[r.primary].is_number(), DataError,
                    "{}: metric '{}' needs labels {{0, 1}}; the labels are {}", task_->name(), r.primary,
                    json(labels.labels()).dump());
    r.value = r.metrics[r.primary].get<double>();
    if (pred_file) {
      std::string out;
      for (size_t i = 0; i < eval_.size(); ++i)
        out += json{{"id", eval_[i].id}, {"label", eval_[i].label}, {"prediction", labels.label(pred[i])},
                    {"probabilities", probs[i]}}.dump() + "\n";
      core::write_file_atomic(*pred_file, out);
    }
    return r;
  }

  std::shared_ptr<const ClassificationTask> task_;
  Examples eval_;
  size_t batch_;
};

}  // namespace

TrainObjective make_classification(const ClassificationSource& s, const std::string& train_data,
                                   const std::string& eval_data, const ExampleBatching& b,
                                   std::shared_ptr<const data::Tokenizer> tok) {
  auto task = std::make_shared<ClassificationTask>(ClassificationTask{s, std::move(tok), {}});
  Examples train = task->read(train_data);
  CODESSM_REQUIRE(!train.empty(), DataError, "{}: no examples (an empty dataset): nothing to train on", train_data);
  task->labels = benchmarks::LabelMap::from_examples(train);
  CODESSM_REQUIRE(task->labels.size() >= 2, DataError,
                  "{}: only one label ('{}') in the training data; a classifier needs at least two", train_data,
                  task->labels.size() ? task->labels.label(0) : "");
  const bool from_train = eval_data.empty();
  auto eval = evaluation_set(from_train ? train : task->read(eval_data), from_train, s.eval_max_examples, task->name(),
                             1000);
  TrainObjective o;
  o.name = task->name();
  o.head = {task->head(), task->labels.labels()};
  o.keeps_best = true;
  o.stream = std::make_unique<ClassificationStream>(task, std::move(train), b, train_data);
  o.evaluator = std::make_unique<ClassificationEvaluator>(task, std::move(eval), b.batch_size, eval_data);
  return o;
}

std::unique_ptr<Evaluator> make_classification_evaluator(const ClassificationSource& s, int64_t batch_size,
                                                         std::shared_ptr<const data::Tokenizer> tok,
                                                         const std::string& data, const std::vector<std::string>& labels) {
  auto task = std::make_shared<ClassificationTask>(ClassificationTask{s, std::move(tok), {}});
  CODESSM_REQUIRE(!labels.empty(), UsageError,
                  "{}: the model has no label names (config.json id2label); evaluate a checkpoint fine-tuned by "
                  "`codessm finetune`",
                  task->name());
  task->labels = benchmarks::LabelMap(labels);
  // LabelMap sorts; the model's ids follow its own id2label order, which must then be sorted too.
  CODESSM_REQUIRE(task->labels.labels() == labels, UsageError,
                  "the model's id2label {} is not in sorted order; it was not written by codessm finetune",
                  json(labels).dump());
  auto eval = evaluation_set(task->read(data), false, s.eval_max_examples, task->name(), 0);
  return std::make_unique<ClassificationEvaluator>(task, std::move(eval), batch_size, data);
}

}  // namespace codessm::train::detail
