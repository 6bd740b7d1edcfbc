// Parses source text with tree-sitter into a SyntaxTree. The tree-sitter runtime and grammars are
// compiled into the parse module (src/parse/CMakeLists.txt), so no shared library is needed at run time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "codessm/core/error.h"

#include "codessm/parse/language.h"
#include "codessm/parse/syntax_tree.h"

namespace codessm::parse {

/// tree-sitter's memory per source byte, measured on one-line files (~195 B/byte) and rounded up.
inline constexpr uint64_t kParseBytesPerSourceByte = 256;
/// Memory that parsing `source_bytes` bytes may take (tree-sitter plus the SyntaxTree).
uint64_t parse_memory_estimate(uint64_t source_bytes);

/// A source too large to parse with the memory this process can allocate.
struct ParseMemoryError : DataError {
  using DataError::DataError;
};

/// A tree-sitter parser for one language. Not thread-safe; make one per thread.
class Parser {
 public:
  explicit Parser(Language lang);
  ~Parser();
  Parser(Parser&&) noexcept;
  Parser& operator=(Parser&&) noexcept;
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  Language language() const { return lang_; }

  /// Parses `source` (UTF-8). Syntax errors do not throw: they become ERROR/MISSING nodes and
  /// SyntaxTree::has_error. Throws DataError when tree-sitter gives up (e.g. input over 4 GiB) or
  /// `max_depth` (0 = unlimited) is exceeded, naming `origin` (a path, for the message).
  /// Throws ParseMemoryError (a DataError) instead of parsing a source larger than 1 MiB whose estimated
  /// memory need (parse_memory_estimate) exceeds what the process can allocate: tree-sitter would abort.
  SyntaxTree parse(std::string source, std::string_view origin = "<memory>", uint32_t max_depth = 0) const;

 private:
  struct Impl;
  Language lang_;
  std::unique_ptr<Impl> impl_;
};

/// Which tree-sitter runtime was compiled in, e.g. "tree-sitter 0.25.1 (npm, vendored C runtime)".
std::string runtime_description();

/// The ABI version of the grammar compiled in for `lang` (14 for the pinned 0.23.x grammars).
uint32_t grammar_abi_version(Language lang);

}  // namespace codessm::parse
