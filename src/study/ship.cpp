// `codessm study --ship DIR`: the embedded default from a finished study (docs/study.md §Shipped models) — every
// fully returned pretrained model and fine-tuned type-inference model with the tokenizer, their held-out checks
// (the figure the training run recorded, and the data and settings to measure it again), a small probing set (a
// few hundred pairs per task from the study's held-out functions) and a max/min cloze set with answers.
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/layer_probe/dataset.h"
#include "codessm/report/report.h"
#include "study_context.h"

namespace codessm::study {

using nlohmann::json;

namespace {

void copy_tree(const fs::path& src, const fs::path& dst) {
  core::ensure_dir(dst);
  for (const auto& e : fs::directory_iterator(src)) {
    const auto n = e.path().filename().string();
    if (n == kStageRecordFile || n[0] == '.') continue;
    fs::copy(e.path(), dst / n, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
}

/// The first `per_label` train pairs and per_label/4 test pairs of every label (the dataset's own seeded order),
/// keeping only the functions they use.
layer_probe::ProbeDataset subsample(const layer_probe::ProbeDataset& d, int64_t per_label) {
  layer_probe::ProbeDataset out = d;
  out.functions.clear();
  out.train.clear();
  out.test.clear();
  std::map<int32_t, int32_t> fmap;
  auto take = [&](const std::vector<layer_probe::ProbePair>& src, std::vector<layer_probe::ProbePair>& dst, int64_t cap) {
    std::map<int32_t, int64_t> n;
    for (auto p : src) {
      if (n[p.label]++ >= cap) continue;
      auto it = fmap.find(p.function);
      if (it == fmap.end()) {
        it = fmap.emplace(p.function, static_cast<int32_t>(out.functions.size())).first;
        out.functions.push_back(d.functions[static_cast<size_t>(p.function)]);
      }
      p.function = it->second;
      dst.push_back(p);
    }
  };
  take(d.train, out.train, per_label);
  take(d.test, out.test, std::max<int64_t>(1, per_label / 4));
  out.provenance["subsampled"] = {{"per_label_train", per_label}, {"per_label_test", std::max<int64_t>(1, per_label / 4)},
                                  {"from_train", d.train.size()}, {"from_test", d.test.size()}};
  return out;
}

json model_entry(StudyContext& ctx, const std::string& key, const fs::path& dst, const std::string& data_rel) {
  const fs::path src = ctx.dir(key);
  core::ensure_dir(dst);
  for (const auto& e : fs::directory_iterator(src / "final")) fs::copy_file(e.path(), dst / e.path().filename(),
                                                                           fs::copy_options::overwrite_existing);
  const json ev = json::parse(core::read_file(src / "heldout" / "eval.json")).at("results");
  const auto& job = make_job(ctx.cfg, key, local_paths(ctx));
  const StageRecord& rec = ctx.rec(key);
  json device = fs::exists(src / "device_job.json") ? json::parse(core::read_file(src / "device_job.json")) : json();
  json h{{"task", job.heldout.at("task")},
         {"data", data_rel},
         {"set", job.heldout.at("set")},
         {"recorded", ev.at("results").begin().value()},
         {"recorded_by", "the training run (" + std::string(device.is_object() ? "GPU machine: " + device.value("machine", "") : "this machine") +
                             "), `codessm eval` on the checkpoint as shipped"},
         {"source", {{"study", ctx.cfg.name}, {"stage", key}, {"input_hash", rec.input_hash}, {"output_hash", rec.output_hash}}},
         {"training", rec.info.contains("train") ? rec.info["train"] : rec.info.value("finetune", json::object()).value("train", json())}};
  report::write_json(dst / "heldout.json", h);
  return h;
}

uint64_t tree_size(const fs::path& p) {
  uint64_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(p))
    if (e.is_regular_file()) n += e.file_size();
  return n;
}

}  // namespace

json ship_models(StudyContext& ctx, const fs::path& out) {
  for (const char* k : {"tokenizer", "shards", "probe-data", "cloze-data"})
    CODESSM_REQUIRE(ctx.has(k), UsageError, "--ship: stage '{}' is not complete", k);
  core::remove_tree(out);
  core::ensure_dir(out / "data");
  copy_tree(ctx.dir("tokenizer") / "tokenizer", out / "tokenizer");
  copy_tree(ctx.dir("shards") / "heldout", out / "data" / "heldout");
  json shipped = json::object();
  bool types_shipped = false;  // one fine-tuned model (the first SSM one): the 48 MiB budget holds three
  for (const auto& m : ctx.cfg.models) {
    if (m.returns != "full" || !ctx.has(pretrain_key(m.name))) continue;
    shipped[m.name] = model_entry(ctx, pretrain_key(m.name), out / m.name, "data/heldout");
    const std::string tk = finetune_key("types", m.name);
    const bool ssm = config::make_preset(m.preset).arch == config::Arch::kBiGS;
    if (!types_shipped && ssm && ctx.has(tk) && fs::exists(ctx.dir(tk) / "heldout" / "eval.json")) {
      types_shipped = true;
      if (!fs::exists(out / "data" / "types-heldout.jsonl"))
        fs::copy_file(ctx.dir("types-data") / "heldout.jsonl", out / "data" / "types-heldout.jsonl");
      shipped[m.name + "-types"] = model_entry(ctx, tk, out / (m.name + "-types"), "data/types-heldout.jsonl");
    }
  }
  CODESSM_REQUIRE(!shipped.empty(), UsageError, "--ship: no pretrained model with a full checkpoint is complete");
  // Probing: a few hundred pairs per task, from the study's held-out functions.
  for (const auto& t : ctx.cfg.probing.tasks) {
    const auto d = layer_probe::load_dataset(ctx.dir("probe-data") / (t + ".json"));
    layer_probe::save_dataset(subsample(d, t == "distance" ? 40 : 60), out / "data" / "probe" / (t + ".json"));
  }
  // Cloze: up to 100 items per language, with answers.
  for (const auto& e : fs::directory_iterator(ctx.dir("cloze-data"))) {
    if (e.path().extension() != ".json" || e.path().filename() == kStageRecordFile) continue;
    const std::string lang = e.path().stem().string();
    json items = json::parse(core::read_file(e.path()));
    if (items.size() > 100) items.erase(items.begin() + 100, items.end());
    std::set<std::string> keep;
    for (const auto& it : items) keep.insert(it.at("idx").get<std::string>());
    std::string answers, line;
    std::ifstream in(ctx.dir("cloze-data") / "answers" / lang / "answers.txt");
    while (std::getline(in, line))
      if (keep.count(line.substr(0, line.find("<CODESPLIT>")))) answers += line + "\n";
    core::write_file_atomic(out / "data" / "cloze" / (lang + ".json"), items.dump() + "\n");
    core::write_file_atomic(out / "data" / "cloze" / "answers" / lang / "answers.txt", answers);
  }
  const double mib = static_cast<double>(tree_size(out)) / (1 << 20);
  // README: what each checkpoint is, how it was trained, and its held-out figure.
  std::string md = "# Shipped checkpoints (the embedded default)\n\nWritten by `codessm study --ship` from the study `" +
                   ctx.cfg.name + "` (docs/study.md); `study/report.md` has the whole study. Tokenizer: `tokenizer/` "
                   "(SentencePiece, " + std::to_string(ctx.rec("tokenizer").info.value("vocab_size", 0)) +
                   " ids). Each folder is a Hugging Face-style checkpoint (config.json + model.safetensors, bf16 with "
                   "the SSM kernel parameters in fp32) with `heldout.json`: the figure its training run recorded and "
                   "the data and settings that measure it again (`tests/study/shipped_models_test.cpp`).\n\n";
  report::Table t{{"folder", "task", "held-out figure (recorded)", "training"}, {}};
  for (const auto& [name, h] : shipped.items()) {
    const json& r = h["recorded"];
    const std::string fig = h["task"] == "mlm" ? fmt::format("masked-token accuracy {:.4f}", r.value("eval_accuracy", 0.0))
                                               : fmt::format("type F1 {:.4f} (accuracy {:.4f})", r.value("f1", 0.0),
                                                             r.value("accuracy", 0.0));
    const json& tr = h["training"];
    t.rows.push_back({name, h["task"], fig,
                      tr.is_object() ? fmt::format("{} steps, {:.1f} M tokens", tr.value("steps", 0),
                                                   tr.value("tokens_seen", 0.0) / 1e6)
                                     : ""});
  }
  md += t.to_markdown() + fmt::format("\nData: `data/heldout` (held-out shards), `data/types-heldout.jsonl`, "
                                      "`data/probe/*.json` (probing pairs), `data/cloze/` (max/min with answers). "
                                      "Total {:.1f} MiB.\n",
                                      mib);
  report::write_text(out / "README.md", md);
  spdlog::info("study: shipped {} checkpoints to {} ({:.1f} MiB)", shipped.size(), out.string(), mib);
  if (mib > 48) spdlog::warn("study: the shipped folder is {:.1f} MiB, above the 48 MiB budget", mib);
  return {{"dir", out.string()}, {"models", shipped}, {"mib", mib}};
}

}  // namespace codessm::study
