// Gold ranks (ties against gold), MRR and recall@k against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

#include "codessm/core/error.h"
#include "codessm/benchmarks/metrics.h"
#include "test_utils.h"

namespace codessm::benchmarks {
namespace {

TEST(RankingMetrics, GoldRanksCountTiesAgainstGold) {
  // 3 queries x 4 pool items.
  //  q0 gold 0: 0.9 beats everyone → rank 1.
  //  q1 gold 2: 0.5 ties with item 1 (0.5) and loses to item 3 (0.7) → rank 1 + 2 = 3.
  //  q2 gold 1: a constant row → all 3 others tie → rank 4 (a constant scorer ranks gold last).
  const std::vector<float> scores = {0.9f, 0.1f, 0.2f, 0.3f,  //
                                     0.1f, 0.5f, 0.5f, 0.7f,  //
                                     1.0f, 1.0f, 1.0f, 1.0f};
  const auto ranks = gold_ranks(scores, /*n_pool=*/4, {0, 2, 1});
  EXPECT_EQ(ranks, (std::vector<int64_t>{1, 3, 4}));
  // MRR = (1/1 + 1/3 + 1/4) / 3 = (12 + 4 + 3) / 36 = 19/36.
  EXPECT_NEAR(mean_reciprocal_rank(ranks), 19.0 / 36.0, 1e-12);
  // recall@1 = 1/3 (only q0); recall@3 = 2/3 (q0, q1); recall@4 = 1.
  EXPECT_NEAR(recall_at(ranks, 1), 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(recall_at(ranks, 3), 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(recall_at(ranks, 4), 1.0);
}

TEST(RankingMetrics, RejectsBadInput) {
  EXPECT_THROW_WITH(gold_ranks({1.f, 2.f, 3.f}, 2, {0}), UsageError, "3 scores for 1 queries x 2 pool items");
  EXPECT_THROW_WITH(gold_ranks({1.f, 2.f}, 2, {2}), UsageError, "gold[0] = 2 is outside the pool");
  EXPECT_THROW_WITH(gold_ranks({1.f, NAN}, 2, {0}), NumericalError, "score[0][1] is NaN");
  EXPECT_THROW_WITH(mean_reciprocal_rank({}), UsageError, "empty evaluation set");
  EXPECT_THROW_WITH(mean_reciprocal_rank({0}), UsageError, "rank 0 is not >= 1");
  EXPECT_THROW_WITH(recall_at({1}, 0), UsageError, "k must be >= 1");
}

}  // namespace
}  // namespace codessm::benchmarks
