// Code tokens: atomic strings, dropped comments, excluded subtrees, spans.
#include <gtest/gtest.h>

#include "parse_test_util.h"

using namespace codessm::parse;
using codessm::parse::test::parse_snippet;

TEST(Tokens, PythonStringsWholeCommentsDropped) {
  auto p = parse_snippet(Language::kPython, "s = 'a b'  # note\nt = f\"x{s}\"\n");
  EXPECT_EQ(p.texts, (std::vector<std::string>{"s", "=", "'a b'", "t", "=", "f\"x{s}\""}));
  EXPECT_EQ(p.tokens[2].type, "string");
  EXPECT_NE(p.tokens[2].first_leaf, p.tokens[2].node);  // string_start is its first leaf
  EXPECT_EQ(p.tokens[3].start, (Point{1, 0}));

  TokenOptions keep;
  keep.keep_comments = true;
  keep.atomic_strings = false;
  auto q = parse_snippet(Language::kPython, "s = 'a b'  # note\n", keep);
  EXPECT_EQ(q.texts, (std::vector<std::string>{"s", "=", "'", "a b", "'", "# note"}));
  EXPECT_TRUE(q.tokens.back().comment);
}

TEST(Tokens, JavaCommentsAndStringLiterals) {
  auto p = parse_snippet(Language::kJava, "/** doc */ class A { String s = \"hi\"; // x\n char c = 'c'; }");
  EXPECT_EQ(p.texts, (std::vector<std::string>{"class", "A", "{", "String", "s", "=", "\"hi\"", ";", "char", "c",
                                               "=", "'c'", ";", "}"}));
}

TEST(Tokens, GoAndPhpStringsAreOneToken) {
  auto g = parse_snippet(Language::kGo, "package p\nvar s = \"a\\n\" + `raw`\n");
  EXPECT_EQ(g.texts, (std::vector<std::string>{"package", "p", "var", "s", "=", "\"a\\n\"", "+", "`raw`"}));
  auto h = parse_snippet(Language::kPhp, "<?php $a = \"x $b\";");
  EXPECT_EQ(h.texts, (std::vector<std::string>{"<?php", "$", "a", "=", "\"x $b\"", ";"}));
}

TEST(Tokens, ExcludedSubtreeIsSkipped) {
  auto t = Parser(Language::kPython).parse("def f():\n    \"\"\"Doc.\"\"\"\n    return 1\n");
  int32_t doc = -1;
  for (int32_t i = 0; i < static_cast<int32_t>(t.nodes.size()); ++i)
    if (t.nodes[i].type == "expression_statement") doc = i;
  ASSERT_GE(doc, 0);
  TokenOptions o;
  o.exclude = {doc};
  EXPECT_EQ(token_texts(t, extract_tokens(t, o)),
            (std::vector<std::string>{"def", "f", "(", ")", ":", "return", "1"}));
}
