// Dispatch of gelu_mul and gelu: the fused CUDA kernels (src/kernels/cuda/gelu_mul.cu) behind a custom autograd
// function when they are built and the tensor is on a GPU; LibTorch's ops everywhere else.
#include "codessm/kernels/gelu_mul.h"

#include <atomic>

#include "codessm/core/error.h"

#ifdef CODESSM_HAVE_CUDA_KERNELS
#include <c10/cuda/CUDAStream.h>

#include "cuda/gelu_mul_launch.h"
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
#endif

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

torch::Tensor gelu_reference(const torch::Tensor& x) { return F::gelu(x.to(torch::kCPU, torch::kFloat64)); }

torch::Tensor gelu_mul_reference(const torch::Tensor& a, const torch::Tensor& b) {
  return gelu_mul_ops(a.to(torch::kCPU, torch::kFloat64), b.to(torch::kCPU, torch::kFloat64));
}

}  // namespace codessm::kernels
