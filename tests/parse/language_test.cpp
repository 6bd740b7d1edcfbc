// Language names, aliases and detection by file extension.
#include <gtest/gtest.h>

#include "codessm/parse/language.h"
#include "codessm/parse/ts_parser.h"

using namespace codessm::parse;

TEST(Language, NamesRoundTrip) {
  for (Language l : all_languages()) EXPECT_EQ(language_from_name(language_name(l)), l);
  EXPECT_EQ(language_from_name("py"), Language::kPython);
  EXPECT_EQ(language_from_name("golang"), Language::kGo);
  EXPECT_FALSE(language_from_name("cobol").has_value());
}

TEST(Language, DetectsByExtension) {
  EXPECT_EQ(language_from_path("a/b.py"), Language::kPython);
  EXPECT_EQ(language_from_path("A.java"), Language::kJava);
  EXPECT_EQ(language_from_path("x.mjs"), Language::kJavaScript);
  EXPECT_EQ(language_from_path("x.d.ts"), Language::kTypeScript);
  EXPECT_EQ(language_from_path("x.tsx"), Language::kTsx);
  EXPECT_EQ(language_from_path("main.go"), Language::kGo);
  EXPECT_EQ(language_from_path("r.rb"), Language::kRuby);
  EXPECT_EQ(language_from_path("i.php"), Language::kPhp);
  EXPECT_FALSE(language_from_path("README.md").has_value());
  EXPECT_FALSE(language_from_path("Makefile").has_value());
  EXPECT_FALSE(language_from_path("x.PY").has_value());  // case-sensitive, as the file system is
}

TEST(Language, EveryGrammarLoadsWithAbi14) {
  for (Language l : all_languages()) {
    EXPECT_NO_THROW(Parser p(l)) << language_name(l);
    EXPECT_EQ(grammar_abi_version(l), 14u) << language_name(l);
  }
  EXPECT_NE(runtime_description().find("tree-sitter"), std::string::npos);
}
