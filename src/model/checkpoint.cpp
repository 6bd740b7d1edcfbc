#include <fmt/ranges.h>  // fmt::join (moved out of format.h in fmt 11)
#include "codessm/model/checkpoint.h"

#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/tensor/safetensors.h"

namespace codessm::model {

using nlohmann::json;

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

std::string shape_str(c10::IntArrayRef s) { return fmt::format("[{}]", fmt::join(s.vec(), ", ")); }

/// Tensors a foreign checkpoint may carry that this model does not need, with why they are safe to drop.
bool is_known_ignorable(const std::string& name, const config::ModelConfig& cfg) {
  if (ends_with(name, "position_ids")) return true;                    // persistent buffer of HF embeddings
  if (ends_with(name, "embeddings.position_embeddings.weight") && cfg.position_embedding_type != "absolute")
    return true;  // BiGS always builds the table, unused without absolute positions [pt:169]
  if (ends_with(name, "encoder.embed_positions.weight")) return true;  // RoFormer's frozen sinusoid table
  if (name == "cls.predictions.decoder.bias") return true;             // alias of cls.predictions.bias
  if (name == "cls.predictions.decoder.weight" && cfg.tie_word_embeddings) return true;  // tied
  return false;
}

}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> export_state(CodeModel& model) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& p : model->named_parameters(/*recurse=*/true)) out.emplace_back(p.key(), p.value());
  return out;
}

config::ModelConfig load_config(const fs::path& dir) {
  fs::path p = fs::is_directory(dir) ? dir / "config.json" : dir;
  core::require_exists(p, "config file", "a checkpoint folder holds config.json next to model.safetensors");
  json j;
  try {
    j = json::parse(core::read_file(p));
  } catch (const json::exception& e) {
    throw DataError(fmt::format("'{}' is not valid JSON: {}", p.string(), e.what()));
  }
  return config::ModelConfig::from_json(j, p.string());
}

void save_pretrained(CodeModel& model, const fs::path& dir, const SaveOptions& opts) {
  if (opts.dtype != torch::kFloat32 && opts.dtype != torch::kBFloat16)
    throw UsageError("checkpoint storage dtype must be fp32 or bf16");
  auto state = export_state(model);
  for (auto& [n, t] : state)
    if (t.is_floating_point()) t = t.detach().to(torch::kCPU, opts.dtype);
  // Write a sibling temp folder and swap it in, so `dir` is always either the old or the new checkpoint.
  fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  core::ensure_dir(parent);
  fs::path tmp = parent / fmt::format(".{}.tmp-{}", dir.filename().string(), ::getpid());
  core::remove_tree(tmp);
  core::ensure_dir(tmp);
  auto cfgj = model->config().to_json();
  cfgj["codessm_checkpoint_format_version"] = kCheckpointFormatVersion;
  cfgj["torch_dtype"] = opts.dtype == torch::kBFloat16 ? "bfloat16" : "float32";
  core::write_file_atomic(tmp / "config.json", cfgj.dump(2) + "\n");
  std::map<std::string, std::string> meta = {{"format", "pt"},
                                             {"codessm_checkpoint_format_version", std::to_string(kCheckpointFormatVersion)}};
  tensor::save_safetensors_sharded(tmp, "model", state, opts.max_shard_bytes, meta);
  fs::path old = parent / fmt::format(".{}.old-{}", dir.filename().string(), ::getpid());
  if (fs::exists(dir)) fs::rename(dir, old);
  fs::rename(tmp, dir);
  core::remove_tree(old);
}

LoadReport load_weights(CodeModel& model, const fs::path& weights, bool strict_head) {
  tensor::SafetensorsStore store(weights);
  const auto& cfg = model->config();
  const std::string base = cfg.base_prefix() + ".";
  LoadReport rep;
  auto params = model->named_parameters(true);
  std::set<std::string> expected;
  for (auto& p : params) expected.insert(p.key());

  // HF's prefix logic: a checkpoint of the bare backbone (BiGSModel) has no "bigs." prefix.
  bool bare = true;
  for (auto& n : store.names())
    if (starts_with(n, base)) bare = false;
  auto model_name = [&](const std::string& n) {
    if (bare && !starts_with(n, "cls.") && !starts_with(n, "classifier.")) return base + n;
    return n;
  };

  std::set<std::string> found;
  torch::NoGradGuard g;
  for (auto& raw : store.names()) {
    const std::string name = model_name(raw);
    auto it = params.find(name);
    if (it == nullptr) {
      if (is_known_ignorable(name, cfg)) {
        rep.ignored_known.push_back(raw);
      } else if (starts_with(name, base)) {
        throw DataError(fmt::format("checkpoint '{}': unexpected tensor '{}' (not part of a {} backbone with this config; "
                                    "is config.json the one saved with these weights?)", store.describe(), raw, cfg.model_type()));
      } else if (strict_head) {
        throw DataError(fmt::format("checkpoint '{}': unexpected tensor '{}' for a {} head", store.describe(), raw,
                                    config::to_string(cfg.task)));
      } else {
        rep.skipped_unexpected.push_back(raw);
      }
      continue;
    }
    auto& dst = *it;
    const auto& e = store.entry(raw);
    auto dt = tensor::safetensors_dtype(e.dtype);
    if (!c10::isFloatingType(dt)) {
      throw DataError(fmt::format("checkpoint '{}': tensor '{}' has dtype {} but a floating-point tensor is expected",
                                  store.describe(), raw, e.dtype));
    }
    if (c10::IntArrayRef(e.shape) != dst.sizes()) {
      const bool head = !starts_with(name, base);
      if (head && !strict_head) {
        rep.skipped_unexpected.push_back(raw + " (shape " + shape_str(e.shape) + ")");
        continue;
      }
      throw DataError(fmt::format("checkpoint '{}': tensor '{}' has shape {} but the config expects {}",
                                  store.describe(), raw, shape_str(e.shape), shape_str(dst.sizes())));
    }
    dst.copy_(store.load(raw).to(dst.scalar_type()));
    found.insert(name);
    rep.loaded.push_back(name);
  }
  for (auto& n : expected) {
    if (found.count(n)) continue;
    // HF's *ForMaskedLM classes have no pooler (BertModel(add_pooling_layer=False)); like transformers, a
    // checkpoint without one loads with the pooler freshly initialised, and the report says so.
    const bool pooler = starts_with(n, base + "pooler.");
    if (!pooler && (starts_with(n, base) || strict_head)) {
      throw DataError(fmt::format("checkpoint '{}': missing tensor '{}' (the config expects it; was the checkpoint "
                                  "saved from a different variant?)", store.describe(), n));
    }
    rep.missing_initialised.push_back(n);
  }
  return rep;
}

CodeModel load_pretrained(const fs::path& dir, const LoadOptions& opts, LoadReport* report) {
  auto cfg = load_config(dir);
  const auto saved_task = cfg.task;
  if (opts.task) cfg.task = *opts.task;
  if (opts.num_labels > 0 && opts.num_labels != cfg.num_labels) {
    cfg.num_labels = opts.num_labels;
    cfg.id2label.clear();  // the saved names belong to the old head
  }
  if (!opts.id2label.empty()) cfg.id2label = opts.id2label;
  if (opts.padding_mode) cfg.padding_mode = *opts.padding_mode;
  cfg.validate((fs::is_directory(dir) ? dir / "config.json" : dir).string());
  CodeModel model(cfg);
  const bool strict_head = !opts.task || *opts.task == saved_task;
  auto rep = load_weights(model, fs::is_directory(dir) ? dir : dir.parent_path(), strict_head);
  if (report) *report = rep;
  return model;
}

}  // namespace codessm::model
