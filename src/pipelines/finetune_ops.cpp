// `codessm finetune` and `codessm eval`: tokenizer, task objective, a model with the objective's head (a preset
// sized to the tokenizer, or a checkpoint whose MLM head is swapped), the trainer, and the reports.
#include "codessm/pipelines/finetune_ops.h"

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/checkpoint.h"
#include "codessm/report/report.h"
#include "codessm/tasks/datasets.h"
#include "codessm/tensor/device.h"
#include "codessm/train/cloze.h"
#include "codessm/train/finetune_objectives.h"
#include "codessm/train/trainer.h"
#include "mlm_eval.h"
#include "train_setup.h"

namespace codessm::pipelines {

using nlohmann::json;

config::TrainConfig default_finetune_config() {
  config::TrainConfig c;
  c.task = "retrieval";
  c.schedule = "linear";  // [CS App. D]: linear in fine-tuning
  c.eval_every = 200;
  c.save_every = 500;
  c.keep_last = 1;
  return c;
}

namespace {

/// The model to fine-tune: `cfg.model` (preset or checkpoint) with the head the objective needs.
model::CodeModel model_with_head(const config::TrainConfig& cfg, const data::Tokenizer& tok, const train::HeadSpec& h) {
  const int64_t n = static_cast<int64_t>(h.labels.size());
  if (config::is_preset(cfg.model)) {
    auto mc = detail::preset_sized_to(cfg.model, cfg.model_overrides, tok, cfg.max_length);
    mc.task = h.task;
    if (n > 0) mc.num_labels = n;
    mc.id2label = h.labels;
    return model::CodeModel(mc);
  }
  model::LoadOptions lo;
  lo.task = h.task;
  lo.num_labels = n;
  lo.id2label = h.labels;
  model::LoadReport rep;
  auto m = model::load_pretrained(cfg.model, lo, &rep);
  spdlog::info("{}: {} tensors loaded, {} new (head) initialised, {} skipped ({})", cfg.model, rep.loaded.size(),
               rep.missing_initialised.size(), rep.skipped_unexpected.size(),
               rep.skipped_unexpected.empty() ? "none" : rep.skipped_unexpected.front() + ", ...");
  CODESSM_REQUIRE(m->config().vocab_size >= tok.vocab_size(), UsageError,
                  "{}: vocab_size {} is smaller than the tokenizer's {}; use the tokenizer the model was trained with",
                  cfg.model, m->config().vocab_size, tok.vocab_size());
  return m;
}

std::string metrics_markdown(const std::string& title, const json& metrics) {
  report::Table t;
  t.header = {"metric", "value"};
  for (auto& [k, v] : metrics.items())
    if (v.is_number()) t.rows.push_back({k, report::fmt_num(v.get<double>())});
  return "## " + title + "\n\n" + t.to_markdown() + "\n";
}

}  // namespace

json run_finetune(const FinetuneOptions& o) {
  CODESSM_REQUIRE(!o.out.empty(), UsageError, "finetune: --out RUN_DIR is required");
  auto overrides = o.overrides;
  if (!o.task.empty()) overrides.insert(overrides.begin(), "task=" + o.task);
  auto cfg = detail::resolve_train_config(o.config_file, o.resume, o.out, overrides, default_finetune_config(),
                                          "finetune");
  CODESSM_REQUIRE(cfg.task != "mlm", UsageError, "finetune: task mlm is pretraining; use `codessm pretrain`");
  int64_t rank = 0;
  auto sync = detail::setup_distributed(cfg, &rank);
  tensor::set_seed(cfg.seed);
  std::shared_ptr<const data::Tokenizer> tok = data::load_tokenizer(cfg.tokenizer);
  auto objective = train::make_task_objective(cfg, tok);
  const auto head = objective->head();
  auto model = model_with_head(cfg, *tok, head);
  auto hooks = detail::make_hooks(cfg, model->config());
  const auto to = detail::trainer_options(o, sync);
  train::Trainer trainer(cfg, model, std::move(objective), to, hooks);
  const auto tr = trainer.run();
  json result{{"task", cfg.task}, {"dataset", cfg.dataset}, {"train", tr.to_json()}};
  // A time-budget stop (max_seconds) still gets its test evaluation; a stop_after_step stop is a pause.
  if (rank != 0 || (!tr.finished && tr.stopped_by != "max_seconds")) return result;

  // ---- test split: the best dev checkpoint (CodeXGLUE practice), else the final weights ----
  std::string md = "# Fine-tuning: " + cfg.task + "\n\n";
  if (tr.last_eval.metrics.size()) md += metrics_markdown("Last evaluation (step " + std::to_string(tr.steps) + ")", tr.last_eval.metrics);
  if (!cfg.test_data.empty()) {
    const fs::path best = o.out / "best";
    const bool use_best = cfg.save_best && fs::exists(best / "config.json");
    auto test_model = use_best ? model::load_pretrained(best) : trainer.model();
    test_model->to(tensor::parse_device(cfg.device));
    auto test = train::make_eval_objective(cfg, tok, cfg.test_data, head.labels);
    const auto r = test->evaluate_with_predictions(test_model, tensor::parse_device(cfg.device),
                                                   o.out / "reports" / "test_predictions.jsonl");
    result["test"] = r.metrics;
    result["test_model"] = use_best ? best.string() : "final weights";
    md += metrics_markdown("Test (" + cfg.test_data + ", " + (use_best ? "best dev checkpoint" : "final weights") + ")",
                           r.metrics);
    spdlog::info("test {}: {} = {:.4f}", cfg.test_data, r.primary, r.value);
  }
  report::write_json(o.out / "reports" / "finetune.json", report::make_envelope("train.finetune", 1, result, "finetune"));
  report::write_text(o.out / "reports" / "finetune.md", md);
  return result;
}

json run_eval(const EvalOptions& o) {
  CODESSM_REQUIRE(!o.model.empty() && !o.tokenizer.empty(), UsageError, "eval: --model and --tokenizer are required");
  CODESSM_REQUIRE(!o.data.empty(), UsageError, "eval: --data FILE is required");
  const torch::Device device = tensor::parse_device(o.device);
  std::shared_ptr<const data::Tokenizer> tok = data::load_tokenizer(o.tokenizer.string());
  auto model = model::load_pretrained(o.model);
  model->to(device);
  json result{{"task", o.task}, {"model", o.model.string()}};
  std::string md = "# Evaluation: " + o.task + " (" + o.model.string() + ")\n\n";

  if (o.task == "cloze") {
    report::Table t;
    t.header = {"language", "examples", "answered", "accuracy"};
    json langs = json::object();
    for (const auto& file : o.data) {
      const std::string lang = fs::path(file).stem() == "clozeTest" ? fs::path(file).parent_path().filename().string()
                                                                     : fs::path(file).stem().string();
      const auto ex = tasks::read_cloze(file);
      std::map<std::string, std::string> answers;
      if (!o.answers.empty()) {
        const fs::path a = fs::is_directory(o.answers) ? o.answers / lang / "answers.txt" : o.answers;
        if (fs::exists(a)) answers = tasks::read_codesplit(a);
        else spdlog::warn("cloze {}: no answers file {}; predictions only", lang, a.string());
      }
      const auto r = train::run_cloze(model, *tok, ex, answers, device);
      langs[lang] = r.to_json();
      t.rows.push_back({lang, report::fmt_int(static_cast<long long>(ex.size())), report::fmt_int(r.answered),
                        r.answered ? report::fmt_num(100.0 * r.accuracy(), 4) : "-"});
      if (!o.out.empty()) tasks::write_codesplit(o.out / lang / "predictions.txt", r.predictions);
    }
    result["languages"] = langs;
    md += t.to_markdown() + "\n";
  } else if (o.task == "mlm") {
    // Held-out masked-token loss/accuracy on token shards (context_length, batch_size, eval_batches, data_seed
    // from --set, as in the training run whose figure is to be reproduced).
    config::TrainConfig cfg;
    cfg.apply_overrides_unvalidated(o.overrides);
    cfg.tokenizer = o.tokenizer.string();
    for (const auto& file : o.data) {
      cfg.eval_shards = file;
      const auto m = detail::mlm_heldout_metrics(model, tok, cfg, device);
      result["results"][file] = m;
      md += metrics_markdown(file, m);
      spdlog::info("{}: eval_accuracy = {:.4f}, eval_loss = {:.4f}", file, m.at("eval_accuracy").get<double>(),
                   m.at("eval_loss").get<double>());
    }
  } else {
    config::TrainConfig cfg;
    cfg.task = o.task;
    cfg.apply_overrides_unvalidated(o.overrides);
    for (const auto& file : o.data) {
      auto obj = train::make_eval_objective(cfg, tok, file, model->config().id2label);
      const fs::path pred = o.out.empty() ? fs::path() : o.out / (fs::path(file).stem().string() + ".predictions.jsonl");
      const auto r = pred.empty() ? obj->evaluate(model, device) : obj->evaluate_with_predictions(model, device, pred);
      result["results"][file] = r.metrics;
      md += metrics_markdown(file, r.metrics);
      spdlog::info("{}: {} = {:.4f}", file, r.primary, r.value);
    }
  }
  if (!o.out.empty()) {
    report::write_json(o.out / "eval.json", report::make_envelope("eval." + o.task, 1, result, "eval"));
    report::write_text(o.out / "eval.md", md);
  }
  return result;
}

}  // namespace codessm::pipelines
