// SyntaxTree conversion: pre-order layout, spans, points, fields, errors.
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "codessm/parse/ts_parser.h"

using namespace codessm::parse;

TEST(SyntaxTree, PreOrderWithSpansAndFields) {
  auto t = Parser(Language::kPython).parse("x = y + 1\nz = f(x)\n");
  EXPECT_FALSE(t.has_error);
  EXPECT_EQ(t.sexp(),
            "(module (expression_statement (assignment left: (identifier) right: (binary_operator left: "
            "(identifier) right: (integer)))) (expression_statement (assignment left: (identifier) right: (call "
            "function: (identifier) arguments: (argument_list (identifier))))))");
  ASSERT_EQ(t.nodes[0].type, "module");
  EXPECT_EQ(t.subtree_end(0), static_cast<int32_t>(t.nodes.size()));
  // Every node's parent precedes it and children lie inside the parent's subtree range.
  for (int32_t i = 1; i < static_cast<int32_t>(t.nodes.size()); ++i) {
    const int32_t p = t.nodes[i].parent;
    ASSERT_LT(p, i);
    EXPECT_LT(i, t.subtree_end(p));
    EXPECT_EQ(t.nodes[i].depth, t.nodes[p].depth + 1);
  }
  // The `f` of line 2: row 1, column 4, bytes 14..15.
  auto lv = leaves(t);
  int32_t f = -1;
  for (int32_t l : lv)
    if (t.text(l) == "f") f = l;
  ASSERT_GE(f, 0);
  EXPECT_EQ(t.nodes[f].start, (Point{1, 4}));
  EXPECT_EQ(t.nodes[f].start_byte, 14u);
  EXPECT_EQ(t.nodes[f].field, "function");
  const int32_t call = t.nodes[f].parent;
  EXPECT_EQ(t.child_by_field(call, "function"), f);
  EXPECT_EQ(t.nodes[t.child_by_field(call, "arguments")].type, "argument_list");
  EXPECT_EQ(t.child_by_field(call, "nope"), -1);
}

TEST(SyntaxTree, ReportsErrorsWithoutThrowing) {
  auto t = Parser(Language::kJava).parse("class { void f( { }");
  EXPECT_TRUE(t.has_error);
  EXPECT_GT(t.count_errors(), 0u);
  auto empty = Parser(Language::kGo).parse("");
  EXPECT_EQ(empty.nodes.size(), 1u);
}

TEST(SyntaxTree, DepthLimitThrowsDataError) {
  std::string deep = "x = " + std::string(300, '(') + "1" + std::string(300, ')');
  EXPECT_THROW(Parser(Language::kPython).parse(deep, "deep.py", /*max_depth=*/100), codessm::DataError);
  EXPECT_NO_THROW(Parser(Language::kPython).parse(deep, "deep.py", /*max_depth=*/0));
}

TEST(SyntaxTree, EveryLanguageParsesAValidSnippet) {
  const std::pair<Language, const char*> kSnippets[] = {
      {Language::kPython, "def f(x):\n    return x + 1\n"},
      {Language::kJava, "class A { int f(int x) { return x + 1; } }"},
      {Language::kJavaScript, "function f(x) { return x + 1; }"},
      {Language::kTypeScript, "function f(x: number): number { return x + 1; }"},
      {Language::kTsx, "const C = (p: {n: number}) => <div className=\"a\">{p.n}</div>;"},
      {Language::kGo, "package p\nfunc f(x int) int { return x + 1 }\n"},
      {Language::kRuby, "def f(x)\n  x + 1\nend\n"},
      {Language::kPhp, "<?php function f($x) { return $x + 1; }"}};
  for (const auto& [lang, src] : kSnippets) {
    auto t = Parser(lang).parse(src);
    EXPECT_FALSE(t.has_error) << language_name(lang) << ": " << t.sexp();
  }
}
