// SyntaxTree conversion: pre-order layout, spans, points, fields, errors.
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/parse/ts_parser.h"
#include "test_utils.h"

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

// The parse budget (ParseBudgetError): a garbled 1.5 KB tsx input on which tree-sitter's error recovery ran for
// minutes and took gigabytes (fuzz/parse) is refused, naming the input; the parser is usable afterwards, and
// ordinary code reports the work it took, far inside its budget.
TEST(SyntaxTree, ParseBudgetStopsPathologicalErrorRecovery) {
  const std::string input = codessm::core::read_file(codessm::test::source_dir() / "fuzz" / "regressions" / "parse" /
                                                     "timeout-6f928be08b8143d03f69c462baada483323abcf0");
  ASSERT_EQ(all_languages()[static_cast<uint8_t>(input[0]) % all_languages().size()], Language::kTsx);
  Parser p(Language::kTsx);
  try {
    p.parse(input.substr(1), "slow.tsx");
    ADD_FAILURE() << "parsed within the budget";
  } catch (const ParseBudgetError& e) {
    EXPECT_NE(std::string(e.what()).find("slow.tsx"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("skipped"), std::string::npos) << e.what();
  }
  std::string ok;
  for (int i = 0; i < 50; ++i) ok += "const x" + std::to_string(i) + ": number = f(<A b={1} />);\n";
  auto t = p.parse(ok);
  EXPECT_FALSE(t.has_error);
  if (runtime_description().find("vendored") != std::string::npos) EXPECT_GT(p.last_operations(), 0u);
  EXPECT_LT(p.last_operations(), parse_operation_budget(ok.size()) / 10);
  EXPECT_EQ(parse_operation_budget(10), kParseOperationsMin);
  EXPECT_EQ(parse_operation_budget(uint64_t{1} << 20), kParseOperationsPerByte << 20);
}
