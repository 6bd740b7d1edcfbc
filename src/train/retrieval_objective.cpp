// Retrieval fine-tuning (model-spec §6.3, CodeXGLUE NL-code-search run.py): one shared encoder embeds the
// query and the code; scores = q·cᵀ (or cosine) / temperature over the micro-batch; cross-entropy with the
// diagonal as target (in-batch negatives). Evaluation ranks every query's gold code among the whole pool.
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

/// r(B D) fp32, L2-normalised for cosine similarity.
torch::Tensor embed(model::CodeModel& model, const model::ModelInput& in, const config::RetrievalTaskConfig& c) {
  auto e = sentence_embedding(model, in, c.pooling).to(torch::kFloat32);
  if (c.similarity == config::Similarity::kCos)
    e = torch::nn::functional::normalize(e, torch::nn::functional::NormalizeFuncOptions().dim(1));
  return e;
}

class RetrievalStream : public ExampleStream {
 public:
  RetrievalStream(std::vector<benchmarks::RetrievalExample> train, const config::RetrievalTaskConfig& c,
                  const ExampleBatching& b, std::shared_ptr<const data::Tokenizer> tok)
      : ExampleStream(train.size(), b, c.train_data), cfg_(c), tok_(std::move(tok)), train_(std::move(train)) {}

  MicroBatchLoss next(model::CodeModel& model, const torch::Device& device, int64_t, int64_t rank,
                      int64_t world) override {
    const auto idx = next_indices(rank, world);
    std::vector<std::vector<int32_t>> q, c;
    for (size_t i : idx) {
      q.push_back(encode_for_model(*tok_, train_[i].query, cfg_.query_length));
      c.push_back(encode_for_model(*tok_, train_[i].code, cfg_.max_length));
    }
    const int32_t pad = tok_->special_ids().pad;
    auto qin = pad_batch(q, pad), cin = pad_batch(c, pad);
    auto qe = embed(model, to_device(qin, device), cfg_), ce = embed(model, to_device(cin, device), cfg_);  // r(B D)
    auto scores = torch::matmul(qe, ce.t()) / cfg_.temperature;                                             // r(B B)
    const int64_t B = scores.size(0);
    auto target = torch::arange(B, torch::TensorOptions().dtype(torch::kInt64).device(device));
    MicroBatchLoss m;
    m.loss_sum = torch::nn::functional::cross_entropy(
        scores, target, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    m.count = static_cast<double>(B);
    m.tokens = real_tokens(qin) + real_tokens(cin);
    return m;
  }

 private:
  config::RetrievalTaskConfig cfg_;
  std::shared_ptr<const data::Tokenizer> tok_;
  std::vector<benchmarks::RetrievalExample> train_;
};

class RetrievalEvaluator : public ExampleEvaluator {
 public:
  RetrievalEvaluator(benchmarks::RetrievalPool pool, const config::RetrievalTaskConfig& c, int64_t batch_size,
                     std::shared_ptr<const data::Tokenizer> tok, const std::string& what)
      : cfg_(c), batch_(eval_batch(batch_size)), tok_(std::move(tok)), pool_(std::move(pool)) {
    CODESSM_REQUIRE(!pool_.queries.empty(), DataError, "retrieval: '{}' has no query with label 1 to evaluate on",
                    what);
  }

 private:
  /// Embeddings of `texts` r(N D), in evaluation batches.
  torch::Tensor embed_all(model::CodeModel& model, const torch::Device& device, const std::vector<std::string>& texts,
                          int64_t max_length) {
    std::vector<torch::Tensor> parts;
    for (auto [b, e] : eval_chunks(texts.size(), batch_)) {
      std::vector<std::vector<int32_t>> seqs;
      for (size_t i = b; i < e; ++i) seqs.push_back(encode_for_model(*tok_, texts[i], max_length));
      parts.push_back(embed(model, to_device(pad_batch(seqs, tok_->special_ids().pad), device), cfg_));
    }
    return torch::cat(parts, 0);
  }

  EvalResult run_eval(model::CodeModel& model, const torch::Device& device,
                      const std::filesystem::path* pred_file) override {
    tensor::ScopedEvalMode eval_mode(*model);
    auto Q = embed_all(model, device, pool_.queries, cfg_.query_length);  // r(Nq D)
    auto P = embed_all(model, device, pool_.pool, cfg_.max_length);       // r(Np D)
    // Ranks on the device, a block of queries at a time (the full Nq × Np matrix of AdvTest is 1.4 GB):
    // rank = #{c : s[c] >= s[gold]} (ties count against the gold code; benchmarks::gold_ranks is the reference twin).
    auto gold = torch::tensor(pool_.gold, torch::kInt64).to(device);  // i64(Nq)
    std::vector<int64_t> ranks;
    ranks.reserve(pool_.queries.size());
    const int64_t block = 1024;
    for (int64_t b = 0; b < Q.size(0); b += block) {
      const int64_t e = std::min<int64_t>(b + block, Q.size(0));
      auto s = torch::matmul(Q.slice(0, b, e), P.t());                 // r(nb Np)
      auto gs = s.gather(1, gold.slice(0, b, e).unsqueeze(1));          // r(nb 1)
      auto r = s.ge(gs).sum(1).to(torch::kCPU);                         // i64(nb)
      auto ra = r.accessor<int64_t, 1>();
      for (int64_t i = 0; i < r.size(0); ++i) ranks.push_back(ra[i]);
    }
    EvalResult res;
    res.primary = "mrr";
    res.metrics = {{"mrr", benchmarks::mean_reciprocal_rank(ranks)},
                   {"recall_at_1", benchmarks::recall_at(ranks, 1)},
                   {"recall_at_5", benchmarks::recall_at(ranks, 5)},
                   {"recall_at_10", benchmarks::recall_at(ranks, 10)},
                   {"queries", pool_.queries.size()},
                   {"pool", pool_.pool.size()}};
    res.value = res.metrics["mrr"].get<double>();
    if (pred_file) {
      std::string out;
      for (size_t i = 0; i < ranks.size(); ++i)
        out += json{{"id", pool_.query_ids[i]}, {"gold", pool_.gold[i]}, {"rank", ranks[i]}}.dump() + "\n";
      core::write_file_atomic(*pred_file, out);
    }
    return res;
  }

  config::RetrievalTaskConfig cfg_;
  size_t batch_;
  std::shared_ptr<const data::Tokenizer> tok_;
  benchmarks::RetrievalPool pool_;
};

std::vector<benchmarks::RetrievalExample> read_set(const config::RetrievalTaskConfig& c, const std::string& path) {
  return benchmarks::read_retrieval(path, c.dataset);
}

}  // namespace

TrainObjective make_retrieval(const config::RetrievalTaskConfig& c, const ExampleBatching& b,
                              std::shared_ptr<const data::Tokenizer> tok) {
  std::vector<benchmarks::RetrievalExample> train;
  for (auto& e : read_set(c, c.train_data))
    if (e.label == 1) train.push_back(std::move(e));  // CoSQA's negative pairs are not contrastive positives
  CODESSM_REQUIRE(!train.empty(), DataError, "{}: 0 examples with label 1 (an empty dataset?): nothing to train on",
                  c.train_data);
  const bool from_train = c.eval_data.empty();
  auto pool = benchmarks::make_pool(
      evaluation_set(from_train ? train : read_set(c, c.eval_data), from_train, c.eval_max_examples, "retrieval", 1000));
  TrainObjective o;
  o.name = "retrieval";
  o.head = {config::HeadKind::kRetrieval, {}};
  o.keeps_best = true;
  o.evaluator = std::make_unique<RetrievalEvaluator>(std::move(pool), c, b.batch_size, tok,
                                                     from_train ? c.train_data : c.eval_data);
  o.stream = std::make_unique<RetrievalStream>(std::move(train), c, b, std::move(tok));
  return o;
}

std::unique_ptr<Evaluator> make_retrieval_evaluator(const config::RetrievalTaskConfig& c, int64_t batch_size,
                                                    std::shared_ptr<const data::Tokenizer> tok, const std::string& data) {
  auto pool = benchmarks::make_pool(evaluation_set(read_set(c, data), false, c.eval_max_examples, "retrieval", 0));
  return std::make_unique<RetrievalEvaluator>(std::move(pool), c, batch_size, std::move(tok), data);
}

}  // namespace codessm::train::detail
