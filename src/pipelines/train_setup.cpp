#include "train_setup.h"

#include <array>
#include <cmath>
#include <cstdlib>
#include <map>

#include "codessm/core/error.h"
#include "codessm/core/logging.h"
#include "codessm/pipelines/model_ops.h"
#ifdef CODESSM_HAVE_INTERPRET
#include "codessm/interpret/kernel_analysis.h"
#endif

namespace codessm::pipelines::detail {

using nlohmann::json;

config::TrainConfig resolve_train_config(const fs::path& config_file, bool resume, const fs::path& out,
                                         const std::vector<std::string>& overrides, const config::TrainConfig& defaults,
                                         const std::string& command) {
  config::TrainConfig c;
  if (!config_file.empty()) {
    c = config::TrainConfig::load(config_file.string());
  } else if (resume && fs::exists(out / "run_config.json")) {
    c = config::TrainConfig::load((out / "run_config.json").string());
  } else {
    // The default has no data paths: the string fields of the overrides go in before validation (the others,
    // and list fields, are applied by apply_overrides below).
    auto j = defaults.to_json();
    for (const auto& kv : overrides) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = kv.substr(0, eq);
      if (j.contains(key) && j[key].is_string()) j[key] = kv.substr(eq + 1);
    }
    try {
      c = config::TrainConfig::from_json(j, "built-in default config");
    } catch (const UsageError& e) {
      throw UsageError(fmt::format("{}: {} (give --config FILE, or the missing field with --set KEY=VALUE)", command,
                                   e.what()));
    }
  }
  c.apply_overrides(overrides);
  return c;
}

config::ModelConfig preset_sized_to(const std::string& preset, const std::vector<std::string>& overrides,
                                    const data::Tokenizer& tok, int64_t context_length) {
  auto mc = resolve_model_config(preset, overrides);
  if (mc.vocab_size != tok.vocab_size() || mc.pad_token_id != tok.special_ids().pad) {
    spdlog::info("model {}: vocab_size {} -> {} and pad_token_id {} -> {} to match the tokenizer", preset,
                 mc.vocab_size, tok.vocab_size(), mc.pad_token_id, tok.special_ids().pad);
    mc.vocab_size = tok.vocab_size();
    mc.pad_token_id = tok.special_ids().pad;
  }
  if (mc.pretraining_context == 0 || mc.pretraining_context != context_length) mc.pretraining_context = context_length;
  return mc;
}

#ifdef CODESSM_HAVE_INTERPRET
namespace {
/// Per layer and direction: mean spectral centroid and geometric-mean LHFR over the block's kernels, at the
/// training context length (SSM-Interpret's view of the spectral shift while it happens).
json spectral_summary(model::CodeModel& m, int64_t length) {
  std::map<std::string, torch::Tensor> named;
  for (auto& p : m->named_parameters()) named[p.key()] = p.value().detach().to(torch::kCPU);
  interpret::AnalysisOptions ao;
  ao.length = length;
  ao.keep_curves = 0;
  const auto r = interpret::analyze_named_tensors(named, m->config(), ao);
  std::map<std::pair<int64_t, std::string>, std::array<double, 4>> acc;  // sc sum, n, log lhfr sum, n
  for (const auto& f : r.filters) {
    if (f.kind != interpret::FilterKind::kSsm || !f.ok()) continue;
    auto& a = acc[{f.layer, interpret::to_string(f.direction)}];
    if (std::isfinite(f.metrics.centroid)) a[0] += f.metrics.centroid, a[1] += 1;
    if (std::isfinite(f.metrics.lhfr) && f.metrics.lhfr > 0) a[2] += std::log(f.metrics.lhfr), a[3] += 1;
  }
  json out = json::array();
  for (auto& [k, a] : acc)
    out.push_back({{"layer", k.first},
                   {"direction", k.second},
                   {"spectral_centroid", a[1] > 0 ? a[0] / a[1] : NAN},
                   {"lhfr", a[3] > 0 ? std::exp(a[2] / a[3]) : NAN}});
  return out;
}
}  // namespace
#endif

train::TrainerHooks make_hooks(const config::TrainConfig& c, const config::ModelConfig& mc) {
  train::TrainerHooks h;
  const bool ssm = mc.arch == config::Arch::kBiGS && mc.mixer == config::SequenceMixer::kS4D;
  if (!c.spectral_monitor || !ssm) return h;
#ifdef CODESSM_HAVE_INTERPRET
  // The kernel is analysed at the length the model sees: the pretraining context, or the fine-tuning length.
  const int64_t L = c.task == "mlm" ? c.context_length : c.max_length;
  h.on_eval = [L](model::CodeModel& m, int64_t) { return spectral_summary(m, L); };
#else
  spdlog::warn("spectral_monitor: the interpret module is not built; no spectral metrics are logged");
#endif
  return h;
}

train::TrainOptions trainer_options(const PretrainOptions& o, std::shared_ptr<train::GradientSync> sync) {
  train::TrainOptions to;
  to.run_dir = o.out;
  to.resume = o.resume;
  to.stop_after_step = o.stop_after_step;
  to.max_seconds = o.max_seconds;
  to.progress = o.progress;
  to.sync = std::move(sync);
  return to;
}

std::shared_ptr<train::GradientSync> setup_distributed(config::TrainConfig& cfg, int64_t* rank) {
  auto dist = train::DistributedOptions::from_env();
  if (rank) *rank = dist.rank;
  if (dist.world_size <= 1) return nullptr;
  const bool cuda = cfg.device.rfind("cuda", 0) == 0;
  dist.backend = cuda ? "nccl" : "gloo";
  if (cfg.device == "cuda" && std::getenv("LOCAL_RANK")) cfg.device = std::string("cuda:") + std::getenv("LOCAL_RANK");
  spdlog::info("data parallel: rank {} of {} ({})", dist.rank, dist.world_size, dist.backend);
  return std::make_shared<train::GradientSync>(dist);
}

}  // namespace codessm::pipelines::detail
