// S4D kernel fast path vs the float64 recurrence, the spec's deterministic vectors, the prefix
// property and the closed-form DFT (model-spec §2.2, §7).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "codessm/kernels/fft_conv.h"
#include "codessm/kernels/s4d_kernel.h"
#include "codessm/core/error.h"
#include "test_utils.h"

using namespace codessm;

namespace {

struct Params {
  torch::Tensor log_step, A_re, A_im, C;
};

/// Fresh random parameters in the init ranges, with some A_re above the clamp, for k kernels
/// (k = 1 uses BiGS's shapes).
Params random_params(int64_t k, int64_t N, uint64_t seed) {
  torch::manual_seed(seed);
  Params p;
  p.log_step = torch::empty({k}).uniform_(std::log(0.01), std::log(1.0));
  auto are = -torch::rand({k, N}) * 0.9 - 0.05;
  are.index_put_({0, 0}, 0.3);  // clamped to -1e-4
  p.A_re = k == 1 ? are.squeeze(0) : are;
  auto aim = torch::randn({k, N}) * 3.0;
  p.A_im = k == 1 ? aim.squeeze(0) : aim;
  auto c = torch::randn({k, N, 2}) * std::sqrt(0.5);
  p.C = k == 1 ? c.squeeze(0) : c;
  return p;
}

}  // namespace

namespace {

/// The naive evaluation of the same kernel in the parameters' own dtype: ZOH B̄ = (e^{ΔA} − 1)/A, then
/// K[l] = Re Σ_n C_n B̄_n e^{ΔA_n l} with every power taken directly (no recurrence, no tricks); differentiable.
/// It is the yardstick of the self-calibrating tolerance: what a straightforward implementation in this dtype
/// loses to rounding. r(K L).
torch::Tensor naive_kernel(const Params& p, int64_t L) {
  const int64_t k = p.log_step.size(0), N = p.A_re.size(-1);
  auto A = torch::complex(p.A_re.reshape({k, N}).clamp_max(-1e-4), p.A_im.reshape({k, N}));  // c(K N)
  auto dtA = p.log_step.exp().unsqueeze(1) * A;                                             // c(K N)
  auto C = torch::complex(p.C.reshape({k, N, 2}).select(2, 0), p.C.reshape({k, N, 2}).select(2, 1));
  auto Ct = C * (dtA.exp() - 1) / A;                                                        // c(K N)
  auto l = torch::arange(L, p.A_re.options());                                             // r(L)
  auto powers = (dtA.unsqueeze(2) * l).exp();                                               // c(K N L)
  return torch::real((Ct.unsqueeze(2) * powers).sum(1));                                    // r(K L)
}

Params cast(const Params& p, torch::Dtype dt, bool grad) {
  auto c = [&](const torch::Tensor& t) { return t.detach().to(dt).requires_grad_(grad); };
  return {c(p.log_step), c(p.A_re), c(p.A_im), c(p.C)};
}

/// max |a − b| over every element of each pair.
double max_err(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double e = 0;
  for (size_t i = 0; i < a.size(); ++i) e = std::max(e, (a[i].to(torch::kFloat64) - b[i]).abs().max().item<double>());
  return e;
}

}  // namespace

class S4DKernelVsRecurrence : public ::testing::TestWithParam<int64_t> {};

// Mamba's criterion (style §4.7, test_layernorm_gated.py:82), strengthened with a float64 reference:
// err(fast fp32, ref64) ≤ 2·err(naive fp32, ref64) + atol, on the kernel and on the gradients of a random
// projection of it with respect to log_step, A_re and C. The fp64 reference of the values is the explicit
// recurrence (s4d_kernel_reference); of the gradients, the fast path run in fp64 (itself checked against the
// recurrence to 1e-11). atol = 1e-6 × the reference's scale covers elements where the naive error happens to be 0.
TEST_P(S4DKernelVsRecurrence, MatchesFloat64Recurrence) {
  const int64_t k = GetParam(), N = 64, L = 300;
  for (uint64_t seed : {1u, 2u, 3u}) {
    const auto p = random_params(k, N, seed);
    auto ref = kernels::s4d_kernel_reference(p.log_step, p.A_re, p.A_im, p.C, L);  // r(K L) f64
    // The yardsticks agree with the recurrence in float64: the fast path and the naive formula.
    auto p64 = cast(p, torch::kFloat64, /*grad=*/true);
    auto fast64 = kernels::s4d_kernel(p64.log_step, p64.A_re, p64.A_im, p64.C, L);
    EXPECT_LT((fast64.detach() - ref).abs().max().item<double>(), 1e-11) << "fp64 fast path differs from the recurrence";
    EXPECT_LT((naive_kernel(cast(p, torch::kFloat64, false), L) - ref).abs().max().item<double>(), 1e-10)
        << "the naive twin is not the same kernel";
    torch::manual_seed(100 + seed);
    auto w = torch::randn({k, L}, torch::kFloat64);  // a random projection: loss = Σ w·K
    (fast64 * w).sum().backward();
    const std::vector<torch::Tensor> g_ref{p64.log_step.grad(), p64.A_re.grad(), p64.C.grad()};

    auto run32 = [&](bool naive) {
      auto q = cast(p, torch::kFloat32, /*grad=*/true);
      auto K = naive ? naive_kernel(q, L) : kernels::s4d_kernel(q.log_step, q.A_re, q.A_im, q.C, L);
      (K * w.to(torch::kFloat32)).sum().backward();
      return std::make_pair(K.detach(), std::vector<torch::Tensor>{q.log_step.grad(), q.A_re.grad(), q.C.grad()});
    };
    const auto [fast, g_fast] = run32(false);
    const auto [naive, g_naive] = run32(true);
    ASSERT_EQ(fast.sizes(), (std::vector<int64_t>{k, L}));
    const double scale = ref.abs().max().item<double>();
    const double err = max_err({fast}, {ref}), err_naive = max_err({naive}, {ref});
    EXPECT_LE(err, 2 * err_naive + 1e-6 * scale) << "k=" << k << " seed=" << seed << " naive " << err_naive;
    double g_scale = 0;
    for (const auto& g : g_ref) g_scale = std::max(g_scale, g.abs().max().item<double>());
    const double g_err = max_err(g_fast, g_ref), g_err_naive = max_err(g_naive, g_ref);
    EXPECT_LE(g_err, 2 * g_err_naive + 1e-6 * g_scale) << "gradients, k=" << k << " seed=" << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, S4DKernelVsRecurrence, ::testing::Values(1, 8));

TEST(S4DKernel, SpecDeterministicVectors) {
  auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  // Case (a) of model-spec §7.5.
  auto ka = kernels::s4d_kernel(torch::tensor({std::log(0.1)}, f64), torch::tensor({-0.5, -0.5}, f64),
                                torch::tensor({0.0, M_PI}, f64), torch::tensor({{1.0, 0.0}, {0.0, 1.0}}, f64), 6);
  const double ea[] = {0.082470823, 0.050941923, 0.026188265, 0.009507519, 0.001323515, 0.001227933};
  for (int l = 0; l < 6; ++l) EXPECT_NEAR(ka[0][l].item<double>(), ea[l], 1e-9) << "l=" << l;
  // Case (b): A_re = 0.3 is clamped to -1e-4; with D = 0.7 and u the SSM output is given too.
  auto kb = kernels::s4d_kernel(torch::tensor({0.0}, f64), torch::tensor({-0.5, 0.3}, f64), torch::tensor({0.0, 2.0}, f64),
                                torch::tensor({{0.5, -1.0}, {1.0, 0.25}}, f64), 6);
  const double eb[] = {0.671100523, -0.623958042, 0.585046058, 0.583812054, -0.799749119, 0.246254962};
  for (int l = 0; l < 6; ++l) EXPECT_NEAR(kb[0][l].item<double>(), eb[l], 1e-9) << "l=" << l;
  auto u = torch::tensor({1.0, -2.0, 0.5, 3.0, 0.0, 1.0}, f64).view({1, 1, 6});
  auto y = kernels::fft_causal_conv(u, kb) + 0.7 * u;
  const double ey[] = {1.371100523, -3.366159087, 2.518512403, 3.215042485, -3.546724324, 5.263897926};
  for (int t = 0; t < 6; ++t) EXPECT_NEAR(y[0][0][t].item<double>(), ey[t], 1e-8) << "t=" << t;
}

TEST(S4DKernel, PrefixPropertyAndClampGradient) {
  auto p = random_params(1, 16, 7);
  auto k1 = kernels::s4d_kernel(p.log_step, p.A_re, p.A_im, p.C, 50);
  auto k2 = kernels::s4d_kernel(p.log_step, p.A_re, p.A_im, p.C, 200);
  EXPECT_TRUE(torch::allclose(k1, k2.narrow(1, 0, 50), 1e-6, 1e-7));
  // A_re above -1e-4 behaves like -1e-4 and receives no gradient (model-spec §7.4).
  auto are = p.A_re.clone().requires_grad_(true);
  kernels::s4d_kernel(p.log_step, are, p.A_im, p.C, 40).sum().backward();
  EXPECT_EQ(are.grad()[0].item<double>(), 0.0);
  EXPECT_NE(are.grad()[1].item<double>(), 0.0);
}

TEST(S4DKernel, DftEqualsClosedFormPerMode) {
  for (int64_t k : {1, 8}) {
    auto p = random_params(k, 32, 11 + k);
    const int64_t L = 128;
    auto K = kernels::s4d_kernel_reference(p.log_step, p.A_re, p.A_im, p.C, L);  // r(K L) f64
    auto X = torch::fft::fft(K, c10::nullopt, -1);                                   // c(K L)
    auto Xc = kernels::s4d_kernel_dft_closed_form(p.log_step, p.A_re, p.A_im, p.C, L);
    const double scale = X.abs().max().item<double>();
    EXPECT_LT((X - Xc).abs().max().item<double>(), 1e-10 * scale) << "k=" << k;
  }
}

TEST(S4DKernel, RejectsInconsistentShapes) {
  auto p = random_params(1, 8, 1);
  EXPECT_THROW_WITH((void)(kernels::s4d_kernel(p.log_step, p.A_re, p.A_im, torch::zeros({8, 3}), 10)), codessm::UsageError,
                    "do not fit together");
  EXPECT_THROW_WITH((void)(kernels::s4d_kernel(torch::zeros({2}), p.A_re, p.A_im, p.C, 10)), codessm::UsageError, "log_step [2]");
}
