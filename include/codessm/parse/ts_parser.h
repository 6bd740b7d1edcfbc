// Parses source text with tree-sitter into a SyntaxTree. The tree-sitter runtime and grammars are
// compiled into the parse module (src/parse/CMakeLists.txt), so no shared library is needed at run time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "codessm/parse/language.h"
#include "codessm/parse/syntax_tree.h"

namespace codessm::parse {

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
