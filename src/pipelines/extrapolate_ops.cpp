// `codessm extrapolate`: one fine-tuning run per context length (through run_finetune, so each is an ordinary,
// resumable run folder) plus the zero-shot MLM metrics of the starting checkpoint at every length, collected
// into one report and one figure.
#include "codessm/pipelines/extrapolate_ops.h"

#include <algorithm>
#include <set>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/checkpoint.h"
#include "codessm/pipelines/finetune_ops.h"
#include "codessm/report/figure.h"
#include "codessm/report/report.h"
#include "codessm/tensor/device.h"
#include "codessm/train/run_checkpoints.h"
#include "mlm_eval.h"

namespace codessm::pipelines {

using nlohmann::json;

namespace {

/// The test value of the task's selection metric (else the best dev value), or null.
json headline(const json& ft) {
  if (!ft.is_object()) return nullptr;
  const auto& tr = ft.value("train", json::object());
  const std::string metric = tr.value("selection_metric", "");
  if (!metric.empty() && ft.contains("test") && ft["test"].contains(metric)) return ft["test"][metric];
  if (tr.contains("best")) return tr["best"]["value"];
  return nullptr;
}

/// The fine-tuning result of one length: read back when the run finished earlier, else run (or resume) it.
json finetune_at(const ExtrapolateOptions& o, const config::TrainConfig& base, int64_t length, int64_t batch) {
  const fs::path dir = o.out / ("L" + std::to_string(length));
  const fs::path report_file = dir / "reports" / "finetune.json";
  if (fs::exists(report_file)) {
    spdlog::info("extrapolate: length {} already done ({})", length, report_file.string());
    return json::parse(core::read_file(report_file)).at("results");
  }
  FinetuneOptions fo;
  fo.config_file = o.config_file;
  fo.overrides = o.overrides;
  fo.overrides.push_back("max_length=" + std::to_string(length));
  fo.overrides.push_back("batch_size=" + std::to_string(batch));
  if (!o.model.empty()) fo.overrides.push_back("model=" + o.model);
  if (!o.tokenizer.empty()) fo.overrides.push_back("tokenizer=" + o.tokenizer.string());
  fo.overrides.push_back("device=" + o.device);
  fo.overrides.push_back("dtype=" + o.dtype);
  fo.out = dir;
  fo.resume = !train::list_checkpoints(dir).empty();
  fo.max_seconds = o.max_seconds;
  fo.progress = o.progress;
  spdlog::info("extrapolate: fine-tuning {} at length {} (batch {}){}", config::to_string(base.objective), length, batch,
               fo.resume ? ", resumed" : "");
  return run_finetune(fo);
}

}  // namespace

json run_extrapolate(const ExtrapolateOptions& o) {
  CODESSM_REQUIRE(!o.out.empty(), UsageError, "extrapolate: --out DIR is required");
  CODESSM_REQUIRE(!o.lengths.empty(), UsageError, "extrapolate: --lengths is required, e.g. --lengths 256,1024,2048");
  for (size_t i = 0; i < o.lengths.size(); ++i)
    CODESSM_REQUIRE(o.lengths[i] >= 8 && (i == 0 || o.lengths[i] > o.lengths[i - 1]), UsageError,
                    "extrapolate: --lengths must be ascending and >= 8 (got {} at position {})", o.lengths[i], i);
  const bool finetune = !o.config_file.empty();
  CODESSM_REQUIRE(finetune || !o.mlm_shards.empty(), UsageError,
                  "extrapolate: nothing to do; give --config (fine-tuning at every length) and/or --mlm-shards");
  CODESSM_REQUIRE(o.mlm_tokens > 0, UsageError, "extrapolate: --mlm-tokens must be > 0");

  config::TrainConfig base;
  if (finetune) {
    base = config::TrainConfig::load(o.config_file.string());
    auto ov = o.overrides;
    if (!o.model.empty()) ov.push_back("model=" + o.model);
    if (!o.tokenizer.empty()) ov.push_back("tokenizer=" + o.tokenizer.string());
    base.apply_overrides(ov);
    CODESSM_REQUIRE(base.objective != config::ObjectiveKind::kMlm, UsageError,
                    "extrapolate: {} has objective mlm; give a fine-tuning config (types, retrieval, ...)",
                    o.config_file.string());
  } else {
    CODESSM_REQUIRE(!o.model.empty() && !o.tokenizer.empty(), UsageError,
                    "extrapolate: without --config, the model and --tokenizer are required");
    base.model.source = config::is_preset(o.model) ? config::ModelSpec::Source::kPreset
                                                   : config::ModelSpec::Source::kCheckpoint;
    base.model.name = o.model;
    base.tokenizer = o.tokenizer.string();
  }
  const std::string model_name = base.model.name;
  core::ensure_dir(o.out);
  const torch::Device device = tensor::parse_device(o.device);
  const fs::path model_json = fs::path(model_name) / "config.json";
  const int64_t pretrained_at =
      base.model.is_preset()
          ? config::make_preset(model_name).pretraining_context
          : config::ModelConfig::from_json(json::parse(core::read_file(model_json)), model_json.string()).pretraining_context;

  json rows = json::array();
  std::shared_ptr<const data::Tokenizer> tok;
  model::CodeModel mlm_model{nullptr};
  if (!o.mlm_shards.empty()) {
    tok = data::load_tokenizer(base.tokenizer);
    mlm_model = model::load_pretrained(model_name);
    mlm_model->to(device);
  }
  report::Table table;
  table.header = {"length", "batch", "fine-tuned test metric", "zero-shot MLM accuracy"};
  for (const int64_t L : o.lengths) {
    json row{{"length", L}};
    // Tokens per step held at the config's (batch × max_length), so longer inputs do not buy more training.
    const int64_t batch_size = base.optim.batch_size;
    const int64_t max_length = finetune ? config::task_files(base.task).max_length : L;
    const int64_t batch = o.constant_tokens ? std::max<int64_t>(1, batch_size * max_length / L) : batch_size;
    if (finetune) {
      row["batch_size"] = batch;
      row["finetune"] = finetune_at(o, base, L, batch);
      row["metric"] = row["finetune"].value("train", json::object()).value("selection_metric", "");
      row["value"] = headline(row["finetune"]);
    }
    if (mlm_model) {
      auto mc = config::TrainConfig::for_objective(config::ObjectiveKind::kMlm);
      mc.tokenizer = base.tokenizer;
      mc.mlm.eval_shards = o.mlm_shards.string();
      mc.mlm.context_length = L;
      mc.optim.batch_size = std::max<int64_t>(1, std::min<int64_t>(16384, o.mlm_tokens) / L);
      mc.mlm.eval_batches = std::max<int64_t>(1, o.mlm_tokens / (mc.optim.batch_size * L));
      row["mlm"] = detail::mlm_heldout_metrics(mlm_model, tok, mc, device);
      spdlog::info("extrapolate: zero-shot MLM at length {}: accuracy {:.4f}", L,
                   row["mlm"]["eval_accuracy"].get<double>());
    }
    table.rows.push_back({std::to_string(L), finetune ? std::to_string(batch) : "-",
                          row.contains("value") && row["value"].is_number()
                              ? row["metric"].get<std::string>() + " " + report::fmt_num(row["value"].get<double>())
                              : "-",
                          row.contains("mlm") ? report::fmt_num(row["mlm"]["eval_accuracy"].get<double>()) : "-"});
    rows.push_back(row);
  }
  json result{{"model", model_name},
              {"pretraining_context", pretrained_at},
              {"task", finetune ? config::to_string(base.objective) : "mlm"},
              {"lengths", o.lengths},
              {"constant_tokens", o.constant_tokens},
              {"mlm_shards", o.mlm_shards.string()},
              {"rows", rows}};
  report::write_json(o.out / "extrapolation.json", report::make_envelope("train.extrapolation", 1, result, "extrapolate"));
  const auto png = write_extrapolation_figure({{fs::path(model_name).filename().string(), result}}, o.out / "figures");
  std::string md = "# Length extrapolation: " + model_name + "\n\nPretrained at " + std::to_string(pretrained_at) +
                   " tokens; " +
                   (finetune ? "fine-tuned on " + config::to_string(base.objective) + " and evaluated at each length" : "") +
                   (finetune && mlm_model ? "; " : "") + (mlm_model ? "zero-shot MLM on " + o.mlm_shards.string() : "") +
                   ".\n\n" + table.to_markdown() + "\n";
  if (!png.empty()) md += "![extrapolation](figures/" + png.filename().string() + ")\n";
  report::write_text(o.out / "extrapolation.md", md);
  return result;
}

fs::path write_extrapolation_figure(const std::vector<std::pair<std::string, json>>& runs, const fs::path& dir,
                                    const std::string& stem) {
  std::set<int64_t> all;
  for (const auto& [name, r] : runs)
    for (const auto& row : r.at("rows")) all.insert(row.at("length").get<int64_t>());
  const std::vector<int64_t> lengths(all.begin(), all.end());
  auto x_of = [&](int64_t L) { return static_cast<double>(std::find(lengths.begin(), lengths.end(), L) - lengths.begin()); };
  report::LinePanel ft, mlm;
  ft.title = "fine-tuned, evaluated at the same length";
  mlm.title = "zero-shot masked-token accuracy";
  ft.xlabel = mlm.xlabel = "context length (tokens)";
  ft.ylabel = "test metric";
  mlm.ylabel = "accuracy";
  for (auto L : lengths) ft.x_tick_labels.push_back(std::to_string(L));
  mlm.x_tick_labels = ft.x_tick_labels;
  ft.key_position = mlm.key_position = "bottom left";
  std::string metric;
  for (const auto& [name, r] : runs) {
    report::Series a, b;
    a.title = b.title = name;
    a.style = b.style = report::SeriesStyle::kLinesPoints;
    for (const auto& row : r.at("rows")) {
      const double x = x_of(row.at("length").get<int64_t>());
      if (row.contains("value") && row["value"].is_number()) {
        a.x.push_back(x);
        a.y.push_back(row["value"].get<double>());
        metric = row.value("metric", metric);
      }
      if (row.contains("mlm")) {
        b.x.push_back(x);
        b.y.push_back(row["mlm"]["eval_accuracy"].get<double>());
      }
    }
    if (!a.x.empty()) ft.series.push_back(a);
    if (!b.x.empty()) mlm.series.push_back(b);
    const int64_t pre = r.value("pretraining_context", int64_t{0});
    if (pre > 0 && all.count(pre)) {
      for (auto* p : {&ft, &mlm})
        if (p->ref_lines.empty()) p->ref_lines.push_back({true, x_of(pre), "pretrained at " + std::to_string(pre)});
    }
  }
  if (!metric.empty()) ft.ylabel = "test " + metric;
  report::Figure fig;
  fig.title = "Length extrapolation";
  for (auto* p : {&ft, &mlm})
    if (!p->series.empty()) fig.panels.push_back(*p);
  if (fig.panels.empty()) return {};
  fig.cols = static_cast<int>(fig.panels.size());
  fig.width = 500 * fig.cols;
  fig.height = 420;
  const auto files = report::write_figure_script(fig, dir, stem);
  const auto rr = report::render_figures({files});
  return rr.rendered > 0 ? files.png : fs::path();
}

}  // namespace codessm::pipelines
