// Function discovery, qualified names and documentation per language.
#include <gtest/gtest.h>

#include "codessm/parse/functions.h"
#include "codessm/parse/ts_parser.h"

using namespace codessm::parse;

namespace {
std::vector<FunctionInfo> fns(Language l, const std::string& src) { return find_functions(Parser(l).parse(src)); }
}  // namespace

TEST(Functions, PythonDocstringsAndMethods) {
  auto f = fns(Language::kPython,
               "class Path:\n    @staticmethod\n    def join(a, *p):\n        \"\"\"Join paths.\n\n"
               "        Second paragraph.\n        \"\"\"\n        return a\n\ndef g():\n    # not a docstring\n"
               "    return 1\n");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].name, "join");
  EXPECT_EQ(f[0].qualified_name, "Path.join");
  EXPECT_EQ(f[0].docstring, "Join paths.\n\nSecond paragraph.");
  EXPECT_GE(f[0].docstring_node, 0);
  EXPECT_EQ(f[0].start.row, 2u);
  EXPECT_EQ(f[1].qualified_name, "g");
  EXPECT_EQ(f[1].docstring, "");
  EXPECT_EQ(f[1].docstring_node, -1);
}

TEST(Functions, JavaJavadocAndConstructors) {
  auto f = fns(Language::kJava,
               "class A {\n  /**\n   * Adds.\n   * @param x value\n   */\n  @Override\n  int add(int x) { return x; }\n"
               "  A() {}\n}\n");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].qualified_name, "A.add");
  EXPECT_EQ(f[0].docstring, "Adds.\n@param x value");
  EXPECT_EQ(f[1].name, "A");
  EXPECT_EQ(f[1].docstring, "");
}

TEST(Functions, GoRubyPhpJavaScript) {
  auto g = fns(Language::kGo, "package p\n\n// Add adds.\n// Two lines.\nfunc (p *T) Add() {}\n\n// x\n\nfunc F() {}\n");
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].qualified_name, "T.Add");
  EXPECT_EQ(g[0].docstring, "Add adds.\nTwo lines.");
  EXPECT_EQ(g[1].docstring, "");  // a blank line separates the comment from F

  auto r = fns(Language::kRuby, "module M\n  class C\n    # Says hi.\n    def hi; end\n  end\nend\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].qualified_name, "M.C.hi");
  EXPECT_EQ(r[0].docstring, "Says hi.");

  auto p = fns(Language::kPhp, "<?php\nclass K {\n  /** Runs. */\n  public function run() {}\n}\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].qualified_name, "K.run");
  EXPECT_EQ(p[0].docstring, "Runs.");

  auto j = fns(Language::kJavaScript, "/** Doubles. */\nexport const dbl = (x) => 2 * x;\nclass C { m() {} }\n"
                                      "[1].map(function () {});\n");
  ASSERT_EQ(j.size(), 2u);  // the anonymous callback has no name
  EXPECT_EQ(j[0].name, "dbl");
  EXPECT_EQ(j[0].docstring, "Doubles.");
  EXPECT_EQ(j[1].qualified_name, "C.m");
}

TEST(Functions, DocstringCleaning) {
  EXPECT_EQ(clean_python_docstring("r'''  Raw.\n    indented\n      more\n  '''"), "Raw.\nindented\n  more");
  EXPECT_EQ(clean_python_docstring("\"one\""), "one");
  EXPECT_EQ(clean_comment_text({"# a", "#   b"}), "a\n  b");
  EXPECT_EQ(clean_comment_text({"/// x"}), "x");
}

TEST(Functions, PythonStringStatementsAreGraphCodeBertsRemovals) {
  auto t = Parser(Language::kPython).parse("\"\"\"Module.\"\"\"\nx = 'kept'\ndef f():\n    'doc'\n    y = 1\n    'note'\n");
  auto s = python_string_statements(t);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(t.text(s[0]), "\"\"\"Module.\"\"\"");
  EXPECT_EQ(t.text(s[1]), "'doc'");
  EXPECT_EQ(t.text(s[2]), "'note'");
  EXPECT_TRUE(python_string_statements(Parser(Language::kGo).parse("package p\n")).empty());
}
