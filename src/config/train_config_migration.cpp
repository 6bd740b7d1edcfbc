// run_config.json format 1 → 2. Format 1 was one flat object with every field (the objective under "task",
// the model's config.json overrides as "key=value" strings in "model_overrides"); format 2 nests them by what
// they configure. Every run folder written before format 2 keeps loading (and resuming) through this table.
#include <fmt/format.h>

#include <map>

#include "codessm/config/overrides.h"
#include "codessm/config/presets.h"
#include "codessm/config/train_config.h"

namespace codessm::config {

using nlohmann::json;

namespace {

/// Where each format-1 key lives in format 2 ("" = top level). "task:" keys belong to the fine-tuning
/// objectives' task config and are kept only when that objective's config has them.
const std::map<std::string, std::string>& v1_sections() {
  static const std::map<std::string, std::string> m = {
      {"model", ""},           {"tokenizer", ""},
      {"train_shards", "mlm"}, {"eval_shards", "mlm"},          {"stages", "mlm"},          {"eval_batches", "mlm"},
      {"context_length", "mlm"}, {"pack", "mlm"},              {"mlm_probability", "mlm"}, {"whole_word", "mlm"},
      {"dataset", "task"},     {"train_data", "task"},          {"eval_data", "task"},      {"test_data", "task"},
      {"clone_data", "task"},  {"text_field", "task"},          {"label_field", "task"},    {"max_length", "task"},
      {"query_length", "task"}, {"similarity", "task"},         {"pooling", "task"},        {"temperature", "task"},
      {"max_types", "task"},   {"eval_max_examples", "task"},
      {"max_steps", "optim"},  {"batch_size", "optim"},         {"grad_accum", "optim"},    {"lr", "optim"},
      {"schedule", "optim"},   {"warmup_steps", "optim"},       {"weight_decay", "optim"},  {"beta1", "optim"},
      {"beta2", "optim"},      {"adam_eps", "optim"},           {"max_grad_norm", "optim"}, {"on_nonfinite", "optim"},
      {"max_skipped_steps", "optim"},
      {"metric", "run"},       {"save_best", "run"},            {"eval_every", "run"},      {"log_every", "run"},
      {"save_every", "run"},   {"keep_last", "run"},            {"spectral_monitor", "run"}, {"device", "run"},
      {"dtype", "run"},        {"seed", "run"},                 {"data_seed", "run"}};
  return m;
}

}  // namespace

json migrate_train_config_v1(const json& flat, const std::string& source) {
  CODESSM_REQUIRE(flat.is_object(), UsageError, "{}: expected a JSON object", source);
  std::string objective = "mlm";
  if (flat.contains("task")) {
    CODESSM_REQUIRE(flat["task"].is_string(), UsageError, "{}: field 'task' must be a string, got {}", source,
                    flat["task"].dump());
    objective = flat["task"].get<std::string>();
  }
  const ObjectiveKind kind = parse_objective(objective);
  // The keys the objective's own task config has (format 1 wrote all of them for every objective).
  const json task_keys = task_config_to_json(default_task_config(kind));
  json out{{"format_version", 2}, {"objective", objective}, {"optim", json::object()}, {"run", json::object()}};
  if (kind == ObjectiveKind::kMlm) out["mlm"] = json::object();
  else out["task"] = json::object();
  json model = nullptr, model_overrides = json::object();
  for (auto& [k, v] : flat.items()) {
    if (k == "format_version" || k == "task") continue;
    if (k == "model_overrides") {
      CODESSM_REQUIRE(v.is_array(), UsageError, "{}: field 'model_overrides' must be a list of strings, got {}", source,
                      v.dump());
      for (const auto& kv : v) {
        CODESSM_REQUIRE(kv.is_string(), UsageError, "{}: field 'model_overrides' entry {} must be a KEY=VALUE string",
                        source, kv.dump());
        const std::string s = kv.get<std::string>();
        const auto eq = s.find('=');
        CODESSM_REQUIRE(eq != std::string::npos && eq > 0, UsageError,
                        "{}: field 'model_overrides' entry '{}' must look like KEY=VALUE", source, s);
        model_overrides[s.substr(0, eq)] = parse_override_value(s.substr(eq + 1));
      }
      continue;
    }
    const auto it = v1_sections().find(k);
    if (it == v1_sections().end())
      throw UsageError(fmt::format("{}: unknown field '{}' (known fields: see docs/training.md)", source, k));
    const std::string& section = it->second;
    if (section.empty()) {
      (k == "model" ? model : out[k]) = v;
    } else if (section == "task") {
      if (kind != ObjectiveKind::kMlm && task_keys.contains(k)) out["task"][k] = v;
    } else if (section == "mlm") {
      if (kind == ObjectiveKind::kMlm) out["mlm"][k] = v;
    } else {
      out[section][k] = v;
    }
  }
  if (!model.is_null() || !model_overrides.empty()) {
    // "model" stays a shorthand string (preset or checkpoint, decided when it is parsed) unless overrides exist.
    if (model.is_null()) model = ModelSpec{}.name;
    // Format 1 applied model_overrides to presets only (a checkpoint's config.json won, with a warning).
    if (model_overrides.empty() || !model.is_string() || !is_preset(model.get<std::string>()))
      out["model"] = model;
    else
      out["model"] = json{{"preset", model}, {"overrides", model_overrides}};
  }
  return out;
}

json train_config_v1_json(const TrainConfig& c) {
  const json j = c.to_json();
  json flat{{"format_version", 1}, {"task", j.at("objective")}, {"tokenizer", j.at("tokenizer")}, {"model", c.model.name}};
  json overrides = json::array();
  for (auto& [k, v] : c.model.overrides.items())
    overrides.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
  flat["model_overrides"] = overrides;
  // The objective's own sections first, then the defaults of every other objective's fields.
  std::vector<json> sections{j.at("optim"), j.at("run"), j.value("mlm", json::object()), j.value("task", json::object()),
                             TrainConfig::for_objective(ObjectiveKind::kMlm).to_json().at("mlm")};
  for (auto kind : {ObjectiveKind::kRetrieval, ObjectiveKind::kClassification, ObjectiveKind::kClone, ObjectiveKind::kTypes})
    sections.push_back(task_config_to_json(default_task_config(kind)));
  for (const auto& sec : sections)
    for (auto& [k, v] : sec.items())
      if (!flat.contains(k)) flat[k] = v;
  return flat;
}

}  // namespace codessm::config
