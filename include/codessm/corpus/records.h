// The JSONL records of a corpus (CodeSearchNet-like fields; docs/parse.md §Corpus format) and
// their extraction from a parsed file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codessm/parse/syntax_tree.h"

namespace codessm::corpus {

/// One function or method (CodeSearchNet's fields plus spans and hashes).
struct FunctionRecord {
  std::string repo;             ///< the source's name (e.g. "python3.11")
  std::string path;             ///< file path relative to the source root
  std::string func_name;        ///< qualified: Class.method
  std::string language;
  std::string original_string;  ///< the function's source, docstring included (= `code`)
  std::vector<std::string> code_tokens;  ///< tokens without comments and docstring
  std::string docstring;        ///< cleaned documentation, "" when none
  std::vector<std::string> docstring_tokens;  ///< tokens of the docstring's first paragraph
  uint32_t start_line = 0, end_line = 0;      ///< 1-based, inclusive
  std::string sha;              ///< SHA-256 of original_string
  std::string partition;        ///< train / valid / test
  bool parse_error = false;     ///< the file had ERROR nodes (kept with --keep-unparsable)
};

/// One whole file.
struct FileRecord {
  std::string repo, path, language;
  std::string content;
  std::string sha;              ///< SHA-256 of content
  uint64_t num_tokens = 0;
  uint32_t num_lines = 0;
  uint32_t num_functions = 0;   ///< functions written (after de-duplication)
  std::string partition;
  bool parse_error = false;
};

/// The functions of a parsed file as records (repo, path, partition left for the caller).
std::vector<FunctionRecord> extract_functions(const parse::SyntaxTree& tree);

/// CodeSearchNet-style docstring tokens: the first paragraph, split into words and single
/// punctuation characters.
std::vector<std::string> docstring_tokens(const std::string& docstring);

/// One JSON line (no trailing newline). Field order is fixed, so output is byte-stable.
std::string to_json_line(const FunctionRecord& r);
std::string to_json_line(const FileRecord& r);

}  // namespace codessm::corpus
