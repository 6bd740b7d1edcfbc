// StudyConfig JSON I/O. Each section is read by a Reader that remembers which keys it consumed, so leftover
// (unknown) keys are reported with their full path.
#include "codessm/study/study_config.h"

#include <fmt/format.h>

#include <regex>
#include <set>

#include "codessm/core/error.h"
#include "codessm/core/io.h"

namespace codessm::study {

using nlohmann::json;

namespace {

/// Reads the fields of one JSON object; finish() throws on any key that was not read.
class Reader {
 public:
  Reader(const json& j, std::string path, std::string source) : j_(j), path_(std::move(path)), source_(std::move(source)) {
    CODESSM_REQUIRE(j.is_object(), UsageError, "{}: field '{}' must be an object", source_, path_.empty() ? "(top)" : path_);
  }
  template <typename T>
  void get(const char* key, T& out) {
    seen_.insert(key);
    if (!j_.contains(key)) return;
    try {
      out = j_.at(key).get<T>();
    } catch (const json::exception& e) {
      throw UsageError(fmt::format("{}: field '{}' has the wrong type ({})", source_, name(key), e.what()));
    }
  }
  void mark(const char* key) { seen_.insert(key); }
  void get_json(const char* key, json& out) {
    seen_.insert(key);
    if (j_.contains(key)) out = j_.at(key);
  }
  /// A nested section: returns a Reader over it (an absent section reads as {}).
  Reader section(const char* key) {
    seen_.insert(key);
    static const json empty = json::object();
    return Reader(j_.contains(key) ? j_.at(key) : empty, name(key), source_);
  }
  void finish() const {
    for (auto& [k, v] : j_.items())
      CODESSM_REQUIRE(seen_.count(k), UsageError, "{}: unknown field '{}' (see docs/study.md for the fields)", source_,
                      name(k.c_str()));
  }
  std::string name(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  const json& j_;
  std::string path_, source_;
  std::set<std::string> seen_;
};

}  // namespace

const ModelSpec& StudyConfig::model(const std::string& n) const {
  for (const auto& m : models)
    if (m.name == n) return m;
  std::string names;
  for (const auto& m : models) names += (names.empty() ? "" : ", ") + m.name;
  throw UsageError(fmt::format("study config: no model named '{}' (models: {})", n, names));
}

bool StudyConfig::has_model(const std::string& n) const {
  for (const auto& m : models)
    if (m.name == n) return true;
  return false;
}

json StudyConfig::to_json() const {
  json ms = json::array();
  for (const auto& m : models)
    ms.push_back({{"name", m.name}, {"preset", m.preset}, {"overrides", m.overrides}, {"returns", m.returns}});
  return {
      {"format_version", kStudyConfigFormatVersion},
      {"name", name},
      {"seed", seed},
      {"corpus",
       {{"path", corpus.path},
        {"sources", corpus.sources},
        {"languages", corpus.languages},
        {"valid_permille", corpus.valid_permille},
        {"test_permille", corpus.test_permille}}},
      {"text",
       {{"languages", text.languages},
        {"train_bytes_per_language", text.train_bytes_per_language},
        {"valid_bytes_per_language", text.valid_bytes_per_language},
        {"max_document_bytes", text.max_document_bytes},
        {"heldout_tokens", text.heldout_tokens}}},
      {"tokenizer", {{"vocab_size", tokenizer.vocab_size}, {"max_sentences", tokenizer.max_sentences}}},
      {"models", ms},
      {"pretrain", {{"train", pretrain.train}, {"max_seconds", pretrain.max_seconds}}},
      {"types",
       {{"train", types.train}, {"models", types.models}, {"languages", types.languages}, {"max_files", types.max_files}}},
      {"retrieval",
       {{"train", retrieval.train},
        {"models", retrieval.models},
        {"languages", retrieval.languages},
        {"min_docstring_tokens", retrieval.min_docstring_tokens},
        {"max_train_pairs", retrieval.max_train_pairs},
        {"max_eval_pairs", retrieval.max_eval_pairs}}},
      {"extrapolation",
       {{"models", extrapolation.models},
        {"lengths", extrapolation.lengths},
        {"mlm_tokens", extrapolation.mlm_tokens},
        {"train", extrapolation.train}}},
      {"probing",
       {{"models", probing.models},
        {"language", probing.language},
        {"tasks", probing.tasks},
        {"max_functions", probing.max_functions},
        {"per_label", probing.per_label},
        {"max_function_bytes", probing.max_function_bytes},
        {"threads", probing.threads}}},
      {"cloze", {{"languages", cloze.languages}, {"max_items_per_language", cloze.max_items_per_language}}},
      {"memory_files", memory_files},
      {"device", {{"mode", device.mode}, {"bundle", device.bundle}, {"device", device.device}, {"dtype", device.dtype}}},
      {"verdicts",
       {{"z", verdicts.z},
        {"alpha", verdicts.alpha},
        {"sc_epsilon", verdicts.sc_epsilon},
        {"early_fraction", verdicts.early_fraction},
        {"linear_slope_max", verdicts.linear_slope_max},
        {"quadratic_slope_min", verdicts.quadratic_slope_min}}},
  };
}

StudyConfig StudyConfig::from_json(const json& j, const std::string& source) {
  StudyConfig c;
  Reader r(j, "", source);
  int version = kStudyConfigFormatVersion;
  r.get("format_version", version);
  CODESSM_REQUIRE(version >= 1 && version <= kStudyConfigFormatVersion, UsageError,
                  "{}: format_version {} is newer than this codessm reads ({}); upgrade codessm", source, version,
                  kStudyConfigFormatVersion);
  r.get("name", c.name);
  r.get("seed", c.seed);
  {
    auto s = r.section("corpus");
    s.get("path", c.corpus.path);
    s.get("sources", c.corpus.sources);
    s.get("languages", c.corpus.languages);
    s.get("valid_permille", c.corpus.valid_permille);
    s.get("test_permille", c.corpus.test_permille);
    s.finish();
  }
  {
    auto s = r.section("text");
    s.get("languages", c.text.languages);
    s.get("train_bytes_per_language", c.text.train_bytes_per_language);
    s.get("valid_bytes_per_language", c.text.valid_bytes_per_language);
    s.get("max_document_bytes", c.text.max_document_bytes);
    s.get("heldout_tokens", c.text.heldout_tokens);
    s.finish();
  }
  {
    auto s = r.section("tokenizer");
    s.get("vocab_size", c.tokenizer.vocab_size);
    s.get("max_sentences", c.tokenizer.max_sentences);
    s.finish();
  }
  {
    static const json none = json::array();
    const json& ms = j.contains("models") ? j.at("models") : none;
    r.mark("models");  // the array is parsed below
    CODESSM_REQUIRE(ms.is_array(), UsageError, "{}: field 'models' must be an array of objects", source);
    for (size_t i = 0; i < ms.size(); ++i) {
      Reader m(ms[i], fmt::format("models[{}]", i), source);
      ModelSpec spec;
      m.get("name", spec.name);
      m.get("preset", spec.preset);
      m.get("overrides", spec.overrides);
      m.get("returns", spec.returns);
      m.finish();
      c.models.push_back(spec);
    }
  }
  {
    auto s = r.section("pretrain");
    s.get_json("train", c.pretrain.train);
    s.get("max_seconds", c.pretrain.max_seconds);
    s.finish();
  }
  {
    auto s = r.section("types");
    s.get_json("train", c.types.train);
    s.get("models", c.types.models);
    s.get("languages", c.types.languages);
    s.get("max_files", c.types.max_files);
    s.finish();
  }
  {
    auto s = r.section("retrieval");
    s.get_json("train", c.retrieval.train);
    s.get("models", c.retrieval.models);
    s.get("languages", c.retrieval.languages);
    s.get("min_docstring_tokens", c.retrieval.min_docstring_tokens);
    s.get("max_train_pairs", c.retrieval.max_train_pairs);
    s.get("max_eval_pairs", c.retrieval.max_eval_pairs);
    s.finish();
  }
  {
    auto s = r.section("extrapolation");
    s.get("models", c.extrapolation.models);
    s.get("lengths", c.extrapolation.lengths);
    s.get("mlm_tokens", c.extrapolation.mlm_tokens);
    s.get_json("train", c.extrapolation.train);
    s.finish();
  }
  {
    auto s = r.section("probing");
    s.get("models", c.probing.models);
    s.get("language", c.probing.language);
    s.get("tasks", c.probing.tasks);
    s.get("max_functions", c.probing.max_functions);
    s.get("per_label", c.probing.per_label);
    s.get("max_function_bytes", c.probing.max_function_bytes);
    s.get("threads", c.probing.threads);
    s.finish();
  }
  {
    auto s = r.section("cloze");
    s.get("languages", c.cloze.languages);
    s.get("max_items_per_language", c.cloze.max_items_per_language);
    s.finish();
  }
  r.get("memory_files", c.memory_files);
  {
    auto s = r.section("device");
    s.get("mode", c.device.mode);
    s.get("bundle", c.device.bundle);
    s.get("device", c.device.device);
    s.get("dtype", c.device.dtype);
    s.finish();
  }
  {
    auto s = r.section("verdicts");
    s.get("z", c.verdicts.z);
    s.get("alpha", c.verdicts.alpha);
    s.get("sc_epsilon", c.verdicts.sc_epsilon);
    s.get("early_fraction", c.verdicts.early_fraction);
    s.get("linear_slope_max", c.verdicts.linear_slope_max);
    s.get("quadratic_slope_min", c.verdicts.quadratic_slope_min);
    s.finish();
  }
  r.finish();
  c.validate(source);
  return c;
}

StudyConfig StudyConfig::load(const fs::path& file) {
  const std::string text = core::read_file(file);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for an overflowing number
    throw UsageError(fmt::format("{}: not valid JSON ({})", file.string(), e.what()));
  }
  return from_json(j, file.string());
}

void StudyConfig::validate(const std::string& source) const {
  auto need = [&](bool ok, const std::string& field, const std::string& why) {
    if (!ok) throw UsageError(fmt::format("{}: field '{}' {}", source, field, why));
  };
  need(corpus.path.empty() != corpus.sources.empty(), "corpus",
       "needs exactly one of 'path' (a corpus built by scripts/build_corpus.sh) and 'sources' (trees to build one from)");
  need(tokenizer.vocab_size >= 300 && tokenizer.vocab_size <= 65536, "tokenizer.vocab_size",
       fmt::format("must be in [300, 65536] (261 ids are specials and bytes; shards store uint16), got {}",
                   tokenizer.vocab_size));
  need(!models.empty(), "models", "is empty: list at least one {\"name\", \"preset\"}");
  static const std::regex name_re("[a-z0-9][a-z0-9-]*");
  std::set<std::string> names;
  for (size_t i = 0; i < models.size(); ++i) {
    const auto& m = models[i];
    const std::string f = fmt::format("models[{}]", i);
    need(std::regex_match(m.name, name_re), f + ".name",
         fmt::format("'{}' must be lower-case letters, digits and '-' (it names folders)", m.name));
    need(names.insert(m.name).second, f + ".name", fmt::format("'{}' appears twice", m.name));
    need(!m.preset.empty(), f + ".preset", "is empty: a preset name (codessm model presets)");
    need(m.returns == "full" || m.returns == "kernels" || m.returns == "none", f + ".returns",
         fmt::format("must be full, kernels or none, got '{}'", m.returns));
  }
  auto known = [&](const std::vector<std::string>& list, const std::string& field) {
    for (const auto& n : list)
      need(names.count(n), field, fmt::format("names model '{}', which is not in 'models'", n));
  };
  known(types.models, "types.models");
  known(retrieval.models, "retrieval.models");
  known(extrapolation.models, "extrapolation.models");
  known(probing.models, "probing.models");
  need(pretrain.train.is_object(), "pretrain.train", "must be an object of TrainConfig fields");
  need(pretrain.max_seconds >= 0, "pretrain.max_seconds", "must be >= 0 (0 = no time budget)");
  for (const auto* p : {&types.train, &retrieval.train, &extrapolation.train})
    need(p->is_null() || p->is_object(), "train", "sections' 'train' must be an object of TrainConfig fields");
  for (size_t i = 0; i < extrapolation.lengths.size(); ++i)
    need(extrapolation.lengths[i] >= 8 && (i == 0 || extrapolation.lengths[i] > extrapolation.lengths[i - 1]),
         "extrapolation.lengths", "must be ascending and >= 8");
  need(extrapolation.models.empty() || !types.models.empty(), "extrapolation.models",
       "needs the type-inference data: list models in types.models too");
  need(device.mode == "local" || device.mode == "device", "device.mode",
       fmt::format("must be local or device, got '{}'", device.mode));
  need(!device.bundle.empty() && fs::path(device.bundle).is_relative(), "device.bundle",
       "must be a path relative to the repository root (it travels to the GPU machine with the working tree)");
  need(verdicts.z > 0, "verdicts.z", "must be > 0");
  need(verdicts.alpha > 0 && verdicts.alpha < 1, "verdicts.alpha", "must be in (0, 1)");
  need(verdicts.early_fraction > 0 && verdicts.early_fraction <= 1, "verdicts.early_fraction", "must be in (0, 1]");
  need(verdicts.linear_slope_max < verdicts.quadratic_slope_min, "verdicts",
       "linear_slope_max must be below quadratic_slope_min");
}

}  // namespace codessm::study
