// tree-sitter parsing and the relations built on it (AST distance, siblings, data flow, functions) on
// arbitrary bytes in each language (the first byte of the input picks it: python, java, javascript, typescript,
// tsx, go, ruby, php, in parse::all_languages() order).

#include "codessm/parse/ast_relations.h"
#include "codessm/parse/dataflow.h"
#include "codessm/parse/functions.h"
#include "codessm/parse/language.h"
#include "codessm/parse/tokens.h"
#include "codessm/parse/ts_parser.h"
#include "fuzz_target.h"
#include "fuzz_util.h"

namespace {

using namespace codessm;

int parse_one(parse::Language lang, const uint8_t* data, size_t size) {
  // A parser per input, not one kept across inputs: a reused tree-sitter parser keeps its subtree pool and stack
  // between parses, so an input's mallocs and frees never balance and libFuzzer then runs a full LeakSanitizer
  // scan after every execution (~45% of the time; 72 -> ~150 executions/s without it).
  parse::Parser parser(lang);
  fuzz::expect_clean([&] {
    auto tree = parser.parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz input");
    auto tokens = parse::extract_tokens(tree);
    (void)parse::token_texts(tree, tokens);
    if (tokens.size() <= 256) (void)parse::ast_distance_matrix(tree, tokens);  // n² ints
    (void)parse::sibling_pairs(tree, tokens, parse::SiblingDefinition::kMotif);
    (void)parse::sibling_pairs(tree, tokens, parse::SiblingDefinition::kSameParent);
    if (parse::has_dataflow_rules(lang)) {
      (void)parse::extract_dataflow(tree, tokens);
      parse::DfgOptions strict;
      strict.graphcodebert_strict = true;
      (void)parse::extract_dataflow(tree, tokens, 0, strict);
    }
    (void)parse::find_functions(tree);
  });
  return 0;
}

}  // namespace

// One target for every language: the first byte picks it, the rest is the source, so that one campaign covers
// all eight grammars and libFuzzer keeps inputs that reach new code in any of them.
CODESSM_FUZZ_TARGET(parse) {
  if (size == 0) return 0;
  const auto& langs = codessm::parse::all_languages();
  return parse_one(langs[data[0] % langs.size()], data + 1, size - 1);
}
