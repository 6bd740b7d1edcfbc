// Dispatch of gelu_mul and gelu: the fused CUDA kernels (src/kernels/cuda/gelu_mul.cu) behind a custom autograd
// function when they are built and the tensor is on a GPU; LibTorch's ops everywhere else.
#include "codessm/kernels/gelu_mul.h"

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "codessm/core/error.h"

#ifdef CODESSM_HAVE_CUDA_KERNELS
#include <c10/cuda/CUDAStream.h>

#include "cuda/gelu_mul_launch.h"
#include "cuda/gelu_split_launch.h"
#include "cuda_dispatch.h"
#endif

namespace codessm::kernels {

namespace F = torch::nn::functional;

namespace {

std::atomic<bool> g_unfused{false};

torch::Tensor gelu_mul_ops(const torch::Tensor& a, const torch::Tensor& b) { return F::gelu(a) * F::gelu(b); }

#ifdef CODESSM_HAVE_CUDA_KERNELS

void check_cuda(cudaError_t e, const char* what) {
  CODESSM_CHECK(e == cudaSuccess, "{}: CUDA error {}", what, cudaGetErrorString(e));
}

struct GeluMulFused : public torch::autograd::Function<GeluMulFused> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& a0,
                               const torch::Tensor& b0) {
    auto a = a0.contiguous(), b = b0.contiguous();
    auto out = torch::empty_like(a);
    check_cuda(cuda::gelu_mul_forward(cuda::elem_type(a), a.data_ptr(), b.data_ptr(), out.data_ptr(), a.numel(),
                                      c10::cuda::getCurrentCUDAStream()),
               "gelu_mul forward");
    ctx->save_for_backward({a, b});
    return out;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    auto a = saved[0], b = saved[1];
    auto g = grads[0].to(a.scalar_type()).contiguous();
    auto da = torch::empty_like(a), db = torch::empty_like(b);
    check_cuda(cuda::gelu_mul_backward(cuda::elem_type(a), a.data_ptr(), b.data_ptr(), g.data_ptr(), da.data_ptr(),
                                       db.data_ptr(), a.numel(), c10::cuda::getCurrentCUDAStream()),
               "gelu_mul backward");
    return {da, db};
  }
};

struct GeluFused : public torch::autograd::Function<GeluFused> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x0) {
    auto x = x0.contiguous();
    auto y = torch::empty_like(x);
    check_cuda(cuda::gelu_forward(cuda::elem_type(x), x.data_ptr(), y.data_ptr(), x.numel(),
                                  c10::cuda::getCurrentCUDAStream()),
               "gelu forward");
    ctx->save_for_backward({x});
    return y;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto x = ctx->get_saved_variables()[0];
    auto g = grads[0].to(x.scalar_type()).contiguous();
    auto dx = torch::empty_like(x);
    check_cuda(cuda::gelu_backward(cuda::elem_type(x), x.data_ptr(), g.data_ptr(), dx.data_ptr(), x.numel(),
                                   c10::cuda::getCurrentCUDAStream()),
               "gelu backward");
    return {dx};
  }
};

/// gelu_split's kernels: x r(rows, cols) → `parts` tensors r(rows, cols / parts); scale: fp32 r(rows), or r(0) for
/// no mask.
struct GeluSplitFused : public torch::autograd::Function<GeluSplitFused> {
  static torch::autograd::tensor_list forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x0,
                                              const torch::Tensor& scale, int64_t parts) {
    auto x = x0.contiguous();
    const int64_t cols = x.size(-1), rows = x.numel() / std::max<int64_t>(cols, 1);
    auto shape = x.sizes().vec();
    shape.back() = cols / parts;
    torch::autograd::tensor_list outs;
    cuda::SplitPtrs ptrs{};
    for (int64_t p = 0; p < parts; ++p) {
      outs.push_back(torch::empty(shape, x.options()));
      ptrs.p[p] = outs.back().data_ptr();
    }
    const float* sp = scale.numel() > 0 ? scale.data_ptr<float>() : nullptr;
    check_cuda(cuda::gelu_split_forward(cuda::elem_type(x), x.data_ptr(), sp,
                                        ptrs, static_cast<int>(parts), rows, cols, c10::cuda::getCurrentCUDAStream()),
               "gelu_split forward");
    ctx->save_for_backward({x});
    ctx->saved_data["parts"] = parts;
    ctx->saved_data["scale"] = scale;
    return outs;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto x = ctx->get_saved_variables()[0];
    const int64_t parts = ctx->saved_data["parts"].toInt();
    auto scale = ctx->saved_data["scale"].toTensor();
    const float* sp = scale.numel() > 0 ? scale.data_ptr<float>() : nullptr;
    const int64_t cols = x.size(-1), rows = x.numel() / std::max<int64_t>(cols, 1);
    cuda::ConstSplitPtrs g{};
    std::vector<torch::Tensor> keep;  // the gradients in x's dtype, alive until the kernel is queued
    for (int64_t p = 0; p < parts; ++p) {
      if (!grads[p].defined()) continue;  // that block's output was not used: a zero gradient
      auto gp = grads[p].to(x.scalar_type()).contiguous();
      if (reinterpret_cast<std::uintptr_t>(gp.data_ptr()) % 16 != 0) gp = gp.clone();  // an offset view
      keep.push_back(gp);
      g.p[p] = keep.back().data_ptr();
    }
    auto dx = torch::empty_like(x);
    check_cuda(cuda::gelu_split_backward(cuda::elem_type(x), x.data_ptr(), sp,
                                         g, dx.data_ptr(), static_cast<int>(parts), rows, cols,
                                         c10::cuda::getCurrentCUDAStream()),
               "gelu_split backward");
    return {dx, torch::Tensor(), torch::Tensor()};
  }
};
#endif

/// The per-row mask as a trailing-singleton factor for x r(..., cols): r(..., 1) in x's dtype.
torch::Tensor row_factor(const torch::Tensor& mask, const torch::Tensor& x) {
  auto shape = x.sizes().vec();
  shape.back() = 1;
  return mask.to(x.device(), x.scalar_type()).reshape(shape);
}

void check_split(const torch::Tensor& x, const torch::Tensor& mask, int64_t parts) {
  CODESSM_REQUIRE(x.dim() >= 1 && parts >= 1 && parts <= 4 && x.size(-1) % parts == 0, UsageError,
                  "gelu_split: {} columns cannot be cut into {} equal blocks (1 to 4)", x.dim() ? x.size(-1) : 0,
                  parts);
  CODESSM_REQUIRE(!mask.defined() || mask.numel() * x.size(-1) == x.numel(), UsageError,
                  "gelu_split: the mask has {} values; expected one per row ({})", mask.defined() ? mask.numel() : 0,
                  x.numel() / std::max<int64_t>(x.size(-1), 1));
}

}  // namespace

bool gelu_mul_is_fused(const torch::Tensor& a) {
#ifdef CODESSM_HAVE_CUDA_KERNELS
  const auto dt = a.scalar_type();
  return !g_unfused.load() && a.is_cuda() &&
         (dt == torch::kFloat32 || dt == torch::kBFloat16 || dt == torch::kFloat16);
#else
  (void)a;
  return false;
#endif
}

void set_gelu_mul_unfused(bool off) { g_unfused.store(off); }

torch::Tensor gelu_mul(const torch::Tensor& a, const torch::Tensor& b) {
  CODESSM_REQUIRE(a.sizes() == b.sizes() && a.scalar_type() == b.scalar_type(), UsageError,
                  "gelu_mul needs two tensors of one shape and dtype");
#ifdef CODESSM_HAVE_CUDA_KERNELS
  if (gelu_mul_is_fused(a)) return GeluMulFused::apply(a, b);
#endif
  return gelu_mul_ops(a, b);
}

torch::Tensor gelu(const torch::Tensor& x) {
#ifdef CODESSM_HAVE_CUDA_KERNELS
  if (gelu_mul_is_fused(x)) return GeluFused::apply(x);
#endif
  return F::gelu(x);
}

std::vector<torch::Tensor> gelu_split(const torch::Tensor& x, const torch::Tensor& mask, int64_t parts) {
  check_split(x, mask, parts);
#ifdef CODESSM_HAVE_CUDA_KERNELS
  const bool aligned = !x.is_contiguous() || reinterpret_cast<std::uintptr_t>(x.data_ptr()) % 16 == 0;
  if (gelu_mul_is_fused(x) && aligned && (x.size(-1) / parts) * x.element_size() % 16 == 0) {
    // No mask: an empty scale (autograd's custom functions take no undefined tensor inputs).
    auto scale = mask.defined() ? mask.reshape({-1}).to(x.device(), torch::kFloat32).contiguous()
                                : torch::empty({0}, x.options().dtype(torch::kFloat32));
    return GeluSplitFused::apply(x, scale, parts);
  }
#endif
  auto y = kernels::gelu(x);
  if (mask.defined()) y = y * row_factor(mask, y);
  return y.split(x.size(-1) / parts, -1);
}

std::vector<torch::Tensor> gelu_split_reference(const torch::Tensor& x, const torch::Tensor& mask, int64_t parts) {
  check_split(x, mask, parts);
  auto y = F::gelu(x.to(torch::kCPU, torch::kFloat64));
  if (mask.defined()) y = y * row_factor(mask.to(torch::kCPU), y);
  return y.split(x.size(-1) / parts, -1);
}

torch::Tensor gelu_reference(const torch::Tensor& x) { return F::gelu(x.to(torch::kCPU, torch::kFloat64)); }

torch::Tensor gelu_mul_reference(const torch::Tensor& a, const torch::Tensor& b) {
  return gelu_mul_ops(a.to(torch::kCPU, torch::kFloat64), b.to(torch::kCPU, torch::kFloat64));
}

}  // namespace codessm::kernels
