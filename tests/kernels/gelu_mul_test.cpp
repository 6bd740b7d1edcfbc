// gelu_mul (the BiGS gate), gelu and gelu_split against their float64 twins: outputs and input gradients, fresh
// random inputs, sizes with and without a vector tail; on CUDA the fused kernels in fp32, bf16 and fp16.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>

#include "codessm/core/error.h"
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

/// Element by element over every bf16/fp16 value in [−12, 12]: the 16-bit kernels' normal CDF (A&S 7.1.28 for
/// the forward's gelu, 7.1.26 for the backward's gelu and gelu') keeps both within one rounding of the output
/// type plus 5e-7·max(1, |x|) of the exact erf form — in the tails too, where 1 − erf would cancel. gelu_mul's
/// and gelu_split's forward and backward go through the same code.
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
  auto slack = 5e-7 * torch::clamp_min(xd.detach().abs(), 1.0);
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

TEST(GeluCuda, NonFiniteInputs) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  if (!kernels::gelu_mul_is_fused(torch::zeros({8}, torch::kCUDA))) GTEST_SKIP() << "built without the CUDA kernels";
  for (auto dt : {torch::kBFloat16, torch::kFloat16}) {
    const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
    auto y = kernels::gelu(torch::tensor({inf, nan, 30.0, -30.0}).to(torch::kCUDA, dt)).cpu().to(torch::kFloat64);
    EXPECT_EQ(y[0].item<double>(), inf) << dt;  // gelu(+∞) = +∞ (not ∞·0)
    EXPECT_TRUE(std::isnan(y[1].item<double>())) << dt;
    EXPECT_EQ(y[2].item<double>(), 30.0) << dt;
    EXPECT_EQ(y[3].item<double>(), 0.0) << dt;  // the tail under every 16-bit subnormal
  }
}

namespace {

/// gelu_split (the SSM inputs' activation: GELU, pad mask, cut into the branches) against its float64 twin:
/// every block's output and the input gradient, masks with zeros and without, and a block whose output is
/// unused (its gradient undefined: a zero contribution). Widths with and without a 16-byte multiple per block
/// (the latter takes the LibTorch path on CUDA too).
void check_split_against_reference(torch::Device dev, torch::ScalarType dt, double tol) {
  const uint64_t seed = test::fresh_seed(22);
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " dtype " << dt);
  struct Case {
    std::vector<int64_t> lead;
    int64_t width, parts;
    bool masked, skip_last;
  };
  const std::vector<Case> cases = {{{3, 5}, 64, 2, true, false},  {{2, 7}, 128, 2, false, false},
                                   {{1, 1}, 16, 2, true, true},   {{4, 3}, 48, 3, true, false},
                                   {{9}, 40, 1, true, false},     {{2, 3}, 6, 2, true, false},
                                   // Many rows per CUDA block; a row per block or two; and rows that cross
                                   // the blocks' boundaries (60 or 30 vectors per row, 512 per block).
                                   {{9000}, 16, 2, true, false},  {{2, 600}, 2048, 2, true, false},
                                   {{3, 333}, 240, 2, true, false}};
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << "width " << c.width << " parts " << c.parts << " masked " << c.masked);
    auto shape = c.lead;
    shape.push_back(c.width);
    auto x0 = (torch::randn(shape) * 3).to(dev, dt);
    torch::Tensor mask;
    if (c.masked) mask = (torch::rand(c.lead) < 0.7).to(torch::kInt64).to(dev);  // some pads
    auto gshape = c.lead;
    gshape.push_back(c.width / c.parts);
    std::vector<torch::Tensor> g;
    for (int64_t p = 0; p < c.parts; ++p) g.push_back(torch::randn(gshape).to(dev, dt));
    auto run1 = [&](auto&& fn) {
      auto x = x0.detach().clone().requires_grad_(true);
      auto ys = fn(x);
      EXPECT_EQ(static_cast<int64_t>(ys.size()), c.parts);
      torch::Tensor loss = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(ys[0].device()));
      const int64_t used = c.skip_last ? c.parts - 1 : c.parts;
      for (int64_t p = 0; p < used; ++p) loss = loss + (ys[p].to(torch::kFloat64) * g[p].to(ys[p].device(), torch::kFloat64)).sum();
      loss.backward();
      std::vector<torch::Tensor> out;
      for (auto& y : ys) out.push_back(y.detach());
      out.push_back(x.grad());
      return out;
    };
    auto fast = run1([&](const torch::Tensor& x) { return kernels::gelu_split(x, mask, c.parts); });
    auto ref = run1([&](const torch::Tensor& x) { return kernels::gelu_split_reference(x, mask, c.parts); });
    ASSERT_EQ(fast.size(), ref.size());
    for (size_t i = 0; i < fast.size(); ++i) {
      EXPECT_EQ(fast[i].scalar_type(), dt);
      EXPECT_EQ(fast[i].sizes(), ref[i].sizes());
      // The kernels write each block as its own tensor; the fallback returns column views of one.
      const bool fused = kernels::gelu_mul_is_fused(x0) && (c.width / c.parts) * x0.element_size() % 16 == 0;
      if (fused) EXPECT_TRUE(fast[i].is_contiguous());
      EXPECT_LT(rel_err(fast[i], ref[i]), tol) << "tensor " << i << " (blocks, then dx)";
    }
    if (c.masked) {  // exactly zero at pads, forward and backward
      auto pads = (mask == 0).reshape({-1}).cpu();
      for (size_t i = 0; i < fast.size(); ++i) {
        auto rows = fast[i].reshape({pads.size(0), -1}).cpu().index({pads});
        EXPECT_EQ(rows.abs().sum().item<double>(), 0.0) << "tensor " << i;
      }
    }
  }
}

}  // namespace

TEST(GeluSplit, CpuMatchesFloat64Twin) { check_split_against_reference(torch::kCPU, torch::kFloat32, 1e-5); }

TEST(GeluSplit, RejectsBadShapes) {
  auto x = torch::randn({2, 3, 8});
  EXPECT_THROW(kernels::gelu_split(x, torch::Tensor(), 3), UsageError);  // 8 columns into 3 blocks
  EXPECT_THROW(kernels::gelu_split(x, torch::Tensor(), 5), UsageError);  // more than 4 blocks
  EXPECT_THROW(kernels::gelu_split(x, torch::ones({2, 4}), 2), UsageError);  // one mask value per row
}

TEST(GeluSplitCuda, FusedKernelsMatchFloat64Twin) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  if (!kernels::gelu_mul_is_fused(torch::zeros({8}, torch::kCUDA))) GTEST_SKIP() << "built without the CUDA kernels";
  check_split_against_reference(torch::kCUDA, torch::kFloat32, 1e-5);
  check_split_against_reference(torch::kCUDA, torch::kBFloat16, 1e-2);
  check_split_against_reference(torch::kCUDA, torch::kFloat16, 2e-3);
}
