// Finds function/method definitions and their documentation in a syntax tree, for the corpus
// builder's NL↔code pairs: Python docstrings (first statement string), elsewhere the block of
// comments directly above the definition (Javadoc, JSDoc, Go doc comments, RDoc, PHPDoc), as
// CodeSearchNet did.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codessm/parse/syntax_tree.h"

namespace codessm::parse {

/// One function or method.
struct FunctionInfo {
  int32_t node = -1;             ///< the definition node (for Python decorated functions: the function itself)
  std::string name;              ///< e.g. "join"
  std::string qualified_name;    ///< enclosing classes/modules joined by '.', e.g. "Path.join"
  uint32_t start_byte = 0, end_byte = 0;  ///< the function's span (docstring included)
  Point start, end;
  int32_t docstring_node = -1;   ///< Python: the docstring's expression_statement, else -1
  std::vector<int32_t> doc_comments;  ///< comment nodes directly above the definition
  std::string docstring;         ///< cleaned documentation text (quotes / comment markers removed)
};

/// All function-like definitions in the tree, in source order (nested ones included).
std::vector<FunctionInfo> find_functions(const SyntaxTree& tree);

/// Python: every statement that is a lone string (docstrings of modules, classes and functions, and
/// string "comments" elsewhere), which GraphCodeBERT's remove_comments_and_docstrings deletes before
/// its data-flow pass. Pass them as TokenOptions::exclude to reproduce its token list
/// (directprobe-spec §3.6). Empty for other languages.
std::vector<int32_t> python_string_statements(const SyntaxTree& tree);

/// Removes comment markers (`//`, `#`, `/** */`, leading `*`) and common indentation; joins lines
/// with '\n'. Exposed for tests.
std::string clean_comment_text(const std::vector<std::string>& comments);

/// Strips the quotes and prefix of a Python string literal and dedents it (like inspect.cleandoc).
std::string clean_python_docstring(std::string_view literal);

}  // namespace codessm::parse
