// batch_product_sum and broadcast_product (batch_product.h): on CUDA the batch sum accumulates in fp32 inside
// cuBLAS products (β = 1 from the second row on); LibTorch's bmm and a sum elsewhere.
#include "codessm/kernels/batch_product.h"

#include <atomic>
#include <climits>

#include "codessm/core/error.h"

#ifdef CODESSM_HAVE_CUDA_KERNELS
#include <ATen/cuda/CUDAContext.h>
#include <dlfcn.h>
#endif

namespace codessm::kernels {

namespace {

std::atomic<bool> g_batch_product_plain{false};

/// Output tiles enough to fill the GPU from one product (2048² = 256 tiles of 128² on 132 multiprocessors);
/// smaller outputs keep the one batched product, whose B·M·N tiles fill it.
constexpr int64_t kMinFusedOutput = int64_t(2048) * 2048;

void check_operands(const torch::Tensor& a, const torch::Tensor& b) {
  CODESSM_REQUIRE(a.dim() == 3 && b.dim() == 3, UsageError, "batch_product_sum takes r(Bt M K) and r(Bt N K); got {} and {} dims",
                  a.dim(), b.dim());
  CODESSM_REQUIRE(a.size(0) == b.size(0) && a.size(2) == b.size(2), UsageError,
                  "batch_product_sum: shapes [{}, {}, {}] and [{}, {}, {}] do not match (Bt and K must agree)", a.size(0),
                  a.size(1), a.size(2), b.size(0), b.size(1), b.size(2));
  CODESSM_REQUIRE(a.scalar_type() == b.scalar_type() && a.device() == b.device(), UsageError,
                  "batch_product_sum: operands must share dtype and device");
}

#ifdef CODESSM_HAVE_CUDA_KERNELS
/// cublasGemmEx's C signature (the header adds a C++ overload with the legacy compute-type argument).
using GemmEx = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*,
                                  const void*, cudaDataType, int, const void*, cudaDataType, int, const void*, void*,
                                  cudaDataType, int, cublasComputeType_t, cublasGemmAlgo_t);

/// The cuBLAS that LibTorch already loaded, looked up among the process's libraries: linking the CUDA toolkit's
/// libcublas as well could pair PyTorch with a second build of it (same soname, another minor version).
GemmEx gemm_ex() {
  static const GemmEx f = reinterpret_cast<GemmEx>(dlsym(RTLD_DEFAULT, "cublasGemmEx"));
  return f;
}

bool fits_int(const torch::Tensor& x) {
  for (int64_t i = 0; i < 3; ++i)
    if (x.size(i) > INT_MAX || x.stride(i) > INT_MAX) return false;
  return true;
}
#endif

}  // namespace

bool batch_product_sum_is_fused(const torch::Tensor& a, const torch::Tensor& b) {
#ifdef CODESSM_HAVE_CUDA_KERNELS
  if (g_batch_product_plain.load() || a.dim() != 3 || b.dim() != 3 || !a.is_cuda() || a.device() != b.device())
    return false;
  const auto dt = a.scalar_type();
  if ((dt != torch::kBFloat16 && dt != torch::kHalf) || b.scalar_type() != dt) return false;
  const int64_t K = a.size(2);
  // Rows of K contiguous elements at a row stride cuBLAS accepts as the leading dimension.
  return a.size(1) * b.size(1) >= kMinFusedOutput && K >= 1 && a.stride(2) == 1 && b.stride(2) == 1 &&
         a.stride(1) >= K && b.stride(1) >= K && fits_int(a) && fits_int(b) && gemm_ex() != nullptr;
#else
  (void)a;
  (void)b;
  return false;
#endif
}

void set_batch_product_plain(bool off) { g_batch_product_plain.store(off); }

torch::Tensor batch_product_sum(const torch::Tensor& a, const torch::Tensor& b) {
  check_operands(a, b);
  const int64_t Bt = a.size(0), M = a.size(1), N = b.size(1);
  const auto acc = a.scalar_type() == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32;
  torch::NoGradGuard no_grad;
#ifdef CODESSM_HAVE_CUDA_KERNELS
  if (batch_product_sum_is_fused(a, b) && Bt > 0) {
    // Row-major c = Σ_t a_t·b_tᵀ is column-major cᵀ (N×M) = Σ_t (b_t viewed K×N)ᵀ·(a_t viewed K×M).
    auto c = torch::empty({M, N}, a.options().dtype(torch::kFloat32));  // r(M N) fp32
    const auto t = a.scalar_type() == torch::kBFloat16 ? CUDA_R_16BF : CUDA_R_16F;
    const auto esz = static_cast<int64_t>(a.element_size());
    const float one = 1.0f, zero = 0.0f;
    auto handle = at::cuda::getCurrentCUDABlasHandle();  // on the current stream
    for (int64_t i = 0; i < Bt; ++i) {
      const auto* pa = static_cast<const char*>(a.data_ptr()) + i * a.stride(0) * esz;
      const auto* pb = static_cast<const char*>(b.data_ptr()) + i * b.stride(0) * esz;
      const auto st = gemm_ex()(handle, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(N), static_cast<int>(M),
                                static_cast<int>(a.size(2)), &one, pb, t, static_cast<int>(b.stride(1)), pa, t,
                                static_cast<int>(a.stride(1)), i == 0 ? &zero : &one, c.data_ptr<float>(), CUDA_R_32F,
                                static_cast<int>(N), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
      CODESSM_CHECK(st == CUBLAS_STATUS_SUCCESS, "batch_product_sum: cublasGemmEx failed (status {})",
                    static_cast<int>(st));
    }
    return c;
  }
#endif
  if (Bt == 0) return torch::zeros({M, N}, a.options().dtype(acc));
  return torch::bmm(a, b.transpose(1, 2)).sum(0, /*keepdim=*/false, acc);  // r(Bt M N) → r(M N)
}

torch::Tensor batch_product_sum_reference(const torch::Tensor& a, const torch::Tensor& b) {
  check_operands(a, b);
  auto a64 = a.detach().to(torch::kCPU, torch::kFloat64), b64 = b.detach().to(torch::kCPU, torch::kFloat64);
  return torch::einsum("tmk,tnk->mn", {a64, b64});
}

namespace {

/// Whether tile (i, j) of a block-triangular T is nonzero.
bool tile_used(int64_t i, int64_t j, bool upper) { return upper ? j >= i : j <= i; }

/// y = T·u_t for every t over T's nonzero tiles (T already in u's dtype): per output tile row one product into
/// the output's rows, the others added in place (β = 1), all on views — no copies of u or y.
torch::Tensor tiled_product(const torch::Tensor& T, const torch::Tensor& u, int64_t tiles, bool upper) {
  const int64_t Bt = u.size(0), Cc = T.size(0), h = Cc / tiles;
  if (tiles == 1) return torch::bmm(T.unsqueeze(0).expand({Bt, Cc, Cc}), u);         // r(Bt Cc d)
  auto y = torch::empty(u.sizes(), u.options());                                       // r(Bt Cc d)
  for (int64_t i = 0; i < tiles; ++i) {
    auto yi = y.narrow(1, i * h, h);                                                   // r(Bt h d) view
    bool first = true;
    for (int64_t j = 0; j < tiles; ++j) {
      if (!tile_used(i, j, upper)) continue;
      auto Tij = T.narrow(0, i * h, h).narrow(1, j * h, h).unsqueeze(0).expand({Bt, h, h});  // r(Bt h h), stride 0
      auto uj = u.narrow(1, j * h, h);                                                  // r(Bt h d) view
      if (first) torch::bmm_out(yi, Tij, uj);
      else yi.baddbmm_(Tij, uj);
      first = false;
    }
  }
  return y;
}

struct BroadcastProduct : public torch::autograd::Function<BroadcastProduct> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& T, const torch::Tensor& u,
                               int64_t tiles, bool upper) {
    ctx->save_for_backward({T, u});
    ctx->saved_data["tiles"] = tiles;
    ctx->saved_data["upper"] = upper;
    return tiled_product(T.to(u.scalar_type()), u, tiles, upper);                    // r(Bt Cc d)
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &T = saved[0], &u = saved[1];
    const int64_t tiles = ctx->saved_data["tiles"].toInt();
    const bool upper = ctx->saved_data["upper"].toBool();
    auto g = grads[0].stride(2) == 1 ? grads[0] : grads[0].contiguous();              // r(Bt Cc d)
    torch::Tensor dT, du;
    // Tᵀ has the transposed tile pattern: lower ↔ upper.
    if (ctx->needs_input_grad(1)) du = tiled_product(T.to(g.scalar_type()).t(), g, tiles, !upper);  // r(Bt Cc d)
    if (ctx->needs_input_grad(0)) {
      const int64_t Cc = T.size(0), h = Cc / tiles;
      if (tiles == 1) {
        dT = batch_product_sum(g, u);                                                   // r(Cc Cc) fp32
      } else {
        const auto acc = g.scalar_type() == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32;  // batch_product_sum's
        dT = torch::zeros({Cc, Cc}, g.options().dtype(acc));
        for (int64_t i = 0; i < tiles; ++i)
          for (int64_t j = 0; j < tiles; ++j)
            if (tile_used(i, j, upper))
              dT.narrow(0, i * h, h).narrow(1, j * h, h).copy_(
                  batch_product_sum(g.narrow(1, i * h, h), u.narrow(1, j * h, h)));  // r(h h)
      }
      dT = dT.to(T.scalar_type());
    }
    return {dT, du, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor broadcast_product(const torch::Tensor& T, const torch::Tensor& u, int64_t tiles, bool upper) {
  CODESSM_REQUIRE(T.dim() == 2 && T.size(0) == T.size(1), UsageError, "broadcast_product: T must be square, got {} dims",
                  T.dim());
  CODESSM_REQUIRE(u.dim() == 3 && u.size(1) == T.size(1), UsageError,
                  "broadcast_product: u must be (Bt, {}, d); got {} dims", T.size(1), u.dim());
  CODESSM_REQUIRE(tiles >= 1 && T.size(0) % tiles == 0, UsageError,
                  "broadcast_product: {} tiles do not divide Cc = {}", tiles, T.size(0));
  return BroadcastProduct::apply(T, u, tiles, upper);
}

}  // namespace codessm::kernels
