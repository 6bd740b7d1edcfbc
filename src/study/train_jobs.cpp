// The study's training jobs: one TrainConfig per GPU stage, built the same way for both modes (only the data
// paths differ), run here through the pipelines' entry points (local) or by tools/gpu_study_run.py from the
// bundle's job files (device). A job folder ends up the same in both modes:
//   run/{metrics.jsonl, run_config.json, reports/}   the training run (checkpoints pruned)
//   final/                                           the checkpoint kept (per `returns`)
//   heldout/eval.json                                pretrain: masked-token accuracy on the small held-out shard
//   extrapolation.json, L<len>/...                   extrapolate
#include <fmt/format.h>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/pipelines/extrapolate_ops.h"
#include "codessm/pipelines/finetune_ops.h"
#include "codessm/pipelines/train_ops.h"
#include "codessm/train/run_checkpoints.h"
#include "study_context.h"

namespace codessm::study {

using nlohmann::json;

namespace {

const char* const kPathFields[] = {"tokenizer", "train_shards", "eval_shards", "train_data", "eval_data", "test_data"};

/// defaults ← section fields ← fixed fields, validated as a TrainConfig (errors name the section).
/// The study keeps its job configs in run_config format 1 (flat; config::train_config_v1_json): its config's
/// sections name flat TrainConfig fields, tools/gpu_study_run.py reads "device" and "dtype" at the top, and a
/// job's identity (the hash of these fields) stays what it was before format 2, so a device bundle exported by
/// an earlier codessm still imports. TrainConfig reads format 1 through its migration.
json train_config(const config::TrainConfig& defaults, const json& section, const json& fixed, const std::string& where) {
  json j = config::train_config_v1_json(defaults);
  if (section.is_object()) j.merge_patch(section);
  j.merge_patch(fixed);
  try {
    config::TrainConfig::from_json(j, "study config " + where);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("{} (the study fills in task, model, tokenizer and data paths)", e.what()));
  }
  return j;
}

bool is_ssm(const ModelSpec& m) {
  return config::make_preset(m.preset).arch == config::Arch::kBiGS;
}

std::pair<std::string, std::string> split_key(const std::string& key) {
  const auto slash = key.find('/');
  CODESSM_REQUIRE(slash != std::string::npos, UsageError, "not a training stage key: '{}'", key);
  return {key.substr(0, slash), key.substr(slash + 1)};
}

}  // namespace

DataPaths local_paths(const StudyContext& ctx) {
  DataPaths p;
  p.tokenizer = (ctx.dir("tokenizer") / "tokenizer").string();
  p.train_shards = (ctx.dir("shards") / "train").string();
  p.valid_shards = (ctx.dir("shards") / "valid").string();
  p.heldout_shards = (ctx.dir("shards") / "heldout").string();
  p.types_dir = ctx.dir("types-data").string();
  p.retrieval_dir = ctx.dir("retrieval-data").string();
  return p;
}

DataPaths bundle_paths(const StudyConfig& cfg) {
  const fs::path d = fs::path(cfg.device.bundle) / "data";
  return {(d / "tokenizer").string(), (d / "shards" / "train").string(), (d / "shards" / "valid").string(),
          (d / "shards" / "heldout").string(), (d / "types").string(), (d / "retrieval").string()};
}

TrainJob make_job(const StudyConfig& cfg, const std::string& key, const DataPaths& p) {
  const auto [kind, name] = split_key(key);
  const ModelSpec& m = cfg.model(name);
  TrainJob job;
  job.key = key;
  job.model = name;
  const json runtime{{"device", cfg.device.device}, {"dtype", cfg.device.dtype}};
  const std::string placeholder = "@" + pretrain_key(name);
  // The fields a fine-tuning job fixes: task, starting stage, tokenizer, the split files of `dir`, runtime.
  auto finetune_fixed = [&](const std::string& task, const std::string& dir) {
    json f{{"task", task},
           {"model", placeholder},
           {"tokenizer", p.tokenizer},
           {"train_data", (fs::path(dir) / "train.jsonl").string()},
           {"eval_data", (fs::path(dir) / "valid.jsonl").string()},
           {"test_data", (fs::path(dir) / "test.jsonl").string()}};
    f.merge_patch(runtime);
    return f;
  };
  auto types_fixed = [&] { return finetune_fixed("types", p.types_dir); };
  if (kind == "pretrain") {
    job.kind = "pretrain";
    json fixed{{"task", "mlm"},
               {"model", m.preset},
               {"model_overrides", m.overrides},
               {"tokenizer", p.tokenizer},
               {"train_shards", p.train_shards},
               {"eval_shards", p.valid_shards}};
    fixed.merge_patch(runtime);
    job.train = train_config(pipelines::default_pretrain_config(), cfg.pretrain.train, fixed, "pretrain.train");
    job.returns = m.returns;
    job.max_seconds = cfg.pretrain.max_seconds;
    const int64_t L = job.train.at("context_length");
    const int64_t B = 16;
    job.heldout = {{"task", "mlm"},
                   {"data", p.heldout_shards},
                   {"set",
                    {{"context_length", L},
                     {"batch_size", B},
                     {"eval_batches", std::max<int64_t>(1, static_cast<int64_t>(cfg.text.heldout_tokens) / (B * L) + 1)},
                     {"data_seed", 0}}}};
  } else if (kind == "types") {
    job.kind = "finetune";
    job.model_from = pretrain_key(name);
    job.train = train_config(pipelines::default_finetune_config(), cfg.types.train, types_fixed(), "types.train");
    const bool probed = std::find(cfg.probing.models.begin(), cfg.probing.models.end(), name) != cfg.probing.models.end();
    job.returns = probed ? "full" : (is_ssm(m) ? "kernels" : "none");
    if (job.returns == "full")  // the shipped fine-tuned model's check: type scores on a few held-out files
      job.heldout = {{"task", "types"},
                     {"data", (fs::path(p.types_dir) / "heldout.jsonl").string()},
                     {"set", {{"max_length", job.train.at("max_length")}, {"batch_size", job.train.at("batch_size")}}}};
  } else if (kind == "retrieval") {
    job.kind = "finetune";
    job.model_from = pretrain_key(name);
    json fixed = finetune_fixed("retrieval", p.retrieval_dir);
    fixed["dataset"] = "advtest";
    job.train = train_config(pipelines::default_finetune_config(), cfg.retrieval.train, fixed, "retrieval.train");
  } else if (kind == "extrapolate") {
    job.kind = "extrapolate";
    job.model_from = pretrain_key(name);
    json section = cfg.types.train.is_object() ? cfg.types.train : json::object();
    if (cfg.extrapolation.train.is_object()) section.merge_patch(cfg.extrapolation.train);
    job.train = train_config(pipelines::default_finetune_config(), section, types_fixed(), "extrapolation.train");
    job.lengths = cfg.extrapolation.lengths;
    job.mlm_tokens = cfg.extrapolation.mlm_tokens;
  } else {
    throw UsageError(fmt::format("not a training stage: '{}'", key));
  }
  return job;
}

json job_identity(const TrainJob& job) {
  json t = job.train;
  for (const char* f : kPathFields) t.erase(f);
  t.erase("model");  // a preset (in model_spec below) or the starting stage (model_from)
  return {{"kind", job.kind},         {"model", job.model},       {"model_from", job.model_from},
          {"train", t},               {"returns", job.returns},   {"max_seconds", job.max_seconds},
          {"lengths", job.lengths},   {"mlm_tokens", job.mlm_tokens},
          {"heldout", job.heldout.is_object() ? json{{"task", job.heldout["task"]}, {"set", job.heldout["set"]}} : json()},
          {"preset", job.kind == "pretrain" ? job.train.at("model") : json()}};
}

namespace {

/// Copies a checkpoint's model files (config.json, safetensors, index) into `dst`.
void copy_model_files(const fs::path& src, const fs::path& dst) {
  core::ensure_dir(dst);
  for (const auto& e : fs::directory_iterator(src)) {
    const std::string n = e.path().filename().string();
    if (n == "config.json" || n.find(".safetensors") != std::string::npos)
      fs::copy_file(e.path(), dst / n, fs::copy_options::overwrite_existing);
  }
}

/// Leaves only what the GPU machine returns for a job: metrics, configs and reports of each run folder.
void prune_run(const fs::path& run) {
  if (!fs::exists(run)) return;
  for (const auto& e : fs::directory_iterator(run)) {
    const std::string n = e.path().filename().string();
    if (n == "metrics.jsonl" || n == "run_config.json" || n == "reports") continue;
    core::remove_tree(e.path());
  }
}

std::string write_config(const json& train, const std::string& model, const fs::path& file) {
  json t = train;
  t["model"] = model;
  core::write_file_atomic(file, t.dump(2) + "\n");
  return file.string();
}

}  // namespace

json run_job_locally(StudyContext& ctx, const TrainJob& job, const fs::path& dir) {
  core::ensure_dir(dir);
  const fs::path run = dir / "run";
  const std::string start = job.model_from.empty() ? job.train.at("model").get<std::string>()
                                                   : (ctx.dir(job.model_from) / "final").string();
  if (job.kind == "pretrain") {
    pipelines::TrainRunOptions o;
    o.config_file = write_config(job.train, start, dir / "train_config.json");
    o.out = run;
    o.resume = !train::list_checkpoints(run).empty();
    o.max_seconds = job.max_seconds;
    o.progress = ctx.opts.progress;
    pipelines::run_pretrain(o);
    const auto last = train::latest_checkpoint(run);
    CODESSM_REQUIRE(last.has_value(), DataError, "{}: the run wrote no checkpoint", run.string());
    copy_model_files(*last, dir / "final");
  } else if (job.kind == "finetune") {
    pipelines::FinetuneOptions o;
    o.config_file = write_config(job.train, start, dir / "train_config.json");
    o.out = run;
    o.resume = !train::list_checkpoints(run).empty();
    o.progress = ctx.opts.progress;
    pipelines::run_finetune(o);
    if (job.returns != "none") {
      const auto last = train::latest_checkpoint(run);
      const fs::path best = fs::exists(run / "best" / "config.json") ? run / "best" : last.value_or(fs::path());
      CODESSM_REQUIRE(!best.empty(), DataError, "{}: the run wrote no checkpoint", run.string());
      copy_model_files(best, dir / "final");
    }
  } else {
    pipelines::ExtrapolateOptions o;
    o.config_file = write_config(job.train, start, dir / "train_config.json");
    o.model = start;
    o.lengths = job.lengths;
    o.mlm_shards = local_paths(ctx).valid_shards;
    o.mlm_tokens = job.mlm_tokens;
    o.device = job.train.at("device");
    o.dtype = job.train.at("dtype");
    o.out = dir;
    o.progress = ctx.opts.progress;
    pipelines::run_extrapolate(o);
    for (auto L : job.lengths) prune_run(dir / ("L" + std::to_string(L)));
  }
  if (job.heldout.is_object()) {
    // The check that ships with the checkpoint: its held-out figure, measured by the training run.
    pipelines::EvalOptions e;
    e.objective = job.heldout.at("task");
    e.model = dir / "final";
    e.tokenizer = job.train.at("tokenizer").get<std::string>();
    e.data = {job.heldout.at("data").get<std::string>()};
    pipelines::add_eval_settings(e, job.heldout.at("set"));
    e.out = dir / "heldout";
    e.device = job.train.at("device");
    pipelines::run_eval(e);
  }
  prune_run(run);
  core::remove_tree(dir / "train_config.json");
  return summarize_job_folder(job, dir);
}

json summarize_job_folder(const TrainJob& job, const fs::path& dir) {
  auto results = [](const fs::path& f) {
    return fs::exists(f) ? json::parse(core::read_file(f)).value("results", json::object()) : json();
  };
  json info{{"kind", job.kind}, {"model", job.model}, {"has_checkpoint", fs::exists(dir / "final" / "config.json")}};
  const json h = results(dir / "heldout" / "eval.json");
  if (h.is_object() && h.contains("results") && !h["results"].empty()) info["heldout"] = h["results"].begin().value();
  if (job.kind == "pretrain") {
    info["train"] = results(dir / "run" / "reports" / "pretrain.json");
  } else if (job.kind == "finetune") {
    info["finetune"] = results(dir / "run" / "reports" / "finetune.json");
  } else {
    info["extrapolation"] = results(dir / "extrapolation.json");
  }
  return info;
}

}  // namespace codessm::study

namespace codessm::study {

std::vector<Stage> train_stages(const StudyConfig& cfg) {
  std::vector<Stage> out;
  const DataPaths any = bundle_paths(cfg);  // paths are not part of a job's identity
  auto add = [&](const std::string& key, std::vector<std::string> deps) {
    Stage s;
    s.key = key;
    s.gpu = true;
    s.deps = std::move(deps);
    s.config = job_identity(make_job(cfg, key, any));
    s.run = [key](StudyContext& ctx, const fs::path& dir) {
      return run_job_locally(ctx, make_job(ctx.cfg, key, local_paths(ctx)), dir);
    };
    out.push_back(std::move(s));
  };
  for (const auto& m : cfg.models) add(pretrain_key(m.name), {"tokenizer", "shards"});
  for (const auto& m : cfg.types.models) add(finetune_key("types", m), {pretrain_key(m), "tokenizer", "types-data"});
  for (const auto& m : cfg.retrieval.models)
    add(finetune_key("retrieval", m), {pretrain_key(m), "tokenizer", "retrieval-data"});
  for (const auto& m : cfg.extrapolation.models)
    add(extrapolate_key(m), {pretrain_key(m), "tokenizer", "shards", "types-data"});
  return out;
}

}  // namespace codessm::study
