// Function records from parsed files and their JSON lines.
#include "codessm/corpus/records.h"

#include <nlohmann/json.hpp>

#include "codessm/corpus/sha256.h"
#include "codessm/parse/functions.h"
#include "codessm/parse/tokens.h"

namespace codessm::corpus {

namespace {

// Bytes >= 0x80 count as word characters so that UTF-8 sequences stay inside words.
bool is_word_byte(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

std::string dump(const nlohmann::ordered_json& j) {
  // `replace` turns any invalid UTF-8 into U+FFFD instead of throwing (inputs are checked
  // before parsing, so this is a guard, not a path that is taken).
  return j.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

std::vector<std::string> docstring_tokens(const std::string& docstring) {
  const std::string first = docstring.substr(0, docstring.find("\n\n"));
  std::vector<std::string> out;
  for (size_t i = 0; i < first.size();) {
    const auto c = static_cast<unsigned char>(first[i]);
    if (std::isspace(c)) {
      ++i;
    } else if (is_word_byte(c)) {
      size_t j = i;
      while (j < first.size() && is_word_byte(static_cast<unsigned char>(first[j]))) ++j;
      out.push_back(first.substr(i, j - i));
      i = j;
    } else {
      out.push_back(first.substr(i, 1));
      ++i;
    }
  }
  return out;
}

std::vector<FunctionRecord> extract_functions(const parse::SyntaxTree& tree) {
  std::vector<FunctionRecord> out;
  for (const auto& f : parse::find_functions(tree)) {
    FunctionRecord r;
    r.func_name = f.qualified_name;
    r.language = std::string(parse::language_name(tree.language));
    r.original_string = std::string(tree.text(f.node));
    parse::TokenOptions opts;
    if (f.docstring_node >= 0) opts.exclude.push_back(f.docstring_node);
    r.code_tokens = parse::token_texts(tree, parse::extract_tokens(tree, opts, f.node));
    r.docstring = f.docstring;
    r.docstring_tokens = docstring_tokens(f.docstring);
    r.start_line = f.start.row + 1;
    r.end_line = f.end.row + 1;
    r.sha = sha256_hex(r.original_string);
    r.parse_error = tree.has_error;
    out.push_back(std::move(r));
  }
  return out;
}

std::string to_json_line(const FunctionRecord& r) {
  nlohmann::ordered_json j;
  j["repo"] = r.repo;
  j["path"] = r.path;
  j["func_name"] = r.func_name;
  j["language"] = r.language;
  j["original_string"] = r.original_string;
  j["code"] = r.original_string;
  j["code_tokens"] = r.code_tokens;
  j["docstring"] = r.docstring;
  j["docstring_tokens"] = r.docstring_tokens;
  j["start_line"] = r.start_line;
  j["end_line"] = r.end_line;
  j["sha"] = r.sha;
  j["partition"] = r.partition;
  j["parse_error"] = r.parse_error;
  return dump(j);
}

std::string to_json_line(const FileRecord& r) {
  nlohmann::ordered_json j;
  j["repo"] = r.repo;
  j["path"] = r.path;
  j["language"] = r.language;
  j["content"] = r.content;
  j["sha"] = r.sha;
  j["num_tokens"] = r.num_tokens;
  j["num_lines"] = r.num_lines;
  j["num_functions"] = r.num_functions;
  j["partition"] = r.partition;
  j["parse_error"] = r.parse_error;
  return dump(j);
}

}  // namespace codessm::corpus
