// Alignment between source byte spans (e.g. tree-sitter leaves, `[begin, end)`) and model tokens, in
// both directions, on byte offsets only, so that per-leaf vectors can be pooled from subword vectors
// (mean of the subwords a leaf overlaps). The parse module produces the spans; nothing here knows it.
#pragma once

#include <cstdint>
#include <vector>

#include "codessm/data/tokenizer.h"

namespace codessm::data {

/// A byte span `[begin, end)` of the source text.
struct ByteSpan {
  uint32_t begin;
  uint32_t end;
};

/// Token indices `[first, last)` that a span overlaps; empty (first == last) when it overlaps none,
/// e.g. a zero-width span.
struct TokenRange {
  uint32_t first;
  uint32_t last;
  bool empty() const { return first == last; }
};

/// For each span, the tokens that overlap it (share at least one byte). Spans may be in any order and
/// may nest or overlap (AST nodes as well as leaves). A token that straddles two leaves belongs to both
/// ("()" overlaps "(" and ")"). `tokens` must be in text order and disjoint, as Tokenizer::encode gives.
/// O((S + T) log T).
std::vector<TokenRange> tokens_for_spans(const std::vector<Token>& tokens, const std::vector<ByteSpan>& spans);

/// For each token, the index of the span it overlaps most (ties: the earlier span), or -1 when it
/// overlaps none (e.g. whitespace between leaves). `spans` must be sorted by begin and disjoint
/// (leaves); throws UsageError naming the first offending pair otherwise. O(S + T).
std::vector<int32_t> span_for_tokens(const std::vector<Token>& tokens, const std::vector<ByteSpan>& spans);

}  // namespace codessm::data
