#include "train_setup.h"

#include <array>
#include <cmath>
#include <cstdlib>
#include <map>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/data/tokenizer_check.h"
#include "codessm/model/checkpoint.h"
#include "codessm/pipelines/resolve_model.h"
#include "codessm/tensor/device.h"
#include "codessm/train/data_parallel.h"
#include "codessm/train/finetune_objectives.h"
#include "codessm/train/mlm_objective.h"
#include "codessm/train/run_checkpoints.h"
#ifdef CODESSM_HAVE_INTERPRET
#include "codessm/interpret/kernel_analysis.h"
#endif

namespace codessm::pipelines::detail {

using nlohmann::json;

namespace {

json read_json_file(const fs::path& path) {
  try {
    return json::parse(core::read_file(path));
  } catch (const json::exception& e) {  // parse_error, or out_of_range for an overflowing number
    throw UsageError(fmt::format("{}: not valid JSON: {}", path.string(), e.what()));
  }
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

/// Per-layer spectral centroid / LHFR logged at each evaluation (SSM models, when interpret is built), at the
/// length the model sees: the pretraining context, or the fine-tuning length.
train::TrainerHooks make_hooks(const config::TrainConfig& c, const config::ModelConfig& mc) {
  train::TrainerHooks h;
  const bool ssm = mc.arch == config::Arch::kBiGS && mc.mixer == config::SequenceMixer::kS4D;
  if (!c.run.spectral_monitor || !ssm) return h;
#ifdef CODESSM_HAVE_INTERPRET
  const int64_t L =
      c.objective == config::ObjectiveKind::kMlm ? c.mlm.context_length : config::task_files(c.task).max_length;
  h.on_eval = [L](model::CodeModel& m, int64_t) { return spectral_summary(m, L); };
#else
  spdlog::warn("spectral_monitor: the interpret module is not built; no spectral metrics are logged");
#endif
  return h;
}

/// Under torchrun (WORLD_SIZE > 1): a process-group sync (Gloo on CPU, NCCL on CUDA), and run.device cuda made
/// cuda:LOCAL_RANK (the one place the environment rewrites the config); null otherwise.
std::shared_ptr<train::GradientSync> setup_distributed(config::RunConfig& run, int64_t* rank) {
  auto dist = train::DistributedOptions::from_env();
  *rank = dist.rank;
  if (dist.world_size <= 1) return nullptr;
  const bool cuda = run.device.rfind("cuda", 0) == 0;
  dist.backend = cuda ? "nccl" : "gloo";
  if (run.device == "cuda") run.device = fmt::format("cuda:{}", dist.local_rank);
  spdlog::info("data parallel: rank {} of {} ({})", dist.rank, dist.world_size, dist.backend);
  return std::make_shared<train::ProcessGroupSync>(dist);
}

}  // namespace

config::TrainConfig resolve_train_config(const TrainRunOptions& o, const config::TrainConfig& defaults, bool mlm,
                                         const std::string& command) {
  json base;
  std::string source;
  if (!o.config_file.empty()) {
    base = read_json_file(o.config_file);
    source = o.config_file.string();
  } else if (o.resume && fs::exists(o.out / "run_config.json")) {
    base = read_json_file(o.out / "run_config.json");
    source = (o.out / "run_config.json").string();
  } else {
    base = defaults.to_json();
    source = "the built-in default config";
  }
  config::TrainConfig c;
  try {
    c = config::TrainConfig::resolve(base, o.overrides, source);
  } catch (const UsageError& e) {
    if (!o.config_file.empty() || o.resume) throw;
    throw UsageError(fmt::format("{}: {} (give --config FILE, or the missing field with --set KEY=VALUE)", command,
                                 e.what()));
  }
  const bool is_mlm = c.objective == config::ObjectiveKind::kMlm;
  CODESSM_REQUIRE(is_mlm == mlm, UsageError, "{}: objective is '{}'; {}", command, config::to_string(c.objective),
                  mlm ? "fine-tuning objectives run with `codessm finetune --task " + config::to_string(c.objective) + "`"
                      : std::string("objective mlm is pretraining: use `codessm pretrain`"));
  return c;
}

PreparedRun prepare_run(const TrainRunOptions& o, const config::TrainConfig& defaults, bool mlm,
                        const std::string& command) {
  CODESSM_REQUIRE(!o.out.empty(), UsageError, "{}: --out RUN_DIR is required", command);
  PreparedRun r;
  r.cfg = resolve_train_config(o, defaults, mlm, command);
  auto sync = setup_distributed(r.cfg.run, &r.rank);
  tensor::set_seed(r.cfg.run.seed);
  r.tok = data::load_tokenizer(r.cfg.tokenizer);
  // A resumed run continues with the tokenizer its checkpoints were written with.
  if (o.resume)
    if (auto last = train::latest_checkpoint(o.out))
      data::check_tokenizer_fits(model::load_config(*last), *r.tok, last->string(), r.cfg.tokenizer);
  r.objective = mlm ? train::make_mlm_objective(r.cfg, r.tok) : train::make_task_objective(r.cfg, r.tok);
  const int64_t context = mlm ? r.cfg.mlm.context_length : 0;
  const auto mc = resolve_model(r.cfg.model, *r.tok, ModelRequest{r.objective.head, context, r.cfg.tokenizer});
  CODESSM_REQUIRE(!mlm || mc.position_embedding_type == "none" || context <= mc.max_position_embeddings, UsageError,
                  "{}: context_length {} exceeds the model's max_position_embeddings {}", command, context,
                  mc.max_position_embeddings);
  r.model = build_model(r.cfg.model, mc);
  r.hooks = make_hooks(r.cfg, mc);
  r.options.run_dir = o.out;
  r.options.resume = o.resume;
  r.options.stop_after_step = o.stop_after_step;
  r.options.max_seconds = o.max_seconds;
  r.options.progress = o.progress;
  r.options.sync = std::move(sync);
  r.options.tokenizer = r.tok;
  return r;
}

}  // namespace codessm::pipelines::detail
