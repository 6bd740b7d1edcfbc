// Type-annotation rules of the type-inference builder, per grammar (tree-sitter-typescript 0.23.2,
// tree-sitter-python 0.23.6). Only parents listed here are stripped: an annotation elsewhere stays in the
// source (counted in `kept`) rather than risk output that no longer parses.
#include "type_annotations.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace codessm::corpus::detail {

namespace {

using parse::Language;
using parse::SyntaxTree;

template <size_t N>
bool one_of(std::string_view s, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

// The child of `parent` just before `node`, or -1.
int32_t previous_sibling(const SyntaxTree& t, int32_t node) {
  const int32_t p = t.nodes[node].parent;
  if (p < 0) return -1;
  for (uint32_t k = 1; k < t.nodes[p].child_count; ++k)
    if (t.child(p, k) == node) return t.child(p, k - 1);
  return -1;
}

// The first child of `node` whose type is `type`, or -1.
int32_t child_of_type(const SyntaxTree& t, int32_t node, std::string_view type) {
  for (uint32_t k = 0; k < t.nodes[node].child_count; ++k)
    if (t.nodes[t.child(node, k)].type == type) return t.child(node, k);
  return -1;
}

// `node` when it is a plain name leaf, -1 otherwise (a destructuring pattern, `this`, ...).
int32_t name_leaf(const SyntaxTree& t, int32_t node) {
  static constexpr std::array<std::string_view, 3> kNames{"identifier", "property_identifier",
                                                          "private_property_identifier"};
  if (node < 0) return -1;
  return t.nodes[node].is_leaf() && one_of(t.nodes[node].type, kNames) ? node : -1;
}

// The name under a rest/splat pattern (`...rest`, `*args`, `**kw`), or the name itself.
int32_t pattern_name(const SyntaxTree& t, int32_t node) {
  if (node < 0) return -1;
  const auto type = t.nodes[node].type;
  if (type == "rest_pattern" || type == "list_splat_pattern" || type == "dictionary_splat_pattern")
    return name_leaf(t, child_of_type(t, node, "identifier"));
  return name_leaf(t, node);
}

// Python forward references are strings (`x: "Foo"`); the label is the type they name.
std::string unquote_forward_reference(const SyntaxTree& t, int32_t type_node, std::string text) {
  if (t.nodes[type_node].child_count != 1 || t.nodes[t.child(type_node, 0)].type != "string") return text;
  for (std::string_view q : {"\"\"\"", "'''", "\"", "'"}) {
    if (text.size() >= 2 * q.size() && text.compare(0, q.size(), q) == 0 &&
        text.compare(text.size() - q.size(), q.size(), q) == 0)
      return normalise_whitespace(std::string_view(text).substr(q.size(), text.size() - 2 * q.size()));
  }
  return text;  // a prefixed string (r"...", f"..."): keep as written
}

// TypeScript: `node` is a type_annotation (or a predicate/asserts return annotation).
void scan_typescript_annotation(const SyntaxTree& t, int32_t node, AnnotationScan& out) {
  static constexpr std::array<std::string_view, 8> kNamedFunctions{
      "function_declaration", "generator_function_declaration", "function_signature",  "method_definition",
      "method_signature",     "abstract_method_signature",      "function_expression", "generator_function"};
  static constexpr std::array<std::string_view, 1> kAnonymousFunctions{"arrow_function"};
  const auto& n = t.nodes[node];
  const int32_t p = n.parent;
  const auto ptype = t.nodes[p].type;
  TypeSite s;
  s.span = {n.start_byte, n.end_byte};
  // The type itself follows the ':' (type_annotation) or is the whole node (`x is T`, `asserts x`).
  const int32_t colon = n.type == "type_annotation" && n.child_count > 0 ? t.child(node, 0) : -1;
  s.type = normalise_whitespace(
      colon >= 0 ? std::string_view(t.source).substr(t.nodes[colon].end_byte, n.end_byte - t.nodes[colon].end_byte)
                 : t.text(node));
  if (n.field == "return_type" && (one_of(ptype, kNamedFunctions) || one_of(ptype, kAnonymousFunctions))) {
    // ManyTypes4TypeScript labels a function's name with its return type; anonymous functions have none.
    s.kind = "return";
    s.name_node = one_of(ptype, kNamedFunctions) ? name_leaf(t, t.child_by_field(p, "name")) : -1;
    if (n.type != "type_annotation") s.name_node = -1;  // `x is T` is not a type to predict
  } else if (n.type != "type_annotation" || n.field != "type") {
    ++out.kept[std::string(ptype)];
    return;
  } else if (ptype == "required_parameter" || ptype == "optional_parameter") {
    s.kind = "parameter";
    s.name_node = pattern_name(t, t.child_by_field(p, "pattern"));
  } else if (ptype == "catch_clause") {
    s.kind = "parameter";
    s.name_node = name_leaf(t, t.child_by_field(p, "parameter"));
  } else if (ptype == "variable_declarator" || ptype == "public_field_definition" || ptype == "property_signature") {
    s.kind = ptype == "variable_declarator" ? "variable" : "property";
    s.name_node = name_leaf(t, t.child_by_field(p, "name"));
    // `let x!: T` without its type is a syntax error, so the definite-assignment '!' goes too.
    const int32_t prev = previous_sibling(t, node);
    if (prev >= 0 && t.nodes[prev].type == "!") s.span.start = t.nodes[prev].start_byte;
  } else {
    // index_signature (`[k: string]: T`), call/construct signatures: the annotation is required there.
    ++out.kept[std::string(ptype)];
    return;
  }
  out.sites.push_back(std::move(s));
}

// TypeScript syntax that states a type outside an annotation: `x as T`, `x satisfies T`, `<T>x`, `f<T>()`.
void scan_typescript_leak(const SyntaxTree& t, int32_t node, AnnotationScan& out) {
  const auto& n = t.nodes[node];
  if (n.type == "as_expression" || n.type == "satisfies_expression") {
    const int32_t kw = child_of_type(t, node, n.type == "as_expression" ? "as" : "satisfies");
    if (kw < 0) return;
    out.leaks.push_back({t.nodes[kw].start_byte, n.end_byte});
    ++out.leak_kinds["cast"];
  } else if (n.type == "type_assertion") {
    const int32_t args = child_of_type(t, node, "type_arguments");
    if (args < 0) return;
    out.leaks.push_back({t.nodes[args].start_byte, t.nodes[args].end_byte});
    ++out.leak_kinds["cast"];
  } else if (n.type == "call_expression" || n.type == "new_expression") {
    const int32_t args = t.child_by_field(node, "type_arguments");
    if (args < 0) return;
    out.leaks.push_back({t.nodes[args].start_byte, t.nodes[args].end_byte});
    ++out.leak_kinds["type_arguments"];
  }
}

// Python: `node` is a `type` node in a `type` or `return_type` field.
void scan_python_annotation(const SyntaxTree& t, int32_t node, AnnotationScan& out) {
  const auto& n = t.nodes[node];
  const int32_t p = n.parent;
  const auto ptype = t.nodes[p].type;
  const int32_t prev = previous_sibling(t, node);  // the ':' or '->'
  if (prev < 0 || (t.nodes[prev].type != ":" && t.nodes[prev].type != "->")) {
    ++out.kept[std::string(ptype)];
    return;
  }
  TypeSite s;
  s.span = {t.nodes[prev].start_byte, n.end_byte};
  s.type = unquote_forward_reference(t, node, normalise_whitespace(t.text(node)));
  if (n.field == "return_type" && ptype == "function_definition") {
    s.kind = "return";
    s.name_node = name_leaf(t, t.child_by_field(p, "name"));
  } else if (n.field != "type") {
    ++out.kept[std::string(ptype)];
    return;
  } else if (ptype == "typed_parameter") {
    s.kind = "parameter";  // the name is the unnamed first child: `x`, `*args` or `**kw`
    s.name_node = pattern_name(t, t.child(p, 0));
  } else if (ptype == "typed_default_parameter") {
    s.kind = "parameter";
    s.name_node = name_leaf(t, t.child_by_field(p, "name"));
  } else if (ptype == "assignment") {
    s.kind = "variable";  // `x: int = 1`, `x: int`, `self.x: int = 1` (labels `x`)
    const int32_t left = t.child_by_field(p, "left");
    s.name_node = left >= 0 && t.nodes[left].type == "attribute" ? name_leaf(t, t.child_by_field(left, "attribute"))
                                                                 : name_leaf(t, left);
  } else {
    ++out.kept[std::string(ptype)];
    return;
  }
  out.sites.push_back(std::move(s));
}

}  // namespace

std::string normalise_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

AnnotationScan scan_type_annotations(const SyntaxTree& t, bool strip_leaks) {
  AnnotationScan out;
  const bool python = t.language == Language::kPython;
  for (int32_t i = 0; i < static_cast<int32_t>(t.nodes.size()); ++i) {
    const auto& n = t.nodes[i];
    if (python) {
      if (n.type == "type" && (n.field == "type" || n.field == "return_type")) scan_python_annotation(t, i, out);
    } else if (n.type == "type_annotation" || (n.field == "return_type" && (n.type == "type_predicate_annotation" ||
                                                                            n.type == "asserts_annotation"))) {
      scan_typescript_annotation(t, i, out);
    } else if (strip_leaks) {
      scan_typescript_leak(t, i, out);
    }
  }
  return out;
}

}  // namespace codessm::corpus::detail
