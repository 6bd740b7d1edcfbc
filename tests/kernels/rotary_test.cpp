#include <gtest/gtest.h>
#include <torch/torch.h>

#include "codessm/kernels/rotary.h"

using namespace codessm;

TEST(Rotary, MatchesFloat64PairFormula) {
  torch::manual_seed(5);
  auto x = torch::randn({2, 3, 40, 86});  // RoCoder's head dim
  auto fast = kernels::apply_rotary(x);
  auto ref = kernels::apply_rotary_reference(x);
  EXPECT_LT((fast.to(torch::kFloat64) - ref).abs().max().item<double>(), 1e-4);  // angles up to 39 rad in fp32
  // Position 0 is the identity; norms of each pair are preserved.
  EXPECT_TRUE(torch::allclose(fast.select(2, 0), x.select(2, 0)));
  auto n0 = x.view({2, 3, 40, 43, 2}).norm(2, -1), n1 = fast.view({2, 3, 40, 43, 2}).norm(2, -1);
  EXPECT_TRUE(torch::allclose(n0, n1, 1e-5, 1e-5));
}

TEST(Rotary, RelativePositionProperty) {
  // <R_p q, R_s k> depends only on p - s.
  torch::manual_seed(6);
  auto q = torch::randn({1, 1, 1, 8}).repeat({1, 1, 20, 1});
  auto k = torch::randn({1, 1, 1, 8}).repeat({1, 1, 20, 1});
  auto rq = kernels::apply_rotary_reference(q), rk = kernels::apply_rotary_reference(k);
  auto dot = [&](int p, int s) { return (rq[0][0][p] * rk[0][0][s]).sum().item<double>(); };
  EXPECT_NEAR(dot(5, 2), dot(15, 12), 1e-10);
  EXPECT_NEAR(dot(3, 9), dot(10, 16), 1e-10);
}
