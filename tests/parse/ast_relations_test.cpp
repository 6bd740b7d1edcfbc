// AST distance and sibling relations against hand-checked trees (directprobe-spec §3.4–3.5).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "codessm/parse/ast_relations.h"
#include "parse_test_util.h"

using namespace codessm::parse;
using codessm::parse::test::parse_snippet;

namespace {

// Distance by climbing parents: the reference the sparse table must match.
int32_t naive_distance(const SyntaxTree& t, int32_t a, int32_t b) {
  int32_t d = 0;
  while (a != b) {
    if (t.nodes[a].depth >= t.nodes[b].depth) {
      a = t.nodes[a].parent;
    } else {
      b = t.nodes[b].parent;
    }
    ++d;
  }
  return d;
}

bool has_pair(const std::vector<std::pair<int32_t, int32_t>>& v, int32_t a, int32_t b) {
  return std::find(v.begin(), v.end(), std::make_pair(a, b)) != v.end();
}

}  // namespace

// module > expression_statement > assignment > {x, =, binary_operator > {y, +, 1}}
TEST(AstDistance, PythonAssignmentByHand) {
  auto p = parse_snippet(Language::kPython, "x = y + 1\nz = f(x)\n");
  // tokens: 0 x, 1 =, 2 y, 3 +, 4 1, 5 z, 6 =, 7 f, 8 (, 9 x, 10 )
  auto m = ast_distance_matrix(p.tree, p.tokens);
  const size_t n = p.tokens.size();
  auto d = [&](int i, int j) { return m[i * n + j]; };
  EXPECT_EQ(d(0, 1), 2);   // x and = share the assignment
  EXPECT_EQ(d(0, 2), 3);   // x → assignment → binary_operator → y
  EXPECT_EQ(d(2, 4), 2);   // y and 1 share binary_operator
  EXPECT_EQ(d(0, 5), 6);   // across statements: up 3 to module, down 3
  EXPECT_EQ(d(7, 9), 3);   // f → call → argument_list → x
  EXPECT_EQ(d(9, 0), 8);
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(d(i, i), 0);
}

TEST(AstDistance, JavaAndGoByHand) {
  // local_variable_declaration > {integral_type > int, variable_declarator > {b, =, binary_expression > {a, +, 1}}, ;}
  auto j = parse_snippet(Language::kJava, "class A { void f() { int b = a + 1; } }");
  auto it = std::find(j.texts.begin(), j.texts.end(), "b");
  const int32_t b = static_cast<int32_t>(it - j.texts.begin());
  AstDistance dj(j.tree);
  EXPECT_EQ(dj.distance(j.tokens[b - 1].first_leaf, j.tokens[b].first_leaf), 4);      // int ↔ b
  EXPECT_EQ(dj.distance(j.tokens[b].first_leaf, j.tokens[b + 2].first_leaf), 3);      // b ↔ a
  EXPECT_EQ(dj.distance(j.tokens[b + 2].first_leaf, j.tokens[b + 4].first_leaf), 2);  // a ↔ 1

  // short_var_declaration > {expression_list > x, :=, expression_list > call > {g, argument_list > {(, )}}}
  auto g = parse_snippet(Language::kGo, "package p\nfunc h() { x := g() }\n");
  auto gx = std::find(g.texts.begin(), g.texts.end(), "x") - g.texts.begin();
  AstDistance dg(g.tree);
  EXPECT_EQ(dg.distance(g.tokens[gx].first_leaf, g.tokens[gx + 1].first_leaf), 3);  // x ↔ :=
  EXPECT_EQ(dg.distance(g.tokens[gx].first_leaf, g.tokens[gx + 2].first_leaf), 5);  // x ↔ g
}

TEST(AstDistance, MatchesParentClimbingOnARealFile) {
  auto t = Parser(Language::kPython).parse(
      "import os\n\nclass A:\n    def f(self, x):\n        if x:\n            return [i * 2 for i in x]\n"
      "        return os.path.join('a', str(x))\n");
  AstDistance d(t);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> pick(0, static_cast<int32_t>(t.nodes.size()) - 1);
  for (int k = 0; k < 2000; ++k) {
    const int32_t a = pick(rng), b = pick(rng);
    ASSERT_EQ(d.distance(a, b), naive_distance(t, a, b)) << a << " " << b;
  }
}

TEST(Siblings, MotifRelationByHand) {
  auto p = parse_snippet(Language::kPython, "x = y + 1\nz = f(x)\n");
  auto s = sibling_pairs(p.tree, p.tokens, SiblingDefinition::kMotif);
  // x's parent is the assignment: leaf sibling '=' plus the leaves of binary_operator (nephews).
  EXPECT_TRUE(has_pair(s, 0, 1));
  EXPECT_TRUE(has_pair(s, 0, 2));
  EXPECT_TRUE(has_pair(s, 0, 3));
  EXPECT_TRUE(has_pair(s, 0, 4));
  // y's siblings are + and 1; x is its uncle, not a sibling or nephew: directed relation.
  EXPECT_TRUE(has_pair(s, 2, 3));
  EXPECT_TRUE(has_pair(s, 2, 4));
  EXPECT_FALSE(has_pair(s, 2, 0));
  // f's parent is call: the leaves of argument_list are nephews.
  EXPECT_TRUE(has_pair(s, 7, 8));
  EXPECT_TRUE(has_pair(s, 7, 9));
  EXPECT_TRUE(has_pair(s, 7, 10));
  EXPECT_FALSE(has_pair(s, 0, 5));  // different statements
  for (auto [a, b] : s) EXPECT_NE(a, b);
}

TEST(Siblings, BlockChildrenAreNotNephews) {
  auto p = parse_snippet(Language::kPython, "if a:\n    b\n");
  // tokens: 0 if, 1 a, 2 :, 3 b. `b` sits in a `block`, so it is no nephew of `if`.
  auto s = sibling_pairs(p.tree, p.tokens, SiblingDefinition::kMotif);
  EXPECT_TRUE(has_pair(s, 0, 1));
  EXPECT_TRUE(has_pair(s, 0, 2));
  EXPECT_FALSE(has_pair(s, 0, 3));
}

TEST(Siblings, WholeStringTokenUnionsItsLeaves) {
  auto p = parse_snippet(Language::kPython, "f('a', b)\n");
  // tokens: 0 f, 1 (, 2 'a', 3 ",", 4 b, 5 ). The string token owns string_start/content/end,
  // whose parent is the string node: their motifs are each other, which the union removes.
  auto s = sibling_pairs(p.tree, p.tokens, SiblingDefinition::kMotif);
  for (auto [a, b] : s) EXPECT_NE(a, 2);
  // `(` sees the string's first leaf as a nephew through the non-block sibling `string`.
  EXPECT_TRUE(has_pair(s, 1, 2));
  EXPECT_TRUE(has_pair(s, 1, 4));
}

TEST(Siblings, SameParentIsSymmetric) {
  auto p = parse_snippet(Language::kJavaScript, "let x = y + 1;");
  auto s = sibling_pairs(p.tree, p.tokens, SiblingDefinition::kSameParent);
  for (auto [a, b] : s) EXPECT_TRUE(has_pair(s, b, a));
  // tokens: 0 let, 1 x, 2 =, 3 y, 4 +, 5 1, 6 ;
  EXPECT_TRUE(has_pair(s, 1, 2));   // both children of variable_declarator
  EXPECT_FALSE(has_pair(s, 1, 3));  // y is inside binary_expression
  EXPECT_TRUE(has_pair(s, 0, 6));   // let and ; are children of lexical_declaration
}

// The grouped same-parent pairs against the definition (compare every (r, c)), on random programs of every
// grammar: same pairs, same order.
TEST(Siblings, SameParentEqualsTheAllPairsDefinition) {
  std::mt19937 rng(std::random_device{}());
  const char* pieces[] = {"x", "=", "f(", ")", "1", "+", "[", "]", ",", ";", "\n", "{", "}", "a.b", " ", "'s'"};
  for (Language lang : all_languages()) {
    std::string src;
    for (int i = 0; i < 400; ++i) src += pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
    auto p = parse_snippet(lang, src);
    std::vector<std::pair<int32_t, int32_t>> ref;
    for (size_t r = 0; r < p.tokens.size(); ++r)
      for (size_t c = 0; c < p.tokens.size(); ++c)
        if (r != c && p.tree.nodes[p.tokens[r].node].parent == p.tree.nodes[p.tokens[c].node].parent)
          ref.emplace_back(static_cast<int32_t>(r), static_cast<int32_t>(c));
    EXPECT_EQ(sibling_pairs(p.tree, p.tokens, SiblingDefinition::kSameParent), ref) << language_name(lang) << ": " << src;
  }
}
