// The study's report: gather the evidence of every complete stage, evaluate F1–F6 (findings.cpp), and write
// report.json (source of truth, envelope "study.report"), report.md, evidence/*.json and figures/ (pretraining
// curves, probing per layer and by distance, class grids and SC before/after, complementarity, memory vs
// length, extrapolation). Works on partial studies: what is missing is said, not invented.
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <set>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/model/code_model.h"
#include "codessm/model/model_summary.h"
#include "codessm/pipelines/extrapolate_ops.h"
#include "codessm/pipelines/resolve_model.h"
#include "codessm/layer_probe/layer_probe.h"
#include "codessm/report/figure.h"
#include "codessm/report/report.h"
#include "codessm/study/findings.h"
#include "study_context.h"

namespace codessm::study {

using nlohmann::json;

namespace {

json read_results(const fs::path& f) {
  if (!fs::exists(f)) return nullptr;
  const json j = json::parse(core::read_file(f));
  return j.contains("results") ? j["results"] : j;
}

std::vector<json> read_jsonl(const fs::path& f) {
  std::vector<json> out;
  std::ifstream in(f);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

/// Every object with a string "model" and "rows" of {L, peak_mem_gib} (`bench forward` results, as they are or
/// keyed by run name in tools/gpu_perf.sh's JSON), anywhere in j; `name` is the key it was found under.
void find_memory_series(const json& j, const std::string& file, const std::string& name, json& out) {
  if (j.is_object()) {
    if (j.contains("model") && j["model"].is_string() && j.contains("rows") && j["rows"].is_array()) {
      json pts = json::array();
      for (const auto& r : j["rows"])
        if (r.contains("L") && r.contains("peak_mem_gib") && r["peak_mem_gib"].is_number())
          pts.push_back({r["L"].get<double>(), r["peak_mem_gib"].get<double>()});
      json impl = j.value("impl", json::object());
      if (!pts.empty())
        out.push_back({{"model", j["model"]}, {"name", name}, {"file", file}, {"mode", j.value("mode", "")},
                       {"dtype", j.value("dtype", "")}, {"attention", impl.is_object() ? impl.value("attention", "") : ""},
                       {"points", pts}});
      return;
    }
    for (const auto& [k, v] : j.items()) find_memory_series(v, file, k, out);
  } else if (j.is_array()) {
    for (const auto& v : j) find_memory_series(v, file, name, out);
  }
}

int64_t parameter_count(const StudyContext& ctx, const ModelSpec& m) {
  config::ModelConfig mc;
  const fs::path final_cfg = ctx.dir(pretrain_key(m.name)) / "final" / "config.json";
  if (fs::exists(final_cfg)) {
    mc = config::ModelConfig::from_json(json::parse(core::read_file(final_cfg)), final_cfg.string());
  } else {
    auto ov = m.overrides;
    if (ctx.has("tokenizer")) ov.push_back("vocab_size=" + std::to_string(ctx.rec("tokenizer").info.value("vocab_size", 0)));
    mc = pipelines::resolve_model_config(m.preset, ov);
  }
  model::CodeModel model(mc);
  return model::count_parameters(model).total();
}

report::Series line(const std::string& title, std::vector<double> x, std::vector<double> y) {
  report::Series s;
  s.title = title;
  s.x = std::move(x);
  s.y = std::move(y);
  s.style = report::SeriesStyle::kLinesPoints;
  s.point_size = 0.6;
  return s;
}

std::vector<report::FigureFiles> pretraining_figure(const json& curves, const fs::path& dir) {
  report::LinePanel acc, loss;
  acc.title = "held-out masked-token accuracy";
  loss.title = "held-out MLM loss";
  acc.xlabel = loss.xlabel = "tokens seen (millions)";
  acc.ylabel = "accuracy";
  loss.ylabel = "loss";
  acc.key_position = "bottom right";
  for (const auto& [m, c] : curves.items()) {
    acc.series.push_back(line(m, c["tokens_m"], c["accuracy"]));
    loss.series.push_back(line(m, c["tokens_m"], c["loss"]));
  }
  if (acc.series.empty()) return {};
  report::Figure f;
  f.title = "Pretraining (same tokens, same order)";
  f.cols = 2;
  f.width = 1100;
  f.height = 420;
  f.panels = {acc, loss};
  return {report::write_figure_script(f, dir, "pretraining_curves")};
}

/// Peak memory against length of the series F5 compared (details.series), log scale.
std::vector<report::FigureFiles> memory_figure(const json& f5, const fs::path& dir) {
  if (!f5.contains("details") || !f5["details"].contains("series")) return {};
  const json& series = f5["details"]["series"];
  std::set<double> Ls;
  for (const auto& [role, s] : series.items())
    for (const auto& p : s["points"]) Ls.insert(p[0].get<double>());
  const std::vector<double> lengths(Ls.begin(), Ls.end());
  report::LinePanel p;
  p.title = "peak memory against sequence length (forward)";
  p.xlabel = "sequence length";
  p.ylabel = "peak memory (GiB)";
  p.log_y = true;
  p.key_position = "top left";
  for (auto L : lengths) p.x_tick_labels.push_back(fmt::format("{:.0f}", L));
  for (const auto& [role, s] : series.items()) {
    std::vector<double> x, y;
    for (const auto& pt : s["points"]) {
      x.push_back(static_cast<double>(std::find(lengths.begin(), lengths.end(), pt[0].get<double>()) - lengths.begin()));
      y.push_back(pt[1].get<double>());
    }
    p.series.push_back(line(fmt::format("{} {} (s = {:.2f})", s["model"].get<std::string>(), s.value("name", ""),
                                        s["exponent"].is_number() ? s["exponent"].get<double>() : 0.0),
                            x, y));
  }
  report::Figure f;
  f.panels = {p};
  return {report::write_figure_script(f, dir, "memory_vs_length")};
}

std::vector<report::FigureFiles> complementarity_figure(const json& f3, const fs::path& dir) {
  if (!f3.contains("details") || !f3["details"].contains("layers") || f3["details"]["layers"].empty()) return {};
  report::LinePanel p;
  p.title = "complementary layers vs probing accuracy (pretrained CodeSSM)";
  p.xlabel = "|SC forward − SC backward| (cycles/sample)";
  p.ylabel = "mean probe accuracy of the layer's output";
  report::Series s;
  s.style = report::SeriesStyle::kPoints;
  s.title = "layer";
  for (const auto& l : f3["details"]["layers"]) {
    s.x.push_back(l["sc_gap"].get<double>());
    s.y.push_back(l["accuracy"].get<double>());
  }
  p.series.push_back(s);
  p.key_position = "off";
  report::Figure f;
  f.panels = {p};
  f.width = 640;
  f.height = 480;
  return {report::write_figure_script(f, dir, "complementarity")};
}

void copy_if(const fs::path& src, const fs::path& dst) {
  if (!fs::exists(src)) return;
  core::ensure_dir(dst.parent_path());
  fs::copy_file(src, dst, fs::copy_options::overwrite_existing);
}

std::string md_escape(std::string s) {
  for (size_t i = 0; (i = s.find('|', i)) != std::string::npos; i += 2) s.replace(i, 1, "\\|");
  return s;
}

}  // namespace

json write_study_report(StudyContext& ctx, const fs::path& dir) {
  const StudyConfig& c = ctx.cfg;
  const fs::path figs = dir / "figures", evid = dir / "evidence";
  core::ensure_dir(figs);
  core::ensure_dir(evid);
  Evidence ev;
  std::vector<report::FigureFiles> figures;

  // ---- pretraining: what the budget bought ----
  json models = json::object(), curves = json::object();
  for (const auto& m : c.models) {
    json row{{"preset", m.preset}, {"overrides", m.overrides}, {"parameters", parameter_count(ctx, m)}};
    ev.params[m.name] = row["parameters"];
    const std::string k = pretrain_key(m.name);
    if (ctx.has(k)) {
      const json& info = ctx.rec(k).info;
      row["pretrain"] = info.value("train", json::object());
      if (info.contains("heldout")) row["heldout"] = info["heldout"];
      json cv{{"step", json::array()}, {"tokens_m", json::array()}, {"accuracy", json::array()}, {"loss", json::array()}};
      double tokens_per_step = 0;
      const auto recs = read_jsonl(ctx.dir(k) / "run" / "metrics.jsonl");
      for (const auto& r : recs)
        if (r.value("kind", "") == "train" && r.value("step", 0) > 0)
          tokens_per_step = r["tokens_seen"].get<double>() / r["step"].get<double>();
      for (const auto& r : recs)
        if (r.value("kind", "") == "eval") {
          cv["step"].push_back(r["step"]);
          cv["tokens_m"].push_back(r["step"].get<double>() * tokens_per_step / 1e6);
          cv["accuracy"].push_back(r["eval_accuracy"]);
          cv["loss"].push_back(r["eval_loss"]);
        }
      curves[m.name] = cv;
    }
    models[m.name] = row;
  }
  auto pf = pretraining_figure(curves, figs);
  figures.insert(figures.end(), pf.begin(), pf.end());
  report::write_json(evid / "pretraining.json", {{"models", models}, {"curves", curves}});

  // ---- probing: one summary over every probed checkpoint ----
  json merged{{"schema", layer_probe::kSummarySchema}, {"schema_version", layer_probe::kSummarySchemaVersion},
              {"metric", "mean accuracy over labels"}, {"models", json::array()}, {"results", json::array()}};
  for (const auto& m : c.probing.models)
    for (const char* when : {"pretrained", "types"}) {
      const std::string k = "probe/" + m + "/" + when;
      if (!ctx.has(k)) continue;
      const json s = json::parse(core::read_file(ctx.dir(k) / "summary.json"));
      for (const auto& x : s["models"]) merged["models"].push_back(x);
      for (const auto& x : s["results"]) merged["results"].push_back(x);
    }
  if (ctx.has("probe-data"))
    for (const auto& [t, v] : ctx.rec("probe-data").info.items()) ev.probe_test_pairs[t] = v.value("test", 0);
  ev.probe_rows = merged["results"];
  if (!merged["results"].empty()) {
    report::write_json(evid / "probe_summary.json", merged);
    for (const auto& p : layer_probe::write_summary_figures(merged, {}, figs)) (void)p;
  }

  // ---- spectra: every SSM checkpoint; the pre/post compare of each fine-tuned one ----
  json spectra = json::object();
  for (const auto& m : c.models)
    for (const char* when : {"pretrained", "types"}) {
      const std::string k = "interpret/" + m.name + "/" + when;
      if (!ctx.has(k)) continue;
      ev.interpret[m.name + "/" + when] = read_results(ctx.dir(k) / "interpret.json");
      spectra[m.name + "/" + when] = ev.interpret[m.name + "/" + when]["summary"];
    }
  for (const auto& m : c.models) {
    const std::string k = "compare/" + m.name;
    if (!ctx.has(k)) continue;
    json r = read_results(ctx.dir(k) / "compare.json");
    r.erase("analysis_a");
    r.erase("analysis_b");
    ev.compare[m.name] = r;
    if (m.name == ev.reference) {
      copy_if(ctx.dir(k) / "figures" / "sc_compare.png", figs / "sc_compare.png");
      copy_if(ctx.dir(k) / "figures" / "sc_compare.svg", figs / "sc_compare.svg");
      for (auto [from, to] : {std::pair{"class_grid_a", "class_grid_pretrained"}, {"class_grid_b", "class_grid_types"}})
        for (const char* ext : {".png", ".svg"})
          copy_if(ctx.dir(k) / "figures" / (std::string(from) + ext), figs / (std::string(to) + ext));
    }
  }
  if (!ev.compare.empty()) report::write_json(evid / "compare.json", ev.compare);
  report::write_json(evid / "spectra.json", spectra);

  // ---- fine-tuning: type inference and retrieval of every model (the variant table) ----
  json variants = json::object();
  for (const auto& m : c.models) {
    const std::string kt = finetune_key("types", m.name), kr = finetune_key("retrieval", m.name);
    if (ctx.has(kt)) {
      ev.types[m.name] = ctx.rec(kt).info.value("finetune", json::object());
      variants[m.name]["types"] = ev.types[m.name].value("test", json::object());
    }
    if (ctx.has(kr)) {
      json ranks = json::array();
      for (const auto& r : read_jsonl(ctx.dir(kr) / "run" / "reports" / "test_predictions.jsonl")) ranks.push_back(r["rank"]);
      ev.retrieval[m.name] = {{"results", ctx.rec(kr).info.value("finetune", json::object())}, {"ranks", ranks}};
      variants[m.name]["retrieval"] = ev.retrieval[m.name]["results"].value("test", json::object());
    }
    variants[m.name]["parameters"] = ev.params[m.name];
  }
  report::write_json(evid / "variants.json", variants);

  // ---- extrapolation ----
  std::vector<std::pair<std::string, json>> runs;
  for (const auto& m : c.extrapolation.models)
    if (ctx.has(extrapolate_key(m))) {
      ev.extrapolation[m] = read_results(ctx.dir(extrapolate_key(m)) / "extrapolation.json");
      runs.push_back({m, ev.extrapolation[m]});
    }
  if (!runs.empty()) {
    pipelines::write_extrapolation_figure(runs, figs);
    report::write_json(evid / "extrapolation.json", ev.extrapolation);
  }

  // ---- memory (measured on the GPU machine by the performance benchmark) ----
  for (const auto& f : memory_files(ctx)) {
    try {
      find_memory_series(json::parse(core::read_file(f)), fs::relative(f, ctx.opts.repo_root).string(), "", ev.memory);
    } catch (const std::exception& e) {
      spdlog::warn("study report: {} is not readable JSON ({}); left out", f.string(), e.what());
    }
  }
  report::write_json(evid / "memory.json", ev.memory);

  // ---- cloze ----
  json cloze = json::object();
  for (const auto& m : c.models)
    if (ctx.has("cloze/" + m.name)) cloze[m.name] = ctx.rec("cloze/" + m.name).info;

  // ---- findings ----
  if (!c.has_model(ev.reference) && !c.models.empty()) ev.reference = c.models.front().name;
  const json findings = evaluate_findings(ev, c.verdicts);
  auto mf = memory_figure(findings[4], figs);
  figures.insert(figures.end(), mf.begin(), mf.end());
  auto cf = complementarity_figure(findings[2], figs);
  figures.insert(figures.end(), cf.begin(), cf.end());
  report::write_json(evid / "complementarity.json", findings[2]["details"]);
  report::render_figures(figures);

  json stages = json::object();
  for (const auto& [k, r] : ctx.done) stages[k] = {{"input_hash", r.input_hash}, {"output_hash", r.output_hash}};
  json setup = json::object();
  for (const char* k : {"corpus", "text", "tokenizer", "shards", "types-data", "retrieval-data", "probe-data", "cloze-data"})
    if (ctx.has(k)) setup[k] = ctx.rec(k).info;
  setup["corpus"].erase("path");  // a machine-local path
  const json result{{"name", c.name},  {"config", c.to_json()}, {"setup", setup},     {"models", models},
                    {"findings", findings}, {"variants", variants}, {"cloze", cloze}, {"stages", stages}};
  report::write_json(dir / "report.json", report::make_envelope("study.report", 1, result, "study"));

  // ---- Markdown ----
  std::string md = "# SSM-Interpret study: " + c.name + "\n\nGenerated by `codessm study` from report.json (the source "
                   "of truth); every verdict is computed by the rule stated with it.\n\n## Findings\n\n";
  report::Table t{{"finding", "paper", "ours", "verdict", "evidence"}, {}};
  for (const auto& f : findings) {
    std::string e;
    for (const auto& x : f["evidence"]) e += (e.empty() ? "" : ", ") + std::string("`") + x.get<std::string>() + "`";
    t.rows.push_back({"**" + f["id"].get<std::string>() + "** " + md_escape(f["claim"]), md_escape(f["paper"]),
                      md_escape(f["ours"]), "**" + f["verdict"].get<std::string>() + "**", e});
  }
  md += t.to_markdown() + "\n";
  for (const auto& f : findings)
    md += fmt::format("**{}: {}.** {} *Rule:* {}\n\n", f["id"].get<std::string>(), f["verdict"].get<std::string>(),
                      f["why"].get<std::string>(), f["rule"].get<std::string>());
  md += "## What the pretraining budget bought\n\n";
  report::Table pt{{"model", "preset", "parameters", "steps", "tokens seen", "stopped by", "held-out MLM accuracy",
                    "shipped held-out check"},
                   {}};
  for (const auto& m : c.models) {
    const json& r = models[m.name];
    const json tr = r.value("pretrain", json::object());
    const json le = tr.value("last_eval", json::object());
    pt.rows.push_back({m.name, m.preset, report::fmt_int(r["parameters"].get<long long>()),
                       tr.contains("steps") ? report::fmt_int(tr["steps"].get<long long>()) : "-",
                       tr.contains("tokens_seen") ? report::fmt_num(tr["tokens_seen"].get<double>() / 1e6, 4) + " M" : "-",
                       tr.value("stopped_by", "-"),
                       le.contains("eval_accuracy") ? report::fmt_num(le["eval_accuracy"].get<double>()) : "-",
                       r.contains("heldout") ? report::fmt_num(r["heldout"]["eval_accuracy"].get<double>()) : "-"});
  }
  md += pt.to_markdown() + "\n![pretraining curves](figures/pretraining_curves.png)\n\n";
  md += "## Fine-tuning (the variant table)\n\nPaper (SSM-Interpret Table 1): CodeSSM 25.39 MRR / 59.70 F1, CodeSSM-HF "
        "29.83 / 60.04, CodeSSM-8kernel 30.89 / 60.98.\n\n";
  report::Table vt{{"model", "parameters", "retrieval test MRR", "R@1", "type-inference test F1", "top-100 F1"}, {}};
  for (const auto& m : c.models) {
    const json v = variants.value(m.name, json::object());
    const json r = v.value("retrieval", json::object()), ty = v.value("types", json::object());
    auto f = [](const json& j, const char* k) { return j.contains(k) && j[k].is_number() ? report::fmt_num(100 * j[k].get<double>()) : std::string("-"); };
    vt.rows.push_back({m.name, report::fmt_int(v.value("parameters", 0LL)), f(r, "mrr"), f(r, "recall_at_1"), f(ty, "f1"),
                       f(ty, "top100_f1")});
  }
  md += vt.to_markdown() + "\n";
  md += "## Probing per layer (before and after type-inference fine-tuning)\n\n";
  for (const auto& task : c.probing.tasks) md += "![" + task + "](figures/accuracy_by_layer_" + task + ".png)\n";
  md += "\n![accuracy by AST distance](figures/accuracy_by_distance.png)\n\n";
  md += "## Spectra before and after fine-tuning\n\n![SC per layer](figures/sc_compare.png)\n"
        "![classes pretrained](figures/class_grid_pretrained.png) ![classes fine-tuned](figures/class_grid_types.png)\n"
        "![complementarity](figures/complementarity.png)\n\n";
  md += "## Memory and length\n\n![memory](figures/memory_vs_length.png) ![extrapolation](figures/extrapolation.png)\n\n";
  if (!cloze.empty()) {
    md += "## Zero-shot max/min cloze (held-out functions of our corpus)\n\n";
    report::Table ct{{"model", "language", "items", "accuracy"}, {}};
    for (const auto& [m, langs] : cloze.items())
      for (const auto& [l, r] : langs.items())
        ct.rows.push_back({m, l, report::fmt_int(r.value("examples", r.value("answered", 0LL))),
                           r.contains("accuracy") && r["accuracy"].is_number() ? report::fmt_num(100 * r["accuracy"].get<double>()) : "-"});
    md += ct.to_markdown() + "\n";
  }
  md += "## Stages\n\n";
  report::Table st{{"stage", "input hash", "output hash"}, {}};
  for (const auto& [k, r] : ctx.done) st.rows.push_back({k, r.input_hash.substr(0, 12), r.output_hash.substr(0, 12)});
  md += st.to_markdown();
  report::write_text(dir / "report.md", md);

  json verdicts = json::object();
  for (const auto& f : findings) verdicts[f["id"].get<std::string>()] = f["verdict"];
  return {{"verdicts", verdicts}};
}

}  // namespace codessm::study
