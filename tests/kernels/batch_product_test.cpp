// kernels::batch_product_sum (Σ_t a_t·b_tᵀ in fp32) and kernels::broadcast_product (y_t = T·u_t, the local
// Toeplitz block's product) against float64 twins on fresh random inputs: empty and odd shapes, a column slice
// (row stride > K), a transposed T, 1–4 tiles with the zero half skipped (lower and upper); forward and both
// gradients. On CUDA the cuBLAS accumulation in
// bf16 and fp16 at the training shape's Cc = 2048 (and the plain path below it, in fp32, or switched off).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "codessm/kernels/batch_product.h"
#include "tensor_test_utils.h"

using namespace codessm;

namespace batch_product_test {

/// Restores the cuBLAS accumulation when a test that turned it off ends, passed or not.
struct PlainGuard {
  explicit PlainGuard(bool off) { kernels::set_batch_product_plain(off); }
  ~PlainGuard() { kernels::set_batch_product_plain(false); }
};

void check_sum(torch::Device dev, torch::ScalarType dt, int64_t Bt, int64_t M, int64_t N, int64_t K, double tol,
               bool expect_fused, bool slice = false) {
  SCOPED_TRACE(::testing::Message() << "dtype " << dt << " Bt " << Bt << " M " << M << " N " << N << " K " << K
                                    << (slice ? " (column slice)" : ""));
  auto a = torch::randn({Bt, M, slice ? K + 24 : K}).to(dev, dt);
  auto b = torch::randn({Bt, N, K}).to(dev, dt);
  if (slice) a = a.narrow(2, 8, K);  // rows of K at a stride of K + 24
  EXPECT_EQ(kernels::batch_product_sum_is_fused(a, b), expect_fused);
  auto c = kernels::batch_product_sum(a, b);
  auto ref = kernels::batch_product_sum_reference(a, b);
  ASSERT_EQ(c.sizes(), torch::IntArrayRef({M, N}));
  EXPECT_EQ(c.scalar_type(), dt == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32);
  EXPECT_LT(test::rel_err(c, ref, 1.0), tol);
}

struct Result {
  torch::Tensor y, dT, du;
};

/// r(Cc Cc) of ones on the tiles broadcast_product uses (tiles × tiles, lower or upper), zeros elsewhere.
torch::Tensor tile_mask(int64_t Cc, int64_t tiles, bool upper) {
  const int64_t h = Cc / tiles;
  auto i = torch::arange(Cc, torch::kInt64).div(h, "floor");
  auto r = i.unsqueeze(1), c = i.unsqueeze(0);
  return (upper ? c >= r : c <= r).to(torch::kFloat32);
}

/// y = broadcast_product(T, u) with T given in fp32 (zero on the skipped tiles; a transposed view when asked)
/// and u in dt; the gradients of Σ y·g. The twin: the same in float64 through einsum and autograd (its dT on
/// the skipped tiles, where T is structurally zero, is left out of the comparison).
std::pair<Result, Result> run_product(torch::Device dev, torch::ScalarType dt, int64_t Bt, int64_t Cc, int64_t d,
                                      bool transposed, int64_t tiles, bool upper) {
  // The tile pattern of Tv (what the product sees); T itself holds Tv's transpose when `transposed`.
  auto mask = tile_mask(Cc, tiles, upper);
  auto Tv0 = torch::randn({Cc, Cc}) / std::sqrt(static_cast<double>(Cc)) * mask;
  auto T0 = transposed ? Tv0.t().contiguous() : Tv0;
  auto u0 = torch::randn({Bt, Cc, d}).to(dt).to(torch::kFloat32);  // values representable in dt
  auto g0 = torch::randn({Bt, Cc, d}).to(dt).to(torch::kFloat32);
  auto tmask = transposed ? mask.t() : mask;                         // the pattern in T's own layout
  Result out, ref;
  {
    auto T = T0.to(dev).clone().requires_grad_(true), u = u0.to(dev, dt).clone().requires_grad_(true);
    auto Tv = transposed ? T.t() : T;
    out.y = kernels::broadcast_product(Tv, u, tiles, upper);
    (out.y.to(torch::kFloat32) * g0.to(dev)).sum().backward();
    out.dT = T.grad();
    out.du = u.grad();
  }
  {
    auto T = T0.to(torch::kFloat64).clone().requires_grad_(true), u = u0.to(torch::kFloat64).clone().requires_grad_(true);
    auto Tv = transposed ? T.t() : T;
    ref.y = torch::einsum("ij,tjd->tid", {Tv, u});
    (ref.y * g0.to(torch::kFloat64)).sum().backward();
    ref.dT = T.grad() * tmask.to(torch::kFloat64);
    ref.du = u.grad();
  }
  if (tiles > 1) {
    EXPECT_EQ((out.dT.to(torch::kCPU) * (1 - tmask)).abs().max().item<double>(), 0.0) << "dT on a skipped tile";
  }
  return {out, ref};
}

void check_product(torch::Device dev, torch::ScalarType dt, int64_t Bt, int64_t Cc, int64_t d, double tol_y,
                   double tol_dT, int64_t tiles = 1) {
  for (bool upper : {false, true}) {
    if (tiles == 1 && upper) continue;  // one tile: no pattern
    for (bool transposed : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "dtype " << dt << " Bt " << Bt << " Cc " << Cc << " d " << d << " tiles "
                                        << tiles << (upper ? " upper" : " lower")
                                        << (transposed ? ", T a transposed view" : ""));
      auto [out, ref] = run_product(dev, dt, Bt, Cc, d, transposed, tiles, upper);
      EXPECT_EQ(out.y.scalar_type(), dt);
      EXPECT_EQ(out.dT.scalar_type(), torch::kFloat32);
      EXPECT_EQ(out.du.scalar_type(), dt);
      EXPECT_LT(test::rel_err(out.y, ref.y), tol_y);
      EXPECT_LT(test::rel_err(out.du, ref.du), tol_y);
      EXPECT_LT(test::rel_err(out.dT, ref.dT), tol_dT);
    }
  }
}

}  // namespace batch_product_test

TEST(BatchProduct, SumMatchesFloat64TwinOnCpu) {
  const uint64_t seed = test::fresh_seed(41);
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  using batch_product_test::check_sum;
  check_sum(torch::kCPU, torch::kFloat32, 0, 3, 4, 5, 1e-6, false);
  check_sum(torch::kCPU, torch::kFloat32, 1, 1, 1, 1, 1e-6, false);
  check_sum(torch::kCPU, torch::kFloat32, 3, 17, 9, 5, 1e-5, false);
  check_sum(torch::kCPU, torch::kFloat32, 4, 64, 48, 32, 1e-5, false, /*slice=*/true);
  check_sum(torch::kCPU, torch::kFloat64, 2, 8, 8, 8, 1e-12, false);
  // bf16: the batched product rounds each row's product to bf16 before the fp32 sum.
  check_sum(torch::kCPU, torch::kBFloat16, 5, 32, 40, 24, 1e-2, false);
}

TEST(BatchProduct, BroadcastProductMatchesFloat64TwinOnCpu) {
  const uint64_t seed = test::fresh_seed(42);
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  batch_product_test::check_product(torch::kCPU, torch::kFloat32, 3, 48, 16, 1e-5, 1e-5);
  batch_product_test::check_product(torch::kCPU, torch::kFloat32, 1, 1, 1, 1e-6, 1e-6);
  // The zero tiles skipped: 2, 3 and 4 tiles, lower and upper.
  for (int64_t tiles : {2, 3, 4}) batch_product_test::check_product(torch::kCPU, torch::kFloat32, 3, 48, 16, 1e-5, 1e-5, tiles);
}

TEST(BatchProduct, RefusesMismatchedShapes) {
  EXPECT_ANY_THROW(kernels::batch_product_sum(torch::randn({2, 3, 4}), torch::randn({3, 3, 4})));
  EXPECT_ANY_THROW(kernels::batch_product_sum(torch::randn({2, 3, 4}), torch::randn({2, 3, 5})));
  EXPECT_ANY_THROW(kernels::batch_product_sum(torch::randn({3, 4}), torch::randn({3, 4})));
  EXPECT_ANY_THROW(kernels::batch_product_sum(torch::randn({2, 3, 4}), torch::randn({2, 3, 4}).to(torch::kFloat64)));
  EXPECT_ANY_THROW(kernels::broadcast_product(torch::randn({4, 5}), torch::randn({2, 5, 3})));
  EXPECT_ANY_THROW(kernels::broadcast_product(torch::randn({4, 4}), torch::randn({2, 5, 3})));
  EXPECT_ANY_THROW(kernels::broadcast_product(torch::randn({6, 6}), torch::randn({2, 6, 3}), 4));  // 4 ∤ 6
  EXPECT_ANY_THROW(kernels::broadcast_product(torch::randn({6, 6}), torch::randn({2, 6, 3}), 0));
}

TEST(BatchProductCuda, SumMatchesFloat64Twin) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const uint64_t seed = test::fresh_seed(43);
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
#ifdef CODESSM_TEST_CUDA_KERNELS
  const bool fused = true;
#else
  const bool fused = false;
#endif
  using batch_product_test::check_sum;
  // The cuBLAS accumulation: fp32 sums of products of the 16-bit inputs, no rounding on the way.
  for (auto dt : {torch::kBFloat16, torch::kHalf}) {
    check_sum(torch::kCUDA, dt, 3, 2048, 2048, 96, fused ? 1e-5 : 1e-2, fused);
    check_sum(torch::kCUDA, dt, 2, 2048, 2048, 40, fused ? 1e-5 : 1e-2, fused, /*slice=*/true);
  }
  check_sum(torch::kCUDA, torch::kBFloat16, 1, 2048, 2048, 8, fused ? 1e-5 : 1e-2, fused);
  // Below the output size, in fp32 and switched off: the batched product and a sum.
  check_sum(torch::kCUDA, torch::kBFloat16, 4, 512, 512, 64, 1e-2, false);
  check_sum(torch::kCUDA, torch::kFloat32, 2, 2048, 2048, 32, 3e-3, false);  // TF32 allowed or not
  batch_product_test::PlainGuard plain(true);
  check_sum(torch::kCUDA, torch::kBFloat16, 3, 2048, 2048, 96, 1e-2, false);
}

TEST(BatchProductCuda, BroadcastProductMatchesFloat64Twin) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const uint64_t seed = test::fresh_seed(44);
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
#ifdef CODESSM_TEST_CUDA_KERNELS
  const double tol_dT = 1e-5;  // fp32 accumulation of the bf16 gradients and inputs
#else
  const double tol_dT = 1e-2;
#endif
  // y and du: T rounded to bf16 and the outputs rounded once (2⁻⁹ relative per element).
  batch_product_test::check_product(torch::kCUDA, torch::kBFloat16, 3, 2048, 64, 1e-2, tol_dT);
  batch_product_test::check_product(torch::kCUDA, torch::kBFloat16, 4, 256, 32, 1e-2, 1e-2);
  // The zero tiles skipped (the automatic 2 from Cc 1024, and 4): tiles of 1024 and 512 take the plain batch sum.
  batch_product_test::check_product(torch::kCUDA, torch::kBFloat16, 3, 2048, 64, 1e-2, 1e-2, 2);
  batch_product_test::check_product(torch::kCUDA, torch::kBFloat16, 2, 1024, 64, 1e-2, 1e-2, 4);
  batch_product_test::check_product(torch::kCUDA, torch::kFloat32, 2, 256, 32, 3e-3, 3e-3, 2);
  batch_product_test::PlainGuard plain(true);
  batch_product_test::check_product(torch::kCUDA, torch::kBFloat16, 3, 2048, 64, 1e-2, 1e-2);
}
