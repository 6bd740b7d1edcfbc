// `codessm finetune` and `codessm eval`: prepare_run (a fine-tuning objective and a model with its head), the
// trainer, the test split, and the reports; eval builds only an Evaluator from the objective's task config.
#include "codessm/pipelines/finetune_ops.h"

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/checkpoint.h"
#include "codessm/report/report.h"
#include "codessm/benchmarks/datasets.h"
#include "codessm/tensor/device.h"
#include "codessm/train/cloze.h"
#include "codessm/train/finetune_objectives.h"
#include "codessm/config/overrides.h"
#include "codessm/data/tokenizer_check.h"
#include "codessm/train/trainer.h"
#include "mlm_eval.h"
#include "train_setup.h"

namespace codessm::pipelines {

using nlohmann::json;

config::TrainConfig default_finetune_config() {
  auto c = config::TrainConfig::for_objective(config::ObjectiveKind::kRetrieval);
  c.optim.schedule = config::Schedule::kLinear;  // [CS App. D]: linear in fine-tuning
  c.run.eval_every = 200;
  c.run.save_every = 500;
  c.run.keep_last = 1;
  return c;
}

namespace {

std::string metrics_markdown(const std::string& title, const json& metrics) {
  report::Table t;
  t.header = {"metric", "value"};
  for (auto& [k, v] : metrics.items())
    if (v.is_number()) t.rows.push_back({k, report::fmt_num(v.get<double>())});
  return "## " + title + "\n\n" + t.to_markdown() + "\n";
}

}  // namespace

json run_finetune(const FinetuneOptions& o) {
  auto opts = static_cast<const TrainRunOptions&>(o);
  if (!o.objective.empty()) opts.overrides.insert(opts.overrides.begin(), "objective=" + o.objective);
  auto r = detail::prepare_run(opts, default_finetune_config(), /*mlm=*/false, "finetune");
  const auto cfg = r.cfg;
  const auto labels = r.objective.head.labels;
  train::Trainer trainer(r.cfg, r.model, std::move(r.objective), r.options, r.hooks);
  const auto tr = trainer.run();
  const auto& files = config::task_files(cfg.task);
  json result{{"objective", config::to_string(cfg.objective)}, {"train", tr.to_json()}};
  // A time-budget stop (max_seconds) still gets its test evaluation; a stop_after_step stop is a pause.
  if (r.rank != 0 || (!tr.finished && tr.stopped_by != "max_seconds")) return result;

  // ---- test split: the best dev checkpoint (CodeXGLUE practice), else the final weights ----
  const std::string name = config::to_string(cfg.objective);
  std::string md = "# Fine-tuning: " + name + "\n\n";
  if (tr.last_eval.metrics.size())
    md += metrics_markdown("Last evaluation (step " + std::to_string(tr.steps) + ")", tr.last_eval.metrics);
  if (!files.test_data.empty()) {
    const fs::path best = o.out / "best";
    const bool use_best = cfg.run.save_best && fs::exists(best / "config.json");
    const torch::Device device = tensor::parse_device(cfg.run.device);
    auto test_model = use_best ? model::load_pretrained(best) : trainer.model();
    test_model->to(device);
    auto test = train::make_task_evaluator(cfg.task, cfg.optim.batch_size, r.tok, files.test_data, labels);
    auto res = test->evaluate_with_predictions(test_model, device, o.out / "reports" / "test_predictions.jsonl");
    train::select_metric(res, cfg.run.metric);
    result["test"] = res.metrics;
    result["test_model"] = use_best ? best.string() : "final weights";
    md += metrics_markdown("Test (" + files.test_data + ", " + (use_best ? "best dev checkpoint" : "final weights") + ")",
                           res.metrics);
    spdlog::info("test {}: {} = {:.4f}", files.test_data, res.primary, res.value);
  }
  report::write_json(o.out / "reports" / "finetune.json", report::make_envelope("train.finetune", 1, result, "finetune"));
  report::write_text(o.out / "reports" / "finetune.md", md);
  return result;
}

json run_eval(const EvalOptions& o) {
  CODESSM_REQUIRE(!o.model.empty(), UsageError, "eval: the model (a checkpoint folder) is required");
  CODESSM_REQUIRE(!o.data.empty(), UsageError, "eval: --data FILE is required");
  const torch::Device device = tensor::parse_device(o.device);
  // A checkpoint written by codessm carries its tokenizer; --tokenizer names another one (checked against it).
  const fs::path tok_dir = o.tokenizer.empty() ? o.model : o.tokenizer;
  std::shared_ptr<const data::Tokenizer> tok = data::load_tokenizer(tok_dir);
  auto model = model::load_pretrained(o.model);
  data::check_tokenizer_fits(model->config(), *tok, o.model.string(), tok_dir.string());
  model->to(device);
  json result{{"objective", o.objective}, {"model", o.model.string()}};
  std::string md = "# Evaluation: " + o.objective + " (" + o.model.string() + ")\n\n";

  if (o.objective == "cloze") {
    report::Table t;
    t.header = {"language", "examples", "answered", "accuracy"};
    json langs = json::object();
    for (const auto& file : o.data) {
      const std::string lang = fs::path(file).stem() == "clozeTest" ? fs::path(file).parent_path().filename().string()
                                                                     : fs::path(file).stem().string();
      const auto ex = benchmarks::read_cloze(file);
      std::map<std::string, std::string> answers;
      if (!o.answers.empty()) {
        const fs::path a = fs::is_directory(o.answers) ? o.answers / lang / "answers.txt" : o.answers;
        if (fs::exists(a)) answers = benchmarks::read_codesplit(a);
        else spdlog::warn("cloze {}: no answers file {}; predictions only", lang, a.string());
      }
      const auto r = train::run_cloze(model, *tok, ex, answers, device);
      langs[lang] = r.to_json();
      t.rows.push_back({lang, report::fmt_int(static_cast<long long>(ex.size())), report::fmt_int(r.answered),
                        r.answered ? report::fmt_num(100.0 * r.accuracy(), 4) : "-"});
      if (!o.out.empty()) benchmarks::write_codesplit(o.out / lang / "predictions.txt", r.predictions);
    }
    result["languages"] = langs;
    md += t.to_markdown() + "\n";
  } else if (o.objective == "mlm") {
    // Held-out masked-token loss/accuracy on token shards (context_length, eval_batches, data_seed, ... from
    // --set, batch size from --batch-size, as in the training run whose figure is to be reproduced).
    for (const auto& file : o.data) {
      json doc = config::TrainConfig::for_objective(config::ObjectiveKind::kMlm).to_json();
      doc["tokenizer"] = tok_dir.string();
      doc["optim"]["batch_size"] = o.batch_size;
      doc["mlm"]["train_shards"] = file;
      doc["mlm"]["eval_shards"] = file;
      const auto cfg = config::TrainConfig::resolve(doc, o.overrides, "eval --task mlm");
      const auto m = detail::mlm_heldout_metrics(model, tok, cfg, device);
      result["results"][file] = m;
      md += metrics_markdown(file, m);
      spdlog::info("{}: eval_accuracy = {:.4f}, eval_loss = {:.4f}", file, m.at("eval_accuracy").get<double>(),
                   m.at("eval_loss").get<double>());
    }
  } else {
    // The objective's own task config, patched by --set (no options bag: only its fields exist).
    const auto kind = config::parse_objective(o.objective);
    json doc = config::task_config_to_json(config::default_task_config(kind));
    config::apply_overrides(doc, o.overrides, {"task config of objective " + o.objective, "docs/finetune.md", {}});
    const auto task = config::task_config_from_json(kind, doc, "eval --set");
    for (const auto& file : o.data) {
      auto ev = train::make_task_evaluator(task, o.batch_size, tok, file, model->config().id2label);
      const fs::path pred = o.out.empty() ? fs::path() : o.out / (fs::path(file).stem().string() + ".predictions.jsonl");
      const auto r = pred.empty() ? ev->evaluate(model, device) : ev->evaluate_with_predictions(model, device, pred);
      result["results"][file] = r.metrics;
      md += metrics_markdown(file, r.metrics);
      spdlog::info("{}: {} = {:.4f}", file, r.primary, r.value);
    }
  }
  if (!o.out.empty()) {
    report::write_json(o.out / "eval.json", report::make_envelope("eval." + o.objective, 1, result, "eval"));
    report::write_text(o.out / "eval.md", md);
  }
  return result;
}

void add_eval_settings(EvalOptions& o, const json& settings) {
  for (const auto& [k, v] : settings.items()) {
    if (k == "batch_size") o.batch_size = v.get<int64_t>();
    else o.overrides.push_back(k + "=" + v.dump());
  }
}

}  // namespace codessm::pipelines
