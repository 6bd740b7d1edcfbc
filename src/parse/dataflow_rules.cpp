// GraphCodeBERT's per-language DFG node-type lists, adapted to the 0.23 grammars.
// Two kinds of change (docs/parse.md §Data flow lists each one):
//  * grammar adaptations, always on: node names that the 0.23 grammars renamed or split
//    (JS `else_clause`, `lexical_declaration`; PHP `else_if_clause`);
//  * extensions, off with DfgOptions::graphcodebert_strict: types GraphCodeBERT never handled
//    although its rules carry over (JS `assignment_expression`, Go `short_var_declaration`,
//    `dec_statement`, `range_clause`, Python `typed_default_parameter`, Ruby `while`, `until_modifier`).
#include "dataflow_rules.h"

#include <fmt/format.h>

#include "codessm/core/error.h"

namespace codessm::parse::detail {

namespace {

DfgRules python_rules(bool strict) {
  DfgRules r{};
  r.assignment = {"assignment", "augmented_assignment", "for_in_clause"};
  r.pairwise_assignment = true;
  r.def_statement = {"default_parameter"};
  if (!strict) r.def_statement.push_back("typed_default_parameter");
  r.def_value_field = "value";
  r.if_statement = {"if_statement"};
  r.if_branch = {"elif_clause", "else_clause"};
  r.if_style = IfStyle::kClauses;
  r.for_statement = {"for_statement"};
  r.for_style = ForStyle::kPythonIn;
  r.while_statement = {"while_statement"};
  r.do_first = {"for_in_clause"};
  return r;
}

// What GraphCodeBERT's Java, JavaScript, Go and PHP functions share: a C-like statement set
// with declarators carrying `value`, `x++` updates, and branches that start from the pre-if
// state from the first `else` on. Each language then names its own node types.
DfgRules c_family_rules() {
  DfgRules r{};
  r.def_value_field = "value";
  r.increment = {"update_expression"};
  r.if_style = IfStyle::kAfterBranch;
  r.for_statement = {"for_statement"};
  r.for_style = ForStyle::kCStyle;
  r.while_statement = {"while_statement"};
  return r;
}

DfgRules java_rules(bool /*strict*/) {
  DfgRules r = c_family_rules();
  r.assignment = {"assignment_expression"};
  r.def_statement = {"variable_declarator"};
  r.if_statement = {"if_statement", "else"};
  r.for_marker = {"local_variable_declaration"};
  r.enhanced_for = {"enhanced_for_statement"};
  return r;
}

DfgRules javascript_rules(bool strict) {
  DfgRules r = c_family_rules();
  r.assignment = {"assignment_pattern", "augmented_assignment_expression"};
  // GraphCodeBERT omits plain `a = b` in JavaScript; with the rule `a` is just (re)defined.
  if (!strict) r.assignment.push_back("assignment_expression");
  r.def_statement = {"variable_declarator"};
  // 0.23 wraps `else` in an else_clause; listing it keeps GraphCodeBERT's branch semantics.
  r.if_statement = {"if_statement", "else", "else_clause"};
  r.if_always_merge_pre_state = true;
  // `let`/`const` loop variables are lexical_declaration since the grammar added them.
  r.for_marker = {"variable_declaration", "lexical_declaration"};
  return r;
}

DfgRules go_rules(bool strict) {
  DfgRules r = c_family_rules();
  r.assignment = {"assignment_statement"};
  if (!strict) {
    r.assignment.push_back("short_var_declaration");
    r.assignment.push_back("range_clause");
  }
  r.def_statement = {"var_spec"};
  r.increment = {"inc_statement"};
  if (!strict) r.increment.push_back("dec_statement");
  r.if_statement = {"if_statement", "else"};
  r.if_always_merge_pre_state = true;
  r.for_style = ForStyle::kGoClause;
  r.for_marker = {"for_clause"};
  r.while_statement.clear();  // Go has no while
  return r;
}

DfgRules ruby_rules(bool strict) {
  DfgRules r{};
  r.assignment = {"assignment", "operator_assignment"};
  r.pairwise_assignment = true;
  r.def_statement = {"keyword_parameter"};
  r.def_value_field = "value";
  r.if_statement = {"if", "elsif", "else", "unless", "when"};
  r.if_branch = r.if_statement;
  r.if_style = IfStyle::kClauses;
  r.for_statement = {"for"};
  r.for_style = ForStyle::kRubyIn;
  r.while_statement = {"while_modifier", "until"};
  if (!strict) {
    r.while_statement.push_back("while");
    r.while_statement.push_back("until_modifier");
  }
  return r;
}

DfgRules php_rules(bool /*strict*/) {
  DfgRules r = c_family_rules();
  r.assignment = {"assignment_expression", "augmented_assignment_expression"};
  r.def_statement = {"simple_parameter"};
  r.def_value_field = "default_value";
  r.if_statement = {"if_statement", "else_clause", "else_if_clause"};
  r.if_always_merge_pre_state = true;
  r.for_marker = {"assignment_expression"};
  r.enhanced_for = {"foreach_statement"};
  return r;
}

}  // namespace

const DfgRules& dfg_rules(Language lang, bool strict) {
  static const DfgRules kTable[2][6] = {
      {python_rules(false), java_rules(false), javascript_rules(false), go_rules(false), ruby_rules(false),
       php_rules(false)},
      {python_rules(true), java_rules(true), javascript_rules(true), go_rules(true), ruby_rules(true),
       php_rules(true)}};
  const int s = strict ? 1 : 0;
  switch (lang) {
    case Language::kPython: return kTable[s][0];
    case Language::kJava: return kTable[s][1];
    case Language::kJavaScript:
    case Language::kTypeScript:
    case Language::kTsx: return kTable[s][2];
    case Language::kGo: return kTable[s][3];
    case Language::kRuby: return kTable[s][4];
    case Language::kPhp: return kTable[s][5];
  }
  throw UsageError(fmt::format("dataflow: no data-flow rules for language '{}'", language_name(lang)));
}

}  // namespace codessm::parse::detail
