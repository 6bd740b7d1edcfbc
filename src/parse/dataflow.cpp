// The GraphCodeBERT data-flow engine: one walker driven by the per-language tables of
// dataflow_rules.cpp. It mirrors DFG_<lang> of GraphCodeBERT's parser/DFG.py rule by rule; the
// state is a map from variable text to the token indices of its latest definitions.
#include "codessm/parse/dataflow.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "codessm/core/error.h"
#include "dataflow_rules.h"

namespace codessm::parse {

using detail::DfgRules;
using detail::ForStyle;
using detail::IfStyle;
using detail::TypeList;

std::string_view dfg_relation_name(DfgRelation r) {
  return r == DfgRelation::kComesFrom ? "comesFrom" : "computedFrom";
}

bool DfgEdge::operator<(const DfgEdge& o) const {
  return std::tie(from, to, relation) < std::tie(o.from, o.to, o.relation);
}

bool has_dataflow_rules(Language /*lang*/) { return true; }

namespace {

// Variable text -> token indices of its latest definitions (sorted). std::map keeps every walk
// deterministic.
using States = std::map<std::string_view, std::vector<int32_t>>;

bool contains(const TypeList& list, std::string_view type) {
  return std::find(list.begin(), list.end(), type) != list.end();
}

class DfgWalker {
 public:
  DfgWalker(const SyntaxTree& tree, const std::vector<CodeToken>& tokens, const DfgRules& rules, uint32_t max_depth)
      : tree_(tree), tokens_(tokens), rules_(rules), max_depth_(max_depth), token_of_node_(tree.nodes.size(), -1) {
    for (size_t t = 0; t < tokens.size(); ++t) token_of_node_[tokens[t].node] = static_cast<int32_t>(t);
  }

  void visit(int32_t node, States& st, uint32_t depth);
  std::vector<DfgEdge> edges;

  // Tokens under `node` whose text differs from their type: identifiers and literals
  // (GraphCodeBERT's tree_to_variable_index).
  std::vector<int32_t> variables_in(int32_t node) const {
    std::vector<int32_t> out;
    if (node < 0) return out;
    const int32_t end = tree_.subtree_end(node);
    for (int32_t i = node; i < end; ++i) {
      const int32_t t = token_of_node_[i];
      if (t >= 0 && is_variable(t)) out.push_back(t);
    }
    return out;
  }

 private:
  bool is_variable(int32_t t) const { return !tokens_[t].comment && text_of(t) != tokens_[t].type; }
  std::string_view text_of(int32_t t) const { return tree_.text(tokens_[t].node); }

  // Each target gets `rel` edges to every source, then becomes the latest definition of its text.
  void link(const std::vector<int32_t>& targets, const std::vector<int32_t>& sources, DfgRelation rel, States& st) {
    for (int32_t a : targets) {
      for (int32_t b : sources) edges.push_back({a, b, rel});
      st[text_of(a)] = {a};
    }
  }

  std::vector<int32_t> children(int32_t node, bool skip_commas) const {
    std::vector<int32_t> out;
    for (uint32_t k = 0; k < tree_.nodes[node].child_count; ++k) {
      const int32_t c = tree_.child(node, k);
      if (!(skip_commas && tree_.nodes[c].type == ",")) out.push_back(c);
    }
    return out;
  }

  // GraphCodeBERT's pairing of `a, b = c, d`: element-wise when both comma lists have the same
  // non-zero length, otherwise the whole left side against the whole right side.
  void pair_sides(int32_t left, int32_t right, std::vector<int32_t>& ls, std::vector<int32_t>& rs) const {
    ls = children(left, true);
    rs = children(right, true);
    if (ls.size() != rs.size()) ls.clear(), rs.clear();
    if (ls.empty()) ls = {left};
    if (rs.empty()) rs = {right};
  }

  void assign_pairs(const std::vector<int32_t>& ls, const std::vector<int32_t>& rs, States& st, uint32_t depth) {
    for (int32_t r : rs) visit(r, st, depth + 1);
    for (size_t k = 0; k < std::min(ls.size(), rs.size()); ++k)
      link(variables_in(ls[k]), variables_in(rs[k]), DfgRelation::kComputedFrom, st);
  }

  void leaf(int32_t t, States& st) {
    const std::string_view text = text_of(t);
    if (text == tokens_[t].type || tokens_[t].comment) return;  // keyword or punctuation
    auto it = st.find(text);
    if (it != st.end()) {
      for (int32_t d : it->second) edges.push_back({t, d, DfgRelation::kComesFrom});
    } else if (tokens_[t].type == "identifier") {
      st[text] = {t};
    }
  }

  void walk_children(int32_t node, States& st, uint32_t depth) {
    for (int32_t c : children(node, false))
      if (contains(rules_.do_first, tree_.nodes[c].type)) visit(c, st, depth + 1);
    for (int32_t c : children(node, false))
      if (!contains(rules_.do_first, tree_.nodes[c].type)) visit(c, st, depth + 1);
  }

  void def_statement(int32_t node, States& st, uint32_t depth) {
    const int32_t name = tree_.child_by_field(node, "name");
    const int32_t value = tree_.child_by_field(node, rules_.def_value_field);
    if (name < 0) return walk_children(node, st, depth);
    if (value < 0) return link(variables_in(name), {}, DfgRelation::kComesFrom, st);
    visit(value, st, depth + 1);
    link(variables_in(name), variables_in(value), DfgRelation::kComesFrom, st);
  }

  void assignment(int32_t node, States& st, uint32_t depth) {
    const auto type = tree_.nodes[node].type;
    const uint32_t n = tree_.nodes[node].child_count;
    std::vector<int32_t> ls, rs;
    if (type == "for_in_clause") {
      ls = {tree_.child_by_field(node, "left")};
      rs = {tree_.child(node, n - 1)};
    } else if (type == "operator_assignment") {
      ls = {tree_.child(node, 0)};
      rs = {tree_.child(node, n - 1)};
    } else {
      const int32_t left = tree_.child_by_field(node, "left"), right = tree_.child_by_field(node, "right");
      if (right < 0) return;  // Python `x: int` (annotation only)
      if (left < 0) return walk_children(node, st, depth);
      if (rules_.pairwise_assignment) {
        pair_sides(left, right, ls, rs);
      } else {
        ls = {left};
        rs = {right};
      }
    }
    if (ls[0] < 0) return walk_children(node, st, depth);
    assign_pairs(ls, rs, st, depth);
  }

  void increment(int32_t node, States& st) {
    const auto vars = variables_in(node);
    link(vars, vars, DfgRelation::kComputedFrom, st);
  }

  static void merge_into(States& acc, const States& s) {
    for (const auto& [k, v] : s) {
      auto& dst = acc[k];
      dst.insert(dst.end(), v.begin(), v.end());
    }
  }

  void if_statement(int32_t node, States& st, uint32_t depth) {
    const States pre = st;
    States current = st;
    std::vector<States> others;
    bool tag = tree_.nodes[node].type.find("else") != std::string_view::npos;
    bool branching = false;
    for (int32_t c : children(node, false)) {
      const auto ct = tree_.nodes[c].type;
      if (ct.find("else") != std::string_view::npos) tag = true;
      const bool from_pre = rules_.if_style == IfStyle::kClauses ? contains(rules_.if_branch, ct)
                                                                 : (branching || contains(rules_.if_statement, ct));
      if (!from_pre) {
        visit(c, current, depth + 1);
      } else {
        branching = true;
        States s = pre;
        visit(c, s, depth + 1);
        others.push_back(std::move(s));
      }
    }
    others.push_back(std::move(current));
    if (!tag || rules_.if_always_merge_pre_state) others.push_back(pre);
    States merged;
    for (const auto& s : others) merge_into(merged, s);
    for (auto& [k, v] : merged) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    }
    st = std::move(merged);
  }

  void for_statement(int32_t node, States& st, uint32_t depth) {
    const auto& nd = tree_.nodes[node];
    switch (rules_.for_style) {
      case ForStyle::kPythonIn: {
        const int32_t left = tree_.child_by_field(node, "left"), right = tree_.child_by_field(node, "right");
        if (left < 0 || right < 0) return walk_children(node, st, depth);
        for (int pass = 0; pass < 2; ++pass) {
          std::vector<int32_t> ls, rs;
          pair_sides(left, right, ls, rs);
          assign_pairs(ls, rs, st, depth);
          const int32_t last = tree_.child(node, nd.child_count - 1);
          if (tree_.nodes[last].type == "block") visit(last, st, depth + 1);
        }
        return;
      }
      case ForStyle::kRubyIn: {
        const int32_t pattern = tree_.child_by_field(node, "pattern"), value = tree_.child_by_field(node, "value");
        const int32_t body = tree_.child_by_field(node, "body");
        if (pattern < 0 || value < 0) return walk_children(node, st, depth);
        for (int pass = 0; pass < 2; ++pass) {
          assign_pairs({pattern}, {value}, st, depth);
          if (body >= 0) visit(body, st, depth + 1);
        }
        return;
      }
      case ForStyle::kCStyle:
      case ForStyle::kGoClause: {
        for (int32_t c : children(node, false)) visit(c, st, depth + 1);
        bool after = false;
        for (int32_t c : children(node, false)) {
          if (after) {
            visit(c, st, depth + 1);
          } else if (contains(rules_.for_marker, tree_.nodes[c].type)) {
            if (rules_.for_style == ForStyle::kGoClause) {
              const int32_t update = tree_.child_by_field(c, "update");
              if (update >= 0) visit(update, st, depth + 1);
            }
            after = true;
          }
        }
        return;
      }
    }
  }

  void enhanced_for(int32_t node, States& st, uint32_t depth) {
    int32_t name = tree_.child_by_field(node, "name"), value = tree_.child_by_field(node, "value");
    if (value < 0) {  // PHP foreach: the first variable_name is iterated, the second receives
      for (int32_t c : children(node, false)) {
        if (tree_.nodes[c].type != "variable_name") continue;
        if (value < 0) {
          value = c;
        } else {
          name = c;
          break;
        }
      }
    }
    if (value < 0) return walk_children(node, st, depth);
    const int32_t body = tree_.child_by_field(node, "body");
    for (int pass = 0; pass < 2; ++pass) {
      visit(value, st, depth + 1);
      link(variables_in(name), variables_in(value), DfgRelation::kComputedFrom, st);
      if (body >= 0) visit(body, st, depth + 1);
    }
  }

  const SyntaxTree& tree_;
  const std::vector<CodeToken>& tokens_;
  const DfgRules& rules_;
  uint32_t max_depth_;
  std::vector<int32_t> token_of_node_;
};

void DfgWalker::visit(int32_t node, States& st, uint32_t depth) {
  if (node < 0) return;
  if (max_depth_ && depth > max_depth_)
    throw DataError(fmt::format("dataflow: syntax tree nests deeper than {} levels; raise DfgOptions::max_depth "
                                "or skip this input",
                                max_depth_));
  const int32_t t = token_of_node_[node];
  if (t >= 0) return leaf(t, st);
  const SyntaxNode& n = tree_.nodes[node];
  // Leaves and whole strings that are not tokens (comments, a removed docstring) take no part.
  if (n.is_leaf() || is_atomic_string_type(tree_.language, n.type) || is_comment_type(tree_.language, n.type)) return;
  const auto type = n.type;
  if (contains(rules_.def_statement, type)) return def_statement(node, st, depth);
  if (contains(rules_.assignment, type)) return assignment(node, st, depth);
  if (contains(rules_.increment, type)) return increment(node, st);
  if (contains(rules_.if_statement, type)) return if_statement(node, st, depth);
  if (contains(rules_.for_statement, type)) return for_statement(node, st, depth);
  if (contains(rules_.enhanced_for, type)) return enhanced_for(node, st, depth);
  if (contains(rules_.while_statement, type)) {
    // Twice, so that values carried around the loop reach their uses.
    for (int pass = 0; pass < 2; ++pass)
      for (int32_t c : children(node, false)) visit(c, st, depth + 1);
    return;
  }
  walk_children(node, st, depth);
}

}  // namespace

DataFlowGraph extract_dataflow(const SyntaxTree& tree, const std::vector<CodeToken>& tokens, int32_t root,
                               const DfgOptions& opts) {
  const DfgRules& rules = detail::dfg_rules(tree.language, opts.graphcodebert_strict);
  DfgWalker walker(tree, tokens, rules, opts.max_depth);
  States st;
  walker.visit(root, st, 0);
  DataFlowGraph g;
  g.variables = walker.variables_in(root);
  g.edges = std::move(walker.edges);
  std::sort(g.edges.begin(), g.edges.end());
  g.edges.erase(std::unique(g.edges.begin(), g.edges.end()), g.edges.end());
  return g;
}

}  // namespace codessm::parse
