// Type inference as token classification (ManyTypes4TypeScript; model-spec §6.3): every file's tokens are
// sub-tokenised word by word and cut into chunks of at most max_length sub-tokens at word boundaries (no label
// is lost to truncation); a labelled word's first sub-token carries its type id (UNK = 0 for types outside the
// training vocabulary), every other position −100 (data::kIgnoreLabel); chunks without a labelled word are
// dropped. Evaluation maps the argmax of each labelled word back to a type name and scores it against the
// file's own type with benchmarks::type_scores (overall and top-100).
#include <algorithm>
#include <map>

#include "codessm/benchmarks/datasets.h"
#include "codessm/benchmarks/metrics.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/data/mlm_masking.h"
#include "codessm/tensor/scopes.h"
#include "task_objectives.h"

namespace codessm::train::detail {

namespace {

using nlohmann::json;
constexpr int64_t kIgnore = data::kIgnoreLabel;

/// One model sequence: ids with <s>/</s>, per-position target (−100 = none) and, for evaluation, which
/// (example, word) each labelled position stands for.
struct Chunk {
  std::vector<int32_t> ids;
  std::vector<int64_t> targets;
  std::vector<std::pair<int64_t, std::pair<size_t, size_t>>> labelled;  // position -> (example, word)
};

/// What the stream and the evaluator share: the head's type names and the chunking.
struct TypeTask {
  config::TypesTaskConfig cfg;
  std::shared_ptr<const data::Tokenizer> tok;
  std::vector<std::string> names;     ///< the head's labels: UNK, then by training frequency
  std::map<std::string, int64_t> ids;

  void index_names(std::vector<std::string> n) {
    names = std::move(n);
    for (size_t i = 0; i < names.size(); ++i) ids[names[i]] = static_cast<int64_t>(i);
  }
  int64_t type_id(const std::string& t) const {
    auto it = ids.find(t);
    return it == ids.end() ? 0 : it->second;  // 0 = UNK
  }

  std::vector<Chunk> make_chunks(const std::vector<benchmarks::TokenExample>& ex) const {
    const size_t room = static_cast<size_t>(std::max<int64_t>(cfg.max_length - 2, 1));
    std::vector<Chunk> out;
    for (size_t e = 0; e < ex.size(); ++e) {
      Chunk cur;
      auto flush = [&] {
        // A chunk without a labelled word adds nothing to the loss or the scores, and a batch made only of such
        // chunks would divide by zero: it is dropped.
        if (cur.labelled.empty()) {
          cur = Chunk{};
          return;
        }
        cur.ids.insert(cur.ids.begin(), tok->special_ids().bos);
        cur.targets.insert(cur.targets.begin(), kIgnore);
        for (auto& l : cur.labelled) ++l.first;  // shifted by <s>
        cur.ids.push_back(tok->special_ids().eos);
        cur.targets.push_back(kIgnore);
        out.push_back(std::move(cur));
        cur = Chunk{};
      };
      for (size_t w = 0; w < ex[e].tokens.size(); ++w) {
        auto sub = tok->encode_ids(" " + ex[e].tokens[w]);  // words are space-separated in the source
        if (sub.empty()) continue;
        if (sub.size() > room) sub.resize(room);
        if (cur.ids.size() + sub.size() > room) flush();
        const auto& label = ex[e].labels[w];
        if (!label.empty()) {
          cur.labelled.push_back({static_cast<int64_t>(cur.ids.size()), {e, w}});
          cur.targets.push_back(type_id(label));
        } else {
          cur.targets.push_back(kIgnore);
        }
        cur.targets.insert(cur.targets.end(), sub.size() - 1, kIgnore);
        cur.ids.insert(cur.ids.end(), sub.begin(), sub.end());
      }
      flush();
    }
    return out;
  }

  /// Padded inputs and targets i64(B L) (−100 on padding).
  std::pair<model::ModelInput, torch::Tensor> batch(const std::vector<Chunk>& chunks,
                                                    const std::vector<size_t>& idx) const {
    std::vector<std::vector<int32_t>> seqs;
    for (size_t i : idx) seqs.push_back(chunks[i].ids);
    auto in = pad_batch(seqs, tok->special_ids().pad);
    auto t = torch::full_like(in.input_ids, kIgnore);
    auto ta = t.accessor<int64_t, 2>();
    for (size_t b = 0; b < idx.size(); ++b)
      for (size_t p = 0; p < chunks[idx[b]].targets.size(); ++p) ta[b][p] = chunks[idx[b]].targets[p];
    return {in, t};
  }
};

class TypeStream : public ExampleStream {
 public:
  TypeStream(std::shared_ptr<const TypeTask> task, std::vector<Chunk> chunks, const ExampleBatching& b)
      : ExampleStream(chunks.size(), b, task->cfg.train_data), task_(std::move(task)), train_(std::move(chunks)) {}

  MicroBatchLoss next(model::CodeModel& model, const torch::Device& device, int64_t, int64_t rank,
                      int64_t world) override {
    const auto idx = next_indices(rank, world);
    auto [in, targets] = task_->batch(train_, idx);
    auto logits = model->forward(to_device(in, device)).logits.to(torch::kFloat32);  // r(B L C)
    auto y = targets.to(device);                                                     // i64(B L)
    MicroBatchLoss m;
    m.loss_sum = torch::nn::functional::cross_entropy(
        logits.reshape({-1, logits.size(-1)}), y.reshape({-1}),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnore).reduction(torch::kSum));
    m.count = static_cast<double>(targets.ne(kIgnore).sum().item<int64_t>());
    m.tokens = real_tokens(in);
    return m;
  }

 private:
  std::shared_ptr<const TypeTask> task_;
  std::vector<Chunk> train_;
};

class TypeEvaluator : public ExampleEvaluator {
 public:
  TypeEvaluator(std::shared_ptr<const TypeTask> task, std::vector<benchmarks::TokenExample> eval, int64_t batch_size)
      : task_(std::move(task)), eval_(std::move(eval)), batch_(eval_batch(batch_size)) {
    chunks_ = task_->make_chunks(eval_);
    // top-100 = the 100 most frequent training types; in evaluation-only mode the head's order is the
    // training frequency order (TypeVocab), so its first 100 names after UNK are the same list.
    for (size_t i = 1; i < task_->names.size() && top_.size() < 100; ++i) top_.push_back(task_->names[i]);
  }

 private:
  EvalResult run_eval(model::CodeModel& model, const torch::Device& device,
                      const std::filesystem::path* pred_file) override {
    tensor::ScopedEvalMode eval_mode(*model);
    // pred[e][w]: predicted type of word w of example e (UNK until predicted).
    std::vector<std::vector<std::string>> pred(eval_.size());
    for (size_t e = 0; e < eval_.size(); ++e) pred[e].assign(eval_[e].tokens.size(), benchmarks::TypeVocab::kUnk);
    for (auto [b, e] : eval_chunks(chunks_.size(), batch_)) {
      std::vector<size_t> idx;
      for (size_t i = b; i < e; ++i) idx.push_back(i);
      auto in = task_->batch(chunks_, idx).first;
      auto am = model->forward(to_device(in, device)).logits.argmax(-1).to(torch::kCPU);  // i64(B L)
      auto aa = am.accessor<int64_t, 2>();
      for (size_t k = 0; k < idx.size(); ++k)
        for (const auto& [pos, ew] : chunks_[idx[k]].labelled)
          pred[ew.first][ew.second] = task_->names.at(static_cast<size_t>(aa[k][pos]));
    }
    std::vector<std::string> gold_flat, pred_flat;
    for (size_t e = 0; e < eval_.size(); ++e)
      for (size_t w = 0; w < eval_[e].tokens.size(); ++w)
        if (!eval_[e].labels[w].empty()) {
          gold_flat.push_back(eval_[e].labels[w]);
          pred_flat.push_back(pred[e][w]);
        }
    CODESSM_REQUIRE(!gold_flat.empty(), DataError, "types: the evaluation files have no labelled token");
    const auto all = benchmarks::type_scores(gold_flat, pred_flat);
    const auto top = benchmarks::type_scores(gold_flat, pred_flat, top_);
    EvalResult r;
    r.metrics = all.to_json();
    r.metrics["top100"] = top.to_json();
    r.metrics["top100_f1"] = top.f1;
    r.metrics["files"] = eval_.size();
    r.metrics["types_in_vocabulary"] = static_cast<int64_t>(task_->names.size()) - 1;
    r.primary = "f1";
    r.value = r.metrics["f1"].get<double>();
    if (pred_file) {
      std::string out;
      for (size_t e = 0; e < eval_.size(); ++e) {
        json labels = json::array(), preds = json::array();
        for (size_t w = 0; w < eval_[e].tokens.size(); ++w) {
          const bool l = !eval_[e].labels[w].empty();
          labels.push_back(l ? json(eval_[e].labels[w]) : json(nullptr));
          preds.push_back(l ? json(pred[e][w]) : json(nullptr));
        }
        out += json{{"id", eval_[e].id}, {"labels", labels}, {"predictions", preds}}.dump() + "\n";
      }
      core::write_file_atomic(*pred_file, out);
    }
    return r;
  }

  std::shared_ptr<const TypeTask> task_;
  std::vector<benchmarks::TokenExample> eval_;
  std::vector<Chunk> chunks_;
  std::vector<std::string> top_;
  size_t batch_;
};

}  // namespace

TrainObjective make_types(const config::TypesTaskConfig& c, const ExampleBatching& b,
                          std::shared_ptr<const data::Tokenizer> tok) {
  auto task = std::make_shared<TypeTask>(TypeTask{c, std::move(tok), {}, {}});
  auto train = benchmarks::read_type_inference(c.train_data);
  task->index_names(benchmarks::TypeVocab::from_examples(train, c.max_types).types());
  auto chunks = task->make_chunks(train);
  const bool from_train = c.eval_data.empty();
  auto eval = evaluation_set(from_train ? std::move(train) : benchmarks::read_type_inference(c.eval_data), from_train,
                             c.eval_max_examples, "types", 200);
  TrainObjective o;
  o.name = "types";
  o.head = {config::HeadKind::kTokenClassification, task->names};
  o.keeps_best = true;
  o.stream = std::make_unique<TypeStream>(task, std::move(chunks), b);
  o.evaluator = std::make_unique<TypeEvaluator>(task, std::move(eval), b.batch_size);
  return o;
}

std::unique_ptr<Evaluator> make_types_evaluator(const config::TypesTaskConfig& c, int64_t batch_size,
                                                std::shared_ptr<const data::Tokenizer> tok, const std::string& data,
                                                const std::vector<std::string>& labels) {
  CODESSM_REQUIRE(!labels.empty() && labels[0] == benchmarks::TypeVocab::kUnk, UsageError,
                  "types: the model's id2label must start with UNK (a checkpoint fine-tuned by `codessm finetune "
                  "--task types`)");
  auto task = std::make_shared<TypeTask>(TypeTask{c, std::move(tok), {}, {}});
  task->index_names(labels);
  auto eval = evaluation_set(benchmarks::read_type_inference(data), false, c.eval_max_examples, "types", 200);
  return std::make_unique<TypeEvaluator>(task, std::move(eval), batch_size);
}

}  // namespace codessm::train::detail
