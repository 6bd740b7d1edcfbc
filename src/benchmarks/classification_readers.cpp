// Sequence-classification readers: Devign, DiverseVul, CodeComplex, generic JSONL, and BigCloneBench pairs.
// Labels are kept as text so that one LabelMap serves integer, boolean and named labels alike.
#include <fmt/format.h>

#include <map>
#include <unordered_map>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/benchmarks/datasets.h"
#include "records.h"

namespace codessm::benchmarks {

using detail::json;
using detail::RecordSource;

namespace {

constexpr const char* kClassificationFormats =
    "devign, diversevul, codecomplex, jsonl (with --text-field/--label-field)";

// Which fields hold the id, text and label in each format.
struct ClassificationFields {
  std::vector<const char*> id;  ///< first present one wins; none → the line number
  const char* text = nullptr;
  const char* label = nullptr;
};

std::string detect_classification_format(const fs::path& path, const std::string& text_field,
                                         const std::string& label_field) {
  core::require_exists(path, "classification file", "check the path (docs/finetune.md, Formats)");
  const json first = detail::first_record(path);
  auto has = [&](const std::string& k) { return first.is_object() && detail::has(first, k.c_str()); };
  // Devign (CodeXGLUE) and DiverseVul share func/target; only CodeXGLUE's preprocessing adds idx.
  if (has("func") && has("target")) return has("idx") ? "devign" : "diversevul";
  if (has("src") && has("complexity")) return "codecomplex";
  if (has(text_field) && has(label_field)) return "jsonl";
  throw UsageError(
      fmt::format("cannot detect the classification format of '{}' (extension '{}', first record's keys: "
                  "{}); pass the format explicitly, one of: {}",
                  path.string(), path.extension().string(), detail::key_list(first), kClassificationFormats));
}

}  // namespace

std::string classification_selection_metric(const std::string& format) {
  static const std::map<std::string, std::string> table = {
      {"devign", "accuracy"}, {"diversevul", "macro_f1"}, {"codecomplex", "macro_f1"}, {"jsonl", "accuracy"}};
  auto it = table.find(format);
  return it == table.end() ? "accuracy" : it->second;
}

std::vector<ClassificationExample> read_classification(const fs::path& path, const std::string& format,
                                                       const std::string& text_field, const std::string& label_field) {
  const std::string name = format == "auto" ? detect_classification_format(path, text_field, label_field) : format;
  ClassificationFields fields;
  if (name == "devign") {
    fields = {{"idx"}, "func", "target"};
  } else if (name == "diversevul") {
    fields = {{}, "func", "target"};
  } else if (name == "codecomplex") {
    fields = {{}, "src", "complexity"};
  } else if (name == "jsonl") {
    fields = {{"idx", "id"}, text_field.c_str(), label_field.c_str()};
  } else {
    throw UsageError(
        fmt::format("unknown classification format '{}'; use one of: auto, {}", format, kClassificationFormats));
  }
  std::vector<ClassificationExample> out;
  detail::for_each_record(path, name, [&](const json& r, const RecordSource& src) {
    ClassificationExample ex;
    // Devign requires its idx (the evaluator matches predictions by it); the others fall back to the line.
    ex.id = name == "devign" ? detail::get_id(r, src, "idx") : detail::id_or_ordinal(r, src, fields.id);
    ex.text = detail::get_string(r, src, fields.text);
    ex.label = detail::get_label(r, src, fields.label);
    out.push_back(std::move(ex));
  });
  return out;
}

std::vector<ClassificationExample> read_bigclonebench(const fs::path& data_jsonl, const fs::path& pairs_txt,
                                                      int64_t max_pairs) {
  CODESSM_REQUIRE(max_pairs >= 0, UsageError, "max_pairs must be >= 0 (0 keeps every pair), got {}", max_pairs);
  std::unordered_map<std::string, std::string> funcs;  // idx -> function
  detail::for_each_record(data_jsonl, "BigCloneBench data.jsonl", [&](const json& r, const RecordSource& src) {
    std::string idx = detail::get_id(r, src, "idx");
    if (!funcs.emplace(idx, detail::get_string(r, src, "func")).second) {
      detail::fail(src, "idx", fmt::format("'{}' appears twice", idx), "each function of data.jsonl has its own idx");
    }
  });
  std::vector<ClassificationExample> out;
  const std::string text = core::read_file(pairs_txt);
  detail::for_each_line(text, [&](std::string_view line, int64_t line_no) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    if (max_pairs > 0 && static_cast<int64_t>(out.size()) >= max_pairs) return;
    const RecordSource src{pairs_txt, line_no, -1, "BigCloneBench pair list"};
    std::vector<std::string> cols;
    for (size_t start = 0;;) {
      const size_t tab = line.find('\t', start);
      cols.emplace_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    const char* fix = "each line is \"idx1<TAB>idx2<TAB>label\" with label 0 or 1";
    if (cols.size() != 3) detail::fail(src, "", fmt::format("has {} tab-separated columns, not 3", cols.size()), fix);
    if (cols[2] != "0" && cols[2] != "1") detail::fail(src, "label", fmt::format("is '{}'", cols[2]), fix);
    ClassificationExample ex;
    for (int k = 0; k < 2; ++k) {
      const auto it = funcs.find(cols[k]);
      if (it == funcs.end()) {
        detail::fail(src, k == 0 ? "idx1" : "idx2", fmt::format("'{}' is not in '{}'", cols[k], data_jsonl.string()),
                     "use the data.jsonl of the same CodeXGLUE release as the pair list");
      }
      (k == 0 ? ex.text : ex.text2) = it->second;
    }
    // Tab-joined ids so that "id<TAB>prediction" is exactly a line of the evaluator's predictions file.
    ex.id = cols[0] + "\t" + cols[1];
    ex.label = cols[2];
    out.push_back(std::move(ex));
  });
  return out;
}

}  // namespace codessm::benchmarks
