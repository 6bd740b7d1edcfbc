// codessm-requires: parse
// Parse and extraction throughput (MB/s of source) on real files: parse only, parse + tokens,
// parse + tokens + data flow, and the per-function AST-distance matrix and sibling pairs.
// Input: the first files (sorted) of $CODESSM_BENCH_PY_DIR (default /usr/lib/python3.11), up to
// 4 MB, and JavaScript from node_modules. Results: bench/results/parse.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codessm/parse/ast_relations.h"
#include "codessm/parse/dataflow.h"
#include "codessm/parse/functions.h"
#include "codessm/parse/tokens.h"
#include "codessm/parse/ts_parser.h"

namespace fs = std::filesystem;
using namespace codessm::parse;

namespace {

constexpr size_t kBudgetBytes = 4u << 20;

// Sorted files of `lang` under `root` (non-recursive levels first would bias; take all, sorted),
// skipping test folders, until kBudgetBytes.
std::vector<std::string> load(Language lang, const fs::path& root) {
  std::vector<fs::path> paths;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
       it != end && !ec; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (it->is_directory(ec) && (name == "test" || name == "tests" || name == "lib2to3")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && language_from_path(it->path()) == lang) paths.push_back(it->path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> out;
  size_t total = 0;
  for (const auto& p : paths) {
    if (total >= kBudgetBytes) break;
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    total += ss.str().size();
    out.push_back(ss.str());
  }
  return out;
}

const std::vector<std::string>& python_files() {
  static const auto files = [] {
    const char* env = std::getenv("CODESSM_BENCH_PY_DIR");
    return load(Language::kPython, env ? env : "/usr/lib/python3.11");
  }();
  return files;
}

const std::vector<std::string>& javascript_files() {
  static const auto files = load(Language::kJavaScript, fs::path(CODESSM_SOURCE_DIR) / "node_modules");
  return files;
}

enum class Stage { kParse, kTokens, kDataflow, kRelations };

void run(benchmark::State& state, Language lang, const std::vector<std::string>& files, Stage stage) {
  if (files.empty()) {
    state.SkipWithError("no input files on this machine");
    return;
  }
  Parser parser(lang);
  size_t bytes = 0, items = 0;
  for (auto _ : state) {
    for (const auto& src : files) {
      SyntaxTree tree = parser.parse(src);
      size_t n = tree.nodes.size();
      if (stage != Stage::kParse) {
        auto toks = extract_tokens(tree);
        n += toks.size();
        if (stage == Stage::kDataflow) n += extract_dataflow(tree, toks).edges.size();
        if (stage == Stage::kRelations) {
          // Per function, as the probing data are built: n×n distances and motif siblings.
          for (const auto& f : find_functions(tree)) {
            auto ft = extract_tokens(tree, {}, f.node);
            if (ft.size() > 512) continue;
            n += ast_distance_matrix(tree, ft).size() + sibling_pairs(tree, ft).size();
          }
        }
      }
      benchmark::DoNotOptimize(n);
      bytes += src.size();
      ++items;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(items));
  state.counters["files"] = static_cast<double>(files.size());
}

}  // namespace

BENCHMARK_CAPTURE(run, python_parse, Language::kPython, python_files(), Stage::kParse)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, python_parse_tokens, Language::kPython, python_files(), Stage::kTokens)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, python_parse_tokens_dfg, Language::kPython, python_files(), Stage::kDataflow)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, python_parse_relations, Language::kPython, python_files(), Stage::kRelations)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, javascript_parse_tokens_dfg, Language::kJavaScript, javascript_files(), Stage::kDataflow)
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
