// Dispatch of layer_norm: on CUDA with the kernels built, the forward kernel (src/kernels/cuda/layer_norm.cu) and,
// when training, LibTorch's input gradient with the parameter gradients from the column-sum kernels
// (src/kernels/cuda/column_sum.cu); LibTorch's layer_norm elsewhere.
#include "codessm/kernels/layer_norm.h"

#include <array>
#include <atomic>
#include <cstdint>

#include "codessm/core/error.h"
#include "codessm/kernels/column_sum.h"

#ifdef CODESSM_HAVE_CUDA_KERNELS
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <c10/cuda/CUDAStream.h>

#include "cuda/column_sum_launch.h"
#include "cuda/layer_norm_launch.h"
#include "cuda_dispatch.h"
#endif

namespace codessm::kernels {

namespace F = torch::nn::functional;

namespace {

torch::Tensor layer_norm_ops(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, double eps) {
  return F::layer_norm(x, F::LayerNormFuncOptions({x.size(-1)}).weight(w).bias(b).eps(eps));
}

std::atomic<bool> g_plain{false};

#ifdef CODESSM_HAVE_CUDA_KERNELS
bool aligned16(const torch::Tensor& t) { return reinterpret_cast<std::uintptr_t>(t.data_ptr()) % 16 == 0; }

/// Whether the forward kernel takes these tensors (any grad mode; the callers decide about autocast and autograd).
bool forward_kernel_takes(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  if (g_plain.load(std::memory_order_relaxed) || !x.is_cuda() || !w.defined() || !b.defined()) return false;
  const auto t = x.scalar_type();
  if (t != torch::kFloat32 && t != torch::kBFloat16 && t != torch::kHalf) return false;
  if (w.scalar_type() != t || b.scalar_type() != t || w.device() != x.device() || b.device() != x.device()) return false;
  if (x.dim() < 1 || x.numel() == 0 || !w.is_contiguous() || !b.is_contiguous()) return false;
  if (!aligned16(w) || !aligned16(b) || (x.is_contiguous() && !aligned16(x))) return false;
  return cuda::layer_norm_forward_takes(cuda::elem_type(t), x.size(-1));
}

/// y r(..., N) and, when `stats`, mean and rstd r(..., 1) fp32 (the shapes at::native_layer_norm returns them
/// in, which its backward takes). x contiguous.
std::array<torch::Tensor, 3> forward_kernel(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                                            double eps, bool stats) {
  const int64_t N = x.size(-1), M = x.numel() / N;
  auto y = torch::empty_like(x);
  torch::Tensor mean, rstd;
  if (stats) {
    auto shape = x.sizes().vec();
    shape.back() = 1;
    mean = torch::empty(shape, x.options().dtype(torch::kFloat32));
    rstd = torch::empty(shape, x.options().dtype(torch::kFloat32));
  }
  const auto e = cuda::layer_norm_forward(cuda::elem_type(x), x.data_ptr(), w.data_ptr(), b.data_ptr(), y.data_ptr(),
                                          stats ? mean.data_ptr<float>() : nullptr,
                                          stats ? rstd.data_ptr<float>() : nullptr, M, N, static_cast<float>(eps),
                                          c10::cuda::getCurrentCUDAStream());
  CODESSM_CHECK(e == cudaSuccess, "layer_norm forward: CUDA error {}", cudaGetErrorString(e));
  return {y, mean, rstd};
}

struct LayerNormColumnSum : public torch::autograd::Function<LayerNormColumnSum> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x0, const torch::Tensor& w,
                               const torch::Tensor& b, double eps) {
    auto x = x0.contiguous();
    const int64_t N = x.size(-1);
    // mean, rstd: r(..., 1) in the accumulation type (fp32 for 16-bit inputs)
    std::array<torch::Tensor, 3> out;
    if (forward_kernel_takes(x, w, b)) {
      out = forward_kernel(x, w, b, eps, /*stats=*/true);
    } else {
      auto o = at::native_layer_norm(x, {N}, w, b, eps);
      out = {std::get<0>(o), std::get<1>(o), std::get<2>(o)};
    }
    ctx->save_for_backward({x, w, b, out[1], out[2]});
    return out[0];
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto s = ctx->get_saved_variables();
    auto x = s[0], w = s[1], b = s[2], mean = s[3], rstd = s[4];
    const int64_t N = x.size(-1), M = x.numel() / N;
    auto g = grads[0].to(x.scalar_type()).contiguous();
    if (reinterpret_cast<std::uintptr_t>(g.data_ptr()) % 16 != 0) g = g.clone();  // an offset view
    torch::Tensor dx, dw, db;
    if (ctx->needs_input_grad(0))
      dx = std::get<0>(at::native_layer_norm_backward(g, x, {N}, mean, rstd, w, b, {true, false, false}));
    if (ctx->needs_input_grad(1) || ctx->needs_input_grad(2)) {
      if (mean.scalar_type() == torch::kFloat32 && rstd.scalar_type() == torch::kFloat32 && M > 0) {
        const auto t = cuda::elem_type(x);
        auto ws = torch::empty({2 * cuda::column_sum_chunks(t, M, N) * N}, x.options().dtype(torch::kFloat32));
        auto both = torch::empty({2, N}, x.options().dtype(torch::kFloat32));  // dγ, dβ
        auto mc = mean.contiguous(), rc = rstd.contiguous();
        const auto e = cuda::layer_norm_param_grads(t, g.data_ptr(), x.data_ptr(), mc.data_ptr<float>(),
                                                    rc.data_ptr<float>(), ws.data_ptr<float>(), both.data_ptr<float>(),
                                                    M, N, c10::cuda::getCurrentCUDAStream());
        CODESSM_CHECK(e == cudaSuccess, "layer_norm backward: CUDA error {}", cudaGetErrorString(e));
        dw = both[0].to(w.scalar_type());
        db = both[1].to(b.scalar_type());
      } else {  // statistics in x's own dtype (fp64 never gets here; kept for safety): the plain sums
        auto g2 = g.reshape({M, N}).to(torch::kFloat32);
        auto xhat = (x.reshape({M, N}).to(torch::kFloat32) - mean.reshape({M, 1})) * rstd.reshape({M, 1});
        dw = (g2 * xhat).sum(0).to(w.scalar_type());
        db = g2.sum(0).to(b.scalar_type());
      }
    }
    return {dx, dw, db, torch::Tensor()};
  }
};
#endif

}  // namespace

bool layer_norm_is_fused(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
#ifdef CODESSM_HAVE_CUDA_KERNELS
  if (!w.defined() || !b.defined() || !torch::GradMode::is_enabled()) return false;
  if (!(x.requires_grad() || w.requires_grad() || b.requires_grad())) return false;
  if (x.scalar_type() != w.scalar_type() || b.scalar_type() != w.scalar_type()) return false;
  // Autocast would run LayerNorm in fp32 by its own rule: leave it LibTorch's.
  if (!c10::impl::tls_is_dispatch_key_excluded(c10::DispatchKey::AutocastCUDA)) return false;
  if (!x.is_cuda() || x.dim() < 1 || w.dim() != 1 || w.size(0) != x.size(-1)) return false;
  const int64_t N = x.size(-1);
  if (N == 0 || x.numel() == 0) return false;
  if (x.is_contiguous() && reinterpret_cast<std::uintptr_t>(x.data_ptr()) % 16 != 0) return false;
  // column_sum_is_fused checks dtype, device and a 16-byte row width for an r(1 N) tensor of x's dtype
  return column_sum_is_fused(w.unsqueeze(0));
#else
  (void)x, (void)w, (void)b;
  return false;
#endif
}

torch::Tensor layer_norm(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, double eps) {
  CODESSM_REQUIRE(x.dim() >= 1 && (!w.defined() || w.numel() == x.size(-1)) && (!b.defined() || b.numel() == x.size(-1)),
                  UsageError, "layer_norm: weight and bias need one value per feature ({})", x.dim() ? x.size(-1) : 0);
#ifdef CODESSM_HAVE_CUDA_KERNELS
  if (layer_norm_is_fused(x, w, b)) return LayerNormColumnSum::apply(x, w, b, eps);
  // Without a graph to record (inference, or nothing requires grad) and outside autocast (which runs LayerNorm
  // in fp32 by its own rule): the forward kernel alone.
  const bool no_graph =
      !torch::GradMode::is_enabled() || !(x.requires_grad() || w.requires_grad() || b.requires_grad());
  if (no_graph && c10::impl::tls_is_dispatch_key_excluded(c10::DispatchKey::AutocastCUDA) &&
      forward_kernel_takes(x, w, b))
    return forward_kernel(x.contiguous(), w, b, eps, /*stats=*/false)[0];
#endif
  return layer_norm_ops(x, w, b, eps);
}

void set_layer_norm_plain(bool plain) { g_plain.store(plain, std::memory_order_relaxed); }

bool layer_norm_forward_is_fused(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
#ifdef CODESSM_HAVE_CUDA_KERNELS
  return forward_kernel_takes(x, w, b);
#else
  (void)x, (void)w, (void)b;
  return false;
#endif
}

torch::Tensor layer_norm_reference(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, double eps) {
  auto to64 = [](const torch::Tensor& t) { return t.defined() ? t.to(torch::kCPU, torch::kFloat64) : t; };
  return layer_norm_ops(to64(x), to64(w), to64(b), eps);
}

}  // namespace codessm::kernels
