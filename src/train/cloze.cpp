#include "codessm/train/cloze.h"

#include <algorithm>
#include <cmath>

#include "codessm/core/error.h"
#include "codessm/tensor/scopes.h"
#include "codessm/train/model_inputs.h"

namespace codessm::train {

using nlohmann::json;

json ClozeResult::to_json() const {
  std::map<std::string, int64_t> dist;
  for (const auto& [id, w] : predictions) ++dist[w];
  json j{{"examples", predictions.size()}, {"prediction_counts", dist}, {"answered", answered}};
  if (answered > 0) {
    j["correct"] = correct;
    j["accuracy"] = accuracy();
  }
  return j;
}

namespace {

/// One scoring row: the example's ids with the candidate's n sub-tokens replaced by n <mask> tokens at `at`.
struct Row {
  std::vector<int32_t> ids;
  size_t at = 0;
  std::vector<int32_t> target;  ///< the candidate's sub-tokens
};

Row make_row(const data::Tokenizer& tok, const std::vector<int32_t>& left, const std::vector<int32_t>& right,
             const std::vector<int32_t>& cand, int64_t max_length) {
  // Keep a window of max_length − 2 tokens around the masks (CodeXGLUE cuts at 510 from the left, which can
  // lose the mask itself; centring keeps every example scorable).
  const size_t room = static_cast<size_t>(std::max<int64_t>(max_length - 2, static_cast<int64_t>(cand.size()) + 2));
  const size_t ctx = room - cand.size();
  size_t nl = std::min(left.size(), ctx / 2), nr = std::min(right.size(), ctx - nl);
  nl = std::min(left.size(), ctx - nr);
  Row r;
  r.ids.push_back(tok.special_ids().bos);
  r.ids.insert(r.ids.end(), left.end() - static_cast<std::ptrdiff_t>(nl), left.end());
  r.at = r.ids.size();
  r.ids.insert(r.ids.end(), cand.size(), tok.special_ids().mask);
  r.ids.insert(r.ids.end(), right.begin(), right.begin() + static_cast<std::ptrdiff_t>(nr));
  r.ids.push_back(tok.special_ids().eos);
  r.target = cand;
  return r;
}

}  // namespace

ClozeResult run_cloze(model::CodeModel& model, const data::Tokenizer& tok, const std::vector<benchmarks::ClozeExample>& ex,
                      const std::map<std::string, std::string>& answers, const torch::Device& device,
                      const ClozeOptions& o) {
  CODESSM_REQUIRE(model->config().head == config::HeadKind::kMaskedLM, UsageError,
                  "cloze needs an MLM checkpoint (head mlm); this one has head {}",
                  config::to_string(model->config().head));
  CODESSM_REQUIRE(tok.special_ids().mask >= 0, UsageError, "cloze: the tokenizer has no <mask> token");
  CODESSM_REQUIRE(!o.candidates.empty(), UsageError, "cloze: no candidate words");
  std::vector<std::vector<int32_t>> cand_ids;
  for (const auto& c : o.candidates) {
    cand_ids.push_back(tok.encode_ids(" " + c));  // the word follows a space in the joined text
    CODESSM_REQUIRE(!cand_ids.back().empty(), UsageError, "cloze: candidate '{}' encodes to no token", c);
  }
  // Rows: example-major, candidate-minor.
  std::vector<Row> rows;
  for (const auto& e : ex) {
    std::string left, right;
    bool seen = false;
    auto add = [](std::string& s, const std::string& w) { s += s.empty() ? w : " " + w; };
    for (const auto& w : e.nl_tokens) add(left, w);
    for (const auto& w : e.pl_tokens) {
      if (!seen && w == "<mask>") {
        seen = true;
        continue;
      }
      add(seen ? right : left, w);
    }
    CODESSM_REQUIRE(seen, DataError, "cloze example '{}' has no <mask>", e.id);
    const auto l = tok.encode_ids(left), r = tok.encode_ids(right.empty() ? right : " " + right);
    for (const auto& c : cand_ids) rows.push_back(make_row(tok, l, r, c, o.max_length));
  }
  std::vector<double> score(rows.size(), 0.0);
  tensor::ScopedEvalMode eval_mode(*model);
  for (size_t b = 0; b < rows.size(); b += static_cast<size_t>(o.batch_size)) {
    const size_t e = std::min(rows.size(), b + static_cast<size_t>(o.batch_size));
    std::vector<std::vector<int32_t>> seqs;
    for (size_t i = b; i < e; ++i) seqs.push_back(rows[i].ids);
    auto in = to_device(pad_batch(seqs, tok.special_ids().pad), device);
    auto logits = model->forward(in).logits;  // r(n L V)
    // Only the masked positions: (row, position, candidate sub-token) triples, M of them.
    std::vector<int64_t> ri, pi, ti;
    for (size_t i = b; i < e; ++i)
      for (size_t k = 0; k < rows[i].target.size(); ++k) {
        ri.push_back(static_cast<int64_t>(i - b));
        pi.push_back(static_cast<int64_t>(rows[i].at + k));
        ti.push_back(rows[i].target[k]);
      }
    auto R = torch::tensor(ri).to(device), P = torch::tensor(pi).to(device), T = torch::tensor(ti).to(device);
    auto logp = torch::log_softmax(logits.index({R, P}).to(torch::kFloat32), -1);  // r(M V)
    auto picked = logp.gather(1, T.unsqueeze(1)).squeeze(1).to(torch::kCPU);       // r(M)
    auto pa = picked.accessor<float, 1>();
    for (size_t m = 0; m < ri.size(); ++m) score[b + static_cast<size_t>(ri[m])] += pa[m];
  }
  ClozeResult res;
  const size_t nc = o.candidates.size();
  for (size_t i = 0; i < ex.size(); ++i) {
    std::vector<double> s(score.begin() + i * nc, score.begin() + (i + 1) * nc);
    const size_t best = static_cast<size_t>(std::max_element(s.begin(), s.end()) - s.begin());
    res.predictions.emplace_back(ex[i].id, o.candidates[best]);
    res.scores.push_back(s);
    auto it = answers.find(ex[i].id);
    if (it != answers.end()) {
      ++res.answered;
      res.correct += it->second == o.candidates[best];
    }
  }
  return res;
}

}  // namespace codessm::train
