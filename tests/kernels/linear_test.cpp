// kernels::linear against its float64 twin: outputs and the gradients of input, weight and bias, fresh random
// inputs, 1-D to 4-D inputs, with and without bias, a non-contiguous input; on CUDA in fp32 and bf16 (and under
// bf16 autocast with fp32 weights, the training setting).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "codessm/kernels/linear.h"
#include "codessm/tensor/torch_compat.h"
#include "tensor_test_utils.h"

using namespace codessm;

namespace {

struct Result {
  torch::Tensor y, dx, dw, db;
};

template <typename Fn>
Result run(const torch::Tensor& x0, const torch::Tensor& w0, const torch::Tensor& b0, const torch::Tensor& g, Fn&& fn) {
  auto x = x0.detach().clone().requires_grad_(true), w = w0.detach().clone().requires_grad_(true);
  auto b = b0.defined() ? b0.detach().clone().requires_grad_(true) : torch::Tensor();
  auto y = fn(x, w, b);
  y.backward(g.to(y.device(), y.scalar_type()));
  return {y.detach(), x.grad(), w.grad(), b.defined() ? b.grad() : torch::Tensor()};
}

void check(torch::Device dev, torch::ScalarType dt, double tol, bool autocast = false) {
  const uint64_t seed = static_cast<uint64_t>(std::time(nullptr));
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " dtype " << dt << " autocast " << autocast);
  torch::manual_seed(seed);
  const std::vector<std::vector<int64_t>> shapes = {{48}, {5, 48}, {3, 7, 48}, {2, 3, 5, 48}};
  for (const auto& shape : shapes)
    for (bool bias : {true, false})
      for (bool strided : {false, true}) {
        SCOPED_TRACE(::testing::Message() << "dims " << shape.size() << " bias " << bias << " strided " << strided);
        auto full = shape;
        if (strided) full.back() *= 2;
        auto x = torch::randn(full).to(dev, dt);
        if (strided) x = x.narrow(-1, 0, shape.back());                       // a column view: not contiguous
        const auto wdt = autocast ? torch::kFloat32 : dt;
        auto w = (torch::randn({33, 48}) / std::sqrt(48.0)).to(dev, wdt);
        auto b = bias ? torch::randn({33}).to(dev, wdt) : torch::Tensor();
        auto out_shape = shape;
        out_shape.back() = 33;
        auto g = torch::randn(out_shape).to(dev);
        auto ref = run(x, w, b, g, [](auto& a, auto& c, auto& d) { return kernels::linear_reference(a, c, d); });
        if (autocast) tensor::set_autocast(torch::kCUDA, true, torch::kBFloat16);
        auto fast = run(x, w, b, g, [](auto& a, auto& c, auto& d) { return kernels::linear(a, c, d); });
        if (autocast) tensor::set_autocast(torch::kCUDA, false);
        EXPECT_EQ(fast.y.sizes(), ref.y.sizes());
        EXPECT_LT(test::rel_err(fast.y, ref.y), tol);
        EXPECT_LT(test::rel_err(fast.dx, ref.dx), tol);
        EXPECT_LT(test::rel_err(fast.dw, ref.dw), tol);
        if (bias) {
          EXPECT_LT(test::rel_err(fast.db, ref.db), tol);
        }
      }
}

}  // namespace

TEST(Linear, MatchesFloat64TwinOnCpu) { check(torch::kCPU, torch::kFloat32, 1e-5); }

TEST(Linear, Float64IsExact) { check(torch::kCPU, torch::kFloat64, 1e-12); }

TEST(Linear, RefusesMismatchedShapes) {
  EXPECT_ANY_THROW(kernels::linear(torch::randn({2, 5}), torch::randn({3, 4})));
  EXPECT_ANY_THROW(kernels::linear(torch::randn({2, 4}), torch::randn({3, 4}), torch::randn({4})));
}

TEST(LinearCuda, MatchesFloat64Twin) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  check(torch::kCUDA, torch::kFloat32, 1e-3);  // TF32 may be on in the process
  check(torch::kCUDA, torch::kBFloat16, 2e-2);
  check(torch::kCUDA, torch::kBFloat16, 2e-2, /*autocast=*/true);
}
