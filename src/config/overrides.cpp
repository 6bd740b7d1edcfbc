// key=value → JSON patch (overrides.h). The key is resolved against the document itself, so the set of
// accepted keys is always exactly the config's fields: a new field needs no change here.
#include "codessm/config/overrides.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "codessm/core/error.h"

namespace codessm::config {

using nlohmann::json;

std::vector<std::string> split_path(const std::string& dotted) {
  std::vector<std::string> out;
  size_t b = 0;
  while (true) {
    const size_t e = dotted.find('.', b);
    out.push_back(dotted.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

std::string join_path(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) s += (s.empty() ? "" : ".") + p;
  return s;
}

json parse_override_value(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::exception&) {
    return text;  // a bare string such as cuda:0 or a path
  }
}

Override parse_override(const std::string& kv) {
  const auto eq = kv.find('=');
  CODESSM_REQUIRE(eq != std::string::npos && eq > 0, UsageError, "--set '{}' must look like key=value", kv);
  Override o;
  o.text = kv;
  o.path = split_path(kv.substr(0, eq));
  for (const auto& c : o.path)
    CODESSM_REQUIRE(!c.empty(), UsageError, "--set '{}': the key has an empty path component", kv);
  o.value = parse_override_value(kv.substr(eq + 1));
  return o;
}

namespace {

bool is_open(const std::vector<std::string>& path, const OverrideRules& rules) {
  const std::string p = join_path(path);
  return std::find(rules.open_objects.begin(), rules.open_objects.end(), p) != rules.open_objects.end();
}

/// Every path in `node` whose last component is `name` (not descending into open objects).
void find_name(const json& node, const std::string& name, std::vector<std::string>& at,
               std::vector<std::vector<std::string>>& found, const OverrideRules& rules) {
  if (!node.is_object() || (!at.empty() && is_open(at, rules))) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    at.push_back(it.key());
    if (it.key() == name) found.push_back(at);
    find_name(it.value(), name, at, found, rules);
    at.pop_back();
  }
}

std::string unknown_message(const Override& o, const std::string& key, const OverrideRules& rules) {
  return fmt::format("--set '{}': '{}' is not a {} field{}", o.text, key, rules.what,
                     rules.docs.empty() ? "" : " (see " + rules.docs + ")");
}

}  // namespace

void apply_override(json& doc, const Override& o, const OverrideRules& rules) {
  std::vector<std::string> path = o.path;
  if (path.size() == 1) {
    std::vector<std::string> at;
    std::vector<std::vector<std::string>> found;
    find_name(doc, path[0], at, found, rules);
    if (found.empty()) throw UsageError(unknown_message(o, path[0], rules));
    if (found.size() > 1) {
      std::vector<std::string> names;
      for (const auto& f : found) names.push_back(join_path(f));
      throw UsageError(fmt::format("--set '{}': '{}' names several {} fields ({}); give the full path", o.text,
                                   path[0], rules.what, fmt::format("{}", fmt::join(names, ", "))));
    }
    path = found[0];
  }
  json* node = &doc;
  for (size_t i = 0; i < path.size(); ++i) {
    const std::vector<std::string> parent(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(i));
    const bool open = is_open(parent, rules);
    if (!node->is_object() || (!node->contains(path[i]) && !open))
      throw UsageError(unknown_message(o, join_path(path), rules));
    node = &(*node)[path[i]];
  }
  // A list field given a single value takes it as one more element (--set stages=DIR:STEPS, repeatable).
  if (node->is_array() && !o.value.is_array()) {
    node->push_back(o.value);
  } else {
    *node = o.value;
  }
}

void apply_overrides(json& doc, const std::vector<std::string>& overrides, const OverrideRules& rules) {
  for (const auto& kv : overrides) apply_override(doc, parse_override(kv), rules);
}

}  // namespace codessm::config
