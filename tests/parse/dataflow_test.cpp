// GraphCodeBERT data-flow edges on small snippets, checked by hand against the rules of
// GraphCodeBERT's parser/DFG.py (docs/parse.md §Data flow).
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "parse_test_util.h"

using namespace codessm::parse;
using codessm::parse::test::edge_strings;
using codessm::parse::test::parse_snippet;
using Edges = std::set<std::string>;

namespace {

Edges dfg(Language lang, const std::string& src, bool strict = false) {
  auto p = parse_snippet(lang, src);
  DfgOptions o;
  o.graphcodebert_strict = strict;
  return edge_strings(p, extract_dataflow(p.tree, p.tokens, 0, o));
}

}  // namespace

TEST(Dataflow, PythonAssignmentAndUse) {
  EXPECT_EQ(dfg(Language::kPython, "x = y + 1\nz = f(x)\n"),
            (Edges{"0:x computedFrom 2:y", "0:x computedFrom 4:1", "5:z computedFrom 7:f", "5:z computedFrom 9:x",
                   "9:x comesFrom 0:x"}));
}

TEST(Dataflow, PythonVariablesAreIdentifiersAndLiterals) {
  auto p = parse_snippet(Language::kPython, "x = y + 1\n");
  auto g = extract_dataflow(p.tree, p.tokens);
  EXPECT_EQ(g.variables, (std::vector<int32_t>{0, 2, 4}));  // x, y, 1; not = or +
}

TEST(Dataflow, PythonTupleAssignmentPairsElements) {
  EXPECT_EQ(dfg(Language::kPython, "a, b = c, d\n"), (Edges{"0:a computedFrom 4:c", "2:b computedFrom 6:d"}));
}

TEST(Dataflow, PythonBranchesLoopsAndDefaults) {
  const std::string src =
      "def f(a, b=2):\n"
      "    if a:\n        c = a\n    elif b:\n        c = b\n    else:\n        c = 0\n"
      "    for i in range(c):\n        a += i\n"
      "    return [x for x in a if x]\n";
  // tokens: 0 def 1 f 2 ( 3 a 4 , 5 b 6 = 7 2 8 ) 9 : 10 if 11 a 12 : 13 c 14 = 15 a 16 elif 17 b 18 :
  // 19 c 20 = 21 b 22 else 23 : 24 c 25 = 26 0 27 for 28 i 29 in 30 range 31 ( 32 c 33 ) 34 : 35 a
  // 36 += 37 i 38 return 39 [ 40 x 41 for 42 x 43 in 44 a 45 if 46 x 47 ]
  EXPECT_EQ(dfg(Language::kPython, src),
            (Edges{"5:b comesFrom 7:2",        "11:a comesFrom 3:a",       "13:c computedFrom 15:a",
                   "15:a comesFrom 3:a",       "17:b comesFrom 5:b",       "19:c computedFrom 21:b",
                   "21:b comesFrom 5:b",       "24:c computedFrom 26:0",   "28:i computedFrom 30:range",
                   "28:i computedFrom 32:c",   "30:range comesFrom 30:range",  // 2nd loop pass (as GraphCodeBERT)
                   "32:c comesFrom 13:c",      "32:c comesFrom 19:c",      "32:c comesFrom 24:c",
                   "35:a computedFrom 37:i",   "37:i comesFrom 28:i",      "40:x comesFrom 42:x",
                   "42:x computedFrom 44:a",   "44:a comesFrom 35:a",      "46:x comesFrom 42:x"}));
}

TEST(Dataflow, PythonWhileCarriesValuesAroundTheLoop) {
  // tokens: 0 i 1 = 2 0 3 while 4 i 5 : 6 i 7 = 8 i 9 + 10 1
  EXPECT_EQ(dfg(Language::kPython, "i = 0\nwhile i:\n    i = i + 1\n"),
            (Edges{"0:i computedFrom 2:0", "4:i comesFrom 0:i", "4:i comesFrom 6:i", "6:i computedFrom 8:i",
                   "6:i computedFrom 10:1", "8:i comesFrom 0:i", "8:i comesFrom 6:i"}));
}

TEST(Dataflow, JavaDeclarationsUpdatesAndForLoop) {
  const std::string src =
      "class A { int f(int a) { int b = a + 1; b += a; for (int i = 0; i < b; i++) { a = i; } return b; } }";
  EXPECT_EQ(dfg(Language::kJava, src),
            (Edges{"11:b comesFrom 13:a", "11:b comesFrom 15:1", "13:a comesFrom 7:a", "17:b computedFrom 19:a",
                   "19:a comesFrom 7:a", "24:i comesFrom 26:0", "28:i comesFrom 24:i", "28:i comesFrom 32:i",
                   "30:b comesFrom 17:b", "32:i computedFrom 32:i", "36:a computedFrom 38:i", "38:i comesFrom 32:i",
                   "42:b comesFrom 17:b"}));
}

TEST(Dataflow, JavaScriptIfElseMergesStates) {
  const std::string src = "let x = y + 1; x = f(x); if (x) { x = 2 } else { x = 3 } g(x);";
  EXPECT_EQ(dfg(Language::kJavaScript, src),
            (Edges{"1:x comesFrom 3:y", "1:x comesFrom 5:1", "7:x computedFrom 9:f", "7:x computedFrom 11:x",
                   "11:x comesFrom 1:x", "16:x comesFrom 7:x", "19:x computedFrom 21:2", "25:x computedFrom 27:3",
                   "31:x comesFrom 7:x", "31:x comesFrom 19:x", "31:x comesFrom 25:x"}));
}

TEST(Dataflow, JavaScriptStrictModeKeepsGraphCodeBertsGap) {
  // GraphCodeBERT lists no `assignment_expression` for JavaScript: `x = y` only defines x.
  EXPECT_EQ(dfg(Language::kJavaScript, "x = y; z(x);", /*strict=*/true), (Edges{"6:x comesFrom 0:x"}));
  EXPECT_EQ(dfg(Language::kJavaScript, "x = y; z(x);"), (Edges{"0:x computedFrom 2:y", "6:x comesFrom 0:x"}));
}

TEST(Dataflow, GoShortDeclarationsAndForClause) {
  const std::string src =
      "package main\nfunc (p *T) Add(a int) int {\n\tb := a + 1\n\tvar c = b\n"
      "\tfor i := 0; i < c; i++ {\n\t\tb = b + i\n\t}\n\treturn b\n}\n";
  EXPECT_EQ(dfg(Language::kGo, src),
            (Edges{"15:b computedFrom 17:a", "15:b computedFrom 19:1", "17:a comesFrom 10:a", "21:c comesFrom 23:b",
                   "23:b comesFrom 15:b", "25:i computedFrom 27:0", "29:i comesFrom 25:i", "31:c comesFrom 21:c",
                   "33:i computedFrom 33:i", "36:b computedFrom 38:b", "36:b computedFrom 40:i", "38:b comesFrom 15:b",
                   "38:b comesFrom 36:b", "40:i comesFrom 33:i", "43:b comesFrom 36:b"}));
}

TEST(Dataflow, RubyAssignmentsAndFor) {
  const std::string src = "def add(a)\n  b = a + 1\n  for i in [1, 2] do\n    b += i\n  end\n  b\nend\n";
  EXPECT_EQ(dfg(Language::kRuby, src),
            (Edges{"5:b computedFrom 7:a", "5:b computedFrom 9:1", "7:a comesFrom 3:a", "11:i computedFrom 14:1",
                   "11:i computedFrom 16:2", "19:b computedFrom 21:i", "21:i comesFrom 11:i", "23:b comesFrom 19:b"}));
}

TEST(Dataflow, PhpParametersAssignmentsForeach) {
  const std::string src =
      "<?php\nfunction add($a, $d = 1) {\n  $b = $a + $d;\n  foreach ($arr as $v) { $b = $v; }\n  return $b;\n}";
  EXPECT_EQ(dfg(Language::kPhp, src),
            (Edges{"8:d comesFrom 10:1", "14:b computedFrom 17:a", "14:b computedFrom 20:d", "17:a comesFrom 5:a",
                   "20:d comesFrom 8:d", "28:v computedFrom 25:arr", "32:b computedFrom 35:v", "35:v comesFrom 28:v",
                   "40:b comesFrom 32:b"}));
}

TEST(Dataflow, TypeScriptUsesJavaScriptRules) {
  EXPECT_EQ(dfg(Language::kTypeScript, "let x: number = y; f(x);"),
            (Edges{"1:x comesFrom 5:y", "9:x comesFrom 1:x"}));
}

TEST(Dataflow, ExcludedTokensTakePartInNothing) {
  // A token list without the docstring: the docstring node is skipped, the rest is unchanged.
  auto t = Parser(Language::kPython).parse("def f(a):\n    \"\"\"Doc a.\"\"\"\n    b = a\n");
  TokenOptions o;
  for (int32_t i = 0; i < static_cast<int32_t>(t.nodes.size()); ++i)
    if (t.nodes[i].type == "expression_statement" && t.nodes[t.child(i, 0)].type == "string") o.exclude.push_back(i);
  auto toks = extract_tokens(t, o);
  auto g = extract_dataflow(t, toks);
  // tokens: 0 def 1 f 2 ( 3 a 4 ) 5 : 6 b 7 = 8 a
  ASSERT_EQ(g.edges.size(), 2u);
  EXPECT_EQ(g.edges[0], (DfgEdge{6, 8, DfgRelation::kComputedFrom}));
  EXPECT_EQ(g.edges[1], (DfgEdge{8, 3, DfgRelation::kComesFrom}));
}

TEST(Dataflow, DeepNestingThrowsDataError) {
  auto p = parse_snippet(Language::kPython, "x = " + std::string(200, '(') + "1" + std::string(200, ')') + "\n");
  DfgOptions o;
  o.max_depth = 50;
  EXPECT_THROW(extract_dataflow(p.tree, p.tokens, 0, o), codessm::DataError);
}
