// gelu_mul (the BiGS gate) against its float64 twin: outputs and both input gradients, fresh random inputs,
// sizes with and without a vector tail; on CUDA the fused kernels in fp32 and bf16.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "codessm/kernels/gelu_mul.h"
#include "tensor_test_utils.h"

using namespace codessm;

namespace {

/// ‖a − ref‖ relative to max(‖ref‖, √n): relative for vectors of unit-scale entries, absolute where the
/// reference itself is near zero (gelu'(x) vanishes at x ≈ −0.75, and a few elements may all sit there).
/// Relative to ‖ref‖, or to √numel (an RMS error of 1 per element) when ‖ref‖ is smaller.
double rel_err(const torch::Tensor& a, const torch::Tensor& ref) {
  return test::rel_err(a, ref, std::sqrt(static_cast<double>(ref.numel())));
}

/// Output, da, db of gelu_mul on (a, b) with upstream gradient g, computed by `fn`.
template <typename Fn>
std::vector<torch::Tensor> run(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& g, Fn&& fn) {
  auto x = a.detach().clone().requires_grad_(true), y = b.detach().clone().requires_grad_(true);
  auto out = fn(x, y);
  out.backward(g.to(out.device(), out.scalar_type()));
  return {out.detach(), x.grad(), y.grad()};
}

void check_against_reference(torch::Device dev, torch::ScalarType dt, double tol) {
  const uint64_t seed = static_cast<uint64_t>(std::time(nullptr));
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " dtype " << dt);
  torch::manual_seed(seed);
  for (int64_t n : {int64_t(1), int64_t(13), int64_t(4096), int64_t(3 * 1024 + 5)}) {
    auto a = (torch::randn({n}) * 3).to(dev, dt), b = (torch::randn({n}) * 3).to(dev, dt);
    auto g = torch::randn({n}).to(dev, dt);
    auto fast = run(a, b, g, [](const torch::Tensor& x, const torch::Tensor& y) { return kernels::gelu_mul(x, y); });
    auto ref = run(a, b, g, [](const torch::Tensor& x, const torch::Tensor& y) {
      return kernels::gelu_mul_reference(x, y);
    });
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(fast[i].scalar_type(), dt);
      EXPECT_TRUE(torch::isfinite(fast[i]).all().item<bool>());
      EXPECT_LT(rel_err(fast[i], ref[i]), tol) << "n=" << n << " tensor " << i << " (0 out, 1 da, 2 db)";
    }
  }
}

}  // namespace

// fp32: a few ulps of erf/exp and the product (1e-5 relative); bf16: one rounding of inputs and outputs (1e-2).
TEST(GeluMul, CpuMatchesFloat64Twin) { check_against_reference(torch::kCPU, torch::kFloat32, 1e-5); }

TEST(GeluMul, ExactErfGelu) {
  // gelu(1)·gelu(−1) with the erf form (model-spec §7.13), not the tanh approximation.
  auto y = kernels::gelu_mul(torch::tensor({1.0}, torch::kFloat64), torch::tensor({-1.0}, torch::kFloat64));
  EXPECT_NEAR(y.item<double>(), 0.8413447461 * -0.1586552539, 1e-10);
}

TEST(GeluMul, CudaFusedKernels) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto probe = torch::zeros({8}, torch::kCUDA);
  if (!kernels::gelu_mul_is_fused(probe)) GTEST_SKIP() << "built without the CUDA kernels";
  check_against_reference(torch::kCUDA, torch::kFloat32, 1e-5);
  check_against_reference(torch::kCUDA, torch::kBFloat16, 1e-2);  // bf16 storage of inputs and outputs
}

namespace {

/// gelu alone (the SSM inputs' activation): output and input gradient against the float64 twin.
void check_gelu_against_reference(torch::Device dev, torch::ScalarType dt, double tol) {
  const uint64_t seed = test::fresh_seed(21);
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " dtype " << dt);
  for (int64_t n : {int64_t(1), int64_t(13), int64_t(4096), int64_t(3 * 1024 + 5)}) {
    auto x0 = (torch::randn({n}) * 3).to(dev, dt);
    auto g = torch::randn({n}).to(dev, dt);
    auto run1 = [&](auto&& fn) {
      auto x = x0.detach().clone().requires_grad_(true);
      auto y = fn(x);
      y.backward(g.to(y.device(), y.scalar_type()));
      return std::vector<torch::Tensor>{y.detach(), x.grad()};
    };
    auto fast = run1([](const torch::Tensor& x) { return kernels::gelu(x); });
    auto ref = run1([](const torch::Tensor& x) { return kernels::gelu_reference(x); });
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(fast[i].scalar_type(), dt);
      EXPECT_LT(rel_err(fast[i], ref[i]), tol) << "n=" << n << " tensor " << i << " (0 out, 1 dx)";
    }
  }
}

/// Element by element over every bf16/fp16 value in [−12, 12]: the 16-bit kernels' normal CDF (A&S 7.1.26)
/// keeps gelu and gelu' within one rounding of the output type plus 4e-7·max(1, |x|) of the exact erf form —
/// in the tails too, where 1 − erf would cancel. gelu_mul's forward and backward go through the same code.
void check_16bit_pointwise(torch::ScalarType dt, double rounding) {
  // The representable values: sorted, so equal neighbours after rounding are the duplicates.
  auto x = std::get<0>(torch::unique_consecutive(torch::linspace(-12.0, 12.0, 200001).to(dt).to(torch::kFloat32)))
               .to(dt);
  auto xc = x.to(torch::kCUDA).requires_grad_(true);
  auto y = kernels::gelu(xc);
  y.backward(torch::ones_like(y));
  auto xd = x.to(torch::kFloat64).requires_grad_(true);
  auto yd = torch::nn::functional::gelu(xd);
  yd.backward(torch::ones_like(yd));
  auto slack = 4e-7 * torch::clamp_min(xd.detach().abs(), 1.0);
  auto y_err = (y.detach().cpu().to(torch::kFloat64) - yd.detach()).abs();
  auto g_err = (xc.grad().cpu().to(torch::kFloat64) - xd.grad()).abs();
  auto y_bound = rounding * yd.detach().abs() + slack;
  auto g_bound = rounding * xd.grad().abs() + slack;
  const int64_t y_bad = torch::gt(y_err, y_bound).sum().item().toLong();
  const int64_t g_bad = torch::gt(g_err, g_bound).sum().item().toLong();
  EXPECT_EQ(y_bad, 0) << "gelu: worst excess " << torch::max(y_err - y_bound).item().toDouble();
  EXPECT_EQ(g_bad, 0) << "gelu': worst excess " << torch::max(g_err - g_bound).item().toDouble();
}

}  // namespace

TEST(Gelu, CpuMatchesFloat64Twin) { check_gelu_against_reference(torch::kCPU, torch::kFloat32, 1e-5); }

TEST(GeluCuda, FusedKernelsMatchFloat64Twin) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  if (!kernels::gelu_mul_is_fused(torch::zeros({8}, torch::kCUDA))) GTEST_SKIP() << "built without the CUDA kernels";
  check_gelu_against_reference(torch::kCUDA, torch::kFloat32, 1e-5);   // erff: exact to a few ulps
  check_gelu_against_reference(torch::kCUDA, torch::kBFloat16, 1e-2);  // bf16 storage of inputs and outputs
  check_gelu_against_reference(torch::kCUDA, torch::kFloat16, 2e-3);
  check_against_reference(torch::kCUDA, torch::kFloat16, 2e-3);        // the gate's fp16 path too
}

TEST(GeluCuda, SixteenBitFormWithinOneRoundingOfExact) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  if (!kernels::gelu_mul_is_fused(torch::zeros({8}, torch::kCUDA))) GTEST_SKIP() << "built without the CUDA kernels";
  check_16bit_pointwise(torch::kBFloat16, 1.0 / 256);   // bf16: 8 bits of mantissa, rounding ≤ 2^-9 relative
  check_16bit_pointwise(torch::kFloat16, 1.0 / 1024);   // fp16: ≤ 2^-11 relative
}
