// `codessm dataset types`: corpus JSONL records → one type-inference example each → hash split →
// OUT/{train,valid,test}.jsonl + manifest.json. Single-threaded and in input order, so runs on the same
// input are byte-identical (no timestamps or timings in any file).
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/corpus/corpus_builder.h"
#include "codessm/corpus/sha256.h"
#include "codessm/corpus/type_dataset.h"
#include "codessm/parse/ts_parser.h"

namespace codessm::corpus {

namespace {

using nlohmann::ordered_json;
constexpr int kFormatVersion = 1;
const char* const kSplits[] = {"train", "valid", "test"};
constexpr size_t kTopTypes = 20;

void validate(const TypeDatasetOptions& o) {
  if (o.out.empty()) throw UsageError("dataset types: --out is required (the folder to write the dataset into)");
  if (o.inputs.empty()) throw UsageError("dataset types: give a --corpus JSONL file or folder");
  if (o.train_percent + o.valid_percent + o.test_percent != 100)
    throw UsageError(fmt::format("dataset types: --split {},{},{} does not sum to 100", o.train_percent,
                                 o.valid_percent, o.test_percent));
  if (o.languages.empty()) throw UsageError("dataset types: --lang is empty; use typescript, tsx and/or python");
  for (const auto& l : o.languages)
    if (l != "typescript" && l != "tsx" && l != "python")
      throw UsageError(
          fmt::format("dataset types: language '{}' is not supported in --lang (typescript, tsx, "
                      "python: the languages with type annotations)",
                      l));
}

// The JSONL files behind the inputs, in order (docs/parse.md §"Type-inference dataset builder").
std::vector<fs::path> input_files(const std::vector<fs::path>& inputs) {
  std::vector<fs::path> out;
  for (const auto& in : inputs) {
    core::require_exists(in, "corpus input", "give a JSONL file or the --out folder of `codessm corpus build`");
    if (!fs::is_directory(in)) {
      out.push_back(in);
      continue;
    }
    const fs::path dir = fs::is_directory(in / "files") ? in / "files" : in;
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().extension() == ".jsonl") found.push_back(e.path());
    if (found.empty())
      throw DataError(
          fmt::format("dataset types: no *.jsonl in '{}': give a corpus folder (with files/) or a "
                      "JSONL file",
                      dir.string()));
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

std::string string_field(const ordered_json& j, const char* key, const fs::path& file, size_t line, bool required) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (!required) return {};
    throw DataError(
        fmt::format("{}:{}: corpus record has no '{}' field (expected `codessm corpus build` "
                    "files/ or functions/ records)",
                    file.string(), line, key));
  }
  if (!it->is_string()) throw DataError(fmt::format("{}:{}: field '{}' must be a string", file.string(), line, key));
  return it->get<std::string>();
}

// One selected record, reduced to what the builder needs.
struct Record {
  std::string id, split_key, language, text;
};

// Line `line_no` of `file` as a Record; DataError naming the file, line and field when malformed.
Record parse_record(const std::string& line, const fs::path& file, size_t line_no) {
  ordered_json j;
  try {
    j = ordered_json::parse(line);
  } catch (const std::exception& e) {
    throw DataError(fmt::format("{}:{}: not a JSON line ({})", file.string(), line_no, e.what()));
  }
  if (!j.is_object()) throw DataError(fmt::format("{}:{}: a record must be a JSON object", file.string(), line_no));
  Record r;
  r.language = string_field(j, "language", file, line_no, true);
  const std::string repo = string_field(j, "repo", file, line_no, false);
  const std::string path = string_field(j, "path", file, line_no, true);
  // Files records carry `content`, function records `code` (= original_string).
  const bool is_file = j.contains("content");
  r.text = string_field(j, is_file ? "content" : "code", file, line_no, true);
  r.split_key = repo.empty() ? path : repo + "/" + path;
  r.id = r.split_key;
  if (!is_file) {
    r.id += "#" + string_field(j, "func_name", file, line_no, false);
    if (j.contains("start_line") && j["start_line"].is_number())
      r.id += fmt::format(":{}", j["start_line"].get<int64_t>());
  }
  return r;
}

ordered_json counts_json(const TypeCounts& c) {
  ordered_json j;
  j["annotations"] = c.annotations;
  j["labelled_tokens"] = c.labelled_tokens;
  j["unlabelled_annotations"] = c.unlabelled;
  j["label_lost"] = c.label_lost;
  j["annotation_kinds"] = c.kinds;
  j["leaks_stripped"] = c.leaks;
  j["annotations_kept"] = c.kept;
  return j;
}

// The most frequent training labels (ties by name), to eyeball the label distribution.
ordered_json top_types(const std::vector<benchmarks::TokenExample>& train) {
  std::map<std::string, uint64_t> freq;
  for (const auto& e : train)
    for (const auto& l : e.labels)
      if (!l.empty()) ++freq[l];
  std::vector<std::pair<std::string, uint64_t>> v(freq.begin(), freq.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  ordered_json j = ordered_json::array();
  for (size_t i = 0; i < v.size() && i < kTopTypes; ++i) j.push_back({v[i].first, v[i].second});
  return j;
}

void write_manifest(const TypeDatasetOptions& o, const std::vector<fs::path>& files, const TypeDatasetSummary& s,
                    const std::map<std::string, std::vector<benchmarks::TokenExample>>& splits) {
  ordered_json m;
  m["format_version"] = kFormatVersion;
  m["format"] = "ManyTypes4TypeScript JSONL (tokens, labels with null for unlabelled tokens, id)";
  m["parser"] = parse::runtime_description();
  ordered_json inputs = ordered_json::array();
  for (const auto& f : files) inputs.push_back(f.string());
  m["inputs"] = inputs;
  m["options"] = {{"languages", o.languages},
                  {"split", {o.train_percent, o.valid_percent, o.test_percent}},
                  {"max_files", o.max_files},
                  {"strip_leaks", o.example.strip_leaks},
                  {"keep_unannotated", o.example.keep_unannotated}};
  m["counts"] = {{"records_read", s.records_read},
                 {"records_selected", s.records_selected},
                 {"examples_written", s.examples_written},
                 {"skipped", s.skipped},
                 {"examples_per_split", s.examples_per_split},
                 {"labels_per_split", s.labels_per_split},
                 {"examples_per_language", s.examples_per_language}};
  m["annotations"] = counts_json(s.counts);
  m["top_train_types"] = top_types(splits.at("train"));
  m["outputs"] = {{"train", "train.jsonl"}, {"valid", "valid.jsonl"}, {"test", "test.jsonl"}};
  core::write_file_atomic(o.out / "manifest.json", m.dump(2) + "\n");
}

}  // namespace

TypeDatasetSummary build_type_dataset(const TypeDatasetOptions& o) {
  validate(o);
  const std::vector<fs::path> files = input_files(o.inputs);
  std::set<std::string> wanted(o.languages.begin(), o.languages.end());
  if (wanted.count("typescript")) wanted.insert("tsx");  // one language with two grammars

  TypeDatasetSummary s;
  std::map<std::string, std::vector<benchmarks::TokenExample>> splits{{"train", {}}, {"valid", {}}, {"test", {}}};
  bool full = false;
  for (const auto& file : files) {
    const std::string text = core::read_file(file);
    size_t line_no = 0;
    for (size_t pos = 0; pos < text.size() && !full;) {
      const size_t nl = std::min(text.find('\n', pos), text.size());
      const std::string line = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const Record r = parse_record(line, file, line_no);
      ++s.records_read;
      const auto lang = parse::language_from_name(r.language);
      if (!wanted.count(r.language) || !lang) {
        ++s.skipped["language_not_selected"];
        continue;
      }
      ++s.records_selected;
      const TypeExampleResult ex = make_type_example(r.text, *lang, r.id, o.example);
      if (!ex.ok) {
        ++s.skipped[ex.skip_reason];
      } else {
        s.counts.add(ex.counts);  // annotation counts describe what was written, not skipped files
        const std::string split = split_for_hash(sha256_hex(r.split_key), o.valid_percent * 10, o.test_percent * 10);
        ++s.examples_written;
        ++s.examples_per_split[split];
        ++s.examples_per_language[r.language];
        s.labels_per_split[split] += ex.counts.labelled_tokens;
        splits[split].push_back(ex.example);
      }
      full = o.max_files > 0 && s.records_selected >= o.max_files;
    }
  }
  core::ensure_dir(o.out);
  for (const char* split : kSplits) benchmarks::write_type_inference(o.out / (std::string(split) + ".jsonl"), splits[split]);
  write_manifest(o, files, s, splits);
  return s;
}

}  // namespace codessm::corpus
