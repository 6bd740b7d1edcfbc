// Finding and reading the result files of `codessm report` (what counts as a result: html_report.h).
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <system_error>

#include "codessm/core/io.h"
#include "codessm/webreport/html_report.h"

namespace codessm::webreport {

using nlohmann::json;

namespace {

/// Schemas of inputs rather than results: a probing dataset is large and says nothing about a model.
const std::set<std::string>& input_schemas() {
  static const std::set<std::string> s = {"codessm.probing.dataset"};
  return s;
}

/// Folders that hold no results or only bulk data: dependency trees, VCS data, hidden temporaries
/// (checkpoint swaps, `.tmp-*`), probe vectors.
bool skip_folder(const fs::path& p) {
  const std::string n = p.filename().string();
  return n.empty() || n[0] == '.' || n == "node_modules" || n == "vectors" || n == "__pycache__";
}

bool is_metrics_log(const fs::path& p) {
  const std::string n = p.filename().string();
  return p.extension() == ".jsonl" && n.rfind("metrics", 0) == 0;
}

/// The path as the page shows it: relative to the current folder when it lies below it (a page made in a
/// checkout names runs/demo/..., not /home/...), else as given.
/// A benchmark result without the envelope: bench*.json, or any JSON under a folder named bench/.
bool is_benchmark(const fs::path& p) {
  if (p.filename().string().rfind("bench", 0) == 0) return true;
  for (const auto& part : p.parent_path())
    if (part == "bench") return true;
  return false;
}

std::string shown(const fs::path& p) {
  const fs::path n = p.lexically_normal();
  if (n.is_absolute()) {
    std::error_code ec;
    const fs::path cwd = fs::current_path(ec);
    if (!ec) {
      const fs::path rel = n.lexically_relative(cwd);
      if (!rel.empty() && *rel.begin() != "..") return rel.string();
    }
  }
  return n.string();
}

class Collector {
 public:
  Collector(const CollectOptions& o, Collection& c) : opts_(o), out_(c) {}

  void input(const fs::path& in) {
    std::error_code ec;
    const auto st = fs::status(in, ec);
    if (ec || !fs::exists(st)) {
      problem(in, "does not exist: give a run, study or result folder (or a result .json / metrics.jsonl file)");
      return;
    }
    const size_t before = out_.documents.size();
    if (fs::is_directory(st)) {
      std::vector<fs::path> files;
      walk(in, 0, files);
      std::sort(files.begin(), files.end());
      for (auto& f : files) file(f, in, /*named=*/false);
      if (out_.documents.size() == before)
        problem(in, "holds no result files (no JSON with a \"schema\", no metrics.jsonl) within " +
                        std::to_string(opts_.max_depth) + " folder levels");
    } else {
      file(in, in, /*named=*/true);
    }
  }

 private:
  void problem(const fs::path& p, const std::string& msg) { out_.problems.push_back({shown(p), msg}); }

  void walk(const fs::path& dir, int depth, std::vector<fs::path>& files) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec) {
      problem(dir, "cannot be listed: " + ec.message());
      return;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) {
        problem(dir, "listing stopped: " + ec.message());
        return;
      }
      const fs::path p = it->path();
      std::error_code sec;
      if (it->is_directory(sec)) {
        if (depth + 1 <= opts_.max_depth && !skip_folder(p)) walk(p, depth + 1, files);
      } else if (p.extension() == ".json" || is_metrics_log(p)) {
        files.push_back(p);
      }
    }
  }

  bool size_ok(const fs::path& p) {
    std::error_code ec;
    const auto n = fs::file_size(p, ec);
    if (ec) {
      problem(p, "cannot be read: " + ec.message());
      return false;
    }
    if (n > opts_.max_file_bytes) {
      problem(p, fmt::format("is {} MiB, above the {} MiB a report reads; pass a smaller result file",
                             n >> 20, opts_.max_file_bytes >> 20));
      return false;
    }
    return true;
  }

  void file(const fs::path& p, const fs::path& root, bool named) {
    if (!size_ok(p)) return;
    if (is_metrics_log(p)) {
      metrics(p, root);
      return;
    }
    std::string text;
    try {
      text = core::read_file(p);
    } catch (const std::exception& e) {
      problem(p, e.what());
      return;
    }
    json j;
    try {
      j = json::parse(text);
    } catch (const json::exception& e) {
      problem(p, fmt::format("is not valid JSON ({}); the file may be truncated: re-run the command that wrote it",
                             e.what()));
      return;
    }
    const bool has_schema = j.is_object() && j.contains("schema") && j["schema"].is_string();
    if (!has_schema && is_benchmark(p) && (j.is_object() || j.is_array())) {
      // Benchmark scripts (tools/, bench/) write plain JSON without the envelope: shown as tables.
      out_.documents.push_back({shown(p), shown(root), "bench.json", std::move(j)});
      return;
    }
    if (!has_schema) {
      if (named) problem(p, "is not a codessm result (no string field \"schema\" at the top level)");
      return;  // config.json, tokenizer files, manifests: not results
    }
    const std::string kind = j["schema"].get<std::string>();
    if (input_schemas().count(kind)) {
      if (named) problem(p, fmt::format("is an input ({}), not a result", kind));
      return;
    }
    out_.documents.push_back({shown(p), shown(root), kind, std::move(j)});
  }

  /// metrics.jsonl: one object per line; bad lines are reported by number and skipped. Long logs keep every
  /// k-th record (and always the last), recorded as "stride" so the page can say so.
  void metrics(const fs::path& p, const fs::path& root) {
    std::ifstream in(p);
    if (!in) {
      problem(p, "cannot be opened for reading");
      return;
    }
    std::vector<json> recs;
    std::string line;
    size_t n = 0, bad = 0, first_bad = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      try {
        auto j = json::parse(line);
        if (!j.is_object()) throw std::runtime_error("not an object");
        recs.push_back(std::move(j));
      } catch (const std::exception&) {
        if (!bad++) first_bad = n;
      }
    }
    if (bad)
      problem(p, fmt::format("{} of {} lines are not JSON objects (first: line {}); they are left out, the other "
                             "records are shown (a killed run can leave a half last line)", bad, n, first_bad));
    if (recs.empty()) {
      if (!bad) problem(p, "has no records yet");
      return;
    }
    size_t stride = 1;
    if (recs.size() > opts_.max_metric_records) stride = (recs.size() + opts_.max_metric_records - 1) / opts_.max_metric_records;
    json kept = json::array();
    for (size_t i = 0; i < recs.size(); ++i)
      if (i % stride == 0 || i + 1 == recs.size()) kept.push_back(std::move(recs[i]));
    json data = {{"records", std::move(kept)}, {"stride", stride}, {"lines", n}};
    out_.documents.push_back({shown(p), shown(root), "train.metrics", std::move(data)});
  }

  const CollectOptions& opts_;
  Collection& out_;
};

}  // namespace

Collection collect_results(const std::vector<fs::path>& inputs, const CollectOptions& opts) {
  Collection c;
  Collector col(opts, c);
  for (auto& in : inputs) col.input(in);
  return c;
}

}  // namespace codessm::webreport
