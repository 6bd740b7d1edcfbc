// kernels::layer_norm against its float64 twin on fresh random inputs: the output and the gradients of x, γ and β
// (each requires-grad combination), shapes with one row, a tail of rows and a training step's (8×2048 tokens,
// width 1024); on CUDA the forward kernel and the custom backward (dγ, dβ by the column-sum kernels) in fp32, bf16
// and fp16, bit-identical between runs, the path taken when training without autocast only, and the forward
// kernel alone in inference.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <string>

#include "codessm/kernels/layer_norm.h"
#include "codessm/tensor/torch_compat.h"
#include "tensor_test_utils.h"

using namespace codessm;

namespace layer_norm_test {

/// Relative to ‖ref‖, or to √numel when the reference is near zero.
double err(const torch::Tensor& a, const torch::Tensor& ref) {
  return test::rel_err(a, ref, std::sqrt(static_cast<double>(std::max<int64_t>(ref.numel(), 1))));
}

struct Out {
  torch::Tensor y, dx, dw, db;
};

template <typename Fn>
Out run(const torch::Tensor& x0, const torch::Tensor& w0, const torch::Tensor& b0, const torch::Tensor& g,
        std::array<bool, 3> req, Fn&& fn) {
  auto x = x0.detach().clone().requires_grad_(req[0]), w = w0.detach().clone().requires_grad_(req[1]);
  auto b = b0.detach().clone().requires_grad_(req[2]);
  auto y = fn(x, w, b);
  (y.to(torch::kFloat64) * g.to(y.device(), torch::kFloat64)).sum().backward();
  return {y.detach(), x.grad(), w.grad(), b.grad()};
}

void check(torch::Device dev, torch::ScalarType dt, double tol, bool expect_fused) {
  const uint64_t seed = test::fresh_seed(31);
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " dtype " << dt);
  std::vector<std::vector<int64_t>> shapes = {{1, 8}, {3, 7, 24}, {37, 64}, {2, 1000, 256}};
  if (dev.is_cuda()) shapes.push_back({8, 2048, 1024});  // a training step's (minutes in float64 on 2 CPU cores)
  const std::vector<std::array<bool, 3>> reqs = {{true, true, true}, {false, true, true}, {true, false, false}};
  for (const auto& shape : shapes) {
    const int64_t N = shape.back();
    SCOPED_TRACE(::testing::Message() << "shape " << torch::IntArrayRef(shape));
    auto x = (torch::randn(shape) * 2 + 0.5).to(dev, dt);
    auto w = (torch::randn({N}) * 0.5 + 1).to(dev, dt), b = (torch::randn({N}) * 0.1).to(dev, dt);
    auto g = torch::randn(shape).to(dev, dt);
    for (const auto& req : reqs) {
      SCOPED_TRACE(::testing::Message() << "requires grad x/w/b " << req[0] << req[1] << req[2]);
      auto fast = run(x, w, b, g, req, [](auto& a, auto& c, auto& d) { return kernels::layer_norm(a, c, d, 1e-12); });
      auto ref = run(x, w, b, g, req,
                     [](auto& a, auto& c, auto& d) { return kernels::layer_norm_reference(a, c, d, 1e-12); });
      EXPECT_EQ(fast.y.scalar_type(), dt);
      EXPECT_LT(err(fast.y, ref.y), tol) << "output";
      const std::array<std::pair<torch::Tensor, torch::Tensor>, 3> grads = {
          std::pair{fast.dx, ref.dx}, std::pair{fast.dw, ref.dw}, std::pair{fast.db, ref.db}};
      for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(grads[i].first.defined(), req[i]) << "gradient " << i;
        if (!req[i]) continue;
        EXPECT_EQ(grads[i].first.scalar_type(), dt);
        EXPECT_LT(err(grads[i].first, grads[i].second), tol) << "gradient " << i << " (0 x, 1 weight, 2 bias)";
      }
      if (dev.is_cuda()) {
        auto xr = x.detach().clone().requires_grad_(req[0]), wr = w.detach().clone().requires_grad_(req[1]);
        auto br = b.detach().clone().requires_grad_(req[2]);
        EXPECT_EQ(kernels::layer_norm_is_fused(xr, wr, br), expect_fused && N * x.element_size() % 16 == 0);
        if (req[1]) {  // the parameter gradients are bit-identical between runs (fixed summation order)
          auto again = run(x, w, b, g, req, [](auto& a, auto& c, auto& d) { return kernels::layer_norm(a, c, d, 1e-12); });
          EXPECT_TRUE(torch::equal(again.dw, fast.dw));
          EXPECT_TRUE(torch::equal(again.db, fast.db));
        }
      }
    }
  }
}

}  // namespace layer_norm_test

TEST(LayerNorm, MatchesFloat64TwinOnCpu) {
  layer_norm_test::check(torch::kCPU, torch::kFloat32, 1e-5, false);
  layer_norm_test::check(torch::kCPU, torch::kFloat64, 1e-12, false);
}

TEST(LayerNorm, RejectsMismatchedParameters) {
  EXPECT_ANY_THROW(kernels::layer_norm(torch::randn({2, 8}), torch::ones({7}), torch::zeros({8}), 1e-5));
}

TEST(LayerNormCuda, MatchesFloat64Twin) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
#ifdef CODESSM_TEST_CUDA_KERNELS
  const bool fused = true;
#else
  const bool fused = false;
#endif
  // fp32 statistics and sums in both; 16-bit outputs and gradients are one rounding of fp32 values, and the
  // normalised input x̂ = (x − μ)·ρ itself is formed from a 16-bit x.
  layer_norm_test::check(torch::kCUDA, torch::kFloat32, 1e-5, fused);
  layer_norm_test::check(torch::kCUDA, torch::kBFloat16, 1e-2, fused);
  layer_norm_test::check(torch::kCUDA, torch::kFloat16, 2e-3, fused);
}

TEST(LayerNormCuda, ForwardKernelWithoutAutogradMatchesFloat64Twin) {
  // Inference: the forward kernel alone (no statistics kept). Widths for each register layout of the kernel (a
  // row of 1, 2, 4 or 8 vectors per lane, some lanes idle), more rows than the grid has warps, a mean far from
  // zero (the variance from held values minus the mean, not E[x²] − μ²); and LibTorch's kernel (the A/B switch)
  // against the same twin.
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const uint64_t seed = test::fresh_seed(32);
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  torch::NoGradGuard no_grad;
  const std::vector<std::vector<int64_t>> shapes = {{3, 7, 24}, {5, 264}, {3, 1000, 1024}, {4, 2048}, {2, 3000}};
  for (auto dt : {torch::kFloat32, torch::kBFloat16, torch::kFloat16}) {
    const double tol = dt == torch::kFloat32 ? 1e-5 : (dt == torch::kBFloat16 ? 1e-2 : 2e-3);
    [[maybe_unused]] const int64_t vec = dt == torch::kFloat32 ? 4 : 8;  // read with the CUDA kernels built
    for (const auto& shape : shapes) {
      for (double offset : {0.5, 50.0}) {
        const int64_t N = shape.back();
        SCOPED_TRACE(::testing::Message() << "dtype " << dt << " shape " << torch::IntArrayRef(shape) << " offset " << offset);
        auto x = (torch::randn(shape) * 2 + offset).to(torch::kCUDA, dt);
        auto w = (torch::randn({N}) * 0.5 + 1).to(torch::kCUDA, dt), b = (torch::randn({N}) * 0.1).to(torch::kCUDA, dt);
        auto ref = kernels::layer_norm_reference(x, w, b, 1e-5);
#ifdef CODESSM_TEST_CUDA_KERNELS
        EXPECT_EQ(kernels::layer_norm_forward_is_fused(x, w, b), N % vec == 0 && N / vec <= 256);
#endif
        auto y = kernels::layer_norm(x, w, b, 1e-5);
        EXPECT_EQ(y.scalar_type(), dt);
        EXPECT_FALSE(y.requires_grad());
        EXPECT_LT(layer_norm_test::err(y, ref), tol) << "kernel";
        kernels::set_layer_norm_plain(true);
        EXPECT_FALSE(kernels::layer_norm_forward_is_fused(x, w, b));
        auto yp = kernels::layer_norm(x, w, b, 1e-5);
        kernels::set_layer_norm_plain(false);
        EXPECT_LT(layer_norm_test::err(yp, ref), tol) << "LibTorch";
      }
    }
  }
}

TEST(LayerNormCuda, CustomBackwardOnlyWhenTrainingWithoutAutocast) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto opts = torch::TensorOptions(torch::kCUDA).dtype(torch::kBFloat16);
  auto x = torch::randn({30, 64}, opts), w = torch::ones({64}, opts).requires_grad_(true);
  auto b = torch::zeros({64}, opts).requires_grad_(true);
  auto name = [](const torch::Tensor& y) { return y.grad_fn() ? y.grad_fn()->name() : std::string(); };
  const bool fused = kernels::layer_norm_is_fused(x, w, b);
#ifdef CODESSM_TEST_CUDA_KERNELS
  EXPECT_TRUE(fused);
#endif
  EXPECT_EQ(name(kernels::layer_norm(x, w, b, 1e-5)).find("LayerNormColumnSum") != std::string::npos, fused);
  tensor::set_autocast(torch::kCUDA, true, torch::kBFloat16);
  EXPECT_FALSE(kernels::layer_norm_is_fused(x, w, b));
  EXPECT_EQ(name(kernels::layer_norm(x, w, b, 1e-5)).find("LayerNormColumnSum"), std::string::npos);
  tensor::set_autocast(torch::kCUDA, false);
  torch::NoGradGuard no_grad;
  EXPECT_FALSE(kernels::layer_norm_is_fused(x, w, b));
  EXPECT_FALSE(kernels::layer_norm(x, w, b, 1e-5).grad_fn());
}
