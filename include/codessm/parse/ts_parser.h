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

/// A source on which tree-sitter's error recovery needs far more work than source code of its size: some
/// garbled inputs of 1.5 KB run for minutes and take gigabytes (found by fuzz/parse). The parse is cut off at
/// kParseOperationsPerByte operations per byte (at least kParseOperationsMin) and refused with this error. Real
/// files take at most 2.3 operations per byte, also when parsed as the wrong language, and the fuzz corpus's
/// 12,000 garbled inputs at most 24 (docs/parse.md), so the limit is 13x above real code. In error recovery
/// one operation can cost ~5 µs, so the budget also bounds a refused input's time: ~0.3 s at 2 KB.
struct ParseBudgetError : DataError {
  using DataError::DataError;
};

/// The parse budget (ParseBudgetError): tree-sitter operations allowed per source byte, and at least.
inline constexpr uint64_t kParseOperationsPerByte = 30;
inline constexpr uint64_t kParseOperationsMin = 50'000;
/// The budget for a source of `source_bytes` bytes.
uint64_t parse_operation_budget(uint64_t source_bytes);

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
  /// Throws ParseBudgetError (a DataError) when tree-sitter needs more than parse_operation_budget() operations.
  SyntaxTree parse(std::string source, std::string_view origin = "<memory>", uint32_t max_depth = 0) const;

  /// tree-sitter operations of the last parse() (counted in steps of 100; 0 with Debian's 0.20 runtime, which
  /// has no progress callback).
  uint64_t last_operations() const;

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
