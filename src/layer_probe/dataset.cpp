// Probe dataset sampling (directprobe-spec §3.4–3.7), seeded and keyed by function (§3.8).
// Sampling uses our own Fisher–Yates over std::mt19937_64 (whose output the standard fixes) rather
// than std::shuffle / distributions, whose algorithms are implementation-defined, so a dataset is
// reproducible across standard libraries.
#include "codessm/layer_probe/dataset.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <unordered_set>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/parse/ast_relations.h"
#include "codessm/parse/dataflow.h"
#include "codessm/parse/functions.h"
#include "codessm/parse/tokens.h"
#include "codessm/parse/ts_parser.h"

namespace codessm::layer_probe {

namespace {

using Rng = std::mt19937_64;

/// Uniform index in [0, n); the modulo bias (< n / 2^64) is negligible and keeps it portable.
uint64_t uniform_index(Rng& rng, uint64_t n) { return rng() % n; }

template <class T>
void shuffle(std::vector<T>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[uniform_index(rng, i)]);
}

/// k of v without replacement, in their original order (random.sample followed by sort, spec §3.7).
template <class T>
std::vector<T> sample_sorted(const std::vector<T>& v, size_t k, Rng& rng) {
  std::vector<size_t> idx(v.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  shuffle(idx, rng);
  idx.resize(std::min(k, idx.size()));
  std::sort(idx.begin(), idx.end());
  std::vector<T> out;
  out.reserve(idx.size());
  for (size_t i : idx) out.push_back(v[i]);
  return out;
}

/// A seed for one function's negatives, independent of which other functions were drawn.
uint64_t mix_seed(uint64_t seed, const std::string& id) {
  uint64_t h = 1469598103934665603ull ^ seed;
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
  return h;
}

/// Row tokens of the distance and siblings tasks. Python: create_dp_dataset.py's KW list as it
/// behaves — its missing comma makes 'true' 'or' one string "trueor", so `true` and `or` never
/// match (spec §3.7); we keep that for comparability. Other languages: keyword leaves (an anonymous
/// node whose text is its type and is a word), the closest analogue.
bool is_row_keyword(parse::Language lang, const std::string& type, bool named) {
  static const std::set<std::string> kw = {"def",   "for",   "if",    "none",   "else",   "false", "trueor",
                                           "and",   "return", "not",  "elif",   "with",   "try",   "raise",
                                           "except", "break", "while", "assert", "print", "continue", "class"};
  if (lang == parse::Language::kPython) return kw.count(type) > 0;
  if (named || type.empty()) return false;
  return std::all_of(type.begin(), type.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

struct Parsed {
  parse::SyntaxTree tree;
  std::vector<parse::CodeToken> tokens;
};

Parsed parse_function(const std::string& code, parse::Language lang, const std::string& origin) {
  parse::Parser parser(lang);
  Parsed p{parser.parse(code, origin), {}};
  parse::TokenOptions topt;
  const auto fns = parse::find_functions(p.tree);
  if (!fns.empty() && fns.front().docstring_node >= 0) topt.exclude.push_back(fns.front().docstring_node);
  p.tokens = parse::extract_tokens(p.tree, topt);
  return p;
}

std::vector<std::string> task_labels(ProbeTask t) {
  switch (t) {
    case ProbeTask::kDistance: return {"2.0", "3.0", "4.0", "5.0", "6.0"};
    case ProbeTask::kSiblings: return {"0", "1"};
    case ProbeTask::kDfg: return {"-1", "0", "1"};  // computedFrom, none, comesFrom (byte-wise sorted)
  }
  return {};
}

int64_t default_functions(ProbeTask t) { return t == ProbeTask::kDistance ? 160 : t == ProbeTask::kSiblings ? 100 : 130; }
int64_t default_per_label(ProbeTask t) { return t == ProbeTask::kDistance ? 1300 : 1500; }

}  // namespace

std::string task_name(ProbeTask t) {
  switch (t) {
    case ProbeTask::kDistance: return "distance";
    case ProbeTask::kSiblings: return "siblings";
    case ProbeTask::kDfg: return "dfg";
  }
  return "?";
}

ProbeTask task_from_name(const std::string& name) {
  if (name == "distance") return ProbeTask::kDistance;
  if (name == "siblings") return ProbeTask::kSiblings;
  if (name == "dfg") return ProbeTask::kDfg;
  throw UsageError(fmt::format("unknown probing task '{}': use distance, siblings or dfg", name));
}

ProbeFunction tokenize_function(const std::string& id, const std::string& code, parse::Language lang) {
  const Parsed p = parse_function(code, lang, id);
  ProbeFunction fn{id, code, {}};
  fn.tokens.reserve(p.tokens.size());
  for (const auto& t : p.tokens) fn.tokens.push_back({t.start_byte, t.end_byte, std::string(t.type)});
  return fn;
}

std::vector<ProbePair> candidate_pairs(const ProbeFunction& fn, ProbeTask task, parse::Language lang,
                                       uint64_t rng_seed) {
  const Parsed p = parse_function(fn.code, lang, fn.id);
  CODESSM_REQUIRE(p.tokens.size() == fn.tokens.size(), DataError,
                  "function '{}': {} tokens on re-parsing but the dataset stores {}; rebuild the dataset with this "
                  "codessm version",
                  fn.id, p.tokens.size(), fn.tokens.size());
  const int32_t n = static_cast<int32_t>(p.tokens.size());
  std::vector<ProbePair> out;
  Rng rng(rng_seed);
  if (task == ProbeTask::kDistance) {
    const std::vector<int32_t> dist = parse::ast_distance_matrix(p.tree, p.tokens);
    for (int32_t r = 0; r < n; ++r) {
      if (!is_row_keyword(lang, fn.tokens[r].type, p.tree.nodes[p.tokens[r].node].named)) continue;
      for (int32_t c = 0; c < n; ++c) {
        const int32_t d = dist[static_cast<size_t>(r) * n + c];
        if (c != r && d >= 2 && d <= 6) out.push_back({0, r, c, d - 2});
      }
    }
    return out;
  }
  // Per row: positives of each edge label, then negatives drawn from the remaining columns.
  std::vector<std::vector<int32_t>> pos_a(n), pos_b(n);  // siblings: pos_a only; dfg: a comesFrom, b computedFrom
  std::vector<bool> row_ok(n, true);
  if (task == ProbeTask::kSiblings) {
    for (const auto& [r, c] : parse::sibling_pairs(p.tree, p.tokens)) pos_a[r].push_back(c);
    for (int32_t r = 0; r < n; ++r) row_ok[r] = is_row_keyword(lang, fn.tokens[r].type, p.tree.nodes[p.tokens[r].node].named);
  } else {
    CODESSM_REQUIRE(parse::has_dataflow_rules(lang), UsageError, "no data-flow rules for {}",
                    parse::language_name(lang));
    for (const auto& e : parse::extract_dataflow(p.tree, p.tokens).edges)
      (e.relation == parse::DfgRelation::kComesFrom ? pos_a : pos_b)[e.from].push_back(e.to);
  }
  for (int32_t r = 0; r < n; ++r) {
    if (!row_ok[r] || (pos_a[r].empty() && pos_b[r].empty())) continue;
    std::unordered_set<int32_t> taken(pos_a[r].begin(), pos_a[r].end());
    taken.insert(pos_b[r].begin(), pos_b[r].end());
    std::vector<int32_t> free;
    for (int32_t c = 0; c < n; ++c)
      if (c != r && !taken.count(c)) free.push_back(c);
    size_t want;
    if (task == ProbeTask::kSiblings) {
      want = pos_a[r].size();  // as many non-siblings as siblings (get_entries_sib)
      for (int32_t c : pos_a[r]) out.push_back({0, r, c, 1});
      for (int32_t c : sample_sorted(free, want, rng)) out.push_back({0, r, c, 0});
    } else {
      want = (std::max(pos_a[r].size(), pos_b[r].size()) + 1) / 2;  // ceil(max/2) (get_enteries_df)
      for (int32_t c : pos_a[r]) out.push_back({0, r, c, 2});     // "1" comesFrom
      for (int32_t c : pos_b[r]) out.push_back({0, r, c, 0});     // "-1" computedFrom
      for (int32_t c : sample_sorted(free, want, rng)) out.push_back({0, r, c, 1});  // "0" none
    }
  }
  return out;
}

ProbeDataset build_probe_dataset(const std::vector<SourceFunction>& functions, const DatasetOptions& opt) {
  CODESSM_REQUIRE(opt.test_fraction > 0 && opt.test_fraction < 1, UsageError, "test fraction must be in (0, 1), got {}",
                  opt.test_fraction);
  ProbeDataset d;
  d.task = opt.task;
  d.language = opt.language;
  d.seed = opt.seed;
  d.labels = task_labels(opt.task);
  const int L = static_cast<int>(d.labels.size());
  Rng rng(opt.seed);

  // 1. Draw the functions (create_dp_dataset.py samples 160/100/130 codes), in input order.
  const int64_t want_fns = opt.max_functions > 0 ? opt.max_functions : default_functions(opt.task);
  std::vector<size_t> order(functions.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  shuffle(order, rng);
  int64_t skipped_long = 0, skipped_error = 0, skipped_empty = 0;
  std::vector<std::vector<ProbePair>> per_label(L);
  std::vector<size_t> chosen;
  std::vector<std::vector<ProbePair>> cands;
  for (size_t k = 0; k < order.size() && static_cast<int64_t>(d.functions.size()) < want_fns; ++k) {
    const SourceFunction& src = functions[order[k]];
    if (opt.max_function_bytes > 0 && src.code.size() > opt.max_function_bytes) {
      ++skipped_long;
      continue;
    }
    if (opt.skip_parse_errors) {
      parse::Parser parser(opt.language);
      if (parser.parse(src.code, src.id).has_error) {
        ++skipped_error;
        continue;
      }
    }
    ProbeFunction fn = tokenize_function(src.id, src.code, opt.language);
    std::vector<ProbePair> cand = candidate_pairs(fn, opt.task, opt.language, mix_seed(opt.seed, fn.id));
    if (cand.empty()) {
      ++skipped_empty;
      continue;
    }
    chosen.push_back(order[k]);
    d.functions.push_back(std::move(fn));
    cands.push_back(std::move(cand));
  }
  // Functions in input order (the original sorts entries by code); candidates per label.
  std::vector<size_t> fidx(d.functions.size());
  for (size_t i = 0; i < fidx.size(); ++i) fidx[i] = i;
  std::sort(fidx.begin(), fidx.end(), [&](size_t a, size_t b) { return chosen[a] < chosen[b]; });
  std::vector<ProbeFunction> sorted_fns;
  for (size_t f = 0; f < fidx.size(); ++f) {
    sorted_fns.push_back(std::move(d.functions[fidx[f]]));
    for (ProbePair p : cands[fidx[f]]) {
      p.function = static_cast<int32_t>(f);
      per_label[p.label].push_back(p);
    }
  }
  d.functions = std::move(sorted_fns);

  // 2. Balance: the same number of pairs per label, each label's sample kept in (function, row, col) order.
  int64_t k = opt.per_label > 0 ? opt.per_label : default_per_label(opt.task);
  std::vector<int64_t> available;
  for (const auto& v : per_label) k = std::min<int64_t>(k, static_cast<int64_t>(v.size())), available.push_back(v.size());
  CODESSM_REQUIRE(k > 0, DataError,
                  "{} task: some label has no candidate pair among {} functions (candidates per label {}); give more "
                  "functions (--max-functions) or a larger input",
                  task_name(opt.task), d.functions.size(), nlohmann::json(available).dump());
  std::vector<ProbePair> all;
  for (int l = 0; l < L; ++l)
    for (const ProbePair& p : sample_sorted(per_label[l], static_cast<size_t>(k), rng)) all.push_back(p);
  std::stable_sort(all.begin(), all.end(), [](const ProbePair& a, const ProbePair& b) { return a.function < b.function; });

  // 3. Split: test = the first ceil(f·n) of a seeded permutation, train = the rest in permutation order.
  std::vector<size_t> perm(all.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  shuffle(perm, rng);
  const size_t n_test = static_cast<size_t>(std::ceil(opt.test_fraction * static_cast<double>(all.size())));
  for (size_t i = 0; i < perm.size(); ++i) (i < n_test ? d.test : d.train).push_back(all[perm[i]]);

  d.provenance = {{"functions_in_input", functions.size()},
                  {"functions_used", d.functions.size()},
                  {"skipped_too_long", skipped_long},
                  {"skipped_parse_error", skipped_error},
                  {"skipped_no_pairs", skipped_empty},
                  {"candidates_per_label", available},
                  {"per_label", k},
                  {"test_fraction", opt.test_fraction},
                  {"max_function_bytes", opt.max_function_bytes}};
  return d;
}

std::vector<int64_t> label_counts(const std::vector<ProbePair>& pairs, int num_labels) {
  std::vector<int64_t> c(num_labels, 0);
  for (const auto& p : pairs) ++c.at(p.label);
  return c;
}

std::vector<SourceFunction> read_source_functions(const fs::path& path, parse::Language lang) {
  core::require_exists(path, "function input", "pass a CodeSearchNet-style .jsonl file or a source file/folder");
  std::vector<SourceFunction> out;
  const std::string ext = path.extension().string();
  if (fs::is_regular_file(path) && (ext == ".jsonl" || ext == ".json")) {
    std::ifstream in(path);
    std::string line;
    int64_t lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (line.empty()) continue;
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const std::exception& e) {
        throw DataError(fmt::format("{}:{}: not a JSON object ({}); expected one function per line", path.string(),
                                    lineno, e.what()));
      }
      const char* field = j.contains("original_string") ? "original_string" : j.contains("code") ? "code" : nullptr;
      CODESSM_REQUIRE(field, DataError, "{}:{}: no 'original_string' or 'code' field with the function text",
                      path.string(), lineno);
      if (j.contains("language") && j["language"].is_string()) {
        const auto l = parse::language_from_name(j["language"].get<std::string>());
        if (l && *l != lang) continue;  // a mixed corpus: keep the requested language only
      }
      std::string id = j.contains("sha") && j["sha"].is_string() ? j["sha"].get<std::string>()
                                                                  : fmt::format("{}:{}", path.filename().string(), lineno);
      out.push_back({std::move(id), j[field].get<std::string>()});
    }
    return out;
  }
  std::vector<fs::path> files;
  if (fs::is_directory(path)) {
    for (const auto& e : fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied))
      if (e.is_regular_file() && parse::language_from_path(e.path()) == lang) files.push_back(e.path());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  parse::Parser parser(lang);
  for (const auto& f : files) {
    std::string src = core::read_file(f);
    const parse::SyntaxTree tree = parser.parse(src, f.string());
    for (const auto& fn : parse::find_functions(tree)) {
      const fs::path rel = fs::is_directory(path) ? fs::relative(f, path) : f.filename();
      out.push_back({fmt::format("{}:{}", rel.string(), fn.start.row + 1),
                     src.substr(fn.start_byte, fn.end_byte - fn.start_byte)});
    }
  }
  return out;
}

nlohmann::json dataset_to_json(const ProbeDataset& d) {
  nlohmann::json fns = nlohmann::json::array();
  for (const auto& f : d.functions) {
    nlohmann::json toks = nlohmann::json::array();
    for (const auto& t : f.tokens) toks.push_back({t.begin, t.end, t.type});
    fns.push_back({{"id", f.id}, {"code", f.code}, {"tokens", toks}});
  }
  auto pairs = [](const std::vector<ProbePair>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& p : v) a.push_back({p.function, p.row, p.col, p.label});
    return a;
  };
  return {{"schema", kDatasetSchema},
          {"format_version", kDatasetFormatVersion},
          {"task", task_name(d.task)},
          {"language", std::string(parse::language_name(d.language))},
          {"seed", d.seed},
          {"labels", d.labels},
          {"vector", uses_difference(d.task) ? "difference" : "concatenation"},
          {"provenance", d.provenance},
          {"functions", fns},
          {"pair_fields", {"function", "row", "col", "label"}},
          {"train", pairs(d.train)},
          {"test", pairs(d.test)}};
}

ProbeDataset dataset_from_json(const nlohmann::json& j, const std::string& origin) {
  CODESSM_REQUIRE(j.is_object() && j.value("schema", "") == kDatasetSchema, DataError,
                  "{}: not a probing dataset (schema '{}' expected); make one with `codessm probe dataset`", origin,
                  kDatasetSchema);
  const int v = j.value("format_version", 0);
  CODESSM_REQUIRE(v <= kDatasetFormatVersion, DataError,
                  "{}: dataset format_version {} is newer than this codessm reads ({}); upgrade codessm", origin, v,
                  kDatasetFormatVersion);
  ProbeDataset d;
  try {
    d.task = task_from_name(j.at("task").get<std::string>());
    const auto lang = parse::language_from_name(j.at("language").get<std::string>());
    CODESSM_REQUIRE(lang.has_value(), DataError, "{}: field 'language': unknown language", origin);
    d.language = *lang;
    d.seed = j.at("seed").get<uint64_t>();
    d.labels = j.at("labels").get<std::vector<std::string>>();
    d.provenance = j.value("provenance", nlohmann::json::object());
    for (const auto& f : j.at("functions")) {
      ProbeFunction fn{f.at("id").get<std::string>(), f.at("code").get<std::string>(), {}};
      for (const auto& t : f.at("tokens")) fn.tokens.push_back({t.at(0).get<uint32_t>(), t.at(1).get<uint32_t>(), t.at(2).get<std::string>()});
      d.functions.push_back(std::move(fn));
    }
    auto read_pairs = [&](const char* key, std::vector<ProbePair>& out) {
      for (const auto& p : j.at(key)) {
        ProbePair q{p.at(0).get<int32_t>(), p.at(1).get<int32_t>(), p.at(2).get<int32_t>(), p.at(3).get<int32_t>()};
        CODESSM_REQUIRE(q.function >= 0 && q.function < (int32_t)d.functions.size() && q.label >= 0 &&
                            q.label < (int32_t)d.labels.size() && q.row >= 0 && q.col >= 0 &&
                            q.row < (int32_t)d.functions[q.function].tokens.size() &&
                            q.col < (int32_t)d.functions[q.function].tokens.size(),
                        DataError, "{}: field '{}': pair {} is out of range", origin, key, p.dump());
        out.push_back(q);
      }
    };
    read_pairs("train", d.train);
    read_pairs("test", d.test);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("{}: malformed probing dataset ({})", origin, e.what()));
  }
  return d;
}

void save_dataset(const ProbeDataset& d, const fs::path& path) {
  if (path.has_parent_path()) core::ensure_dir(path.parent_path());
  core::write_file_atomic(path, dataset_to_json(d).dump() + "\n");
}

ProbeDataset load_dataset(const fs::path& path) {
  core::require_exists(path, "probing dataset", "make one with `codessm probe dataset`");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(core::read_file(path));
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for an overflowing number
    throw DataError(fmt::format("{}: not valid JSON ({})", path.string(), e.what()));
  }
  return dataset_from_json(j, path.string());
}

}  // namespace codessm::layer_probe
