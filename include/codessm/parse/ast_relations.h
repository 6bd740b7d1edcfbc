// Structural relations between code tokens, following directprobe-spec §3.4–3.5 (Anand et al. 2024):
//  * AST distance: number of edges on the path between two tokens' first leaves in the full
//    concrete syntax tree (siblings are at distance 2).
//  * Siblings: by default Anand's directed *motif* relation (true leaf siblings plus leaf
//    "nephews" reached through non-`block` siblings); "share a parent" is the alternative the
//    SSM-Interpret paper's text describes. docs/parse.md explains both and the choice.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "codessm/parse/syntax_tree.h"
#include "codessm/parse/tokens.h"

namespace codessm::parse {

/// Lowest-common-ancestor queries on one tree: O(n log n) build, O(1) per query (Euler tour +
/// sparse table of depths).
class AstDistance {
 public:
  explicit AstDistance(const SyntaxTree& tree);
  /// Edges on the tree path between nodes `a` and `b` (0 when a == b).
  int32_t distance(int32_t a, int32_t b) const;
  /// Lowest common ancestor of `a` and `b`.
  int32_t lca(int32_t a, int32_t b) const;

 private:
  const SyntaxTree* tree_;
  std::vector<int32_t> first_;             // node -> first position in the Euler tour
  std::vector<std::vector<int32_t>> table_;  // sparse table of Euler positions (min depth)
  std::vector<int32_t> euler_;             // Euler tour of node ids
};

/// Row-major n×n matrix of AST distances between the tokens' first leaves (n = tokens.size()).
std::vector<int32_t> ast_distance_matrix(const SyntaxTree& tree, const std::vector<CodeToken>& tokens);

/// Which sibling relation to compute.
enum class SiblingDefinition {
  kMotif,       ///< Anand et al.'s code (directed; the default, for comparability with their data)
  kSameParent,  ///< the tokens' nodes have the same parent (symmetric)
};

/// Anand's motif of leaf `leaf` with parent P: the other leaf children of P, plus the leaf
/// children of every non-leaf child C != leaf of P whose type is not "block". Node ids, sorted.
std::vector<int32_t> motif_leaves(const SyntaxTree& tree, int32_t leaf);

/// Directed sibling pairs (row, col) over token indices, row != col, sorted. For kMotif a token
/// covering several leaves (a whole string) takes the union of its leaves' motifs minus its own
/// leaves, and (row, col) holds iff col's first leaf is in row's motif (directprobe-spec §3.5).
std::vector<std::pair<int32_t, int32_t>> sibling_pairs(const SyntaxTree& tree, const std::vector<CodeToken>& tokens,
                                                        SiblingDefinition def = SiblingDefinition::kMotif);

}  // namespace codessm::parse
