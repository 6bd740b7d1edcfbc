// The study's driver: resolve the config, walk the stage table in order, skip what is complete, run what is
// ready, hand GPU stages to the device bundle (or import their results), and write status.json.
#include "codessm/study/study.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <set>

#include "codessm/config/overrides.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/report/report.h"
#include "study_context.h"

namespace codessm::study {

using nlohmann::json;

StudyContext::StudyContext(StudyConfig c, StudyOptions o)
    : cfg(std::move(c)), opts(std::move(o)), out(opts.out), store(opts.out / "stages") {}

const StageRecord& StudyContext::rec(const std::string& key) const {
  auto it = done.find(key);
  CODESSM_REQUIRE(it != done.end(), UsageError, "study: stage '{}' is not complete", key);
  return it->second;
}

fs::path StudyContext::corpus_dir() const {
  return json::parse(core::read_file(dir("corpus") / "corpus.json")).at("path").get<std::string>();
}

int StudyContext::threads() const {
  if (opts.threads > 0) return opts.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

json stage_inputs(const Stage& s, const std::vector<Stage>& all, const StudyContext& ctx,
                  const std::map<std::string, std::string>& planned) {
  auto find = [&](const std::string& k) -> const Stage& {
    for (const auto& x : all)
      if (x.key == k) return x;
    throw Error(ErrorKind::kInternal, "study: unknown stage '" + k + "'");
  };
  json deps = json::object();
  for (const auto& d : s.deps) {
    if (s.gpu && find(d).gpu && !ctx.has(d)) deps[d] = {{"planned_input", planned.at(d)}};
    else if (s.gpu && find(d).gpu) deps[d] = {{"planned_input", ctx.rec(d).input_hash}};
    else deps[d] = ctx.rec(d).output_hash;
  }
  for (const auto& d : s.optional)
    if (ctx.has(d)) deps[d] = ctx.rec(d).output_hash;
  return {{"key", s.key}, {"config", s.config}, {"deps", deps}};
}

namespace {

StudyConfig resolve_config(const StudyOptions& o) {
  CODESSM_REQUIRE(!o.config_file.empty(), UsageError, "study: --config FILE is required");
  const std::string name = o.config_file.string();
  json j = json::parse(core::read_file(o.config_file));
  if (!o.overrides.empty()) {
    // The project's one override helper, on the config with every default filled in: a file lists only some
    // fields, and --set may name any documented one (section.field, or a field name that occurs once).
    j = StudyConfig::from_json(j, name).to_json();
    config::OverrideRules rules;
    rules.what = "study config " + name;
    rules.docs = "docs/study.md";
    // TrainConfig patches: any TrainConfig field may be added; TrainConfig's own parsing validates them.
    rules.open_objects = {"pretrain.train", "types.train", "retrieval.train", "extrapolation.train"};
    config::apply_overrides(j, o.overrides, rules);
  }
  return StudyConfig::from_json(j, name + (o.overrides.empty() ? "" : " (+ --set)"));
}

bool wanted(const StudyOptions& o, const std::string& key) {
  if (o.only.empty()) return true;
  for (const auto& p : o.only)
    if (key.rfind(p, 0) == 0) return true;
  return false;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

json run_study(const StudyOptions& o) {
  CODESSM_REQUIRE(!o.out.empty(), UsageError, "study: --out DIR is required");
  StudyContext ctx(resolve_config(o), o);
  core::ensure_dir(ctx.out);
  report::write_json(ctx.out / "study_config.json", ctx.cfg.to_json());
  std::vector<Stage> stages = data_stages(ctx.cfg);
  for (auto& v : {train_stages(ctx.cfg), analysis_stages(ctx.cfg)}) stages.insert(stages.end(), v.begin(), v.end());

  std::map<std::string, json> status;
  std::map<std::string, std::string> input_hashes;
  std::map<std::string, json> inputs_of;
  std::vector<Stage> pending;
  bool imported = false, progress = true;
  int failures = 0;
  while (progress) {
    progress = false;
    pending.clear();
    for (const auto& s : stages) {
      if (ctx.has(s.key) || !wanted(o, s.key) || (status.count(s.key) && status[s.key]["state"] == "failed")) continue;
      // Ready when every dep is complete; a GPU stage may also wait on GPU stages of the same plan.
      std::string missing;
      for (const auto& d : s.deps) {
        const bool planned = s.gpu && input_hashes.count(d) &&
                             std::any_of(pending.begin(), pending.end(), [&](const Stage& p) { return p.key == d; });
        if (!ctx.has(d) && !planned) missing = d;
      }
      if (!missing.empty()) {
        status[s.key] = {{"key", s.key}, {"state", "blocked"}, {"waiting_for", missing}};
        continue;
      }
      const json inputs = stage_inputs(s, stages, ctx, input_hashes);
      const std::string ih = hash_json(inputs);
      input_hashes[s.key] = ih;
      inputs_of[s.key] = inputs;
      if (auto r = ctx.store.complete(s.key, ih)) {
        ctx.done[s.key] = *r;
        status[s.key] = {{"key", s.key}, {"state", "up to date"}};
        progress = true;
        continue;
      }
      if (s.gpu && ctx.cfg.device.mode == "device") {
        pending.push_back(s);
        status[s.key] = {{"key", s.key}, {"state", "awaiting_device"}};
        continue;
      }
      // Run it. A training stage interrupted with the same inputs resumes from its checkpoints; anything else
      // that is stale or half-written starts afresh.
      const fs::path dir = ctx.dir(s.key);
      const fs::path attempt = dir / ".attempt";
      if (!(s.gpu && fs::exists(attempt) && core::read_file(attempt) == ih)) ctx.store.reset(s.key);
      core::ensure_dir(dir);
      core::write_file_atomic(attempt, ih);
      spdlog::info("study: stage {} ...", s.key);
      const auto t0 = std::chrono::steady_clock::now();
      try {
        const json info = s.run(ctx, dir);
        ctx.done[s.key] = ctx.store.finish(s.key, ih, inputs, info, seconds_since(t0));
        status[s.key] = {{"key", s.key}, {"state", "ran"}, {"seconds", seconds_since(t0)}};
        spdlog::info("study: stage {} done in {:.1f} s", s.key, seconds_since(t0));
        progress = true;
      } catch (const Error& e) {
        // Data preparation and training failures stop the study; an analysis that fails is reported and the
        // rest (and the report, which says what is missing) still runs.
        if (!s.may_fail) throw;
        spdlog::error("study: stage {} failed: {}", s.key, e.what());
        status[s.key] = {{"key", s.key}, {"state", "failed"}, {"error", e.what()}};
        ++failures;
      }
    }
    if (!pending.empty() && !o.imports.empty() && !imported) {
      imported = true;
      const auto keys = import_results(ctx, pending, input_hashes, inputs_of);
      for (const auto& k : keys) status[k] = {{"key", k}, {"state", "imported"}};
      progress = !keys.empty();
    }
  }

  json result{{"out", ctx.out.string()}, {"stages", json::array()}};
  for (const auto& s : stages)
    if (status.count(s.key)) result["stages"].push_back(status[s.key]);
  if (!pending.empty()) {
    const std::string ph = export_bundle(ctx, pending, input_hashes);
    result["state"] = "awaiting_device";
    result["bundle"] = (ctx.opts.repo_root / ctx.cfg.device.bundle).string();
    result["plan_hash"] = ph;
    result["next"] = fmt::format(
        "carry {} to the GPU machine and run `bash tools/gpu_study.sh` there (docs/study.md); then "
        "`codessm study --config {} --out {} --import RETURNED_FOLDER`",
        ctx.cfg.device.bundle, o.config_file.string(), ctx.out.string());
    spdlog::warn("study: {} GPU stage(s) await the GPU machine; {}", pending.size(), result["next"].get<std::string>());
  } else {
    result["state"] = failures ? "partial" : "complete";
  }
  if (ctx.has("report")) {
    result["report"] = (ctx.dir("report") / "report.md").string();
    if (!o.publish.empty()) {
      // The committed copy: the report folder as it is (no stage record) and the config that made it.
      core::ensure_dir(o.publish);
      for (const auto& e : fs::directory_iterator(ctx.dir("report"))) {
        const auto n = e.path().filename().string();
        if (n == kStageRecordFile || n[0] == '.') continue;
        fs::copy(e.path(), o.publish / n, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
      }
      report::write_json(o.publish / "study_config.json", ctx.cfg.to_json());
      result["published"] = o.publish.string();
    }
  }
  if (!o.ship.empty() && pending.empty()) result["shipped"] = ship_models(ctx, o.ship);
  result["failures"] = failures;
  report::write_json(ctx.out / "status.json", report::make_envelope("study.status", 1, result, "study"));
  return result;
}

}  // namespace codessm::study
