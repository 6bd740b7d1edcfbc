// Retrieval metrics: gold ranks, MRR (CodeXGLUE NL-code-search-Adv / WebQuery evaluators), recall@k.
#include <fmt/format.h>

#include <cmath>

#include "codessm/core/error.h"
#include "codessm/benchmarks/metrics.h"

namespace codessm::benchmarks {

std::vector<int64_t> gold_ranks(const std::vector<float>& scores, int64_t n_pool, const std::vector<int64_t>& gold) {
  CODESSM_REQUIRE(n_pool > 0, UsageError, "gold_ranks: the pool is empty (n_pool = {})", n_pool);
  const auto n_query = static_cast<int64_t>(gold.size());
  CODESSM_REQUIRE(static_cast<int64_t>(scores.size()) == n_query * n_pool, UsageError,
                  "gold_ranks: {} scores for {} queries x {} pool items (expected {})", scores.size(), n_query, n_pool,
                  n_query * n_pool);
  std::vector<int64_t> ranks(gold.size());
  for (int64_t q = 0; q < n_query; ++q) {
    const int64_t g = gold[q];
    CODESSM_REQUIRE(g >= 0 && g < n_pool, UsageError, "gold_ranks: gold[{}] = {} is outside the pool [0, {})", q, g,
                    n_pool);
    const float* row = scores.data() + q * n_pool;
    int64_t ahead = 0;
    for (int64_t c = 0; c < n_pool; ++c) {
      // A NaN would compare false everywhere and rank its row first, so it is an error, not a score.
      if (std::isnan(row[c])) throw NumericalError(fmt::format("gold_ranks: score[{}][{}] is NaN", q, c));
      // >= : a tie with the gold item counts against it, so a constant scorer ranks gold last, not first.
      if (c != g && row[c] >= row[g]) ++ahead;
    }
    ranks[q] = 1 + ahead;
  }
  return ranks;
}

double mean_reciprocal_rank(const std::vector<int64_t>& ranks) {
  CODESSM_REQUIRE(!ranks.empty(), UsageError, "mean_reciprocal_rank: no ranks (empty evaluation set)");
  double sum = 0;
  for (const int64_t r : ranks) {
    CODESSM_REQUIRE(r >= 1, UsageError, "mean_reciprocal_rank: rank {} is not >= 1 (ranks are 1-based)", r);
    sum += 1.0 / static_cast<double>(r);
  }
  return sum / static_cast<double>(ranks.size());
}

double recall_at(const std::vector<int64_t>& ranks, int64_t k) {
  CODESSM_REQUIRE(!ranks.empty(), UsageError, "recall_at: no ranks (empty evaluation set)");
  CODESSM_REQUIRE(k >= 1, UsageError, "recall_at: k must be >= 1, got {}", k);
  int64_t hits = 0;
  for (const int64_t r : ranks) hits += r <= k ? 1 : 0;
  return static_cast<double>(hits) / static_cast<double>(ranks.size());
}

}  // namespace codessm::benchmarks
