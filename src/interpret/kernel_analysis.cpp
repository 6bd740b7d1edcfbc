// Driver of the analysis: find the blocks, pick the length, analyse each block, pair forward/backward.
#include "codessm/interpret/kernel_analysis.h"

#include <fmt/format.h>
#include "codessm/core/logging.h"

#include <algorithm>
#include <tuple>

#include "block_analysis.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/progress.h"
#include "codessm/core/timer.h"
#include "codessm/tensor/safetensors.h"

namespace codessm::interpret {

void AnalysisOptions::validate() const {
  thresholds.validate();
  bands.validate();
  CODESSM_REQUIRE(length == 0 || length >= 2, UsageError,
                  "--length {}: a kernel needs at least 2 samples for a low and a high frequency bin", length);
  CODESSM_REQUIRE(fir_length >= 4, UsageError, "fir_length {} must be >= 4", fir_length);
}

std::string FilterReport::label() const {
  std::string s = fmt::format("L{} {}", layer, direction == Direction::kForward ? "fwd" : "bwd");
  if (kind == FilterKind::kConv) return s + fmt::format(" conv g{}", index);
  return block_size > 1 ? s + fmt::format(" k{}", index) : s;
}

bool FilterPair::complementary() const {
  return forward != FilterClass::kUndefined && backward != FilterClass::kUndefined && forward != backward;
}

bool FilterPair::low_high() const {
  return (forward == FilterClass::kLow && backward == FilterClass::kHigh) ||
         (forward == FilterClass::kHigh && backward == FilterClass::kLow);
}

std::vector<const FilterReport*> InterpretResult::disagreements() const {
  std::vector<const FilterReport*> v;
  for (auto& f : filters)
    if (f.disagree()) v.push_back(&f);
  return v;
}

std::vector<const FilterReport*> InterpretResult::problems() const {
  std::vector<const FilterReport*> v;
  for (auto& f : filters)
    if (!f.ok()) v.push_back(&f);
  return v;
}

namespace {

/// Refuses models with nothing to analyse, with a message that says what the tool needs.
void require_analysable(const config::ModelConfig& cfg, const std::string& source) {
  if (cfg.arch != config::Arch::kBiGS)
    throw UsageError(fmt::format(
        "{}: this is a {} checkpoint (a Transformer: {}); it has no SSM kernels or convolution filters, so there is "
        "nothing to analyse. `codessm interpret` analyses BiGS/CodeSSM checkpoints",
        source, cfg.model_type(), cfg.hf_architecture()));
  if (cfg.mixer != config::SequenceMixer::kS4D && !cfg.hf_conv)
    throw UsageError(fmt::format(
        "{}: this CodeF model mixes tokens with a parameter-free DFT instead of S4D kernels; there is nothing to "
        "analyse",
        source));
}

std::vector<FilterPair> pair_filters(const std::vector<FilterReport>& filters) {
  std::map<std::tuple<int64_t, int, int64_t>, FilterPair> m;
  for (auto& f : filters) {
    auto& p = m[{f.layer, static_cast<int>(f.kind), f.index}];
    p.layer = f.layer;
    p.kind = f.kind;
    p.index = f.index;
    (f.direction == Direction::kForward ? p.forward : p.backward) = f.combined;
  }
  std::vector<FilterPair> out;
  for (auto& [k, p] : m) out.push_back(p);
  return out;
}

}  // namespace

InterpretResult analyze_tensors(const TensorSource& src, const config::ModelConfig* cfg, const AnalysisOptions& opts) {
  opts.validate();
  if (cfg) require_analysable(*cfg, src.describe());
  const auto layout = find_kernel_layout(src.names());
  if (layout.blocks.empty())
    throw UsageError(fmt::format(
        "{}: no SSM kernel tensors (<prefix>encoder.layer.<i>.fs4.kernel.log_step) and no HF conv tensors were found: "
        "if this is a Transformer checkpoint, there is nothing to analyse; `codessm interpret` analyses BiGS/CodeSSM "
        "checkpoints",
        src.describe()));

  InterpretResult res;
  res.source = src.describe();
  auto& m = res.model;
  m.backbone_prefix = layout.backbone_prefix;
  m.layers = layout.layers;
  if (cfg) {
    m.from_config = true;
    m.preset = cfg->preset;
    m.ssm_kernels = cfg->ssm_kernels;
    m.num_ssm = cfg->num_ssm;
    m.hf_conv = cfg->hf_conv;
    m.hf_conv_groups = cfg->hf_conv ? cfg->hf_conv_groups : 0;
    m.bidirectional = cfg->bidirectional;
    if (cfg->num_hidden_layers != layout.layers)
      spdlog::warn("{}: config says {} layers but the tensors hold {}; analysing the tensors", src.describe(),
                   cfg->num_hidden_layers, layout.layers);
  }
  if (opts.length > 0) {
    res.length = opts.length;
    res.length_source = "--length";
  } else if (cfg && cfg->pretraining_context > 0) {
    res.length = cfg->pretraining_context;
    res.length_source = "pretraining_context";
  } else if (cfg) {
    res.length = cfg->max_position_embeddings;
    res.length_source = "max_position_embeddings";
  } else {
    res.length = config::ModelConfig{}.max_position_embeddings;
    res.length_source = "default";
  }
  CODESSM_REQUIRE(res.length >= 2, UsageError, "{}: kernel length {} (from {}) is below 2; pass --length",
                  src.describe(), res.length, res.length_source);
  res.include_skip = opts.include_skip;
  res.thresholds = opts.thresholds;
  res.bands = opts.bands;
  res.bins = lhfr_bins(rfft_bins(res.length), opts.bands);
  res.fir_length = opts.fir_length;
  res.fir_bins = lhfr_bins(rfft_bins(opts.fir_length), opts.bands);

  detail::AnalysisContext ctx{res.length, opts.include_skip, opts.thresholds, res.bins, res.fir_bins,
                              opts.fir_length, opts.keep_curves};
  std::unique_ptr<core::ProgressBar> bar;
  if (opts.progress) bar = std::make_unique<core::ProgressBar>("interpret", layout.blocks.size(), "block");
  core::Timer timer;
  for (auto& b : layout.blocks) {
    auto reports = b.kind == FilterKind::kSsm ? detail::analyze_ssm_block(load_ssm_params(src, b), b, ctx)
                                              : detail::analyze_conv_block(load_conv_params(src, b), b, ctx);
    if (b.kind == FilterKind::kSsm && !cfg) m.ssm_kernels = static_cast<int64_t>(reports.size());
    if (b.kind == FilterKind::kConv && !cfg) {
      m.hf_conv = true;
      m.hf_conv_groups = static_cast<int64_t>(reports.size());
    }
    for (auto& r : reports) res.filters.push_back(std::move(r));
    if (bar) bar->update(1);
  }
  if (bar) bar->finish();
  res.pairs = pair_filters(res.filters);
  res.analyze_seconds = timer.seconds();
  for (auto* f : res.problems())
    for (auto& p : f->problems) spdlog::warn("{}: {} ({})", f->label(), p, f->status);
  return res;
}

InterpretResult analyze_named_tensors(const std::map<std::string, torch::Tensor>& named,
                                      const config::ModelConfig& cfg, const AnalysisOptions& opts) {
  MapTensorSource src(named, "model parameters");
  return analyze_tensors(src, &cfg, opts);
}

InterpretResult analyze_checkpoint(const fs::path& checkpoint, const AnalysisOptions& opts) {
  opts.validate();
  core::require_exists(checkpoint, "checkpoint", "pass a folder written by `codessm model init`/training, or a "
                                                  ".safetensors file");
  core::Timer timer;
  const fs::path cfg_path =
      (fs::is_directory(checkpoint) ? checkpoint : checkpoint.parent_path()) / "config.json";
  std::unique_ptr<config::ModelConfig> cfg;
  if (fs::exists(cfg_path)) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(core::read_file(cfg_path));
    } catch (const nlohmann::json::exception& e) {
      throw DataError(fmt::format("{}: not valid JSON ({})", cfg_path.string(), e.what()));
    }
    cfg = std::make_unique<config::ModelConfig>(config::ModelConfig::from_json(j, cfg_path.string()));
    require_analysable(*cfg, checkpoint.string());
  } else {
    spdlog::info("{}: no config.json; the model is inferred from tensor names and L defaults to {}",
                 checkpoint.string(), config::ModelConfig{}.max_position_embeddings);
  }
  tensor::SafetensorsStore store(checkpoint);
  StoreTensorSource lazy(store);
  // Copy out only the filter tensors (kilobytes) so that analysis time excludes all I/O.
  std::map<std::string, torch::Tensor> tensors;
  for (auto& n : kernel_tensor_names(lazy, find_kernel_layout(lazy.names()))) tensors[n] = lazy.load(n);
  const double load_s = timer.seconds();
  MapTensorSource src(std::move(tensors), checkpoint.string());
  auto res = analyze_tensors(src, cfg.get(), opts);
  res.load_seconds = load_s;
  return res;
}

}  // namespace codessm::interpret
