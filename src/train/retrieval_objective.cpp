// Retrieval fine-tuning (model-spec §6.3, CodeXGLUE NL-code-search run.py): one shared encoder embeds the
// query and the code; scores = q·cᵀ (or cosine) / temperature over the micro-batch; cross-entropy with the
// diagonal as target (in-batch negatives). Evaluation ranks every query's gold code among the whole pool.
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

std::vector<tasks::RetrievalExample> read_set(const config::TrainConfig& c, const std::string& path) {
  return tasks::read_retrieval(path, c.dataset);
}

class RetrievalObjective : public ExampleObjective {
 public:
  RetrievalObjective(const config::TrainConfig& c, std::shared_ptr<const data::Tokenizer> tok, const TaskFiles& f)
      : cfg_(c), tok_(std::move(tok)) {
    if (!f.train.empty()) {
      for (auto& e : read_set(c, f.train))
        if (e.label == 1) train_.push_back(std::move(e));  // CoSQA's negative pairs are not contrastive positives
      start_order(train_.size(), c, f.train);
    }
    pool_ = tasks::make_pool(evaluation_set(f.eval.empty() ? train_ : read_set(c, f.eval), f.eval.empty(), c, 1000));
    CODESSM_REQUIRE(!pool_.queries.empty(), DataError, "retrieval: '{}' has no query with label 1 to evaluate on",
                    f.eval.empty() ? f.train : f.eval);
  }
  std::string name() const override { return "retrieval"; }
  HeadSpec head() const override { return {config::Task::kRetrieval, {}}; }

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
    auto qe = embed(model, to_device(qin, device)), ce = embed(model, to_device(cin, device));  // r(B D) each
    auto scores = torch::matmul(qe, ce.t()) / cfg_.temperature;                                 // r(B B) fp32
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
  /// r(B D) fp32, L2-normalised for cosine similarity.
  torch::Tensor embed(model::CodeModel& model, const model::ModelInput& in) {
    auto e = sentence_embedding(model, in, cfg_.pooling).to(torch::kFloat32);
    if (cfg_.similarity == "cos") e = torch::nn::functional::normalize(e, torch::nn::functional::NormalizeFuncOptions().dim(1));
    return e;
  }

  /// Embeddings of `texts` r(N D), in evaluation batches.
  torch::Tensor embed_all(model::CodeModel& model, const torch::Device& device, const std::vector<std::string>& texts,
                          int64_t max_length) {
    std::vector<torch::Tensor> parts;
    const size_t bs = static_cast<size_t>(std::max<int64_t>(cfg_.batch_size, 1)) * 2;
    for (auto [b, e] : eval_chunks(texts.size(), bs)) {
      std::vector<std::vector<int32_t>> seqs;
      for (size_t i = b; i < e; ++i) seqs.push_back(encode_for_model(*tok_, texts[i], max_length));
      parts.push_back(embed(model, to_device(pad_batch(seqs, tok_->special_ids().pad), device)));
    }
    return torch::cat(parts, 0);
  }

  EvalResult run_eval(model::CodeModel& model, const torch::Device& device,
                      const std::filesystem::path* pred_file) override {
    ScopedEvalMode eval_mode(model);
    auto Q = embed_all(model, device, pool_.queries, cfg_.query_length);  // r(Nq D)
    auto P = embed_all(model, device, pool_.pool, cfg_.max_length);       // r(Np D)
    // Ranks on the device, a block of queries at a time (the full Nq × Np matrix of AdvTest is 1.4 GB):
    // rank = #{c : s[c] >= s[gold]} (ties count against the gold code; tasks::gold_ranks is the reference twin).
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
    res.primary = cfg_.metric.empty() ? "mrr" : cfg_.metric;
    res.metrics = {{"mrr", tasks::mean_reciprocal_rank(ranks)},
                   {"recall_at_1", tasks::recall_at(ranks, 1)},
                   {"recall_at_5", tasks::recall_at(ranks, 5)},
                   {"recall_at_10", tasks::recall_at(ranks, 10)},
                   {"queries", pool_.queries.size()},
                   {"pool", pool_.pool.size()}};
    CODESSM_REQUIRE(res.metrics.contains(res.primary), UsageError,
                    "metric '{}' is not a retrieval metric (mrr, recall_at_1, recall_at_5, recall_at_10)", res.primary);
    res.value = res.metrics[res.primary].get<double>();
    if (pred_file) {
      std::string out;
      for (size_t i = 0; i < ranks.size(); ++i)
        out += json{{"id", pool_.query_ids[i]}, {"gold", pool_.gold[i]}, {"rank", ranks[i]}}.dump() + "\n";
      core::write_file_atomic(*pred_file, out);
    }
    return res;
  }

  config::TrainConfig cfg_;
  std::shared_ptr<const data::Tokenizer> tok_;
  std::vector<tasks::RetrievalExample> train_;
  tasks::RetrievalPool pool_;
};

}  // namespace

std::unique_ptr<TaskObjective> make_retrieval(const config::TrainConfig& cfg, std::shared_ptr<const data::Tokenizer> tok,
                                              const TaskFiles& files) {
  return std::make_unique<RetrievalObjective>(cfg, std::move(tok), files);
}

}  // namespace codessm::train::detail
