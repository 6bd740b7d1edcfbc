// Retrieval readers (AdvTest, CoSQA, WebQuery, SQA, line-aligned code pairs) and the evaluation pool.
// Text is rebuilt from *_tokens by joining with spaces, as CodeXGLUE's NL-code-search-Adv run.py does.
#include <fmt/format.h>

#include <unordered_map>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/benchmarks/datasets.h"
#include "records.h"

namespace codessm::benchmarks {

using detail::json;
using detail::RecordSource;

namespace {

constexpr const char* kRetrievalFormats = "advtest, cosqa, webquery, sqa, aligned (QUERY_FILE:CODE_FILE)";

RetrievalExample from_advtest(const json& r, const RecordSource& src) {
  RetrievalExample ex;
  ex.id = detail::id_or_ordinal(r, src, {"url", "idx"});
  ex.query = detail::join_tokens(detail::get_string_list(r, src, "docstring_tokens"));
  // The AdvTest test split names the code tokens "function_tokens"; train/valid say "code_tokens".
  const char* code_field =
      detail::has(r, "code_tokens") || !detail::has(r, "function_tokens") ? "code_tokens" : "function_tokens";
  ex.code = detail::join_tokens(detail::get_string_list(r, src, code_field));
  return ex;
}

RetrievalExample from_cosqa(const json& r, const RecordSource& src, bool labelled) {
  RetrievalExample ex;
  ex.id = detail::get_id(r, src, "idx");
  ex.query = detail::get_string(r, src, "doc");
  ex.code = detail::get_string(r, src, "code");
  if (labelled) {
    const std::string label = detail::get_label(r, src, "label");
    if (label != "0" && label != "1") {
      detail::fail(src, "label", fmt::format("is {}", label), "CoSQA labels are 1 (the code answers) or 0");
    }
    ex.label = label == "1" ? 1 : 0;
  }
  return ex;
}

RetrievalExample from_sqa(const json& r, const RecordSource& src) {
  RetrievalExample ex;
  ex.id = detail::id_or_ordinal(r, src, {"id", "idx"});
  ex.query = detail::get_string(r, src, "question");
  ex.code = detail::get_string(r, src, "answer");
  return ex;
}

// "QUERY_FILE:CODE_FILE": the split is the ':' whose both sides exist, so paths containing ':' still work.
std::pair<fs::path, fs::path> split_aligned_spec(const fs::path& spec) {
  const std::string s = spec.string();
  for (size_t pos = s.find(':'); pos != std::string::npos; pos = s.find(':', pos + 1)) {
    const fs::path a = s.substr(0, pos), b = s.substr(pos + 1);
    if (fs::exists(a) && fs::exists(b)) return {a, b};
  }
  throw UsageError(
      fmt::format("'{}' is not QUERY_FILE:CODE_FILE with two existing files (format \"aligned\", "
                  "e.g. test.java:test.cs)",
                  s));
}

bool is_aligned_spec(const fs::path& path) {
  return !fs::exists(path) && path.string().find(':') != std::string::npos;
}

std::string detect_retrieval_format(const fs::path& path) {
  if (is_aligned_spec(path)) return "aligned";
  core::require_exists(path, "retrieval file", "check the path (docs/finetune.md, Formats)");
  const json first = detail::first_record(path);
  auto has = [&](const char* k) { return first.is_object() && detail::has(first, k); };
  // CoSQA records also carry docstring_tokens/code_tokens (as plain strings), so doc/code is tested first.
  if (has("doc") && has("code")) return has("label") ? "cosqa" : "webquery";
  if (has("docstring_tokens") && (has("code_tokens") || has("function_tokens"))) return "advtest";
  if (has("question") && has("answer")) return "sqa";
  throw UsageError(
      fmt::format("cannot detect the retrieval format of '{}' (extension '{}', first record's keys: {}); "
                  "pass the format explicitly, one of: {}",
                  path.string(), path.extension().string(), detail::key_list(first), kRetrievalFormats));
}

}  // namespace

std::vector<RetrievalExample> read_retrieval(const fs::path& path, const std::string& format) {
  const std::string fmt_name = format == "auto" ? detect_retrieval_format(path) : format;
  if (fmt_name == "aligned") {
    const auto [query_file, code_file] = split_aligned_spec(path);
    return read_aligned_pairs(query_file, code_file);
  }
  std::function<RetrievalExample(const json&, const RecordSource&)> convert;
  if (fmt_name == "advtest") {
    convert = from_advtest;
  } else if (fmt_name == "cosqa" || fmt_name == "webquery") {
    const bool labelled = fmt_name == "cosqa";
    convert = [labelled](const json& r, const RecordSource& src) { return from_cosqa(r, src, labelled); };
  } else if (fmt_name == "sqa") {
    convert = from_sqa;
  } else {
    throw UsageError(fmt::format("unknown retrieval format '{}'; use one of: auto, {}", format, kRetrievalFormats));
  }
  std::vector<RetrievalExample> out;
  detail::for_each_record(path, fmt_name,
                          [&](const json& r, const RecordSource& src) { out.push_back(convert(r, src)); });
  return out;
}

std::vector<RetrievalExample> read_aligned_pairs(const fs::path& query_file, const fs::path& code_file) {
  // Lines are kept as they are (no skipping of blank lines): the files are aligned by line number, so
  // dropping a line on one side would pair every later query with the wrong code.
  auto read_lines = [](const fs::path& p) {
    std::vector<std::string> lines;
    const std::string text = core::read_file(p);
    detail::for_each_line(text, [&](std::string_view line, int64_t) { lines.emplace_back(line); });
    return lines;
  };
  const auto queries = read_lines(query_file);
  const auto codes = read_lines(code_file);
  if (queries.size() != codes.size()) {
    throw DataError(
        fmt::format("'{}' has {} lines but '{}' has {}: aligned files pair line i with line i. Fix: use "
                    "the two sides of the same split (e.g. test.java with test.cs)",
                    query_file.string(), queries.size(), code_file.string(), codes.size()));
  }
  std::vector<RetrievalExample> out(queries.size());
  for (size_t i = 0; i < queries.size(); ++i) {
    const RecordSource src{queries[i].empty() ? query_file : code_file, static_cast<int64_t>(i + 1), -1, "aligned"};
    if (queries[i].empty() || codes[i].empty()) {
      detail::fail(src, "", "is an empty line", "every line of an aligned pair of files holds one code fragment");
    }
    out[i].id = std::to_string(i + 1);
    out[i].query = queries[i];
    out[i].code = codes[i];
  }
  return out;
}

RetrievalPool make_pool(const std::vector<RetrievalExample>& examples) {
  RetrievalPool p;
  std::unordered_map<std::string, int64_t> index;  // code string -> pool position
  for (const auto& ex : examples) {
    const auto [it, inserted] = index.emplace(ex.code, static_cast<int64_t>(p.pool.size()));
    if (inserted) p.pool.push_back(ex.code);
    if (ex.label != 1) continue;  // negatives (CoSQA label 0) only enlarge the pool
    p.queries.push_back(ex.query);
    p.query_ids.push_back(ex.id);
    p.gold.push_back(it->second);
  }
  return p;
}

}  // namespace codessm::benchmarks
