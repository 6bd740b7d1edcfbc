// GraphCodeBERT's data-flow graph (Guo et al. 2021, `parser/DFG.py`; directprobe-spec §3.6):
// edges between occurrences of variables, "comesFrom" (a use reads the value last defined at
// another occurrence, or a declaration takes its initial value) and "computedFrom" (an assignment
// target is computed from the right-hand side's variables). Rules exist for Python, Java,
// JavaScript, TypeScript/TSX (JavaScript's rules), Go, Ruby and PHP; docs/parse.md lists them and
// the few places where the 0.23 grammars forced or invited a change.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "codessm/parse/syntax_tree.h"
#include "codessm/parse/tokens.h"

namespace codessm::parse {

/// Edge label. The names are GraphCodeBERT's.
enum class DfgRelation : uint8_t { kComesFrom, kComputedFrom };

/// "comesFrom" / "computedFrom".
std::string_view dfg_relation_name(DfgRelation r);

/// `from` gets its value from `to` (both are token indices). As in GraphCodeBERT the edge
/// points from the later occurrence to the earlier one it depends on, except in loops, where the
/// second pass adds loop-carried edges that point forward.
struct DfgEdge {
  int32_t from = 0;
  int32_t to = 0;
  DfgRelation relation = DfgRelation::kComesFrom;
  bool operator==(const DfgEdge& o) const { return from == o.from && to == o.to && relation == o.relation; }
  bool operator<(const DfgEdge& o) const;
};

/// The graph over one token sequence.
struct DataFlowGraph {
  std::vector<int32_t> variables;  ///< tokens whose type differs from their text (identifiers, literals)
  std::vector<DfgEdge> edges;      ///< sorted by (from, to, relation), no duplicates
};

/// Options for extract_dataflow().
struct DfgOptions {
  /// Only GraphCodeBERT's own node-type lists. When false (default) a few types the old lists
  /// missed are added (JS `assignment_expression`, Go `short_var_declaration`/`dec_statement`,
  /// Python `typed_default_parameter`, Ruby `while`/`until_modifier`); docs/parse.md lists them.
  bool graphcodebert_strict = false;
  /// Recursion guard: deeper subtrees throw DataError (pathological generated code).
  uint32_t max_depth = 2000;
};

/// True when `lang` has data-flow rules.
bool has_dataflow_rules(Language lang);

/// The data-flow graph of the subtree at `root` over `tokens` (from extract_tokens on the same
/// tree; tokens absent from the list, e.g. a removed docstring, take no part). Throws UsageError
/// when `lang` has no rules.
DataFlowGraph extract_dataflow(const SyntaxTree& tree, const std::vector<CodeToken>& tokens, int32_t root = 0,
                               const DfgOptions& opts = {});

}  // namespace codessm::parse
