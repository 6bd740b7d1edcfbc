// TrainConfig JSON I/O and validation. One field table per struct (the *_fields visitors) drives to_json,
// parsing and therefore overrides, so a new field cannot be forgotten in one of them. Enums are parsed here and
// nowhere else.
#include "codessm/config/train_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>
#include <type_traits>
#include <utility>

#include "codessm/config/overrides.h"
#include "codessm/config/presets.h"
#include "codessm/core/io.h"

namespace codessm::config {

using nlohmann::json;

// ---- enums ----

namespace {

template <typename E>
struct EnumNames;
template <>
struct EnumNames<ObjectiveKind> {
  static constexpr std::pair<ObjectiveKind, const char*> v[] = {{ObjectiveKind::kMlm, "mlm"},
                                                                {ObjectiveKind::kRetrieval, "retrieval"},
                                                                {ObjectiveKind::kClassification, "classification"},
                                                                {ObjectiveKind::kClone, "clone"},
                                                                {ObjectiveKind::kTypes, "types"}};
};
template <>
struct EnumNames<Schedule> {
  static constexpr std::pair<Schedule, const char*> v[] = {
      {Schedule::kCosine, "cosine"}, {Schedule::kLinear, "linear"}, {Schedule::kConstant, "constant"}};
};
template <>
struct EnumNames<NonFinitePolicy> {
  static constexpr std::pair<NonFinitePolicy, const char*> v[] = {{NonFinitePolicy::kStop, "stop"},
                                                                  {NonFinitePolicy::kSkip, "skip"}};
};
template <>
struct EnumNames<TrainDtype> {
  static constexpr std::pair<TrainDtype, const char*> v[] = {
      {TrainDtype::kFp32, "fp32"}, {TrainDtype::kTf32, "tf32"}, {TrainDtype::kBf16, "bf16"},
      {TrainDtype::kBf16Master, "bf16-master"}};
};
template <>
struct EnumNames<Similarity> {
  static constexpr std::pair<Similarity, const char*> v[] = {{Similarity::kDot, "dot"}, {Similarity::kCos, "cos"}};
};
template <>
struct EnumNames<Pooling> {
  static constexpr std::pair<Pooling, const char*> v[] = {{Pooling::kMean, "mean"}, {Pooling::kPooler, "pooler"}};
};

template <typename E>
std::string enum_name(E e) {
  for (const auto& [k, n] : EnumNames<E>::v)
    if (k == e) return n;
  return "?";
}

/// "a, b or c".
template <typename E>
std::string enum_choices() {
  std::string s;
  const size_t n = std::size(EnumNames<E>::v);
  for (size_t i = 0; i < n; ++i) s += (i == 0 ? "" : i + 1 == n ? " or " : ", ") + std::string(EnumNames<E>::v[i].second);
  return s;
}

/// The value named `s`, or nullptr.
template <typename E>
const E* enum_lookup(const std::string& s) {
  for (const auto& kv : EnumNames<E>::v)
    if (s == kv.second) return &kv.first;
  return nullptr;
}

template <typename E>
E enum_parse(const std::string& s, const char* what) {
  if (const E* e = enum_lookup<E>(s)) return *e;
  throw UsageError(fmt::format("{} must be {}, got '{}'", what, enum_choices<E>(), s));
}

template <typename T>
constexpr bool is_enum_v = std::is_enum_v<T>;

}  // namespace

std::string to_string(ObjectiveKind o) { return enum_name(o); }
std::string to_string(Schedule s) { return enum_name(s); }
std::string to_string(NonFinitePolicy p) { return enum_name(p); }
std::string to_string(TrainDtype d) { return enum_name(d); }
std::string to_string(Similarity s) { return enum_name(s); }
std::string to_string(Pooling p) { return enum_name(p); }
ObjectiveKind parse_objective(const std::string& s) { return enum_parse<ObjectiveKind>(s, "objective"); }
Schedule parse_schedule(const std::string& s) { return enum_parse<Schedule>(s, "schedule"); }
NonFinitePolicy parse_nonfinite_policy(const std::string& s) { return enum_parse<NonFinitePolicy>(s, "on_nonfinite"); }
TrainDtype parse_train_dtype(const std::string& s) { return enum_parse<TrainDtype>(s, "dtype"); }
Similarity parse_similarity(const std::string& s) { return enum_parse<Similarity>(s, "similarity"); }
Pooling parse_pooling(const std::string& s) { return enum_parse<Pooling>(s, "pooling"); }

// ---- field tables: f(name, member) for every serialised field, in file order ----

namespace {

template <typename Cfg, typename F>
void optim_fields(Cfg& c, F&& f) {
  f("max_steps", c.max_steps);
  f("batch_size", c.batch_size);
  f("grad_accum", c.grad_accum);
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
}

template <typename Cfg, typename F>
void run_fields(Cfg& c, F&& f) {
  f("eval_every", c.eval_every);
  f("log_every", c.log_every);
  f("save_every", c.save_every);
  f("keep_last", c.keep_last);
  f("save_best", c.save_best);
  f("metric", c.metric);
  f("spectral_monitor", c.spectral_monitor);
  f("device", c.device);
  f("dtype", c.dtype);
  f("seed", c.seed);
  f("data_seed", c.data_seed);
}

template <typename Cfg, typename F>
void mlm_fields(Cfg& c, F&& f) {
  f("train_shards", c.train_shards);
  f("eval_shards", c.eval_shards);
  f("stages", c.stages);
  f("eval_batches", c.eval_batches);
  f("context_length", c.context_length);
  f("pack", c.pack);
  f("mlm_probability", c.mlm_probability);
  f("whole_word", c.whole_word);
}

template <typename Cfg, typename F>
void files_fields(Cfg& c, F&& f) {
  f("train_data", c.train_data);
  f("eval_data", c.eval_data);
  f("test_data", c.test_data);
  f("max_length", c.max_length);
  f("eval_max_examples", c.eval_max_examples);
}

/// The fields of one task config: the shared files, then its own.
template <typename Cfg, typename F>
void task_fields(Cfg& c, F&& f) {
  using T = std::remove_const_t<Cfg>;
  if constexpr (std::is_same_v<T, RetrievalTaskConfig>) {
    f("dataset", c.dataset);
    files_fields(c, f);
    f("query_length", c.query_length);
    f("similarity", c.similarity);
    f("pooling", c.pooling);
    f("temperature", c.temperature);
  } else if constexpr (std::is_same_v<T, ClassificationTaskConfig>) {
    f("dataset", c.dataset);
    files_fields(c, f);
    f("text_field", c.text_field);
    f("label_field", c.label_field);
  } else if constexpr (std::is_same_v<T, CloneTaskConfig>) {
    f("clone_data", c.clone_data);
    files_fields(c, f);
  } else {
    static_assert(std::is_same_v<T, TypesTaskConfig>);
    files_fields(c, f);
    f("max_types", c.max_types);
  }
}

// ---- values ----

/// "source: field 'key' why (section.key)": the bare name first (what --set takes), the full path after.
std::string field_message(const std::string& source, const std::string& section, const std::string& key,
                          const std::string& why) {
  return fmt::format("{}: field '{}' {}{}", source, key, why, section.empty() ? "" : " (" + section + "." + key + ")");
}

template <typename T>
const char* type_name() {
  if constexpr (std::is_same_v<T, bool>) return "a boolean";
  else if constexpr (std::is_integral_v<T>) return "an integer";
  else if constexpr (std::is_floating_point_v<T>) return "a number";
  else if constexpr (std::is_same_v<T, std::string> || is_enum_v<T>) return "a string";
  else return "a list";
}

template <typename T>
json value_to_json(const T& v) {
  if constexpr (is_enum_v<T>) {
    return enum_name(v);
  } else if constexpr (std::is_same_v<T, std::vector<MlmStage>>) {
    json a = json::array();
    for (const auto& s : v) a.push_back({{"shards", s.shards}, {"steps", s.steps}});
    return a;
  } else {
    return v;
  }
}

/// "SHARD_DIR:STEPS" or {"shards", "steps"}.
MlmStage stage_from_json(const json& e, const std::string& source) {
  const auto bad = [&] {
    return UsageError(field_message(source, "mlm", "stages",
                                    fmt::format("entry {} must look like SHARD_DIR:STEPS or {{\"shards\": DIR, "
                                                "\"steps\": N}} with N > 0",
                                                e.dump())));
  };
  MlmStage s;
  if (e.is_string()) {
    const std::string t = e.get<std::string>();
    const auto colon = t.rfind(':');
    if (colon == std::string::npos || colon == 0) throw bad();
    try {
      size_t used = 0;
      s.steps = std::stoll(t.substr(colon + 1), &used);
      if (used != t.size() - colon - 1) throw bad();
    } catch (const std::logic_error&) {
      throw bad();
    }
    s.shards = t.substr(0, colon);
  } else if (e.is_object() && e.size() == 2 && e.contains("shards") && e["shards"].is_string() &&
             e.contains("steps") && e["steps"].is_number_integer()) {
    s.shards = e["shards"].get<std::string>();
    s.steps = e["steps"].get<int64_t>();
  } else {
    throw bad();
  }
  if (s.steps <= 0 || s.shards.empty()) throw bad();
  return s;
}

/// Reads `v` into `out`, or throws UsageError naming the source, the field and the expected type.
template <typename T>
void value_from_json(const json& v, T& out, const std::string& source, const std::string& section,
                     const std::string& key) {
  auto wrong = [&] {
    return UsageError(field_message(source, section, key, fmt::format("must be {}, got {}", type_name<T>(), v.dump())));
  };
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) throw wrong();
    out = v.get<bool>();
  } else if constexpr (std::is_unsigned_v<T>) {
    if (!(v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0))) throw wrong();
    out = v.get<T>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_integer()) throw wrong();
    out = v.get<T>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) throw wrong();
    out = v.get<T>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) throw wrong();
    out = v.get<std::string>();
  } else if constexpr (is_enum_v<T>) {
    if (!v.is_string()) throw wrong();
    const T* e = enum_lookup<T>(v.get<std::string>());
    if (!e)
      throw UsageError(field_message(source, section, key,
                                     fmt::format("must be {}, got '{}'", enum_choices<T>(), v.get<std::string>())));
    out = *e;
  } else {
    static_assert(std::is_same_v<T, std::vector<MlmStage>>);
    if (!v.is_array()) throw wrong();
    out.clear();
    for (const auto& e : v) out.push_back(stage_from_json(e, source));
  }
}

template <typename Cfg, typename Visit>
json fields_to_json(const Cfg& c, Visit visit) {
  json j = json::object();
  visit(c, [&](const char* k, const auto& v) { j[k] = value_to_json(v); });
  return j;
}

/// Reads the fields of `visit` from object `j` into `c` (absent ones keep their defaults); unknown keys are an
/// error naming the source and the section.
template <typename Cfg, typename Visit>
void fields_from_json(const json& j, Cfg& c, Visit visit, const std::string& source, const std::string& section) {
  if (!j.is_object())
    throw UsageError(field_message(source, "", section, fmt::format("must be an object, got {}", j.dump())));
  std::vector<std::string> known;
  visit(c, [&](const char* k, auto& field) {
    known.push_back(k);
    if (j.contains(k)) value_from_json(j[k], field, source, section, k);
  });
  for (auto& [k, v] : j.items())
    if (std::find(known.begin(), known.end(), k) == known.end())
      throw UsageError(fmt::format("{}: unknown field '{}' in '{}' (known fields: {}; see docs/training.md)", source,
                                   k, section, fmt::format("{}", fmt::join(known, ", "))));
}

const auto kOptim = [](auto& c, auto&& f) { optim_fields(c, f); };
const auto kRun = [](auto& c, auto&& f) { run_fields(c, f); };
const auto kMlm = [](auto& c, auto&& f) { mlm_fields(c, f); };
const auto kTask = [](auto& c, auto&& f) { task_fields(c, f); };

json model_spec_to_json(const ModelSpec& m) {
  return {{m.is_preset() ? "preset" : "checkpoint", m.name}, {"overrides", m.overrides}};
}

ModelSpec model_spec_from_json(const json& j, const std::string& source) {
  ModelSpec m;
  if (j.is_string()) {
    m.name = j.get<std::string>();
    m.source = is_preset(m.name) ? ModelSpec::Source::kPreset : ModelSpec::Source::kCheckpoint;
    return m;
  }
  const auto bad = [&](const std::string& why) { return UsageError(field_message(source, "", "model", why)); };
  if (!j.is_object()) throw bad(fmt::format("must be a preset name, a checkpoint folder or an object, got {}", j.dump()));
  const bool preset = j.contains("preset"), ckpt = j.contains("checkpoint");
  if (preset == ckpt) throw bad("needs exactly one of \"preset\" and \"checkpoint\"");
  const json& name = j[preset ? "preset" : "checkpoint"];
  if (!name.is_string()) throw bad(fmt::format("\"{}\" must be a string", preset ? "preset" : "checkpoint"));
  m.source = preset ? ModelSpec::Source::kPreset : ModelSpec::Source::kCheckpoint;
  m.name = name.get<std::string>();
  if (j.contains("overrides")) {
    if (!j["overrides"].is_object()) throw bad("\"overrides\" must be an object of config.json keys");
    m.overrides = j["overrides"];
  }
  for (auto& [k, v] : j.items())
    if (k != "preset" && k != "checkpoint" && k != "overrides")
      throw bad(fmt::format("has an unknown key '{}' (preset or checkpoint, overrides)", k));
  return m;
}

/// The format of a run config: its format_version, or — for hand-written files without one — 2 when it uses the
/// nested sections, else 1.
int format_of(const json& j, const std::string& source) {
  if (j.contains("format_version")) {
    const int v = j["format_version"].is_number_integer() ? j["format_version"].get<int>() : -1;
    CODESSM_REQUIRE(v >= 1 && v <= kTrainConfigFormatVersion, UsageError,
                    "{}: format_version {} is not supported (this codessm reads 1..{}); upgrade codessm", source,
                    j["format_version"].dump(), kTrainConfigFormatVersion);
    return v;
  }
  const bool nested = j.contains("objective") || j.contains("optim") || j.contains("run") || j.contains("mlm") ||
                      (j.contains("task") && j["task"].is_object());
  return nested ? 2 : 1;
}

}  // namespace

// ---- task configs ----

TaskConfig default_task_config(ObjectiveKind o) {
  switch (o) {
    case ObjectiveKind::kMlm: return std::monostate{};
    case ObjectiveKind::kRetrieval: return RetrievalTaskConfig{};
    case ObjectiveKind::kClassification: return ClassificationTaskConfig{};
    case ObjectiveKind::kClone: return CloneTaskConfig{};
    case ObjectiveKind::kTypes: return TypesTaskConfig{};
  }
  return std::monostate{};
}

const TaskFilesConfig& task_files(const TaskConfig& t) {
  return std::visit(
      [](const auto& c) -> const TaskFilesConfig& {
        if constexpr (std::is_same_v<std::decay_t<decltype(c)>, std::monostate>)
          throw UsageError("objective mlm has no task files (train_data, eval_data, ...); they belong to fine-tuning");
        else
          return c;
      },
      t);
}

TaskFilesConfig& task_files(TaskConfig& t) { return const_cast<TaskFilesConfig&>(task_files(std::as_const(t))); }

json task_config_to_json(const TaskConfig& t) {
  return std::visit(
      [](const auto& c) -> json {
        if constexpr (std::is_same_v<std::decay_t<decltype(c)>, std::monostate>) return json::object();
        else return fields_to_json(c, kTask);
      },
      t);
}

TaskConfig task_config_from_json(ObjectiveKind objective, const json& j, const std::string& source) {
  TaskConfig t = default_task_config(objective);
  std::visit(
      [&](auto& c) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(c)>, std::monostate>) fields_from_json(j, c, kTask, source, "task");
      },
      t);
  return t;
}

std::string task_mismatch_message(ObjectiveKind objective, const char* wanted) {
  return fmt::format("the config's objective is {}, whose task config is not the one needed here ({})",
                     to_string(objective), wanted);
}

// ---- TrainConfig ----

TrainConfig TrainConfig::for_objective(ObjectiveKind o) {
  TrainConfig c;
  c.objective = o;
  c.task = default_task_config(o);
  return c;
}

json TrainConfig::to_json() const {
  json j;
  j["format_version"] = kTrainConfigFormatVersion;
  j["objective"] = to_string(objective);
  j["model"] = model_spec_to_json(model);
  j["tokenizer"] = tokenizer;
  j["optim"] = fields_to_json(optim, kOptim);
  j["run"] = fields_to_json(run, kRun);
  if (objective == ObjectiveKind::kMlm) j["mlm"] = fields_to_json(mlm, kMlm);
  else j["task"] = task_config_to_json(task);
  return j;
}

TrainConfig TrainConfig::parse(const json& in, const std::string& source) {
  if (!in.is_object()) throw UsageError(fmt::format("{}: expected a JSON object, got {}", source, in.type_name()));
  const json j = format_of(in, source) == 1 ? migrate_train_config_v1(in, source) : in;
  TrainConfig c;
  if (j.contains("objective")) value_from_json(j["objective"], c.objective, source, "", "objective");
  c.task = default_task_config(c.objective);
  for (auto& [k, v] : j.items()) {
    if (k == "format_version" || k == "objective") continue;
    if (k == "model") c.model = model_spec_from_json(v, source);
    else if (k == "tokenizer") value_from_json(v, c.tokenizer, source, "", k);
    else if (k == "optim") fields_from_json(v, c.optim, kOptim, source, k);
    else if (k == "run") fields_from_json(v, c.run, kRun, source, k);
    else if (k == "mlm" && c.objective == ObjectiveKind::kMlm) fields_from_json(v, c.mlm, kMlm, source, k);
    else if (k == "task" && c.objective != ObjectiveKind::kMlm) c.task = task_config_from_json(c.objective, v, source);
    else if (k == "mlm" || k == "task")
      throw UsageError(field_message(source, "", k, fmt::format("does not apply to objective {} (use \"{}\")",
                                                                 to_string(c.objective),
                                                                 k == "mlm" ? "task" : "mlm")));
    else
      throw UsageError(fmt::format("{}: unknown field '{}' (format {}: objective, model, tokenizer, optim, run, mlm or "
                                   "task; see docs/training.md)",
                                   source, k, kTrainConfigFormatVersion));
  }
  return c;
}

TrainConfig TrainConfig::from_json(const json& j, const std::string& source) {
  TrainConfig c = parse(j, source);
  c.validate(source);
  return c;
}

TrainConfig TrainConfig::load(const std::string& path) {
  const std::string text = core::read_file(path);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for an overflowing number
    throw UsageError(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  return from_json(j, path);
}

namespace {

/// The format-1 spellings an override may still use: task=X (objective), model_overrides=KEY=VALUE.
Override legacy_override(Override o) {
  if (o.path == std::vector<std::string>{"task"} && o.value.is_string()) o.path = {"objective"};
  if (o.path == std::vector<std::string>{"model_overrides"} && o.value.is_string()) {
    const std::string kv = o.value.get<std::string>();
    const auto eq = kv.find('=');
    CODESSM_REQUIRE(eq != std::string::npos && eq > 0, UsageError,
                    "--set '{}': model_overrides takes KEY=VALUE (or write model.overrides.KEY=VALUE)", o.text);
    o.path = {"model", "overrides", kv.substr(0, eq)};
    o.value = parse_override_value(kv.substr(eq + 1));
  }
  return o;
}

/// Switches `doc` to another objective: its sub-config becomes the new objective's defaults, keeping the
/// fields the two share (the files and lengths, when going from one fine-tuning task to another).
void switch_objective(json& doc, ObjectiveKind to) {
  json old = doc.contains("task") ? doc["task"] : json::object();
  doc.erase("mlm");
  doc.erase("task");
  doc["objective"] = to_string(to);
  if (to == ObjectiveKind::kMlm) return;
  json fresh = task_config_to_json(default_task_config(to));
  for (auto& [k, v] : old.items())
    if (fresh.contains(k)) fresh[k] = v;
  doc["task"] = fresh;
}

}  // namespace

TrainConfig TrainConfig::resolve(const json& base, const std::vector<std::string>& overrides,
                                 const std::string& source) {
  TrainConfig c = parse(base, source);
  OverrideRules rules{"train config", "docs/training.md", {"model.overrides"}};
  for (const auto& kv : overrides) {
    json doc = c.to_json();
    const Override o = legacy_override(parse_override(kv));
    if (o.path == std::vector<std::string>{"objective"}) {
      CODESSM_REQUIRE(o.value.is_string(), UsageError, "--set '{}': objective must be a string", kv);
      switch_objective(doc, parse_objective(o.value.get<std::string>()));
    } else {
      apply_override(doc, o, rules);
    }
    c = parse(doc, fmt::format("--set '{}'", kv));  // canonical again: shorthands expanded, types checked
  }
  c.validate(overrides.empty() ? source : source + " with --set overrides");
  return c;
}

void TrainConfig::apply_overrides(const std::vector<std::string>& overrides) {
  if (overrides.empty()) return;
  *this = resolve(to_json(), overrides, "train config");
}

// ---- validation ----

void TrainConfig::validate(const std::string& source) const {
  auto need = [&](bool ok, const char* section, const char* field, const std::string& why) {
    if (!ok) throw UsageError(field_message(source, section, field, why));
  };
  const bool is_mlm = objective == ObjectiveKind::kMlm;
  need(!model.name.empty(), "", "model", "is empty: give a preset (codessm model presets) or a checkpoint folder");
  for (auto& [k, v] : model.overrides.items())
    need(!k.empty(), "model", "overrides", "has an empty key");
  need(!tokenizer.empty(), "", "tokenizer", "is required: the tokenizer folder (the one that wrote the shards for mlm)");
  need(is_mlm == std::holds_alternative<std::monostate>(task), "", "task",
       fmt::format("does not match objective {}", to_string(objective)));

  const auto& o = optim;
  need(o.max_steps > 0, "optim", "max_steps", fmt::format("must be > 0, got {}", o.max_steps));
  need(o.batch_size > 0, "optim", "batch_size", fmt::format("must be > 0, got {}", o.batch_size));
  need(o.grad_accum > 0, "optim", "grad_accum", fmt::format("must be > 0, got {}", o.grad_accum));
  need(o.lr > 0, "optim", "lr", fmt::format("must be > 0, got {}", o.lr));
  need(o.warmup_steps >= 0, "optim", "warmup_steps", fmt::format("must be >= 0, got {}", o.warmup_steps));
  need(o.weight_decay >= 0, "optim", "weight_decay", fmt::format("must be >= 0, got {}", o.weight_decay));
  need(o.beta1 >= 0 && o.beta1 < 1, "optim", "beta1", fmt::format("must be in [0, 1), got {}", o.beta1));
  need(o.beta2 >= 0 && o.beta2 < 1, "optim", "beta2", fmt::format("must be in [0, 1), got {}", o.beta2));
  need(o.adam_eps > 0, "optim", "adam_eps", fmt::format("must be > 0, got {}", o.adam_eps));
  need(o.max_grad_norm >= 0, "optim", "max_grad_norm",
       fmt::format("must be >= 0 (0 disables clipping), got {}", o.max_grad_norm));
  need(o.max_skipped_steps >= 0, "optim", "max_skipped_steps", fmt::format("must be >= 0, got {}", o.max_skipped_steps));

  const auto& r = run;
  need(r.eval_every >= 0, "run", "eval_every", fmt::format("must be >= 0 (0 = only at the end), got {}", r.eval_every));
  need(r.log_every > 0, "run", "log_every", fmt::format("must be > 0, got {}", r.log_every));
  need(r.save_every >= 0, "run", "save_every", fmt::format("must be >= 0 (0 = only at the end), got {}", r.save_every));
  need(r.keep_last >= 0, "run", "keep_last", fmt::format("must be >= 0 (0 = keep all), got {}", r.keep_last));
  need(!r.device.empty(), "run", "device", "is empty: cpu, cuda, cuda:N or auto");

  if (is_mlm) {
    const auto& m = mlm;
    need(!m.train_shards.empty() || !m.stages.empty(), "mlm", "train_shards",
         "is required for objective mlm: a folder written by `codessm tokenizer shard` (or give stages)");
    if (!m.stages.empty()) {
      int64_t total = 0;
      for (const auto& s : m.stages) total += s.steps;
      need(total == o.max_steps, "mlm", "stages",
           fmt::format("steps add up to {} but max_steps is {}; make them equal", total, o.max_steps));
    }
    need(m.eval_batches > 0, "mlm", "eval_batches", fmt::format("must be > 0, got {}", m.eval_batches));
    need(m.context_length >= 8, "mlm", "context_length", fmt::format("must be >= 8, got {}", m.context_length));
    need(m.mlm_probability > 0 && m.mlm_probability < 1, "mlm", "mlm_probability",
         fmt::format("must be in (0, 1), got {}", m.mlm_probability));
    return;
  }
  const auto& f = task_files(task);
  need(!f.train_data.empty(), "task", "train_data",
       fmt::format("is required for objective {}: the benchmark's training file", to_string(objective)));
  need(f.max_length >= 8, "task", "max_length", fmt::format("must be >= 8, got {}", f.max_length));
  need(f.eval_max_examples >= 0, "task", "eval_max_examples",
       fmt::format("must be >= 0 (0 = all), got {}", f.eval_max_examples));
  if (const auto* t = std::get_if<RetrievalTaskConfig>(&task)) {
    need(t->query_length >= 4, "task", "query_length", fmt::format("must be >= 4, got {}", t->query_length));
    need(t->temperature > 0, "task", "temperature", fmt::format("must be > 0, got {}", t->temperature));
  } else if (const auto* t = std::get_if<CloneTaskConfig>(&task)) {
    need(!t->clone_data.empty(), "task", "clone_data",
         "is required for objective clone: BigCloneBench's data.jsonl (train_data/eval_data/test_data are its pair "
         "lists)");
  } else if (const auto* t = std::get_if<TypesTaskConfig>(&task)) {
    need(t->max_types >= 0, "task", "max_types",
         fmt::format("must be >= 0 (0 = every training type), got {}", t->max_types));
  }
}

}  // namespace codessm::config
