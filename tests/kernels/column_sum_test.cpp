// kernels::column_sum (a linear layer's bias gradient) against its float64 twin on fresh random inputs: empty,
// single-row and odd shapes, the layer shapes of a training step; on CUDA the two-pass kernels in fp32, bf16
// and fp16 (and the sum(0) fallback for widths and layouts they do not take), bit-identical between runs.
// kernels::linear's written-out backward (bias gradient by column_sum) against the float64 twin.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "codessm/kernels/column_sum.h"
#include "codessm/kernels/linear.h"
#include "codessm/tensor/torch_compat.h"
#include "tensor_test_utils.h"

using namespace codessm;

namespace {

/// Relative to ‖ref‖, or to √N (an error of 1 per column) when the sums themselves are near zero.
double err(const torch::Tensor& a, const torch::Tensor& ref) {
  return test::rel_err(a, ref, std::sqrt(static_cast<double>(std::max<int64_t>(ref.numel(), 1))));
}

void check_sums(torch::Device dev, torch::ScalarType dt, double tol, bool expect_fused) {
  const uint64_t seed = test::fresh_seed(11);
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " dtype " << dt);
  // (M, N): empty, one row, odd widths (the fallback on CUDA), a tail of rows shorter than the unrolled loop,
  // and a training step's bias shapes (8×2048 tokens; widths 768, 1536, 3072).
  const std::vector<std::pair<int64_t, int64_t>> shapes = {{0, 16}, {1, 8},     {7, 13},     {37, 24},
                                                           {1000, 48}, {4097, 256}, {16384, 768}, {16384, 3072}};
  for (const auto& [M, N] : shapes) {
    SCOPED_TRACE(::testing::Message() << "M " << M << " N " << N);
    auto g = (torch::randn({M, N}) + 0.25).to(dev, dt);  // a mean away from 0: sums grow like M, not √M
    auto out = kernels::column_sum(g);
    auto ref = kernels::column_sum_reference(g);
    ASSERT_EQ(out.sizes(), torch::IntArrayRef({N}));
    EXPECT_EQ(out.scalar_type(), dt);
    EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
    EXPECT_LT(err(out, ref), tol);
    if (dev.is_cuda() && N % (16 / g.element_size()) == 0) {
      EXPECT_EQ(kernels::column_sum_is_fused(g), expect_fused);
      EXPECT_TRUE(torch::equal(out, kernels::column_sum(g))) << "not bit-identical between runs";
    }
  }
  // A non-contiguous matrix (a column view): the fallback, same sums.
  auto wide = torch::randn({64, 96}).to(dev, dt);
  auto view = wide.narrow(1, 8, 64);
  EXPECT_FALSE(kernels::column_sum_is_fused(view));
  EXPECT_LT(err(kernels::column_sum(view), kernels::column_sum_reference(view)), tol);
}

struct Grads {
  torch::Tensor y, dx, dw, db;
};

template <typename Fn>
Grads run(const torch::Tensor& x0, const torch::Tensor& w0, const torch::Tensor& b0, const torch::Tensor& g,
          std::array<bool, 3> req, Fn&& fn) {
  auto x = x0.detach().clone().requires_grad_(req[0]), w = w0.detach().clone().requires_grad_(req[1]);
  auto b = b0.detach().clone().requires_grad_(req[2]);
  auto y = fn(x, w, b);
  y.backward(g.to(y.device(), y.scalar_type()));
  return {y.detach(), x.grad(), w.grad(), b.grad()};
}

void check_linear(torch::Device dev, torch::ScalarType dt, double tol) {
  const uint64_t seed = test::fresh_seed(12);
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " dtype " << dt);
  for (std::array<bool, 3> req : {std::array<bool, 3>{true, true, true}, {true, false, false}, {false, true, true},
                                  {false, false, true}}) {
    SCOPED_TRACE(::testing::Message() << "requires grad x/w/b " << req[0] << req[1] << req[2]);
    auto x = torch::randn({300, 64}).to(dev, dt);
    auto w = (torch::randn({40, 64}) / 8.0).to(dev, dt);
    auto b = torch::randn({40}).to(dev, dt);
    auto g = torch::randn({300, 40}).to(dev, dt);
    auto fast = run(x, w, b, g, req, [](auto& a, auto& c, auto& d) { return kernels::linear_column_sum_bias(a, c, d); });
    auto ref = run(x, w, b, g, req, [](auto& a, auto& c, auto& d) { return kernels::linear_reference(a, c, d); });
    EXPECT_LT(test::rel_err(fast.y, ref.y), tol);
    const torch::Tensor* got[] = {&fast.dx, &fast.dw, &fast.db};
    const torch::Tensor* want[] = {&ref.dx, &ref.dw, &ref.db};
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(got[i]->defined(), req[i]) << "gradient " << i << " (0 dx, 1 dW, 2 db)";
      if (req[i]) {
        EXPECT_LT(test::rel_err(*got[i], *want[i]), tol) << "gradient " << i << " (0 dx, 1 dW, 2 db)";
      }
    }
  }
}

std::string grad_fn_name(const torch::Tensor& y) { return y.grad_fn() ? y.grad_fn()->name() : std::string(); }

}  // namespace

TEST(ColumnSum, MatchesFloat64TwinOnCpu) {
  check_sums(torch::kCPU, torch::kFloat32, 1e-5, false);
  check_sums(torch::kCPU, torch::kFloat64, 1e-12, false);
}

TEST(ColumnSum, RefusesNonMatrix) { EXPECT_ANY_THROW(kernels::column_sum(torch::randn({3, 4, 5}))); }

TEST(ColumnSum, LinearBackwardMatchesFloat64TwinOnCpu) {
  check_linear(torch::kCPU, torch::kFloat32, 1e-5);
  check_linear(torch::kCPU, torch::kFloat64, 1e-12);
}

TEST(ColumnSumCuda, MatchesFloat64Twin) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
#ifdef CODESSM_TEST_CUDA_KERNELS
  const bool fused = true;
#else
  const bool fused = false;
#endif
  // fp32 accumulation in both; the low-precision outputs are one rounding of the fp32 sum.
  check_sums(torch::kCUDA, torch::kFloat32, 1e-5, fused);
  check_sums(torch::kCUDA, torch::kBFloat16, 8e-3, fused);
  check_sums(torch::kCUDA, torch::kFloat16, 2e-3, fused);
}

TEST(ColumnSumCuda, LinearUsesItWhenTrainingWithoutAutocast) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  check_linear(torch::kCUDA, torch::kFloat32, 1e-3);  // TF32 may be on in the process
  check_linear(torch::kCUDA, torch::kBFloat16, 2e-2);
  // A matrix input: the product's own node is then the output's grad_fn (a 3-D input adds a view node on top).
  auto x = torch::randn({30, 64}, torch::TensorOptions(torch::kCUDA).dtype(torch::kBFloat16));
  auto w = torch::randn({48, 64}, x.options()).requires_grad_(true), b = torch::zeros({48}, x.options()).requires_grad_(true);
  const bool fused = kernels::column_sum_is_fused(b.unsqueeze(0));
  EXPECT_EQ(grad_fn_name(kernels::linear(x, w, b)).find("LinearColumnSumBias") != std::string::npos, fused);
  tensor::set_autocast(torch::kCUDA, true, torch::kBFloat16);  // autocast: LibTorch's addmm and its backward
  EXPECT_EQ(grad_fn_name(kernels::linear(x, w, b)).find("LinearColumnSumBias"), std::string::npos);
  tensor::set_autocast(torch::kCUDA, false);
  {
    torch::NoGradGuard no_grad;  // inference: no autograd node at all
    EXPECT_FALSE(kernels::linear(x, w, b).grad_fn());
  }
}
