// Per-language node-type tables that drive the data-flow engine (dataflow.cpp). They are
// GraphCodeBERT's DFG_<lang> lists (parser/DFG.py); the engine implements the handful of
// behaviours in which those functions differ, selected by the style fields below.
#pragma once

#include <string_view>
#include <vector>

#include "codessm/parse/language.h"

namespace codessm::parse::detail {

using TypeList = std::vector<std::string_view>;

/// How an if statement's branches start and merge.
enum class IfStyle {
  kClauses,      ///< Python/Ruby: children whose type is in `if_branch` start from the pre-if state
  kAfterBranch,  ///< Java/Go/JS/PHP: the first child in `if_statement` and all after it start from it
};

/// How a C-style `for` is walked twice.
enum class ForStyle {
  kPythonIn,    ///< for left in right: block  (pairwise left/right, body = last child if `block`)
  kRubyIn,      ///< for pattern in value do body end (fields pattern/value/body)
  kCStyle,      ///< all children once, then the children after the first `for_marker` child again
  kGoClause,    ///< as kCStyle, and the for_clause's `update` field is re-run at the marker
};

struct DfgRules {
  TypeList assignment;       ///< left/right assignments (targets computedFrom right variables)
  bool pairwise_assignment;  ///< Python/Ruby: comma lists of equal length are paired element-wise
  TypeList def_statement;    ///< declarations with name/value (comesFrom)
  std::string_view def_value_field;  ///< "value" ("default_value" in PHP)
  TypeList increment;        ///< i++: every variable computedFrom every variable
  TypeList if_statement;
  TypeList if_branch;        ///< kClauses only: the branch clause types
  IfStyle if_style;
  bool if_always_merge_pre_state;  ///< Go/JS/PHP union the pre-if state even when there is an else
  TypeList for_statement;
  ForStyle for_style;
  TypeList for_marker;       ///< kCStyle/kGoClause: child type after which children are re-run
  TypeList enhanced_for;     ///< Java: name/value/body; PHP foreach: variable_name children
  TypeList while_statement;  ///< every child walked twice
  TypeList do_first;         ///< children of these types are walked before their siblings
};

/// The rules for `lang`; `strict` drops the additions that GraphCodeBERT's lists lack.
/// Throws UsageError when `lang` has none.
const DfgRules& dfg_rules(Language lang, bool strict);

}  // namespace codessm::parse::detail
