// tree-sitter parsing and the relations built on it (AST distance, siblings, data flow, functions) on
// arbitrary bytes, one target per language: parse_python, parse_java, ... (libFuzzer builds compile this file
// once per language with CODESSM_FUZZ_LANGUAGE).
#include <memory>

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
  static std::map<parse::Language, std::unique_ptr<parse::Parser>> parsers;
  auto& parser = parsers[lang];
  if (!parser) parser = std::make_unique<parse::Parser>(lang);
  fuzz::expect_clean([&] {
    auto tree = parser->parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz input");
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

#ifdef CODESSM_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const parse::Language lang = *parse::language_from_name(CODESSM_FUZZ_LANGUAGE);
  return parse_one(lang, data, size);
}
#else
static const bool registered = [] {
  for (auto lang : parse::all_languages())
    fuzz::registry().emplace("parse_" + std::string(parse::language_name(lang)),
                             [lang](const uint8_t* d, size_t s) { return parse_one(lang, d, s); });
  return true;
}();
#endif
