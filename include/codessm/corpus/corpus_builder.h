// `codessm corpus build`: source trees → de-duplicated, deterministically split JSONL corpora of
// files and functions plus a manifest. Bad input is counted, never fatal; the same input gives
// byte-identical output.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace codessm::corpus {

namespace fs = std::filesystem;

/// Per-call options of build_corpus() (recorded in the manifest).
struct CorpusBuildOptions {
  std::vector<fs::path> sources{"/usr/lib/python3.11"};  ///< source roots, walked in this order
  fs::path out;                            ///< output folder (created)
  uint64_t max_file_bytes = 1 << 20;       ///< larger files are skipped as too_large
  bool keep_unparsable = false;            ///< keep files with ERROR nodes (flagged parse_error)
  uint32_t valid_permille = 50;            ///< share of files in valid, by content hash
  uint32_t test_permille = 50;             ///< share of files in test; the rest is train
  uint32_t min_function_lines = 1;         ///< shorter functions are not written
  std::vector<std::string> languages;      ///< only these (language names); empty = all
  bool progress = true;                    ///< draw a progress bar on stderr
};

/// Counts of a build, also written to manifest.json.
struct CorpusSummary {
  uint64_t files_seen = 0;                     ///< files with a known extension
  uint64_t files_written = 0;
  uint64_t functions_written = 0;
  uint64_t functions_with_docstring = 0;
  std::map<std::string, uint64_t> skipped;     ///< reason -> files (binary, invalid_utf8, ...)
  std::map<std::string, uint64_t> files_per_split;
  std::map<std::string, uint64_t> functions_per_split;
  std::map<std::string, uint64_t> files_per_language;
  uint64_t bytes_parsed = 0;
};

/// Builds the corpus in `opts.out`: files/{train,valid,test}.jsonl,
/// functions/{train,valid,test}.jsonl and manifest.json. Throws UsageError for bad options and
/// DataError when a source root is missing or the output cannot be written.
CorpusSummary build_corpus(const CorpusBuildOptions& opts);

/// "train", "valid" or "test" for a content hash (hex SHA-256), from its first 8 bytes.
std::string split_for_hash(const std::string& sha_hex, uint32_t valid_permille, uint32_t test_permille);

}  // namespace codessm::corpus
