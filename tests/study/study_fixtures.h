// Shared fixtures of the study tests: a tiny source tree (real Python stdlib modules, a few of them annotated,
// plus small annotated TypeScript files) and a tiny study config over it whose whole pipeline runs in seconds.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "codessm/core/io.h"
#include "test_utils.h"

namespace codessm::test {

/// Python stdlib modules (annotated ones included, for the type-inference set) and three TypeScript files.
inline std::filesystem::path tiny_study_sources(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  const fs::path py = "/usr/lib/python3.11";
  core::ensure_dir(dir / "py");
  const char* modules[] = {"tomllib/_parser.py", "tomllib/_re.py", "graphlib.py", "bisect.py", "heapq.py", "textwrap.py",
                           "shlex.py", "fnmatch.py", "colorsys.py", "getopt.py", "glob.py", "string.py", "calendar.py",
                           "zoneinfo/_common.py", "zoneinfo/_tzpath.py", "dataclasses.py", "statistics.py",
                           "importlib/metadata/_text.py", "importlib/metadata/_functools.py", "quopri.py", "netrc.py",
                           "json/decoder.py", "json/encoder.py", "difflib.py", "pprint.py", "copy.py"};
  std::vector<fs::path> files;
  for (const char* m : modules) files.push_back(py / m);
  // Plus the first top-level modules of 3-20 KB in name order: enough files for every split to hold functions.
  std::vector<fs::path> top;
  for (const auto& e : fs::directory_iterator(py))
    if (e.path().extension() == ".py" && e.file_size() > 3000 && e.file_size() < 20000) top.push_back(e.path());
  std::sort(top.begin(), top.end());
  for (size_t k = 0; k < top.size() && k < 40; ++k) files.push_back(top[k]);
  int i = 0;
  for (const auto& f : files)
    if (fs::exists(f)) fs::copy_file(f, dir / "py" / (std::to_string(i++) + "_" + f.filename().string()),
                                     fs::copy_options::overwrite_existing);
  core::ensure_dir(dir / "ts");
  for (int k = 0; k < 6; ++k)
    core::write_file_atomic(dir / "ts" / ("m" + std::to_string(k) + ".ts"),
                            "export function clamp" + std::to_string(k) +
                                "(x: number, lo: number, hi: number): number {\n  return Math.max(lo, Math.min(hi, x));\n}\n"
                                "export class Box" + std::to_string(k) +
                                " {\n  label: string;\n  size: number = " + std::to_string(k) +
                                ";\n  constructor(label: string) { this.label = label; }\n"
                                "  grow(by: number): Box" + std::to_string(k) + " { this.size += by; return this; }\n}\n"
                                "let names: string[] = [];\nconst count: number = names.length;\n");
  return dir;
}

/// A study config over `sources` that runs end to end in seconds (tiny models, a few steps, small probes).
inline nlohmann::json tiny_study_config(const std::filesystem::path& sources, const std::string& mode = "local") {
  using nlohmann::json;
  return json{
      {"name", "test"},
      {"corpus", {{"sources", {(sources / "py").string(), (sources / "ts").string()}}, {"valid_permille", 200},
                  {"test_permille", 300}}},
      {"text", {{"heldout_tokens", 2048}}},
      {"tokenizer", {{"vocab_size", 400}, {"max_sentences", 20000}}},
      {"models", json::array({{{"name", "codessm"}, {"preset", "codessm-tiny"}},
                              {{"name", "rocoder"}, {"preset", "rocoder-tiny"}},
                              {{"name", "codessm-hf"}, {"preset", "codessm-tiny-hf"}, {"returns", "kernels"}}})},
      {"pretrain",
       {{"train", {{"context_length", 64}, {"batch_size", 4}, {"max_steps", 6}, {"lr", 3e-3}, {"warmup_steps", 2},
                   {"eval_every", 3}, {"eval_batches", 2}, {"log_every", 2}, {"save_every", 3}, {"keep_last", 1}}}}},
      {"types",
       {{"models", {"codessm", "rocoder", "codessm-hf"}},
        {"train", {{"max_length", 64}, {"batch_size", 4}, {"max_steps", 3}, {"lr", 1e-3}, {"warmup_steps", 1},
                   {"eval_every", 3}, {"save_every", 0}, {"keep_last", 1}, {"max_types", 30}}}}},
      {"retrieval",
       {{"models", {"codessm", "codessm-hf"}},
        {"max_eval_pairs", 20},
        {"train", {{"max_length", 64}, {"query_length", 16}, {"batch_size", 4}, {"max_steps", 3}, {"lr", 1e-3},
                   {"warmup_steps", 1}, {"eval_every", 3}, {"save_every", 0}, {"keep_last", 1}}}}},
      {"extrapolation", {{"models", {"codessm"}}, {"lengths", {64, 128}}, {"mlm_tokens", 512}, {"train", {{"max_steps", 2}}}}},
      {"probing", {{"models", {"codessm", "rocoder"}}, {"max_functions", 20}, {"per_label", 8}, {"max_function_bytes", 500},
                   {"threads", 2}}},
      {"cloze", {{"max_items_per_language", 20}}},
      {"memory_files", {"bench/results/memory*.json"}},
      {"device", {{"mode", mode}, {"device", "cpu"}, {"dtype", "fp32"}}},
  };
}

}  // namespace codessm::test
