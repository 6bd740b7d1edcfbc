// Span ↔ token alignment and mean pooling on byte offsets.
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "codessm/data/alignment.h"
#include "codessm/data/span_pooling.h"
#include "test_utils.h"

namespace codessm::data {
namespace {

// Text "def foo():" tokenized as "def", " foo", "():" ; leaves "def", "foo", "(", ")", ":".
const std::vector<Token> kTokens{{10, 0, 3}, {11, 3, 7}, {12, 7, 10}};
const std::vector<ByteSpan> kLeaves{{0, 3}, {4, 7}, {7, 8}, {8, 9}, {9, 10}};

using P = std::pair<uint32_t, uint32_t>;
P as_pair(const TokenRange& r) { return {r.first, r.last}; }

TEST(Alignment, TokensForSpansCoversEveryOverlappingSubword) {
  auto r = tokens_for_spans(kTokens, kLeaves);
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(as_pair(r[0]), P(0u, 1u));
  EXPECT_EQ(as_pair(r[1]), P(1u, 2u));  // "foo" inside " foo"
  for (int k = 2; k < 5; ++k) EXPECT_EQ(as_pair(r[k]), P(2u, 3u));  // all inside "():"
  // Nested spans (an AST node over the whole function header) and zero-width spans.
  auto nested = tokens_for_spans(kTokens, {{0, 10}, {5, 5}, {2, 5}});
  EXPECT_EQ(as_pair(nested[0]), P(0u, 3u));
  EXPECT_TRUE(nested[1].empty());
  EXPECT_EQ(as_pair(nested[2]), P(0u, 2u));
}

TEST(Alignment, SpanForTokensPicksLargestOverlap) {
  auto s = span_for_tokens(kTokens, kLeaves);
  EXPECT_EQ(s, (std::vector<int32_t>{0, 1, 2}));  // "():" overlaps three 1-byte leaves; the first wins
  auto gap = span_for_tokens({{1, 0, 2}, {2, 2, 3}, {3, 3, 6}}, {{0, 2}, {4, 6}});
  EXPECT_EQ(gap, (std::vector<int32_t>{0, -1, 1}));
  EXPECT_THROW_WITH(span_for_tokens(kTokens, {{0, 5}, {3, 7}}), UsageError, "sorted, disjoint spans");
}

TEST(SpanPooling, MeanOfSubwordVectors) {
  auto hidden = torch::arange(12, torch::kFloat).reshape({1, 4, 3});  // (1, L=4, D=3); row 0 is <s>
  std::vector<bool> valid;
  auto pooled = pool_spans_mean(hidden, {{0, 2}, {1, 1}, {2, 3}}, /*offset=*/1, &valid);  // (S=3, D)
  ASSERT_EQ(pooled.sizes(), (torch::IntArrayRef{3, 3}));
  EXPECT_TRUE(torch::allclose(pooled[0], torch::tensor({4.5f, 5.5f, 6.5f})));  // mean of rows 1, 2
  EXPECT_TRUE(torch::allclose(pooled[1], torch::zeros({3})));
  EXPECT_TRUE(torch::allclose(pooled[2], torch::tensor({9.f, 10.f, 11.f})));
  EXPECT_EQ(valid, (std::vector<bool>{true, false, true}));
  EXPECT_THROW_WITH(pool_spans_mean(hidden, {{0, 4}}, 1), UsageError, "covers tokens up to 5");
}

}  // namespace
}  // namespace codessm::data
