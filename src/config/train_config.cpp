// TrainConfig JSON I/O and validation. One field table (visit_fields) drives to_json, from_json and
// overrides, so a new field cannot be forgotten in one of them.
#include "codessm/config/train_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>

#include "codessm/core/error.h"
#include "codessm/core/io.h"

namespace codessm::config {

using nlohmann::json;

namespace {

/// Calls f(name, member) for every serialised field, in file order.
template <typename Cfg, typename F>
void visit_fields(Cfg& c, F&& f) {
  f("task", c.task);
  f("model", c.model);
  f("model_overrides", c.model_overrides);
  f("tokenizer", c.tokenizer);
  f("train_shards", c.train_shards);
  f("eval_shards", c.eval_shards);
  f("stages", c.stages);
  f("dataset", c.dataset);
  f("train_data", c.train_data);
  f("eval_data", c.eval_data);
  f("test_data", c.test_data);
  f("clone_data", c.clone_data);
  f("text_field", c.text_field);
  f("label_field", c.label_field);
  f("max_length", c.max_length);
  f("query_length", c.query_length);
  f("similarity", c.similarity);
  f("pooling", c.pooling);
  f("temperature", c.temperature);
  f("max_types", c.max_types);
  f("metric", c.metric);
  f("save_best", c.save_best);
  f("eval_max_examples", c.eval_max_examples);
  f("context_length", c.context_length);
  f("pack", c.pack);
  f("batch_size", c.batch_size);
  f("grad_accum", c.grad_accum);
  f("mlm_probability", c.mlm_probability);
  f("whole_word", c.whole_word);
  f("data_seed", c.data_seed);
  f("max_steps", c.max_steps);
  f("lr", c.lr);
  f("schedule", c.schedule);
  f("warmup_steps", c.warmup_steps);
  f("weight_decay", c.weight_decay);
  f("beta1", c.beta1);
  f("beta2", c.beta2);
  f("adam_eps", c.adam_eps);
  f("max_grad_norm", c.max_grad_norm);
  f("on_nonfinite", c.on_nonfinite);
  f("max_skipped_steps", c.max_skipped_steps);
  f("eval_every", c.eval_every);
  f("eval_batches", c.eval_batches);
  f("log_every", c.log_every);
  f("save_every", c.save_every);
  f("keep_last", c.keep_last);
  f("spectral_monitor", c.spectral_monitor);
  f("device", c.device);
  f("dtype", c.dtype);
  f("seed", c.seed);
}

template <typename T>
const char* type_name() {
  if constexpr (std::is_same_v<T, bool>) return "a boolean";
  else if constexpr (std::is_integral_v<T>) return "an integer";
  else if constexpr (std::is_floating_point_v<T>) return "a number";
  else if constexpr (std::is_same_v<T, std::string>) return "a string";
  else return "a list of strings";
}

/// Reads `v` into `out`, or throws UsageError naming the source, the field and the expected type.
template <typename T>
void read_field(const json& v, T& out, const std::string& source, const std::string& key) {
  bool ok = false;
  if constexpr (std::is_same_v<T, bool>) ok = v.is_boolean();
  else if constexpr (std::is_unsigned_v<T>) ok = v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
  else if constexpr (std::is_integral_v<T>) ok = v.is_number_integer();
  else if constexpr (std::is_floating_point_v<T>) ok = v.is_number();
  else if constexpr (std::is_same_v<T, std::string>) ok = v.is_string();
  else {
    ok = v.is_array();
    if (ok)
      for (auto& e : v) ok = ok && e.is_string();
  }
  if (!ok)
    throw UsageError(fmt::format("{}: field '{}' must be {}, got {}", source, key, type_name<T>(), v.dump()));
  out = v.get<T>();
}

}  // namespace

json TrainConfig::to_json() const {
  json j;
  j["format_version"] = kTrainConfigFormatVersion;
  visit_fields(*this, [&](const char* k, const auto& v) { j[k] = v; });
  return j;
}

TrainConfig TrainConfig::from_json(const json& j, const std::string& source) {
  TrainConfig c = parse_fields(j, source);
  c.validate(source);
  return c;
}

TrainConfig TrainConfig::parse_fields(const json& j, const std::string& source) {
  if (!j.is_object()) throw UsageError(fmt::format("{}: expected a JSON object, got {}", source, j.type_name()));
  if (j.contains("format_version")) {
    const int v = j["format_version"].is_number_integer() ? j["format_version"].get<int>() : -1;
    CODESSM_REQUIRE(v >= 1 && v <= kTrainConfigFormatVersion, UsageError,
                    "{}: format_version {} is not supported (this codessm reads 1..{}); upgrade codessm", source,
                    j["format_version"].dump(), kTrainConfigFormatVersion);
  }
  TrainConfig c;
  std::vector<std::string> known{"format_version"};
  visit_fields(c, [&](const char* k, auto& field) {
    known.push_back(k);
    if (j.contains(k)) read_field(j[k], field, source, k);
  });
  for (auto& [k, v] : j.items())
    if (std::find(known.begin(), known.end(), k) == known.end())
      throw UsageError(fmt::format("{}: unknown field '{}' (known fields: see docs/training.md)", source, k));
  return c;
}

TrainConfig TrainConfig::load(const std::string& path) {
  const std::string text = core::read_file(path);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw UsageError(fmt::format("{}: not valid JSON (byte {}): {}", path, e.byte, e.what()));
  }
  return from_json(j, path);
}

void TrainConfig::apply_overrides(const std::vector<std::string>& overrides) {
  if (overrides.empty()) return;
  apply_overrides_unvalidated(overrides);
  validate("--set overrides");
}

void TrainConfig::apply_overrides_unvalidated(const std::vector<std::string>& overrides) {
  json j = to_json();
  for (const auto& kv : overrides) {
    const auto eq = kv.find('=');
    CODESSM_REQUIRE(eq != std::string::npos && eq > 0, UsageError, "--set '{}' must look like key=value", kv);
    const std::string key = kv.substr(0, eq), val = kv.substr(eq + 1);
    CODESSM_REQUIRE(j.contains(key) && key != "format_version", UsageError,
                    "--set '{}': '{}' is not a train config field (see docs/training.md)", kv, key);
    json v;
    try {
      v = json::parse(val);
    } catch (const json::exception&) {
      v = val;  // a bare string such as cuda:0
    }
    // A list field takes a single value as a one-element list: --set model_overrides=num_hidden_layers=4.
    if (j[key].is_array() && !v.is_array()) {
      j[key].push_back(val);
    } else {
      j[key] = v;
    }
  }
  *this = parse_fields(j, "--set overrides");
}

void TrainConfig::validate(const std::string& source) const {
  auto need = [&](bool ok, const char* field, const std::string& why) {
    if (!ok) throw UsageError(fmt::format("{}: field '{}' {}", source, field, why));
  };
  need(!model.empty(), "model", "is empty: give a preset (codessm model presets) or a checkpoint folder");
  const bool mlm = task == "mlm";
  need(mlm || task == "retrieval" || task == "classification" || task == "clone" || task == "types", "task",
       fmt::format("must be mlm, retrieval, classification, clone or types, got '{}'", task));
  need(!tokenizer.empty(), "tokenizer", "is required: the tokenizer folder (the one that wrote the shards for mlm)");
  need(!mlm || !train_shards.empty() || !stages.empty(), "train_shards",
       "is required for task mlm: a folder written by `codessm tokenizer shard` (or give stages)");
  need(mlm || !train_data.empty(), "train_data", fmt::format("is required for task {}: the benchmark's training file", task));
  need(task != "clone" || !clone_data.empty(), "clone_data",
       "is required for task clone: BigCloneBench's data.jsonl (train_data/eval_data/test_data are its pair lists)");
  if (!stages.empty()) {
    need(mlm, "stages", "only applies to task mlm");
    int64_t total = 0;
    for (const auto& s : stages) {
      const auto colon = s.rfind(':');
      int64_t steps = 0;
      try {
        steps = colon == std::string::npos ? 0 : std::stoll(s.substr(colon + 1));
      } catch (const std::exception&) {
        steps = 0;
      }
      need(colon != std::string::npos && colon > 0 && steps > 0, "stages",
           fmt::format("entry '{}' must look like SHARD_DIR:STEPS with STEPS > 0", s));
      total += steps;
    }
    need(total == max_steps, "stages",
         fmt::format("steps add up to {} but max_steps is {}; make them equal", total, max_steps));
  }
  need(max_length >= 8, "max_length", fmt::format("must be >= 8, got {}", max_length));
  need(query_length >= 4, "query_length", fmt::format("must be >= 4, got {}", query_length));
  need(similarity == "dot" || similarity == "cos", "similarity", fmt::format("must be dot or cos, got '{}'", similarity));
  need(pooling == "mean" || pooling == "pooler", "pooling", fmt::format("must be mean or pooler, got '{}'", pooling));
  need(temperature > 0, "temperature", fmt::format("must be > 0, got {}", temperature));
  need(max_types >= 0, "max_types", fmt::format("must be >= 0 (0 = every training type), got {}", max_types));
  need(eval_max_examples >= 0, "eval_max_examples", fmt::format("must be >= 0 (0 = all), got {}", eval_max_examples));
  need(context_length >= 8, "context_length", fmt::format("must be >= 8, got {}", context_length));
  need(batch_size > 0, "batch_size", fmt::format("must be > 0, got {}", batch_size));
  need(grad_accum > 0, "grad_accum", fmt::format("must be > 0, got {}", grad_accum));
  need(mlm_probability > 0 && mlm_probability < 1, "mlm_probability",
       fmt::format("must be in (0, 1), got {}", mlm_probability));
  need(max_steps > 0, "max_steps", fmt::format("must be > 0, got {}", max_steps));
  need(lr > 0, "lr", fmt::format("must be > 0, got {}", lr));
  need(schedule == "cosine" || schedule == "linear" || schedule == "constant", "schedule",
       fmt::format("must be cosine, linear or constant, got '{}'", schedule));
  need(warmup_steps >= 0, "warmup_steps", fmt::format("must be >= 0, got {}", warmup_steps));
  need(weight_decay >= 0, "weight_decay", fmt::format("must be >= 0, got {}", weight_decay));
  need(beta1 >= 0 && beta1 < 1, "beta1", fmt::format("must be in [0, 1), got {}", beta1));
  need(beta2 >= 0 && beta2 < 1, "beta2", fmt::format("must be in [0, 1), got {}", beta2));
  need(adam_eps > 0, "adam_eps", fmt::format("must be > 0, got {}", adam_eps));
  need(max_grad_norm >= 0, "max_grad_norm", fmt::format("must be >= 0 (0 disables clipping), got {}", max_grad_norm));
  need(on_nonfinite == "stop" || on_nonfinite == "skip", "on_nonfinite",
       fmt::format("must be stop or skip, got '{}'", on_nonfinite));
  need(max_skipped_steps >= 0, "max_skipped_steps", fmt::format("must be >= 0, got {}", max_skipped_steps));
  need(eval_every >= 0, "eval_every", fmt::format("must be >= 0 (0 = only at the end), got {}", eval_every));
  need(eval_batches > 0, "eval_batches", fmt::format("must be > 0, got {}", eval_batches));
  need(log_every > 0, "log_every", fmt::format("must be > 0, got {}", log_every));
  need(save_every >= 0, "save_every", fmt::format("must be >= 0 (0 = only at the end), got {}", save_every));
  need(keep_last >= 0, "keep_last", fmt::format("must be >= 0 (0 = keep all), got {}", keep_last));
  need(dtype == "fp32" || dtype == "tf32" || dtype == "bf16", "dtype",
       fmt::format("must be fp32, tf32 (CUDA matmuls in TF32) or bf16, got '{}'", dtype));
  need(!device.empty(), "device", "is empty: cpu, cuda, cuda:N or auto");
}

}  // namespace codessm::config
