// AST distance (Euler tour + sparse-table LCA) and the sibling relations of directprobe-spec §3.4–3.5.
#include "codessm/parse/ast_relations.h"

#include <algorithm>
#include <unordered_map>

namespace codessm::parse {

AstDistance::AstDistance(const SyntaxTree& tree) : tree_(&tree) {
  const auto& nodes = tree.nodes;
  first_.assign(nodes.size(), -1);
  euler_.reserve(2 * nodes.size());
  // Iterative DFS: each node is recorded on entry and again after each child returns
  // (the same tour as Anand's get_lca_info, without recursion limits).
  std::vector<std::pair<int32_t, uint32_t>> stack;  // (node, next child)
  stack.emplace_back(0, 0);
  first_[0] = 0;
  euler_.push_back(0);
  while (!stack.empty()) {
    auto& [v, k] = stack.back();
    if (k < nodes[v].child_count) {
      int32_t c = tree.child(v, k++);
      first_[c] = static_cast<int32_t>(euler_.size());
      euler_.push_back(c);
      stack.emplace_back(c, 0);
    } else {
      stack.pop_back();
      if (!stack.empty()) euler_.push_back(stack.back().first);
    }
  }
  // table_[j][i] = Euler position of the shallowest node in euler_[i .. i + 2^j).
  const size_t m = euler_.size();
  table_.emplace_back(m);
  for (size_t i = 0; i < m; ++i) table_[0][i] = static_cast<int32_t>(i);
  for (size_t j = 1; (size_t{1} << j) <= m; ++j) {
    const size_t half = size_t{1} << (j - 1);
    std::vector<int32_t> row(m - (size_t{1} << j) + 1);
    for (size_t i = 0; i < row.size(); ++i) {
      int32_t a = table_[j - 1][i], b = table_[j - 1][i + half];
      row[i] = nodes[euler_[a]].depth <= nodes[euler_[b]].depth ? a : b;
    }
    table_.push_back(std::move(row));
  }
}

int32_t AstDistance::lca(int32_t a, int32_t b) const {
  int32_t lo = first_[a], hi = first_[b];
  if (lo > hi) std::swap(lo, hi);
  const size_t len = static_cast<size_t>(hi - lo + 1);
  size_t j = 0;
  while ((size_t{1} << (j + 1)) <= len) ++j;
  int32_t x = table_[j][lo], y = table_[j][hi - (int32_t{1} << j) + 1];
  const auto& nodes = tree_->nodes;
  return nodes[euler_[x]].depth <= nodes[euler_[y]].depth ? euler_[x] : euler_[y];
}

int32_t AstDistance::distance(int32_t a, int32_t b) const {
  const auto& nodes = tree_->nodes;
  return static_cast<int32_t>(nodes[a].depth + nodes[b].depth - 2 * nodes[lca(a, b)].depth);
}

std::vector<int32_t> ast_distance_matrix(const SyntaxTree& tree, const std::vector<CodeToken>& tokens) {
  AstDistance d(tree);
  const size_t n = tokens.size();
  std::vector<int32_t> out(n * n, 0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      out[i * n + j] = out[j * n + i] = d.distance(tokens[i].first_leaf, tokens[j].first_leaf);
  return out;
}

std::vector<int32_t> motif_leaves(const SyntaxTree& tree, int32_t leaf) {
  std::vector<int32_t> out;
  const int32_t p = tree.nodes[leaf].parent;
  if (p < 0) return out;
  for (uint32_t k = 0; k < tree.nodes[p].child_count; ++k) {
    const int32_t c = tree.child(p, k);
    if (c == leaf) continue;
    const SyntaxNode& cn = tree.nodes[c];
    if (cn.is_leaf()) {
      out.push_back(c);
    } else if (cn.type != "block") {
      // Only one level down, and only leaves: Anand's traverse_node.
      for (uint32_t q = 0; q < cn.child_count; ++q) {
        const int32_t g = tree.child(c, q);
        if (tree.nodes[g].is_leaf()) out.push_back(g);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

std::vector<std::pair<int32_t, int32_t>> motif_pairs(const SyntaxTree& tree, const std::vector<CodeToken>& tokens) {
  std::unordered_map<int32_t, int32_t> token_of_leaf;  // first leaf -> token index
  for (size_t t = 0; t < tokens.size(); ++t) token_of_leaf.emplace(tokens[t].first_leaf, static_cast<int32_t>(t));
  std::vector<std::pair<int32_t, int32_t>> out;
  for (size_t r = 0; r < tokens.size(); ++r) {
    // A whole-string token owns all leaves of its string (Anand merges them into one token and
    // unions their motifs, minus the pieces themselves).
    const std::vector<int32_t> own = leaves(tree, tokens[r].node);
    std::vector<int32_t> motif;
    for (int32_t l : own) {
      auto m = motif_leaves(tree, l);
      motif.insert(motif.end(), m.begin(), m.end());
    }
    std::sort(motif.begin(), motif.end());
    motif.erase(std::unique(motif.begin(), motif.end()), motif.end());
    std::vector<int32_t> cols;
    for (int32_t m : motif) {
      if (std::binary_search(own.begin(), own.end(), m)) continue;
      auto it = token_of_leaf.find(m);
      if (it != token_of_leaf.end() && it->second != static_cast<int32_t>(r)) cols.push_back(it->second);
    }
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
    for (int32_t c : cols) out.emplace_back(static_cast<int32_t>(r), c);
  }
  return out;
}

std::vector<std::pair<int32_t, int32_t>> same_parent_pairs(const SyntaxTree& tree,
                                                           const std::vector<CodeToken>& tokens) {
  // Tokens grouped by their node's parent (each group in token order), so the cost is the pairs written, not
  // n² comparisons: a 4 KB file has ~1,000 tokens but its pairs come from a few wide nodes. Same pairs in the
  // same order (row-major) as comparing every (r, c).
  std::unordered_map<int32_t, std::vector<int32_t>> by_parent;
  for (size_t t = 0; t < tokens.size(); ++t)
    by_parent[tree.nodes[tokens[t].node].parent].push_back(static_cast<int32_t>(t));
  std::vector<std::pair<int32_t, int32_t>> out;
  for (size_t r = 0; r < tokens.size(); ++r)
    for (int32_t c : by_parent[tree.nodes[tokens[r].node].parent])
      if (c != static_cast<int32_t>(r)) out.emplace_back(static_cast<int32_t>(r), c);
  return out;
}

}  // namespace

std::vector<std::pair<int32_t, int32_t>> sibling_pairs(const SyntaxTree& tree, const std::vector<CodeToken>& tokens,
                                                        SiblingDefinition def) {
  return def == SiblingDefinition::kMotif ? motif_pairs(tree, tokens) : same_parent_pairs(tree, tokens);
}

}  // namespace codessm::parse
