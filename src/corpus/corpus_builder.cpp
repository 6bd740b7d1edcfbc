// The corpus build: scan → check → hash/de-duplicate → parse → extract → split → write.
// Single-threaded on purpose: output order is the scan order, which makes runs byte-identical.
#include "codessm/corpus/corpus_builder.h"

#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/core/progress.h"
#include "codessm/corpus/content_check.h"
#include "codessm/corpus/licence.h"
#include "codessm/corpus/records.h"
#include "codessm/corpus/sha256.h"
#include "codessm/corpus/source_scan.h"
#include "codessm/parse/tokens.h"
#include "codessm/parse/ts_parser.h"

namespace codessm::corpus {

namespace {

constexpr int kFormatVersion = 1;
const char* const kSplits[] = {"train", "valid", "test"};

// One JSONL output: written atomically, hashed and counted on the way.
struct JsonlOut {
  explicit JsonlOut(const fs::path& p) : writer(std::make_unique<core::AtomicFileWriter>(p)) {}
  void line(const std::string& s) {
    writer->write(s);
    writer->write("\n");
    hash.update(s);
    hash.update("\n");
    ++lines;
  }
  std::unique_ptr<core::AtomicFileWriter> writer;
  Sha256 hash;
  uint64_t lines = 0;
};

void validate(const CorpusBuildOptions& o) {
  if (o.out.empty()) throw UsageError("corpus build: --out is required (the folder to write the corpus into)");
  if (o.sources.empty()) throw UsageError("corpus build: give at least one --src folder");
  if (o.valid_permille + o.test_permille > 1000)
    throw UsageError(fmt::format("corpus build: valid ({}‰) + test ({}‰) exceed 1000‰; lower --valid-permille or "
                                 "--test-permille",
                                 o.valid_permille, o.test_permille));
  for (const auto& l : o.languages) {
    if (!parse::language_from_name(l)) {
      std::string known;
      for (auto x : parse::all_languages()) known += fmt::format("{}{}", known.empty() ? "" : ", ", parse::language_name(x));
      throw UsageError(fmt::format("corpus build: unknown language '{}' in --languages (known: {})", l, known));
    }
  }
}

// "python3.11" for /usr/lib/python3.11/; a repeated name gets "-2", "-3", ...
std::vector<std::string> source_names(const std::vector<fs::path>& roots) {
  std::vector<std::string> names;
  std::set<std::string> used;
  for (const auto& r : roots) {
    fs::path n = r.lexically_normal();
    std::string base = n.filename().string();
    if (base.empty()) base = n.parent_path().filename().string();
    if (base.empty()) base = "source";
    std::string name = base;
    for (int k = 2; used.count(name); ++k) name = fmt::format("{}-{}", base, k);
    used.insert(name);
    names.push_back(name);
  }
  return names;
}

uint32_t count_lines(const std::string& s) {
  uint32_t n = 0;
  for (char c : s) n += c == '\n';
  return n + (!s.empty() && s.back() != '\n');
}

}  // namespace

std::string split_for_hash(const std::string& sha_hex, uint32_t valid_permille, uint32_t test_permille) {
  const uint64_t v = std::stoull(sha_hex.substr(0, 16), nullptr, 16);
  const uint64_t bucket = v % 1000;
  if (bucket < test_permille) return "test";
  if (bucket < test_permille + valid_permille) return "valid";
  return "train";
}

CorpusSummary build_corpus(const CorpusBuildOptions& opts) {
  validate(opts);
  const ScanResult scan = scan_sources(opts.sources);
  const auto names = source_names(opts.sources);
  std::set<parse::Language> wanted;
  for (const auto& l : opts.languages) wanted.insert(*parse::language_from_name(l));

  core::ensure_dir(opts.out);
  std::map<std::string, std::unique_ptr<JsonlOut>> out;
  for (const char* kind : {"files", "functions"})
    for (const char* s : kSplits)
      out[fmt::format("{}/{}.jsonl", kind, s)] = std::make_unique<JsonlOut>(opts.out / kind / fmt::format("{}.jsonl", s));

  CorpusSummary sum;
  sum.skipped = scan.skipped;
  std::map<std::string, uint64_t> functions_per_language;
  std::vector<std::map<std::string, uint64_t>> per_source(opts.sources.size());
  std::map<parse::Language, parse::Parser> parsers;
  std::set<std::string> seen_files, seen_functions;

  std::optional<core::ProgressBar> bar;
  if (opts.progress) bar.emplace("corpus", scan.files.size(), "file");
  for (const SourceFile& f : scan.files) {
    if (bar) bar->update(1, fmt::format("{:.1f} MB parsed", sum.bytes_parsed / 1e6));
    ++sum.files_seen;
    ++per_source[f.source]["files_seen"];
    auto skip = [&](const char* reason) { ++sum.skipped[reason]; };
    if (!wanted.empty() && !wanted.count(f.language)) { skip("language_not_selected"); continue; }
    if (f.bytes > opts.max_file_bytes) { skip("too_large"); continue; }
    std::string content;
    try {
      content = core::read_file(f.path);
    } catch (const DataError& e) {
      spdlog::debug("{}", e.what());
      skip("unreadable");
      continue;
    }
    const ContentIssue issue = check_content(content);
    if (issue == ContentIssue::kEmpty) { skip("empty_file"); continue; }
    if (issue == ContentIssue::kBinary) { skip("binary"); continue; }
    if (issue == ContentIssue::kInvalidUtf8) { skip("invalid_utf8"); continue; }
    const std::string sha = sha256_hex(content);
    if (!seen_files.insert(sha).second) { skip("duplicate_file"); continue; }

    auto it = parsers.find(f.language);
    if (it == parsers.end()) it = parsers.emplace(f.language, parse::Parser(f.language)).first;
    parse::SyntaxTree tree;
    try {
      tree = it->second.parse(content, f.path.string());
    } catch (const parse::ParseMemoryError& e) {
      spdlog::warn("{}", e.what());  // the user chose a --max-file-bytes this machine cannot parse: say so
      skip("too_large_for_memory");
      continue;
    } catch (const DataError& e) {
      spdlog::debug("{}", e.what());
      skip("parse_failed");
      continue;
    }
    sum.bytes_parsed += content.size();
    if (tree.has_error) {
      if (!opts.keep_unparsable) { skip("parse_error_skipped"); continue; }
      ++sum.skipped["parse_error_kept"];  // counted as a problem, but written (flagged)
    }

    const std::string split = split_for_hash(sha, opts.valid_permille, opts.test_permille);
    const std::string lang(parse::language_name(f.language));
    FileRecord fr;
    fr.repo = names[f.source];
    fr.path = f.rel_path;
    fr.language = lang;
    fr.sha = sha;
    fr.num_tokens = parse::extract_tokens(tree).size();
    fr.num_lines = count_lines(content);
    fr.partition = split;
    fr.parse_error = tree.has_error;
    for (auto& fn : extract_functions(tree)) {
      if (fn.end_line - fn.start_line + 1 < opts.min_function_lines) { ++sum.skipped["function_too_short"]; continue; }
      if (!seen_functions.insert(fn.sha).second) { ++sum.skipped["duplicate_function"]; continue; }
      fn.repo = fr.repo;
      fn.path = fr.path;
      fn.partition = split;
      out["functions/" + split + ".jsonl"]->line(to_json_line(fn));
      ++fr.num_functions;
      ++sum.functions_per_split[split];
      ++functions_per_language[lang];
      sum.functions_with_docstring += fn.docstring.empty() ? 0 : 1;
    }
    sum.functions_written += fr.num_functions;
    per_source[f.source]["functions_written"] += fr.num_functions;
    fr.content = std::move(content);
    out["files/" + split + ".jsonl"]->line(to_json_line(fr));
    ++sum.files_written;
    ++per_source[f.source]["files_written"];
    ++sum.files_per_split[split];
    ++sum.files_per_language[lang];
  }
  if (bar) bar->finish(fmt::format("{} files, {} functions", sum.files_written, sum.functions_written));

  // The manifest: no timestamps or absolute timings, so that identical input gives identical bytes.
  nlohmann::json m;
  m["format_version"] = kFormatVersion;
  m["tool"] = "codessm corpus build";
  m["parser"] = parse::runtime_description();
  for (auto l : parse::all_languages()) m["grammar_abi"][std::string(parse::language_name(l))] = parse::grammar_abi_version(l);
  auto& o = m["options"];
  o["max_file_bytes"] = opts.max_file_bytes;
  o["keep_unparsable"] = opts.keep_unparsable;
  o["valid_permille"] = opts.valid_permille;
  o["test_permille"] = opts.test_permille;
  o["min_function_lines"] = opts.min_function_lines;
  o["languages"] = opts.languages;
  o["split_rule"] = "first 8 bytes of the file's SHA-256 mod 1000: < test → test, < test+valid → valid, else train";
  m["sources"] = nlohmann::json::array();
  for (size_t i = 0; i < opts.sources.size(); ++i) {
    const SourceLicence lic = find_licence(opts.sources[i]);
    nlohmann::json s;
    s["name"] = names[i];
    s["path"] = opts.sources[i].string();
    s["debian_package"] = lic.debian_package;
    s["npm_package"] = lic.npm_package;
    s["licence"] = lic.licence;
    s["licence_file"] = lic.licence_file;
    for (const char* k : {"files_seen", "files_written", "functions_written"}) s[k] = per_source[i][k];
    m["sources"].push_back(s);
  }
  auto& c = m["counts"];
  c["directories"] = scan.directories;
  c["empty_directories"] = scan.empty_directories;
  c["files_seen"] = sum.files_seen;
  c["files_written"] = sum.files_written;
  c["functions_written"] = sum.functions_written;
  c["functions_with_docstring"] = sum.functions_with_docstring;
  c["bytes_parsed"] = sum.bytes_parsed;
  c["skipped"] = sum.skipped;
  c["unknown_extensions"] = scan.unknown_extensions;
  c["files_per_split"] = sum.files_per_split;
  c["functions_per_split"] = sum.functions_per_split;
  c["files_per_language"] = sum.files_per_language;
  c["functions_per_language"] = functions_per_language;
  for (auto& [name, f] : out) {
    m["outputs"][name] = {{"lines", f->lines}, {"bytes", f->writer->size()}, {"sha256", f->hash.hex()}};
    f->writer->commit();
  }
  core::write_file_atomic(opts.out / "manifest.json", m.dump(2) + "\n");
  return sum;
}

}  // namespace codessm::corpus
