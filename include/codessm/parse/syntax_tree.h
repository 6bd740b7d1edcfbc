// A parsed file as plain structs: every node of tree-sitter's concrete syntax tree (named and
// anonymous nodes, comments included) in depth-first pre-order, with byte spans and row/column
// points. Nothing here refers to tree-sitter types, so consumers never include its headers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codessm/parse/language.h"

namespace codessm::parse {

/// A position in the source: 0-based row and 0-based column counted in **bytes** (tree-sitter's
/// convention; a column is not a character index on lines with non-ASCII text).
struct Point {
  uint32_t row = 0;
  uint32_t column = 0;
  bool operator==(const Point& o) const { return row == o.row && column == o.column; }
};

/// One node of the concrete syntax tree.
struct SyntaxNode {
  std::string_view type;   ///< grammar node type ("identifier", "if", "("); static storage
  std::string_view field;  ///< field name in the parent ("left", "body"), empty when none
  uint32_t start_byte = 0, end_byte = 0;  ///< half-open byte span [start_byte, end_byte)
  Point start, end;
  int32_t parent = -1;          ///< index of the parent node; -1 for the root
  uint32_t first_child = 0;     ///< offset of the first child id in SyntaxTree::child_ids
  uint32_t child_count = 0;
  uint32_t depth = 0;           ///< edges from the root
  uint32_t subtree_end = 0;     ///< one past the last node index of this node's subtree
  bool named = false;           ///< a named (grammar rule) node, not a literal token
  bool error = false;           ///< an ERROR node
  bool missing = false;         ///< a zero-width node the parser inserted to recover

  bool is_leaf() const { return child_count == 0; }
};

/// A whole parse. Node 0 is the root; nodes are in pre-order, so a node's subtree is the
/// contiguous index range [i, i + subtree size) and leaves come in source order.
struct SyntaxTree {
  Language language = Language::kPython;
  std::string source;                 ///< the parsed bytes (UTF-8)
  std::vector<SyntaxNode> nodes;
  std::vector<int32_t> child_ids;     ///< children of node i: child_ids[first_child .. +child_count)
  bool has_error = false;             ///< any ERROR or MISSING node

  /// The source text of node `i`.
  std::string_view text(int32_t i) const {
    const auto& n = nodes[i];
    return std::string_view(source).substr(n.start_byte, n.end_byte - n.start_byte);
  }
  /// The k-th child of node `i`.
  int32_t child(int32_t i, uint32_t k) const { return child_ids[nodes[i].first_child + k]; }
  /// The first child of `i` with field name `field`, or -1.
  int32_t child_by_field(int32_t i, std::string_view field) const;
  /// One past the last node index of the subtree rooted at `i` (pre-order makes it contiguous).
  int32_t subtree_end(int32_t i) const { return static_cast<int32_t>(nodes[i].subtree_end); }
  /// Number of ERROR and MISSING nodes.
  size_t count_errors() const;
  /// S-expression of the named nodes (like tree-sitter's ts_node_string), for tests and debugging.
  std::string sexp(int32_t i = 0) const;
};

/// The leaf nodes (child_count == 0) under `root`, in source order. Includes anonymous leaves
/// (keywords, punctuation) and comments, as directprobe-spec §3.3 requires.
std::vector<int32_t> leaves(const SyntaxTree& tree, int32_t root = 0);

}  // namespace codessm::parse
