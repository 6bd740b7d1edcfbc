// Helpers shared by the parse tests: parse a snippet, find tokens by text, render DFG edges.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "codessm/parse/dataflow.h"
#include "codessm/parse/tokens.h"
#include "codessm/parse/ts_parser.h"

namespace codessm::parse::test {

struct Parsed {
  SyntaxTree tree;
  std::vector<CodeToken> tokens;
  std::vector<std::string> texts;
};

inline Parsed parse_snippet(Language lang, const std::string& src, const TokenOptions& opts = {}) {
  Parsed p;
  p.tree = Parser(lang).parse(src);
  p.tokens = extract_tokens(p.tree, opts);
  p.texts = token_texts(p.tree, p.tokens);
  return p;
}

/// Edges as "from_idx:text -> to_idx:text relation" strings, which read well in failure messages.
inline std::set<std::string> edge_strings(const Parsed& p, const DataFlowGraph& g) {
  std::set<std::string> out;
  for (const auto& e : g.edges)
    out.insert(std::to_string(e.from) + ":" + p.texts[e.from] + " " + std::string(dfg_relation_name(e.relation)) +
               " " + std::to_string(e.to) + ":" + p.texts[e.to]);
  return out;
}

}  // namespace codessm::parse::test
