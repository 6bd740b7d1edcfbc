// Code tokens (GraphCodeBERT's tree_to_token_index, extended to the 0.23 grammars' node names).
#include "codessm/parse/tokens.h"

#include <algorithm>
#include <array>

namespace codessm::parse {

bool is_comment_type(Language /*lang*/, std::string_view type) {
  // "comment" everywhere; Java splits it into line_comment/block_comment, JS/TS add html_comment.
  return type == "comment" || type == "line_comment" || type == "block_comment" || type == "html_comment";
}

bool is_atomic_string_type(Language /*lang*/, std::string_view type) {
  // GraphCodeBERT's list is string / string_literal / character_literal. The 0.23 grammars give
  // Go strings, JS template strings and PHP double-quoted strings their own types with children
  // (quotes, content); without these entries one literal would become 3+ tokens. Interpolating
  // strings stay whole, as Python f-strings (type `string`) already do in GraphCodeBERT.
  static constexpr std::array<std::string_view, 7> kAtomic{
      "string",           "string_literal",     "character_literal", "interpreted_string_literal",
      "raw_string_literal", "template_string", "encapsed_string"};
  return std::find(kAtomic.begin(), kAtomic.end(), type) != kAtomic.end();
}

std::vector<CodeToken> extract_tokens(const SyntaxTree& tree, const TokenOptions& opts, int32_t root) {
  std::vector<CodeToken> out;
  const int32_t end = tree.subtree_end(root);
  std::vector<int32_t> excluded = opts.exclude;
  std::sort(excluded.begin(), excluded.end());
  for (int32_t i = root; i < end;) {
    const SyntaxNode& n = tree.nodes[i];
    if (std::binary_search(excluded.begin(), excluded.end(), i)) {
      i = tree.subtree_end(i);
      continue;
    }
    const bool comment = is_comment_type(tree.language, n.type);
    const bool atomic = opts.atomic_strings && !n.is_leaf() && is_atomic_string_type(tree.language, n.type);
    if (comment && !opts.keep_comments) {
      i = tree.subtree_end(i);
      continue;
    }
    if (atomic || n.is_leaf()) {
      if (!(opts.drop_empty && n.start_byte == n.end_byte)) {
        CodeToken t;
        t.node = i;
        // Pre-order: the first leaf of a subtree is found by following first children.
        int32_t leaf = i;
        while (!tree.nodes[leaf].is_leaf()) leaf = tree.child(leaf, 0);
        t.first_leaf = leaf;
        t.type = n.type;
        t.start_byte = n.start_byte;
        t.end_byte = n.end_byte;
        t.start = n.start;
        t.end = n.end;
        t.comment = comment;
        out.push_back(t);
      }
      i = tree.subtree_end(i);
      continue;
    }
    ++i;
  }
  return out;
}

std::vector<std::string> token_texts(const SyntaxTree& tree, const std::vector<CodeToken>& tokens) {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  for (const auto& t : tokens) out.emplace_back(tree.text(t.node));
  return out;
}

}  // namespace codessm::parse
