// One type-inference example: strip the annotations found by type_annotations.cpp, re-parse and
// re-tokenise the stripped source, and carry each declaration site's byte offset through the edits to
// find its token again.
#include "codessm/corpus/type_dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "codessm/core/error.h"
#include "codessm/parse/tokens.h"
#include "codessm/parse/ts_parser.h"
#include "type_annotations.h"

namespace codessm::corpus {

namespace {

using detail::StripSpan;

// Spans sorted by start with nested and overlapping ones merged, so every removed byte is in one span.
std::vector<StripSpan> merge_spans(std::vector<StripSpan> spans) {
  std::sort(spans.begin(), spans.end(), [](const StripSpan& a, const StripSpan& b) {
    return a.start != b.start ? a.start < b.start : a.end > b.end;
  });
  std::vector<StripSpan> out;
  for (const auto& s : spans) {
    if (!out.empty() && s.start < out.back().end) {
      out.back().end = std::max(out.back().end, s.end);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

// The first merged span that starts after `pos`.
std::vector<StripSpan>::const_iterator first_span_after(const std::vector<StripSpan>& merged, uint32_t pos) {
  return std::upper_bound(merged.begin(), merged.end(), pos,
                          [](uint32_t p, const StripSpan& s) { return p < s.start; });
}

// True when byte `pos` is removed by a merged span other than one that starts at `pos` itself (when
// `is_span_start`: an annotation's own span is not "other"; a nested one starts inside its parent's).
bool removed_by_other(const std::vector<StripSpan>& merged, uint32_t pos, bool is_span_start) {
  auto it = first_span_after(merged, pos);
  if (it == merged.begin()) return false;
  --it;  // the last span starting at or before pos
  if (pos >= it->end) return false;
  return !(is_span_start && it->start == pos);
}

bool is_word_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

// The source without the spans. A removed span between two word characters (`x as T in y`) becomes a
// space so that the neighbours do not merge into one token. `shift[k]` = bytes removed before span k ends.
std::string strip(const std::string& src, const std::vector<StripSpan>& merged, std::vector<int64_t>& shift) {
  std::string out;
  out.reserve(src.size());
  uint32_t pos = 0;
  int64_t removed = 0;
  for (const auto& s : merged) {
    out.append(src, pos, s.start - pos);
    const bool glue = s.start > 0 && s.end < src.size() && is_word_byte(src[s.start - 1]) && is_word_byte(src[s.end]);
    if (glue) out += ' ';
    removed += static_cast<int64_t>(s.end - s.start) - (glue ? 1 : 0);
    shift.push_back(removed);
    pos = s.end;
  }
  out.append(src, pos, std::string::npos);
  return out;
}

// Where original byte `pos` (outside every span) lands in the stripped source.
uint32_t stripped_offset(const std::vector<StripSpan>& merged, const std::vector<int64_t>& shift, uint32_t pos) {
  auto it = first_span_after(merged, pos);
  const size_t before = static_cast<size_t>(it - merged.begin());  // spans that end at or before pos
  return static_cast<uint32_t>(pos - (before == 0 ? 0 : shift[before - 1]));
}

}  // namespace

void TypeCounts::add(const TypeCounts& o) {
  annotations += o.annotations;
  labelled_tokens += o.labelled_tokens;
  unlabelled += o.unlabelled;
  label_lost += o.label_lost;
  for (const auto& [k, v] : o.kinds) kinds[k] += v;
  for (const auto& [k, v] : o.leaks) leaks[k] += v;
  for (const auto& [k, v] : o.kept) kept[k] += v;
}

TypeExampleResult make_type_example(const std::string& source, parse::Language lang, const std::string& id,
                                    const TypeExampleOptions& opts) {
  using parse::Language;
  if (lang != Language::kTypeScript && lang != Language::kTsx && lang != Language::kPython)
    throw UsageError(
        fmt::format("type dataset: language '{}' has no type annotations to learn from; use "
                    "typescript, tsx or python",
                    parse::language_name(lang)));
  TypeExampleResult r;
  r.example.id = id;
  const parse::Parser parser(lang);
  const parse::SyntaxTree tree = parser.parse(source, id);
  if (tree.has_error) {
    r.skip_reason = "parse_error";
    return r;
  }
  const detail::AnnotationScan scan = detail::scan_type_annotations(tree, opts.strip_leaks);
  std::vector<StripSpan> spans = scan.leaks;
  for (const auto& s : scan.sites) spans.push_back(s.span);
  const std::vector<StripSpan> merged = merge_spans(spans);

  // Sites whose annotation sits inside another stripped type (`let p: {x: number}`) are part of it.
  std::vector<const detail::TypeSite*> sites;
  for (const auto& s : scan.sites)
    if (!removed_by_other(merged, s.span.start, /*is_span_start=*/true)) sites.push_back(&s);
  r.counts.kept = scan.kept;
  r.counts.annotations = sites.size();
  for (const auto* s : sites) ++r.counts.kinds[s->kind];
  for (const auto& [k, v] : scan.leak_kinds) r.counts.leaks[k] = v;

  std::vector<int64_t> shift;
  r.stripped_source = strip(source, merged, shift);
  if (sites.empty() && !opts.keep_unannotated) {
    r.skip_reason = "no_annotations";
    return r;
  }
  const parse::SyntaxTree stripped = parser.parse(r.stripped_source, id);
  if (stripped.has_error) {
    r.skip_reason = "stripped_parse_error";
    return r;
  }
  const auto tokens = parse::extract_tokens(stripped);
  r.example.tokens = parse::token_texts(stripped, tokens);
  r.example.labels.assign(tokens.size(), "");
  for (const auto* s : sites) {
    if (s->name_node < 0 || removed_by_other(merged, tree.nodes[s->name_node].start_byte, false)) {
      ++r.counts.unlabelled;
      continue;
    }
    const uint32_t at = stripped_offset(merged, shift, tree.nodes[s->name_node].start_byte);
    auto it = std::lower_bound(tokens.begin(), tokens.end(), at,
                               [](const parse::CodeToken& t, uint32_t b) { return t.start_byte < b; });
    const size_t k = static_cast<size_t>(it - tokens.begin());
    if (it == tokens.end() || it->start_byte != at || r.example.tokens[k] != tree.text(s->name_node) ||
        !r.example.labels[k].empty()) {
      ++r.counts.label_lost;
      continue;
    }
    r.example.labels[k] = s->type;
    ++r.counts.labelled_tokens;
  }
  r.ok = true;
  return r;
}

}  // namespace codessm::corpus
