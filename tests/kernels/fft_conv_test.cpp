// FFT causal convolution vs the direct float64 sum, for L in {1, 7, 256, 1000}, one and several kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <torch/torch.h>

#include "codessm/kernels/fft_conv.h"
#include "codessm/core/error.h"
#include "test_utils.h"

using namespace codessm;

class FftConvTest : public ::testing::TestWithParam<std::tuple<int64_t, int64_t>> {};

TEST_P(FftConvTest, EqualsDirectConvolution) {
  const auto [L, K] = GetParam();
  torch::manual_seed(static_cast<uint64_t>(L * 31 + K));
  const int64_t B = 2, D = 8;
  auto u = torch::randn({B, D, L});
  auto k = torch::randn({K, L}) * torch::exp(-0.01 * torch::arange(L)).unsqueeze(0);
  auto ref = kernels::direct_causal_conv_reference(u, k);                    // f64
  auto fast = kernels::fft_causal_conv(u, k);                                // f32
  // Standard FFT-convolution error bound: |err| <= c·eps·log2(2L)·||k||₂·||u||₂ (per channel), c = 4.
  const double scale = std::log2(2.0 * L) * k.norm().item<double>() * u.norm(2, {2}).max().item<double>();
  const double err32 = (fast.to(torch::kFloat64) - ref).abs().max().item<double>();
  EXPECT_LT(err32, 4 * 1.19e-7 * scale) << "L=" << L << " K=" << K;
  auto fast64 = kernels::fft_causal_conv(u.to(torch::kFloat64), k.to(torch::kFloat64));
  const double err64 = (fast64 - ref).abs().max().item<double>();
  EXPECT_LT(err64, 4 * 2.22e-16 * scale) << "L=" << L << " K=" << K;
}

INSTANTIATE_TEST_SUITE_P(Lengths, FftConvTest,
                         ::testing::Combine(::testing::Values(1, 7, 256, 1000), ::testing::Values(1, 4)));

TEST(FftConv, KernelBlocksAreContiguous) {
  // Channel c uses kernel c / (D/K): a delta kernel in block 1 only must copy channels 2..3 (D=4, K=2).
  auto u = torch::randn({1, 4, 5});
  auto k = torch::zeros({2, 5});
  k[1][0] = 1.0;
  auto y = kernels::fft_causal_conv(u, k);
  EXPECT_LT(y.narrow(1, 0, 2).abs().max().item<double>(), 1e-6);
  EXPECT_TRUE(torch::allclose(y.narrow(1, 2, 2), u.narrow(1, 2, 2), 1e-5, 1e-6));
}

TEST(FftConv, Gradients) {
  torch::manual_seed(3);
  auto u = torch::randn({1, 2, 9}, torch::dtype(torch::kFloat64)).requires_grad_(true);
  auto k = torch::randn({1, 9}, torch::dtype(torch::kFloat64)).requires_grad_(true);
  auto w = torch::randn({1, 2, 9}, torch::dtype(torch::kFloat64));
  (kernels::fft_causal_conv(u, k) * w).sum().backward();
  // Central finite differences in float64.
  auto f = [&](const torch::Tensor& uu, const torch::Tensor& kk) {
    return (kernels::direct_causal_conv_reference(uu, kk) * w).sum().item<double>();
  };
  const double h = 1e-6;
  for (int64_t t : {0, 4, 8}) {
    auto up = u.detach().clone(), um = u.detach().clone();
    up[0][1][t] += h;
    um[0][1][t] -= h;
    EXPECT_NEAR(u.grad()[0][1][t].item<double>(), (f(up, k.detach()) - f(um, k.detach())) / (2 * h), 1e-6);
    auto kp = k.detach().clone(), km = k.detach().clone();
    kp[0][t] += h;
    km[0][t] -= h;
    EXPECT_NEAR(k.grad()[0][t].item<double>(), (f(u.detach(), kp) - f(u.detach(), km)) / (2 * h), 1e-6);
  }
}

TEST(FftConv, RejectsBadShapes) {
  EXPECT_THROW_WITH((void)(kernels::fft_causal_conv(torch::zeros({1, 6, 4}), torch::zeros({4, 4}))), codessm::UsageError,
                    "multiple of the number of kernels");
  EXPECT_THROW_WITH((void)(kernels::fft_causal_conv(torch::zeros({1, 4, 8}), torch::zeros({1, 4}))), codessm::UsageError,
                    "shorter than the sequence");
}
