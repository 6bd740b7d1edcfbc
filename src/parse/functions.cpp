// Function/method definitions and their documentation (CodeSearchNet-style NL↔code pairs).
#include "codessm/parse/functions.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "codessm/parse/tokens.h"

namespace codessm::parse {

namespace {

template <size_t N>
bool one_of(const std::array<std::string_view, N>& list, std::string_view t) {
  return std::find(list.begin(), list.end(), t) != list.end();
}

bool is_function_type(Language lang, std::string_view t) {
  switch (lang) {
    case Language::kPython: return t == "function_definition";
    case Language::kJava: return t == "method_declaration" || t == "constructor_declaration";
    case Language::kJavaScript:
    case Language::kTypeScript:
    case Language::kTsx:
      return t == "function_declaration" || t == "generator_function_declaration" || t == "method_definition";
    case Language::kGo: return t == "function_declaration" || t == "method_declaration";
    case Language::kRuby: return t == "method" || t == "singleton_method";
    case Language::kPhp: return t == "function_definition" || t == "method_declaration";
  }
  return false;
}

bool is_scope_type(std::string_view t) {
  static constexpr std::array<std::string_view, 11> kScopes{
      "class_definition", "class_declaration", "abstract_class_declaration", "interface_declaration",
      "enum_declaration", "record_declaration", "trait_declaration", "class", "module", "object_declaration",
      "namespace_definition"};
  return one_of(kScopes, t);
}

// `const f = function () {}` / `const f = () => {}`: the declarator names the function.
bool is_named_function_value(const SyntaxTree& tree, int32_t node) {
  const auto t = tree.nodes[node].type;
  if (t != "arrow_function" && t != "function_expression" && t != "function" && t != "generator_function")
    return false;
  const int32_t p = tree.nodes[node].parent;
  return p >= 0 && tree.nodes[p].type == "variable_declarator" && tree.nodes[node].field == "value";
}

std::string node_name(const SyntaxTree& tree, int32_t node) {
  int32_t name = tree.child_by_field(node, "name");
  if (name < 0) return "";
  return std::string(tree.text(name));
}

// Go methods are qualified by their receiver type: func (p *Path) Join() -> Path.Join.
std::string go_receiver_type(const SyntaxTree& tree, int32_t fn) {
  const int32_t recv = tree.child_by_field(fn, "receiver");
  if (recv < 0) return "";
  for (int32_t i = recv; i < tree.subtree_end(recv); ++i)
    if (tree.nodes[i].type == "type_identifier") return std::string(tree.text(i));
  return "";
}

std::string qualified_name(const SyntaxTree& tree, int32_t fn, const std::string& name) {
  std::string q = name;
  if (tree.language == Language::kGo) {
    const auto recv = go_receiver_type(tree, fn);
    return recv.empty() ? q : recv + "." + q;
  }
  for (int32_t p = tree.nodes[fn].parent; p >= 0; p = tree.nodes[p].parent) {
    if (!is_scope_type(tree.nodes[p].type)) continue;
    const auto scope = node_name(tree, p);
    if (!scope.empty()) q = scope + "." + q;
  }
  return q;
}

// Python: the first statement of the body, when it is a lone string expression.
int32_t python_docstring(const SyntaxTree& tree, int32_t fn) {
  const int32_t body = tree.child_by_field(fn, "body");
  if (body < 0) return -1;
  for (uint32_t k = 0; k < tree.nodes[body].child_count; ++k) {
    const int32_t stmt = tree.child(body, k);
    if (is_comment_type(tree.language, tree.nodes[stmt].type)) continue;
    if (tree.nodes[stmt].type != "expression_statement" || tree.nodes[stmt].child_count != 1) return -1;
    return tree.nodes[tree.child(stmt, 0)].type == "string" ? stmt : -1;
  }
  return -1;
}

// The node whose preceding siblings hold the doc comment: decorators and `export` wrap the function.
int32_t doc_anchor(const SyntaxTree& tree, int32_t fn) {
  int32_t a = fn;
  for (;;) {
    const int32_t p = tree.nodes[a].parent;
    if (p < 0) return a;
    const auto t = tree.nodes[p].type;
    if (t == "decorated_definition" || t == "export_statement" || t == "variable_declarator" ||
        t == "lexical_declaration" || t == "variable_declaration") {
      a = p;
      continue;
    }
    // Ruby puts the comments before a class's first method outside its body_statement.
    if (t == "body_statement" && tree.child(p, 0) == a) {
      a = p;
      continue;
    }
    return a;
  }
}

// Comments directly above `anchor`: contiguous lines, no blank line in between.
std::vector<int32_t> comments_above(const SyntaxTree& tree, int32_t anchor) {
  std::vector<int32_t> out;
  const int32_t p = tree.nodes[anchor].parent;
  if (p < 0) return out;
  uint32_t k = 0;
  while (tree.child(p, k) != anchor) ++k;
  uint32_t next_row = tree.nodes[anchor].start.row;
  while (k-- > 0) {
    const int32_t c = tree.child(p, k);
    const auto& cn = tree.nodes[c];
    if (!is_comment_type(tree.language, cn.type)) break;
    if (cn.end.row + 1 < next_row) break;  // a blank line separates it
    out.push_back(c);
    next_row = cn.start.row;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string rstrip(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

// Removes the common leading indentation and blank first/last lines (Python's inspect.cleandoc).
std::string dedent_lines(std::vector<std::string> lines, bool first_line_separate) {
  size_t margin = std::string::npos;
  for (size_t i = first_line_separate ? 1 : 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    const size_t ind = l.find_first_not_of(" \t");
    if (ind != std::string::npos) margin = std::min(margin, ind);
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i == 0 && first_line_separate) {
      const size_t s = lines[0].find_first_not_of(" \t");
      lines[0] = s == std::string::npos ? "" : lines[0].substr(s);
    } else if (margin != std::string::npos) {
      lines[i] = lines[i].size() > margin ? lines[i].substr(margin) : rstrip(lines[i].substr(0, lines[i].size()));
      if (lines[i].find_first_not_of(" \t") == std::string::npos) lines[i].clear();
    }
    lines[i] = rstrip(lines[i]);
  }
  while (!lines.empty() && lines.front().empty()) lines.erase(lines.begin());
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
  return out;
}

std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> lines;
  std::string cur;
  for (char ch : s) {
    if (ch == '\n') {
      lines.push_back(rstrip(cur));
      cur.clear();
    } else if (ch == '\t') {
      cur.append(8 - cur.size() % 8, ' ');  // expandtabs(), as cleandoc does
    } else {
      cur += ch;
    }
  }
  lines.push_back(rstrip(cur));
  return lines;
}

}  // namespace

std::string clean_python_docstring(std::string_view lit) {
  size_t p = 0;
  while (p < lit.size() && std::isalpha(static_cast<unsigned char>(lit[p]))) ++p;  // r, u, b, f prefixes
  lit.remove_prefix(p);
  for (std::string_view q : {"\"\"\"", "'''", "\"", "'"}) {
    if (lit.size() >= 2 * q.size() && lit.substr(0, q.size()) == q && lit.substr(lit.size() - q.size()) == q) {
      lit = lit.substr(q.size(), lit.size() - 2 * q.size());
      break;
    }
  }
  return dedent_lines(split_lines(lit), /*first_line_separate=*/true);
}

std::string clean_comment_text(const std::vector<std::string>& comments) {
  std::vector<std::string> lines;
  for (const auto& c : comments) {
    std::string_view s = c;
    const bool block = s.substr(0, 2) == "/*";
    if (block) {
      s.remove_prefix(s.substr(0, 3) == "/**" ? 3 : 2);
      if (s.size() >= 2 && s.substr(s.size() - 2) == "*/") s.remove_suffix(2);
    }
    for (auto line : split_lines(s)) {
      std::string_view l = line;
      const size_t ind = l.find_first_not_of(' ');
      if (ind == std::string_view::npos) {
        lines.emplace_back();
        continue;
      }
      if (block) {
        if (l[ind] == '*') l = l.substr(ind + 1);  // " * text" continuation lines
      } else if (l.substr(ind, 2) == "//") {
        l = l.substr(ind + 2);
        while (!l.empty() && l.front() == '/') l.remove_prefix(1);  // "///" doc comments
      } else if (l[ind] == '#') {
        l = l.substr(ind + 1);
      }
      lines.emplace_back(l);
    }
  }
  return dedent_lines(lines, /*first_line_separate=*/false);
}

std::vector<int32_t> python_string_statements(const SyntaxTree& tree) {
  std::vector<int32_t> out;
  if (tree.language != Language::kPython) return out;
  for (int32_t i = 0; i < static_cast<int32_t>(tree.nodes.size()); ++i) {
    const auto& n = tree.nodes[i];
    if (n.type == "expression_statement" && n.child_count == 1 && tree.nodes[tree.child(i, 0)].type == "string")
      out.push_back(i);
  }
  return out;
}

std::vector<FunctionInfo> find_functions(const SyntaxTree& tree) {
  std::vector<FunctionInfo> out;
  for (int32_t i = 0; i < static_cast<int32_t>(tree.nodes.size()); ++i) {
    const auto& n = tree.nodes[i];
    const bool named_value = is_named_function_value(tree, i);
    if (!is_function_type(tree.language, n.type) && !named_value) continue;
    FunctionInfo f;
    f.node = i;
    f.name = named_value ? node_name(tree, n.parent) : node_name(tree, i);
    if (f.name.empty()) continue;  // anonymous: nothing to call it in a corpus
    f.qualified_name = qualified_name(tree, i, f.name);
    f.start_byte = n.start_byte;
    f.end_byte = n.end_byte;
    f.start = n.start;
    f.end = n.end;
    if (tree.language == Language::kPython) {
      f.docstring_node = python_docstring(tree, i);
      if (f.docstring_node >= 0) f.docstring = clean_python_docstring(tree.text(f.docstring_node));
    } else {
      f.doc_comments = comments_above(tree, doc_anchor(tree, i));
      std::vector<std::string> texts;
      for (int32_t c : f.doc_comments) texts.emplace_back(tree.text(c));
      f.docstring = clean_comment_text(texts);
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace codessm::parse
