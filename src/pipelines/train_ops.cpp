// `codessm pretrain` wiring: config resolution, tokenizer and model set-up, the spectral hook, the trainer.
#include "codessm/pipelines/train_ops.h"

#include <array>
#include <cmath>
#include <cstdlib>
#include <map>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/logging.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/checkpoint.h"
#include "codessm/pipelines/model_ops.h"
#include "codessm/report/report.h"
#include "codessm/tensor/device.h"
#include "codessm/train/trainer.h"
#ifdef CODESSM_HAVE_INTERPRET
#include "codessm/interpret/kernel_analysis.h"
#endif

namespace codessm::pipelines {

using nlohmann::json;

config::TrainConfig default_pretrain_config() {
  config::TrainConfig c;
  c.model = "codessm-tiny";
  c.context_length = 128;
  c.batch_size = 8;
  c.max_steps = 600;
  c.warmup_steps = 30;
  c.lr = 5e-3;  // a tiny model from scratch learns in minutes only far above the paper's 5e-5
  c.eval_every = 100;
  c.eval_batches = 4;
  c.log_every = 10;
  c.save_every = 200;
  c.keep_last = 2;
  return c;
}

namespace {

config::TrainConfig resolve_train_config(const PretrainOptions& o) {
  config::TrainConfig c;
  if (!o.config_file.empty()) {
    c = config::TrainConfig::load(o.config_file.string());
  } else if (o.resume && fs::exists(o.out / "run_config.json")) {
    c = config::TrainConfig::load((o.out / "run_config.json").string());
  } else {
    // The default has no data paths: validate only after the overrides supply them.
    auto j = default_pretrain_config().to_json();
    for (const auto& kv : o.overrides) {
      const auto eq = kv.find('=');
      if (eq != std::string::npos && (kv.substr(0, eq) == "tokenizer" || kv.substr(0, eq) == "train_shards"))
        j[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (j["tokenizer"] == "" || j["train_shards"] == "")
      throw UsageError("pretrain: give --config FILE, or --set tokenizer=DIR --set train_shards=DIR with the built-in "
                       "default config");
    c = config::TrainConfig::from_json(j, "built-in default config");
  }
  c.apply_overrides(o.overrides);
  return c;
}

/// A preset sized to the tokenizer (vocab_size, pad id), or the checkpoint as saved.
model::CodeModel build_model(const config::TrainConfig& c, const data::Tokenizer& tok) {
  if (!config::is_preset(c.model)) {
    if (!c.model_overrides.empty())
      spdlog::warn("model_overrides are ignored when starting from checkpoint '{}': its config.json wins", c.model);
    return model::load_pretrained(c.model);
  }
  auto mc = resolve_model_config(c.model, c.model_overrides);
  if (mc.vocab_size != tok.vocab_size() || mc.pad_token_id != tok.special_ids().pad) {
    spdlog::info("model {}: vocab_size {} -> {} and pad_token_id {} -> {} to match the tokenizer", c.model,
                 mc.vocab_size, tok.vocab_size(), mc.pad_token_id, tok.special_ids().pad);
    mc.vocab_size = tok.vocab_size();
    mc.pad_token_id = tok.special_ids().pad;
  }
  if (mc.pretraining_context == 0 || mc.pretraining_context != c.context_length) mc.pretraining_context = c.context_length;
  return model::CodeModel(mc);
}

#ifdef CODESSM_HAVE_INTERPRET
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
#endif

train::TrainerHooks make_hooks(const config::TrainConfig& c, const config::ModelConfig& mc) {
  train::TrainerHooks h;
  const bool ssm = mc.arch == config::Arch::kBiGS && mc.mixer == config::SequenceMixer::kS4D;
  if (!c.spectral_monitor || !ssm) return h;
#ifdef CODESSM_HAVE_INTERPRET
  const int64_t L = c.context_length;
  h.on_eval = [L](model::CodeModel& m, int64_t) { return spectral_summary(m, L); };
#else
  spdlog::warn("spectral_monitor: the interpret module is not built; no spectral metrics are logged");
#endif
  return h;
}

}  // namespace

json run_pretrain(const PretrainOptions& o) {
  CODESSM_REQUIRE(!o.out.empty(), UsageError, "pretrain: --out RUN_DIR is required");
  auto cfg = resolve_train_config(o);
  // Under torchrun (WORLD_SIZE > 1): Gloo on CPU, NCCL on CUDA with one GPU per local rank.
  auto dist = train::DistributedOptions::from_env();
  const bool cuda = cfg.device.rfind("cuda", 0) == 0;
  if (dist.world_size > 1) {
    dist.backend = cuda ? "nccl" : "gloo";
    if (cfg.device == "cuda" && std::getenv("LOCAL_RANK")) cfg.device = std::string("cuda:") + std::getenv("LOCAL_RANK");
  }
  tensor::set_seed(cfg.seed);
  std::shared_ptr<const data::Tokenizer> tok = data::load_tokenizer(cfg.tokenizer);
  auto model = build_model(cfg, *tok);
  auto hooks = make_hooks(cfg, model->config());
  train::TrainOptions to;
  to.run_dir = o.out;
  to.resume = o.resume;
  to.stop_after_step = o.stop_after_step;
  to.progress = o.progress;
  if (dist.world_size > 1) {
    spdlog::info("data parallel: rank {} of {} ({})", dist.rank, dist.world_size, dist.backend);
    to.sync = std::make_shared<train::GradientSync>(dist);
  }
  train::Trainer trainer(cfg, model, tok, to, hooks);
  const auto result = trainer.run().to_json();
  if (dist.rank == 0)
    report::write_json(o.out / "reports" / "pretrain.json", report::make_envelope("train.pretrain", 1, result, "pretrain"));
  return result;
}

}  // namespace codessm::pipelines
