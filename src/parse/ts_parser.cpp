// RAII wrapper over a TSParser and the conversion of a TSTree into a plain SyntaxTree.
// Keeps to the tree-sitter 0.20 API subset (ecosystem.md §1.1) so that Debian's libtree-sitter
// works as a fallback runtime without #ifdefs.
#include "codessm/parse/ts_parser.h"

#include <tree_sitter/api.h>

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <string>

#include "codessm/core/error.h"

extern "C" {
const TSLanguage* tree_sitter_python(void);
const TSLanguage* tree_sitter_java(void);
const TSLanguage* tree_sitter_javascript(void);
const TSLanguage* tree_sitter_typescript(void);
const TSLanguage* tree_sitter_tsx(void);
const TSLanguage* tree_sitter_go(void);
const TSLanguage* tree_sitter_ruby(void);
const TSLanguage* tree_sitter_php(void);
}

#ifndef CODESSM_TS_RUNTIME
#define CODESSM_TS_RUNTIME "tree-sitter (unknown runtime)"
#endif

namespace codessm::parse {

namespace {

const TSLanguage* ts_language(Language lang) {
  switch (lang) {
    case Language::kPython: return tree_sitter_python();
    case Language::kJava: return tree_sitter_java();
    case Language::kJavaScript: return tree_sitter_javascript();
    case Language::kTypeScript: return tree_sitter_typescript();
    case Language::kTsx: return tree_sitter_tsx();
    case Language::kGo: return tree_sitter_go();
    case Language::kRuby: return tree_sitter_ruby();
    case Language::kPhp: return tree_sitter_php();
  }
  throw Error(ErrorKind::kInternal, "parse: unhandled Language enum value");
}

// Appends the node under `cursor` to `tree` and returns its index.
int32_t push_node(SyntaxTree& tree, const TSTreeCursor& cursor, int32_t parent) {
  TSNode n = ts_tree_cursor_current_node(&cursor);
  SyntaxNode s;
  s.type = ts_node_type(n);
  const char* field = ts_tree_cursor_current_field_name(&cursor);
  if (field) s.field = field;
  s.start_byte = ts_node_start_byte(n);
  s.end_byte = ts_node_end_byte(n);
  TSPoint a = ts_node_start_point(n), b = ts_node_end_point(n);
  s.start = {a.row, a.column};
  s.end = {b.row, b.column};
  s.parent = parent;
  s.depth = parent < 0 ? 0 : tree.nodes[parent].depth + 1;
  s.named = ts_node_is_named(n);
  s.missing = ts_node_is_missing(n);
  s.error = s.type == "ERROR";
  tree.has_error = tree.has_error || s.error || s.missing;
  tree.nodes.push_back(s);
  return static_cast<int32_t>(tree.nodes.size() - 1);
}

// Fills child_count / first_child / child_ids / subtree_end from the parent links. Pre-order means children
// arrive in source order.
void link_children(SyntaxTree& tree) {
  auto& nodes = tree.nodes;
  for (size_t i = 1; i < nodes.size(); ++i) nodes[nodes[i].parent].child_count++;
  uint32_t offset = 0;
  for (auto& n : nodes) {
    n.first_child = offset;
    offset += n.child_count;
  }
  tree.child_ids.assign(offset, -1);
  std::vector<uint32_t> filled(nodes.size(), 0);
  for (size_t i = 1; i < nodes.size(); ++i) {
    auto p = nodes[i].parent;
    tree.child_ids[nodes[p].first_child + filled[p]++] = static_cast<int32_t>(i);
  }
  for (size_t i = nodes.size(); i-- > 0;) {
    const auto& n = nodes[i];
    nodes[i].subtree_end = n.child_count == 0 ? static_cast<uint32_t>(i + 1)
                                              : nodes[tree.child_ids[n.first_child + n.child_count - 1]].subtree_end;
  }
}

/// Bytes this process can still allocate: the smaller of the address-space limit left (ulimit -v) and the
/// system's available memory. 0 when neither can be read (then no limit is applied).
uint64_t allocatable_bytes() {
  uint64_t avail = std::numeric_limits<uint64_t>::max();
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("MemAvailable:", 0) == 0) {
      avail = std::min<uint64_t>(avail, std::stoull(line.substr(13)) * 1024);  // "MemAvailable:  123 kB"
      break;
    }
  }
  struct rlimit rl {};
  if (::getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    uint64_t used = 0;
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmSize:", 0) == 0) {
        used = std::stoull(line.substr(7)) * 1024;
        break;
      }
    }
    avail = std::min<uint64_t>(avail, rl.rlim_cur > used ? rl.rlim_cur - used : 0);
  }
  return avail == std::numeric_limits<uint64_t>::max() ? 0 : avail;
}

}  // namespace

uint64_t parse_memory_estimate(uint64_t source_bytes) { return source_bytes * kParseBytesPerSourceByte; }

namespace {

#ifdef CODESSM_TS_PARSE_OPTIONS
// tree-sitter calls this every 100 parser operations; returning true cancels the parse.
struct OperationBudget {
  uint64_t checks = 0;      // calls so far
  uint64_t max_checks = 0;  // budget / 100
};

bool over_budget(TSParseState* state) {
  auto* b = static_cast<OperationBudget*>(state->payload);
  return ++b->checks > b->max_checks;
}

struct StringInput {
  const char* data;
  uint32_t size;
};

const char* read_string(void* payload, uint32_t byte, TSPoint, uint32_t* bytes_read) {
  const auto* in = static_cast<const StringInput*>(payload);
  if (byte >= in->size) {
    *bytes_read = 0;
    return "";
  }
  *bytes_read = in->size - byte;
  return in->data + byte;
}
#endif

}  // namespace

uint64_t parse_operation_budget(uint64_t source_bytes) {
  return std::max(kParseOperationsMin, kParseOperationsPerByte * source_bytes);
}

namespace {

// The parse of `source` under the operation budget: nullptr when tree-sitter gives up or the budget runs out
// (`*operations` says which).
TSTree* parse_with_budget(TSParser* parser, const std::string& source, uint64_t* operations) {
#ifdef CODESSM_TS_PARSE_OPTIONS
  OperationBudget budget;
  budget.max_checks = parse_operation_budget(source.size()) / 100;
  StringInput in{source.data(), static_cast<uint32_t>(source.size())};
  TSInput input{&in, read_string, TSInputEncodingUTF8, nullptr};
  TSParseOptions options{&budget, over_budget};
  TSTree* tree = ts_parser_parse_with_options(parser, nullptr, input, options);
  *operations = budget.checks * 100;
  return tree;
#else
  // Debian's 0.20 runtime has no progress callback: a wall-clock limit instead (200 µs per byte, at least 10 s;
  // machine-dependent, unlike the vendored runtime's count).
  ts_parser_set_timeout_micros(parser, std::max<uint64_t>(10'000'000, 200 * source.size()));
  TSTree* tree = ts_parser_parse_string(parser, nullptr, source.data(), static_cast<uint32_t>(source.size()));
  *operations = 0;
  return tree;
#endif
}

}  // namespace

struct Parser::Impl {
  TSParser* parser = nullptr;
  uint64_t last_operations = 0;
  ~Impl() {
    if (parser) ts_parser_delete(parser);
  }
};

Parser::Parser(Language lang) : lang_(lang), impl_(std::make_unique<Impl>()) {
  impl_->parser = ts_parser_new();
  const TSLanguage* l = ts_language(lang);
  if (!ts_parser_set_language(impl_->parser, l)) {
    throw DataError(fmt::format(
        "parse: the {} grammar has ABI {}, which {} cannot load. Use the pinned 0.23.x grammars "
        "(package-lock.json) or build with the npm tree-sitter@0.25.1 runtime (npm ci --ignore-scripts).",
        language_name(lang), ts_language_version(l), CODESSM_TS_RUNTIME));
  }
}

Parser::~Parser() = default;
Parser::Parser(Parser&&) noexcept = default;
Parser& Parser::operator=(Parser&&) noexcept = default;

SyntaxTree Parser::parse(std::string source, std::string_view origin, uint32_t max_depth) const {
  if (source.size() >= (uint64_t{1} << 32))
    throw DataError(fmt::format("parse: {} is {} bytes; tree-sitter handles at most 4 GiB", origin, source.size()));
  // tree-sitter aborts the process when an allocation fails (a huge one-line file needs ~195 bytes of memory
  // per source byte), which would also leave every temporary file of the caller behind: refuse up front.
  if (source.size() > (uint64_t{1} << 20)) {
    const uint64_t need = parse_memory_estimate(source.size()), avail = allocatable_bytes();
    if (avail != 0 && need > avail) {
      throw ParseMemoryError(fmt::format(
          "parse: {} is {:.1f} MiB; parsing it needs about {:.0f} MiB of memory but only {:.0f} MiB can be allocated "
          "(free memory or ulimit -v): skipped", origin, source.size() / 1048576.0, need / 1048576.0, avail / 1048576.0));
    }
  }
  TSTree* ts_tree = parse_with_budget(impl_->parser, source, &impl_->last_operations);
  if (!ts_tree) {
    ts_parser_reset(impl_->parser);
    const uint64_t budget = parse_operation_budget(source.size());
    if (impl_->last_operations > budget || impl_->last_operations == 0) {
      throw ParseBudgetError(fmt::format(
          "parse: {} ({} bytes of {}) needs more than {} tree-sitter operations ({} per byte), far more than "
          "source code of its size; it is most likely not {} source (garbled or generated): skipped",
          origin, source.size(), language_name(lang_), budget, kParseOperationsPerByte, language_name(lang_)));
    }
    throw DataError(fmt::format("parse: tree-sitter returned no tree for {} ({})", origin, language_name(lang_)));
  }
  SyntaxTree tree;
  tree.language = lang_;
  tree.source = std::move(source);
  TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(ts_tree));
  try {
    // Iterative pre-order walk: deep trees (long operator chains) would overflow a recursive one.
    int32_t cur = push_node(tree, cursor, -1);
    for (;;) {
      if (ts_tree_cursor_goto_first_child(&cursor)) {
        cur = push_node(tree, cursor, cur);
        if (max_depth && tree.nodes[cur].depth > max_depth)
          throw DataError(fmt::format("parse: {} nests deeper than {} nodes; skip it or raise the limit", origin,
                                      max_depth));
        continue;
      }
      bool done = false;
      while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
        if (!ts_tree_cursor_goto_parent(&cursor)) {
          done = true;
          break;
        }
        cur = tree.nodes[cur].parent;
      }
      if (done) break;
      cur = push_node(tree, cursor, tree.nodes[cur].parent);
    }
  } catch (...) {
    ts_tree_cursor_delete(&cursor);
    ts_tree_delete(ts_tree);
    throw;
  }
  ts_tree_cursor_delete(&cursor);
  ts_tree_delete(ts_tree);
  link_children(tree);
  return tree;
}

uint64_t Parser::last_operations() const { return impl_->last_operations; }

std::string runtime_description() { return CODESSM_TS_RUNTIME; }

uint32_t grammar_abi_version(Language lang) { return ts_language_version(ts_language(lang)); }

}  // namespace codessm::parse
