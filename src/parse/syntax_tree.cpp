// SyntaxTree helpers: field lookup, error counts, S-expressions, leaves.
#include "codessm/parse/syntax_tree.h"

namespace codessm::parse {

int32_t SyntaxTree::child_by_field(int32_t i, std::string_view field) const {
  const auto& n = nodes[i];
  for (uint32_t k = 0; k < n.child_count; ++k) {
    int32_t c = child_ids[n.first_child + k];
    if (nodes[c].field == field) return c;
  }
  return -1;
}

size_t SyntaxTree::count_errors() const {
  size_t n = 0;
  for (const auto& x : nodes) n += (x.error || x.missing) ? 1 : 0;
  return n;
}

std::string SyntaxTree::sexp(int32_t i) const {
  const auto& n = nodes[i];
  std::string out = "(";
  out += n.missing ? "MISSING " : "";
  out += n.type;
  for (uint32_t k = 0; k < n.child_count; ++k) {
    int32_t c = child(i, k);
    if (!nodes[c].named && !nodes[c].missing) continue;
    out += ' ';
    if (!nodes[c].field.empty()) {
      out += nodes[c].field;
      out += ": ";
    }
    out += sexp(c);
  }
  out += ')';
  return out;
}

std::vector<int32_t> leaves(const SyntaxTree& tree, int32_t root) {
  std::vector<int32_t> out;
  const int32_t end = tree.subtree_end(root);
  for (int32_t i = root; i < end; ++i)
    if (tree.nodes[i].is_leaf()) out.push_back(i);
  return out;
}

}  // namespace codessm::parse
