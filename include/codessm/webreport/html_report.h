// `codessm report`: the JSON that the commands write (interpret, interpret --compare, probe layers, probe run,
// pretrain/finetune reports and metrics.jsonl, eval, bench, study and any other envelope) gathered from run or
// study folders and rendered as one self-contained HTML page. The JSON stays the source of truth: the page
// embeds the documents as they are and draws them; it computes no result of its own. Layout: docs/report.md.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace codessm::webreport {

namespace fs = std::filesystem;

/// One result file as read.
struct Document {
  std::string path;    ///< as found (relative to the current folder when under it)
  std::string root;    ///< the input folder (or file) it was found under, as given
  std::string kind;    ///< the envelope's "schema" ("interpret.kernels", "codessm.probing.layers", ...);
                       ///< "train.metrics" for a metrics.jsonl
  nlohmann::json data; ///< the file's JSON (for metrics.jsonl: {"records": [...], "stride": k, "lines": n})
};

/// A file that could not be used, and why (the page lists these; the rest still renders).
struct Problem {
  std::string path;
  std::string message;
};

struct Collection {
  std::vector<Document> documents;
  std::vector<Problem> problems;
};

struct CollectOptions {
  int max_depth = 6;                          ///< folder levels searched below each input folder
  std::uintmax_t max_file_bytes = 256u << 20; ///< larger JSON files are reported, not read
  size_t max_metric_records = 20000;          ///< metrics.jsonl: keep every k-th record above this (k recorded)
};

/// Finds and reads the result files under each input (a folder, searched recursively, or a file). A JSON file
/// counts as a result when it has a string "schema" (the report envelope and the probe files do); config,
/// tokenizer and dataset files are passed over silently. Unreadable or malformed files become Problems that
/// name the file; missing inputs too.
Collection collect_results(const std::vector<fs::path>& inputs, const CollectOptions& opts = {});

struct PageOptions {
  std::string title = "codessm report";
};

/// The complete HTML page: uPlot, the page script and style inlined, the collection embedded as JSON.
std::string render_page(const Collection& c, const PageOptions& opts = {});

/// collect_results + render_page, written atomically to `out`. Returns the collection (for the CLI summary).
Collection write_report(const std::vector<fs::path>& inputs, const fs::path& out, const PageOptions& page = {},
                        const CollectOptions& opts = {});

}  // namespace codessm::webreport
