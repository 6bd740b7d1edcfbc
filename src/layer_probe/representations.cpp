// Layer-wise pair vectors (representations.h): tokenizer → model → every hidden state → mean pooling
// per code token → pair vectors, streamed to one float32 file per layer and split.
#include "codessm/layer_probe/representations.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/core/progress.h"
#include "codessm/data/alignment.h"
#include "codessm/data/span_pooling.h"

namespace codessm::layer_probe {

namespace {

/// Indices of `pairs` grouped by function (stable): the order in which rows are written.
std::vector<size_t> write_order(const std::vector<ProbePair>& pairs) {
  std::vector<size_t> idx(pairs.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return pairs[a].function < pairs[b].function; });
  return idx;
}

fs::path layer_file(const fs::path& dir, int layer, bool test) {
  return dir / fmt::format("layer-{:02d}.{}.f32", layer, test ? "test" : "train");
}

}  // namespace

torch::Tensor leaf_vectors(const torch::Tensor& hidden, const std::vector<data::Token>& model_tokens,
                           const ProbeFunction& fn, int64_t offset, std::vector<bool>* valid) {
  std::vector<data::ByteSpan> spans;
  spans.reserve(fn.tokens.size());
  for (const auto& t : fn.tokens) spans.push_back({t.begin, t.end});
  const auto ranges = data::tokens_for_spans(model_tokens, spans);
  return data::pool_spans_mean(hidden, ranges, offset, valid);  // (S, D)
}

torch::Tensor pair_vectors(const torch::Tensor& leaves, const std::vector<ProbePair>& pairs, ProbeTask task) {
  std::vector<int64_t> rows, cols;
  for (const auto& p : pairs) rows.push_back(p.row), cols.push_back(p.col);
  auto ri = torch::tensor(rows, torch::kLong).to(leaves.device());  // (P,)
  auto ci = torch::tensor(cols, torch::kLong).to(leaves.device());  // (P,)
  auto hr = leaves.index_select(0, ri);                              // (P, D)
  auto hc = leaves.index_select(0, ci);                              // (P, D)
  return uses_difference(task) ? hr - hc : torch::cat({hr, hc}, 1);  // (P, D) or (P, 2D)
}

VectorSet compute_representations(model::CodeModel& model, const data::Tokenizer& tok, const ProbeDataset& ds,
                                  const fs::path& dir, const RepresentationOptions& opt) {
  const auto& cfg = model->config();
  CODESSM_REQUIRE(tok.vocab_size() <= cfg.vocab_size, UsageError,
                  "the tokenizer has {} ids but the checkpoint's vocab_size is {}: use the tokenizer the model was "
                  "trained with (or `codessm model init ... --set vocab_size={}` for an untrained model)",
                  tok.vocab_size(), cfg.vocab_size, tok.vocab_size());
  // The position table bounds RoFormer/BERT inputs; the SSM has no such limit, but a model read far
  // beyond its pretraining context is out of distribution (pass --max-tokens to be stricter).
  const int64_t max_tokens = opt.max_tokens > 0 ? opt.max_tokens : cfg.max_position_embeddings;
  core::ensure_dir(dir);
  torch::NoGradGuard no_grad;
  model->eval();
  const auto device = model->parameters().empty() ? torch::Device(torch::kCPU) : model->parameters()[0].device();

  // Pairs of each function, per split, in write order.
  std::vector<std::vector<ProbePair>> train_of(ds.functions.size()), test_of(ds.functions.size());
  for (size_t i : write_order(ds.train)) train_of[ds.train[i].function].push_back(ds.train[i]);
  for (size_t i : write_order(ds.test)) test_of[ds.test[i].function].push_back(ds.test[i]);

  VectorSet vs;
  vs.dir = dir;
  vs.n_train = static_cast<int64_t>(ds.train.size());
  vs.n_test = static_cast<int64_t>(ds.test.size());
  std::vector<std::unique_ptr<core::AtomicFileWriter>> train_w, test_w;
  const auto& sp = tok.special_ids();
  core::ProgressBar bar("representations", ds.functions.size(), "fn");
  for (size_t f = 0; f < ds.functions.size(); ++f) {
    const ProbeFunction& fn = ds.functions[f];
    if (train_of[f].empty() && test_of[f].empty()) {
      if (opt.progress) bar.update();
      continue;
    }
    const std::vector<data::Token> toks = tok.encode_with_offsets(fn.code);
    std::vector<int64_t> ids;
    if (sp.bos >= 0) ids.push_back(sp.bos);
    const int64_t offset = static_cast<int64_t>(ids.size());
    for (const auto& t : toks) ids.push_back(t.id);
    if (sp.eos >= 0) ids.push_back(sp.eos);
    CODESSM_REQUIRE(static_cast<int64_t>(ids.size()) <= max_tokens, DataError,
                    "function '{}' is {} model tokens, more than the {} allowed: rebuild the dataset with a smaller "
                    "--max-function-bytes, or raise --max-tokens",
                    fn.id, ids.size(), max_tokens);
    const int64_t L = static_cast<int64_t>(ids.size());
    auto input_ids = torch::tensor(ids, torch::kLong).view({1, L}).to(device);  // i64(1 L)
    auto mask = torch::ones({1, L}, torch::kLong).to(device);                   // (1 L)
    const auto out = model->encode({input_ids, mask, {}}, /*output_hidden_states=*/true);
    const int layers = static_cast<int>(out.hidden_states.size());
    if (train_w.empty()) {
      vs.num_layers = layers;
      for (int l = 0; l < layers; ++l) {
        train_w.push_back(std::make_unique<core::AtomicFileWriter>(layer_file(dir, l, false)));
        test_w.push_back(std::make_unique<core::AtomicFileWriter>(layer_file(dir, l, true)));
      }
    }
    for (int l = 0; l < layers; ++l) {
      std::vector<bool> valid;
      auto leaves = leaf_vectors(out.hidden_states[l].to(torch::kCPU, torch::kFloat), toks, fn, offset, &valid);  // (S, D)
      for (int split = 0; split < 2; ++split) {
        const auto& pairs = split ? test_of[f] : train_of[f];
        if (pairs.empty()) continue;
        for (const auto& p : pairs)
          CODESSM_REQUIRE(valid[p.row] && valid[p.col], DataError,
                          "function '{}': code token {} or {} overlaps no model token; the dataset and tokenizer "
                          "disagree on the text",
                          fn.id, p.row, p.col);
        auto pv = pair_vectors(leaves, pairs, ds.task).contiguous();  // (P, D) or (P, 2D)
        vs.dim = pv.size(1);
        (split ? test_w : train_w)[l]->write(pv.data_ptr<float>(), pv.numel() * sizeof(float));
      }
    }
    if (opt.progress) bar.update();
  }
  if (opt.progress) bar.finish();
  CODESSM_REQUIRE(!train_w.empty(), DataError, "the dataset has no pairs");
  for (auto& w : train_w) w->commit();
  for (auto& w : test_w) w->commit();
  const nlohmann::json manifest = {{"format_version", kVectorsFormatVersion},
                                   {"num_layers", vs.num_layers},
                                   {"dim", vs.dim},
                                   {"dtype", "float32"},
                                   {"n_train", vs.n_train},
                                   {"n_test", vs.n_test},
                                   {"task", task_name(ds.task)},
                                   {"vector", uses_difference(ds.task) ? "difference" : "concatenation"},
                                   {"row_order", "dataset pairs grouped by function (stable)"},
                                   {"tokenizer_fingerprint", fmt::format("{:016x}", tok.fingerprint())}};
  core::write_file_atomic(dir / "manifest.json", manifest.dump(2) + "\n");
  return vs;
}

VectorSet read_vector_set(const fs::path& dir) {
  const fs::path mf = dir / "manifest.json";
  core::require_exists(mf, "pair-vector manifest", "compute the representations first (`codessm probe layers`)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(core::read_file(mf));
    CODESSM_REQUIRE(j.at("format_version").get<int>() <= kVectorsFormatVersion, DataError,
                    "{}: format_version {} is newer than this codessm reads ({})", mf.string(),
                    j.at("format_version").get<int>(), kVectorsFormatVersion);
    return {dir, j.at("num_layers").get<int>(), j.at("dim").get<int64_t>(), j.at("n_train").get<int64_t>(),
            j.at("n_test").get<int64_t>()};
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("{}: malformed manifest ({})", mf.string(), e.what()));
  }
}

probe::LabeledPoints load_layer(const VectorSet& vs, const ProbeDataset& ds, int layer, bool test) {
  CODESSM_REQUIRE(layer >= 0 && layer < vs.num_layers, UsageError, "layer {} out of range [0, {})", layer, vs.num_layers);
  const auto& pairs = test ? ds.test : ds.train;
  const fs::path path = layer_file(vs.dir, layer, test);
  const std::string bytes = core::read_file(path);
  const size_t n = pairs.size(), d = static_cast<size_t>(vs.dim);
  CODESSM_REQUIRE(bytes.size() == n * d * sizeof(float), DataError,
                  "{} has {} bytes but {} pairs × {} floats were expected; recompute the representations",
                  path.string(), bytes.size(), n, d);
  probe::LabeledPoints p;
  p.x.n = static_cast<int64_t>(n);
  p.x.d = static_cast<int>(d);
  p.x.values.resize(n * d);
  p.labels.resize(n);
  const auto order = write_order(pairs);
  std::vector<float> row(d);
  for (size_t k = 0; k < n; ++k) {
    std::memcpy(row.data(), bytes.data() + k * d * sizeof(float), d * sizeof(float));
    double* dst = p.x.row(static_cast<int64_t>(order[k]));
    for (size_t c = 0; c < d; ++c) dst[c] = row[c];
    p.labels[order[k]] = pairs[order[k]].label;
  }
  return p;
}

}  // namespace codessm::layer_probe
