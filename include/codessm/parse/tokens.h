// Code tokens: the leaves of the syntax tree, with string literals kept whole and comments dropped.
// This is GraphCodeBERT's tree_to_token_index (directprobe-spec §3.6) and matches CodeSearchNet's
// `code_tokens`; the relations in ast_relations.h and dataflow.h are indexed by these tokens.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codessm/parse/syntax_tree.h"

namespace codessm::parse {

/// One code token.
struct CodeToken {
  int32_t node = -1;        ///< the token's node: a leaf, or a whole string literal
  int32_t first_leaf = -1;  ///< first leaf of `node` (== node for leaves); relations use it
  std::string_view type;    ///< node type
  uint32_t start_byte = 0, end_byte = 0;
  Point start, end;
  bool comment = false;     ///< only with TokenOptions::keep_comments
};

/// Knobs for extract_tokens().
struct TokenOptions {
  /// Keep comment leaves as tokens (directprobe-spec §3.3 deletes them; so do we by default).
  bool keep_comments = false;
  /// Keep string literals as one token (GraphCodeBERT / CodeSearchNet). When false every leaf
  /// of a string (quotes, content, escapes) is its own token.
  bool atomic_strings = true;
  /// Drop zero-width leaves (MISSING nodes and empty string contents).
  bool drop_empty = true;
  /// Subtrees to leave out entirely, e.g. the docstring of a function (see functions.h).
  std::vector<int32_t> exclude;
};

/// Tokens of the subtree at `root`, in source order.
std::vector<CodeToken> extract_tokens(const SyntaxTree& tree, const TokenOptions& opts = {}, int32_t root = 0);

/// The source text of each token.
std::vector<std::string> token_texts(const SyntaxTree& tree, const std::vector<CodeToken>& tokens);

/// True for node types that are comments in `lang` ("comment", Java's "line_comment", ...).
bool is_comment_type(Language lang, std::string_view type);

/// True for string-literal node types that form one token in `lang` (GraphCodeBERT's list
/// string/string_literal/character_literal, extended to the 0.23 grammars' names, docs/parse.md).
bool is_atomic_string_type(Language lang, std::string_view type);

}  // namespace codessm::parse
