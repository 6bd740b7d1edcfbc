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
