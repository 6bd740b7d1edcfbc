// `--set key=value` for every config, in one place: an override is a patch of the config's JSON, applied
// before the config is parsed and validated (parse → patch → validate once), so a config whose required
// fields come from the command line never fails validation half-way.
//   key    a dotted path into the JSON (optim.lr, model.overrides.num_hidden_layers), or a bare field name
//          that occurs exactly once in the document (lr); an ambiguous or unknown name is a UsageError that
//          lists the candidates or says where the fields are documented.
//   value  parsed as JSON when it parses (4, 1e-3, true, [1,2], {"a":1}, "quoted"), else taken as a string
//          (cuda:0, runs/x). A list field given a non-list value gets it appended (one element per --set).
// Torch-free (config module): TrainConfig, ModelConfig overrides (`model info --set`), the eval command's task
// config and ModelSpec::overrides all go through it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace codessm::config {

struct OverrideRules {
  /// Names the document in errors ("train config", "config.json of preset codessm-tiny").
  std::string what = "config";
  /// Where the fields are listed, for "unknown field" errors (e.g. "docs/training.md").
  std::string docs;
  /// Dotted paths of objects that take new keys (their keys are not known in advance: model.overrides).
  /// Bare names never resolve inside them.
  std::vector<std::string> open_objects;
};

/// One override split into its path (dotted components) and its value.
struct Override {
  std::vector<std::string> path;
  nlohmann::json value;
  std::string text;  ///< the original key=value, for messages
};

/// Splits `kv` at the first '=' and parses the value; UsageError when it is not key=value.
Override parse_override(const std::string& kv);

/// The JSON value of the text after '=': JSON when it parses, else the string itself.
nlohmann::json parse_override_value(const std::string& text);

/// Resolves `o`'s key against `doc` (a bare name found once → its full path) and applies it. UsageError for
/// an unknown or ambiguous key, naming `rules.what`.
void apply_override(nlohmann::json& doc, const Override& o, const OverrideRules& rules);

/// apply_override for each `key=value`, in order.
void apply_overrides(nlohmann::json& doc, const std::vector<std::string>& overrides, const OverrideRules& rules);

/// "a.b.c" ↔ {"a", "b", "c"}.
std::vector<std::string> split_path(const std::string& dotted);
std::string join_path(const std::vector<std::string>& path);

}  // namespace codessm::config
