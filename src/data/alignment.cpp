// Span ↔ token alignment on byte offsets (overlap = at least one shared byte).
#include "codessm/data/alignment.h"

#include <algorithm>

#include "codessm/core/error.h"

namespace codessm::data {

namespace {
uint32_t overlap(uint32_t b1, uint32_t e1, uint32_t b2, uint32_t e2) {
  uint32_t b = std::max(b1, b2), e = std::min(e1, e2);
  return e > b ? e - b : 0;
}
}  // namespace

std::vector<TokenRange> tokens_for_spans(const std::vector<Token>& tokens, const std::vector<ByteSpan>& spans) {
  std::vector<TokenRange> out;
  out.reserve(spans.size());
  for (const auto& s : spans) {
    CODESSM_REQUIRE(s.begin <= s.end, UsageError, "span [{}, {}) has begin after end", s.begin, s.end);
    // First token ending after the span starts; tokens are sorted and disjoint, so ends are sorted too.
    auto first = std::partition_point(tokens.begin(), tokens.end(), [&](const Token& t) { return t.end <= s.begin; });
    auto last = first;
    while (last != tokens.end() && last->begin < s.end) ++last;
    uint32_t f = static_cast<uint32_t>(first - tokens.begin()), l = static_cast<uint32_t>(last - tokens.begin());
    if (s.begin == s.end) l = f;  // a zero-width span overlaps nothing
    out.push_back({f, l});
  }
  return out;
}

std::vector<int32_t> span_for_tokens(const std::vector<Token>& tokens, const std::vector<ByteSpan>& spans) {
  for (size_t i = 1; i < spans.size(); ++i) {
    CODESSM_REQUIRE(spans[i - 1].end <= spans[i].begin, UsageError,
                    "span_for_tokens needs sorted, disjoint spans (leaves); span {} [{}, {}) overlaps or precedes "
                    "span {} [{}, {})",
                    i, spans[i].begin, spans[i].end, i - 1, spans[i - 1].begin, spans[i - 1].end);
  }
  std::vector<int32_t> out(tokens.size(), -1);
  size_t s = 0;
  for (size_t t = 0; t < tokens.size(); ++t) {
    const Token& tok = tokens[t];
    while (s < spans.size() && spans[s].end <= tok.begin) ++s;  // spans entirely before this token
    uint32_t best = 0;
    for (size_t k = s; k < spans.size() && spans[k].begin < tok.end; ++k) {
      uint32_t ov = overlap(tok.begin, tok.end, spans[k].begin, spans[k].end);
      if (ov > best) best = ov, out[t] = static_cast<int32_t>(k);
    }
  }
  return out;
}

}  // namespace codessm::data
