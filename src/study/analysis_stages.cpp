// The analyses after training, on the CPU: the spectral analysis of every SSM checkpoint and the pre/post
// fine-tuning compare (interpret), layer-wise representations + DirectProbe per layer × task for every probed
// checkpoint (probing), zero-shot max/min cloze of every pretrained model, then the report.
#include <fmt/format.h>

#include <regex>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/corpus/sha256.h"
#include "codessm/interpret/run_interpret.h"
#include "codessm/pipelines/finetune_ops.h"
#include "codessm/layer_probe/layer_probe.h"
#include "study_context.h"

namespace codessm::study {

using nlohmann::json;

namespace {

bool ssm(const StudyConfig& c, const std::string& m) {
  return config::make_preset(c.model(m).preset).arch == config::Arch::kBiGS;
}
bool in(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

int64_t pretrain_length(const StudyConfig& c) {
  return c.pretrain.train.is_object() && c.pretrain.train.contains("context_length")
             ? c.pretrain.train["context_length"].get<int64_t>()
             : 256;
}

json run_interpret_stage(StudyContext& ctx, const fs::path& dir, const std::string& source_stage) {
  interpret::InterpretRunOptions o;
  o.checkpoint = ctx.dir(source_stage) / "final";
  o.out = dir;
  o.analysis.length = pretrain_length(ctx.cfg);  // every checkpoint at one L, so the compare is like for like
  const auto r = interpret::load_or_analyze(o.checkpoint, o.analysis);
  interpret::write_interpret_report(r, dir, o.report);
  return json::parse(core::read_file(dir / "interpret.json")).at("results").at("summary");
}

json run_compare_stage(StudyContext& ctx, const fs::path& dir, const std::string& m) {
  interpret::InterpretRunOptions o;
  o.compare_a = ctx.dir("interpret/" + m + "/pretrained") / "interpret.json";
  o.compare_b = ctx.dir("interpret/" + m + "/types") / "interpret.json";
  o.out = dir;
  interpret::run_interpret(o);
  return json::parse(core::read_file(dir / "compare.json")).at("results").at("summary");
}

json run_probe_stage(StudyContext& ctx, const fs::path& dir, const std::string& m, const std::string& when) {
  layer_probe::LayerProbeOptions o;
  o.checkpoints = {ctx.dir(when == "pretrained" ? pretrain_key(m) : finetune_key("types", m)) / "final"};
  o.names = {m + " (" + when + ")"};
  o.tokenizer = ctx.dir("tokenizer") / "tokenizer";
  for (const auto& t : ctx.cfg.probing.tasks) o.datasets.push_back(ctx.dir("probe-data") / (t + ".json"));
  o.out = dir;
  o.keep_vectors = false;
  o.progress = ctx.opts.progress;
  o.probe.threads = ctx.cfg.probing.threads > 0 ? ctx.cfg.probing.threads : ctx.threads();
  const json s = layer_probe::run_layer_probes(o);
  json best = json::object();
  for (const auto& r : s.at("results")) {
    const std::string t = r.at("task");
    if (!best.contains(t) || r.at("mean_over_labels").get<double>() > best[t]["accuracy"].get<double>())
      best[t] = {{"layer", r.at("layer")}, {"accuracy", r.at("mean_over_labels")}};
  }
  return {{"best_layer", best}};
}

json run_cloze_stage(StudyContext& ctx, const fs::path& dir, const std::string& m) {
  pipelines::EvalOptions o;
  o.objective = "cloze";
  o.model = ctx.dir(pretrain_key(m)) / "final";
  o.tokenizer = ctx.dir("tokenizer") / "tokenizer";
  const fs::path data = ctx.dir("cloze-data");
  for (const auto& e : fs::directory_iterator(data))
    if (e.path().extension() == ".json" && e.path().filename() != "stage.json") o.data.push_back(e.path().string());
  std::sort(o.data.begin(), o.data.end());
  CODESSM_REQUIRE(!o.data.empty(), DataError, "cloze: the corpus's test split has no function using max or min");
  o.answers = data / "answers";
  o.out = dir;
  return pipelines::run_eval(o).at("languages");
}

/// Files named by `patterns` (repo-relative; '*' in the file name only), sorted.
std::vector<fs::path> glob_files(const fs::path& root, const std::vector<std::string>& patterns) {
  std::vector<fs::path> out;
  for (const auto& p : patterns) {
    const fs::path full = root / p;
    const std::string name = full.filename().string();
    if (name.find('*') == std::string::npos) {
      if (fs::exists(full)) out.push_back(full);
      continue;
    }
    if (!fs::is_directory(full.parent_path())) continue;
    std::string re;
    for (char c : name) re += c == '*' ? std::string(".*") : (std::isalnum(static_cast<unsigned char>(c)) ? std::string(1, c) : std::string("\\") + c);
    const std::regex rx(re);
    for (const auto& e : fs::directory_iterator(full.parent_path()))
      if (e.is_regular_file() && std::regex_match(e.path().filename().string(), rx)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<fs::path> memory_files(const StudyContext& ctx) { return glob_files(ctx.opts.repo_root, ctx.cfg.memory_files); }

std::vector<Stage> analysis_stages(const StudyConfig& c) {
  std::vector<Stage> s;
  std::vector<std::string> all;
  auto add = [&](Stage st) {
    st.may_fail = true;
    all.push_back(st.key);
    s.push_back(std::move(st));
  };
  const json L{{"length", pretrain_length(c)}};
  for (const auto& m : c.models) {
    if (!ssm(c, m.name) || m.returns == "none") continue;
    add({"interpret/" + m.name + "/pretrained", false, {pretrain_key(m.name)}, {}, L,
         [m](StudyContext& ctx, const fs::path& d) { return run_interpret_stage(ctx, d, pretrain_key(m.name)); }});
    // The fine-tuned checkpoint comes back for every fine-tuned SSM model (kernels at least).
    if (in(c.types.models, m.name)) {
      add({"interpret/" + m.name + "/types", false, {finetune_key("types", m.name)}, {}, L,
           [m](StudyContext& ctx, const fs::path& d) { return run_interpret_stage(ctx, d, finetune_key("types", m.name)); }});
      add({"compare/" + m.name, false, {"interpret/" + m.name + "/pretrained", "interpret/" + m.name + "/types"}, {}, {},
           [m](StudyContext& ctx, const fs::path& d) { return run_compare_stage(ctx, d, m.name); }});
    }
  }
  json probe_cfg{{"tasks", c.probing.tasks}};
  for (const auto& m : c.probing.models) {
    add({"probe/" + m + "/pretrained", false, {pretrain_key(m), "tokenizer", "probe-data"}, {}, probe_cfg,
         [m](StudyContext& ctx, const fs::path& d) { return run_probe_stage(ctx, d, m, "pretrained"); }});
    if (in(c.types.models, m))
      add({"probe/" + m + "/types", false, {finetune_key("types", m), "tokenizer", "probe-data"}, {}, probe_cfg,
           [m](StudyContext& ctx, const fs::path& d) { return run_probe_stage(ctx, d, m, "types"); }});
  }
  for (const auto& m : c.models)
    if (m.returns == "full")
      add({"cloze/" + m.name, false, {pretrain_key(m.name), "tokenizer", "cloze-data"}, {}, {},
           [m](StudyContext& ctx, const fs::path& d) { return run_cloze_stage(ctx, d, m.name); }});

  // The report reads whatever is complete (training stages included) and reruns when any of it changes.
  Stage r;
  r.key = "report";
  r.optional = all;
  for (const auto& m : c.models) r.optional.push_back(pretrain_key(m.name));
  for (const auto& m : c.types.models) r.optional.push_back(finetune_key("types", m));
  for (const auto& m : c.retrieval.models) r.optional.push_back(finetune_key("retrieval", m));
  for (const auto& m : c.extrapolation.models) r.optional.push_back(extrapolate_key(m));
  r.config = c.to_json()["verdicts"];
  r.config["memory_files"] = c.memory_files;
  r.run = [](StudyContext& ctx, const fs::path& d) { return write_study_report(ctx, d); };
  r.may_fail = true;
  s.push_back(std::move(r));
  return s;
}

}  // namespace codessm::study
