// `codessm probe layers` (layer_probe.h): representations → DirectProbe per layer → reports, summary and
// figures. DirectProbe is called as a library (probe/directprobe.h, probe/predict.h), never as a process.
#include "codessm/layer_probe/layer_probe.h"

#include "codessm/data/tokenizer_check.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/core/progress.h"
#include "codessm/core/timer.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/checkpoint.h"
#include "codessm/probe/predict.h"
#include "codessm/probe/report.h"
#include "codessm/layer_probe/dataset.h"
#include "codessm/layer_probe/representations.h"
#include "codessm/report/figure.h"

namespace codessm::layer_probe {

namespace {

using nlohmann::json;

/// Display names: the given ones, else the checkpoint folder names made unique with "-2", "-3", ...
std::vector<std::string> model_names(const LayerProbeOptions& o) {
  CODESSM_REQUIRE(o.names.empty() || o.names.size() == o.checkpoints.size(), UsageError,
                  "--name given {} times for {} checkpoints; give one name per --checkpoint or none", o.names.size(),
                  o.checkpoints.size());
  std::vector<std::string> out;
  std::map<std::string, int> seen;
  for (size_t i = 0; i < o.checkpoints.size(); ++i) {
    std::string n = !o.names.empty() ? o.names[i] : fs::path(o.checkpoints[i]).lexically_normal().filename().string();
    if (n.empty()) n = fs::path(o.checkpoints[i]).lexically_normal().parent_path().filename().string();
    const int k = ++seen[n];
    out.push_back(k == 1 ? n : fmt::format("{}-{}", n, k));
  }
  return out;
}

/// Probes one layer: DirectProbe on train, nearest-hull prediction on test, the probe module's report.
json probe_layer(const probe::LabeledPoints& train, const probe::LabeledPoints& test, const ProbeDataset& ds,
                 const probe::DirectProbeOptions& popt, const json& inputs) {
  probe::LabelSet ls{ds.labels};
  core::Timer t;
  const probe::DirectProbeResult res = probe::run_directprobe(train, ls.size(), popt);
  const double t_probe = t.seconds();
  const auto preds = probe::predict(train.x, res.clusters, test, popt.threads, /*progress=*/false);
  const probe::Accuracy acc = probe::score(preds, res.clusters, ls);
  probe::ReportInputs ri;
  ri.labels = &ls;
  ri.clusters = &res.clusters;
  ri.probe = &res;
  ri.accuracy = &acc;
  ri.distance_labels = ds.task == ProbeTask::kDistance;
  ri.inputs = inputs;
  ri.options = {{"threads", popt.threads},
                {"duplicates", popt.duplicates == probe::DuplicatePolicy::kKeep ? "keep" : "fail"},
                {"caches", popt.use_caches}};
  ri.timings = {{"probe", t_probe}, {"total", t.seconds()}};
  return probe::make_report(ri);
}

std::string pct(const json& v) { return v.is_number() ? fmt::format("{:.1f}", 100 * v.get<double>()) : "–"; }

}  // namespace

json run_layer_probes(const LayerProbeOptions& o) {
  CODESSM_REQUIRE(!o.checkpoints.empty(), UsageError, "give at least one --checkpoint");
  CODESSM_REQUIRE(!o.datasets.empty(), UsageError, "give at least one --dataset (from `codessm probe dataset`)");
  CODESSM_REQUIRE(!o.out.empty(), UsageError, "--out is required");
  core::require_exists(o.tokenizer, "tokenizer folder", "pass the tokenizer the checkpoints were trained with");
  const auto names = model_names(o);
  const auto tok = data::load_tokenizer(o.tokenizer);
  std::vector<ProbeDataset> datasets;
  std::set<std::string> tasks_seen;
  for (const auto& p : o.datasets) {
    datasets.push_back(load_dataset(p));
    CODESSM_REQUIRE(tasks_seen.insert(task_name(datasets.back().task)).second, UsageError,
                    "{}: a second dataset of task '{}'; give one dataset per task", p.string(),
                    task_name(datasets.back().task));
  }
  core::ensure_dir(o.out);

  json summary = {{"schema", kSummarySchema},
                  {"schema_version", kSummarySchemaVersion},
                  {"tokenizer", o.tokenizer.string()},
                  {"metric", "mean accuracy over labels (SSM-Interpret Fig. 3); overall accuracy alongside"},
                  {"models", json::array()},
                  {"results", json::array()}};
  for (size_t m = 0; m < o.checkpoints.size(); ++m) {
    model::CodeModel model = model::load_pretrained(o.checkpoints[m]);
    data::check_tokenizer_fits(model->config(), *tok, o.checkpoints[m].string(), o.tokenizer.string());
    summary["models"].push_back({{"name", names[m]},
                                 {"checkpoint", o.checkpoints[m].string()},
                                 {"model_type", model->config().to_json().value("model_type", "")},
                                 {"num_hidden_layers", model->config().num_hidden_layers},
                                 {"hidden_size", model->config().hidden_size}});
    for (size_t di = 0; di < datasets.size(); ++di) {
      const ProbeDataset& ds = datasets[di];
      const std::string task = task_name(ds.task);
      const fs::path base = o.out / names[m] / task;
      spdlog::info("probe layers: {} × {} ({} functions, {} train / {} test pairs)", names[m], task,
                    ds.functions.size(), ds.train.size(), ds.test.size());
      RepresentationOptions ropt;
      ropt.max_tokens = o.max_tokens;
      ropt.progress = o.progress;
      const VectorSet vs = compute_representations(model, *tok, ds, base / "vectors", ropt);
      std::vector<int> layers = o.layers;
      if (layers.empty())
        for (int l = 0; l < vs.num_layers; ++l) layers.push_back(l);
      core::ProgressBar bar(fmt::format("directprobe {} {}", names[m], task), layers.size(), "layer");
      for (int l : layers) {
        CODESSM_REQUIRE(l >= 0 && l < vs.num_layers, UsageError, "--layers: layer {} does not exist ({} has 0..{})", l,
                        names[m], vs.num_layers - 1);
        const auto train = load_layer(vs, ds, l, false);
        const auto test = load_layer(vs, ds, l, true);
        const json inputs = {{"dataset", o.datasets[di].string()}, {"checkpoint", o.checkpoints[m].string()},
                             {"layer", l}, {"n_train", train.x.n}, {"n_test", test.x.n}, {"dim", train.x.d}};
        json rep = probe_layer(train, test, ds, o.probe, inputs);
        const fs::path dir = base / fmt::format("layer-{:02d}", l);
        core::ensure_dir(dir);
        core::write_file_atomic(dir / "report.json", rep.dump(2) + "\n");
        core::write_file_atomic(dir / "report.md", probe::render_markdown(rep));
        json row = {{"model", names[m]},
                    {"task", task},
                    {"layer", l},
                    {"clusters", rep["clusters"]["count"]},
                    {"overall", rep["accuracy"]["overall"]},
                    {"mean_over_labels", rep["accuracy"]["mean_over_labels"]},
                    {"per_label", rep["accuracy"]["per_label"]},
                    {"conflicting_duplicate_groups", rep.contains("duplicates") ? rep["duplicates"]["conflicting_groups"] : json(0)},
                    {"report", fs::relative(dir / "report.json", o.out).string()}};
        if (rep["accuracy"].contains("per_value")) row["per_value"] = rep["accuracy"]["per_value"];
        summary["results"].push_back(row);
        if (o.progress)
          bar.update(1, fmt::format("layer {} acc {:.3f}", l, rep["accuracy"]["mean_over_labels"].get<double>()));
      }
      if (o.progress) bar.finish();
      if (!o.keep_vectors) core::remove_tree(base / "vectors");
    }
  }
  core::write_file_atomic(o.out / "summary.json", summary.dump(2) + "\n");
  core::write_file_atomic(o.out / "summary.md", render_summary_markdown(summary));
  const auto pngs = write_summary_figures(summary, o.distance_layers, o.out / "figures");
  spdlog::info("probe layers: summary in {}, {} figures", (o.out / "summary.md").string(), pngs.size());
  return summary;
}

std::string render_summary_markdown(const json& s) {
  CODESSM_REQUIRE(s.value("schema", "") == kSummarySchema, DataError, "not a probe-layers summary (schema '{}')",
                  kSummarySchema);
  CODESSM_REQUIRE(s.value("schema_version", 0) <= kSummarySchemaVersion, DataError,
                  "summary schema_version {} is newer than this codessm reads ({})", s.value("schema_version", 0),
                  kSummarySchemaVersion);
  // task -> model -> layer -> row
  std::map<std::string, std::map<std::string, std::map<int, json>>> by;
  std::set<int> layers;
  for (const auto& r : s["results"]) {
    by[r["task"]][r["model"]][r["layer"].get<int>()] = r;
    layers.insert(r["layer"].get<int>());
  }
  std::string md = "# DirectProbe accuracy per layer\n\n";
  md += "Mean accuracy over labels in % (SSM-Interpret Fig. 3), overall accuracy in parentheses; layer 0 = "
        "embeddings. Generated from summary.json; do not edit.\n";
  for (const auto& [task, models] : by) {
    md += fmt::format("\n## {}\n\n| model |", task);
    for (int l : layers) md += fmt::format(" L{} |", l);
    md += "\n|---|";
    for (size_t i = 0; i < layers.size(); ++i) md += "---:|";
    md += "\n";
    for (const auto& [model, rows] : models) {
      md += fmt::format("| {} |", model);
      for (int l : layers) {
        const auto it = rows.find(l);
        md += it == rows.end() ? " |"
                               : fmt::format(" {} ({}) |", pct(it->second["mean_over_labels"]), pct(it->second["overall"]));
      }
      md += "\n";
    }
  }
  return md;
}

std::vector<fs::path> write_summary_figures(const json& s, const std::vector<int>& distance_layers,
                                            const fs::path& dir) {
  static const std::vector<std::string> colors = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  static const std::vector<int> points = {report::kPointCircle, report::kPointTriangle, report::kPointSquare,
                                          report::kPointDiamond};
  std::map<std::string, std::map<std::string, std::vector<json>>> by;  // task -> model -> rows
  std::vector<std::string> model_order;
  for (const auto& m : s["models"]) model_order.push_back(m["name"]);
  for (const auto& r : s["results"]) by[r["task"]][r["model"]].push_back(r);
  std::vector<report::FigureFiles> files;
  // Figs 2–3: accuracy against layer, one series per checkpoint, one figure per task.
  for (const auto& [task, models] : by) {
    report::LinePanel p;
    p.title = fmt::format("{}: DirectProbe accuracy per layer", task);
    p.xlabel = "layer (0 = embeddings)";
    p.ylabel = "mean accuracy over labels";
    p.y_range = std::make_pair(0.0, 1.0);
    p.key_position = "bottom right";
    for (size_t i = 0; i < model_order.size(); ++i) {
      const auto it = models.find(model_order[i]);
      if (it == models.end()) continue;
      report::Series sr;
      sr.title = model_order[i];
      sr.style = report::SeriesStyle::kLinesPoints;
      sr.color = colors[i % colors.size()];
      sr.point_type = points[i % points.size()];
      for (const auto& r : it->second) sr.x.push_back(r["layer"].get<double>()), sr.y.push_back(r["mean_over_labels"]);
      p.series.push_back(sr);
    }
    // Integer ticks: the categorical axis puts label i at x = i, which is layer i.
    double max_layer = 0;
    for (const auto& sr : p.series)
      for (double x : sr.x) max_layer = std::max(max_layer, x);
    for (int l = 0; l <= static_cast<int>(max_layer); ++l) p.x_tick_labels.push_back(std::to_string(l));
    p.x_range = std::make_pair(-0.25, max_layer + 0.25);
    report::Figure fig;
    fig.panels.push_back(p);
    files.push_back(report::write_figure_script(fig, dir, fmt::format("accuracy_by_layer_{}", task)));
  }
  // Fig. 4: accuracy by distance for chosen layers, one panel per checkpoint.
  if (by.count("distance")) {
    report::Figure fig;
    const auto& models = by.at("distance");
    fig.cols = static_cast<int>(std::min<size_t>(models.size(), 3));
    fig.rows = static_cast<int>((models.size() + fig.cols - 1) / fig.cols);
    fig.width = 450 * fig.cols;
    fig.height = 400 * fig.rows;
    for (const auto& name : model_order) {
      const auto it = models.find(name);
      if (it == models.end()) continue;
      const auto& rows = it->second;
      std::vector<int> want = distance_layers;
      if (want.empty()) {  // first, middle and last probed layer
        std::set<int> pick = {rows.front()["layer"].get<int>(), rows[rows.size() / 2]["layer"].get<int>(),
                              rows.back()["layer"].get<int>()};
        want.assign(pick.begin(), pick.end());
      }
      report::LinePanel p;
      p.title = fmt::format("{}: accuracy by AST distance", name);
      p.xlabel = "AST distance";
      p.ylabel = "accuracy";
      p.y_range = std::make_pair(0.0, 1.0);
      p.x_range = std::make_pair(1.5, 6.5);
      size_t k = 0;
      for (const auto& r : rows) {
        const int l = r["layer"].get<int>();
        if (std::find(want.begin(), want.end(), l) == want.end() || !r.contains("per_value")) continue;
        report::Series sr;
        sr.title = fmt::format("layer {}", l);
        sr.style = report::SeriesStyle::kLinesPoints;
        sr.color = colors[k % colors.size()];
        sr.point_type = points[k % points.size()];
        ++k;
        for (const auto& v : r["per_value"]) {
          sr.x.push_back(v["value"].get<double>());
          sr.y.push_back(v["accuracy"].is_number() ? v["accuracy"].get<double>() : std::nan(""));
        }
        p.series.push_back(sr);
      }
      fig.panels.push_back(p);
    }
    files.push_back(report::write_figure_script(fig, dir, "accuracy_by_distance"));
  }
  report::render_figures(files);
  std::vector<fs::path> pngs;
  for (const auto& f : files)
    if (fs::exists(f.png)) pngs.push_back(f.png);
  return pngs;
}

}  // namespace codessm::layer_probe
