// kernels::linear: the last dimension's product as one 2-D addmm (see the header for why).
#include "codessm/kernels/linear.h"

#include <c10/core/impl/LocalDispatchKeySet.h>

#include "codessm/core/error.h"
#include "codessm/kernels/column_sum.h"

namespace codessm::kernels {

namespace {

void check(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  CODESSM_REQUIRE(x.dim() >= 1 && w.dim() == 2 && x.size(-1) == w.size(1), UsageError,
                  "linear: input (..., {}) does not match weight ({}, {})", x.dim() ? x.size(-1) : 0, w.size(0),
                  w.size(1));
  CODESSM_REQUIRE(!b.defined() || (b.dim() == 1 && b.size(0) == w.size(0)), UsageError,
                  "linear: bias must have {} values", w.size(0));
}

/// addmm with its backward written out, so that the bias gradient is kernels::column_sum (LibTorch's addmm
/// backward sums the output gradient with a generic reduction at ~1 TB/s on the H200: 3.7 ms of an 8×2048
/// training step). The two products are the ones addmm's backward runs: dx = g·W, dW = gᵀ·x.
struct LinearColumnSumBias : public torch::autograd::Function<LinearColumnSumBias> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x2, const torch::Tensor& w,
                               const torch::Tensor& b) {
    ctx->save_for_backward({x2, w});
    return torch::addmm(b, x2, w.t());                                          // r(M out)
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& x2 = saved[0];                                                  // r(M in)
    const auto& w = saved[1];                                                   // r(out in)
    auto g = grads[0].contiguous();                                             // r(M out)
    torch::Tensor dx, dw, db;
    if (ctx->needs_input_grad(0)) dx = torch::mm(g, w);                         // r(M in)
    if (ctx->needs_input_grad(1)) dw = torch::mm(g.t(), x2);                    // r(out in)
    if (ctx->needs_input_grad(2)) db = column_sum(g);                           // r(out)
    return {dx, dw, db};
  }
};

/// The custom backward only where its column sum runs on CUDA and the dtypes are the product's own: under
/// autocast addmm would cast inside forward and the saved inputs would not match the gradient (the
/// AutocastCUDA key is excluded from the thread's dispatch set exactly when autocast is off, in 1.13 and 2.x).
bool use_column_sum_bias(const torch::Tensor& x2, const torch::Tensor& w, const torch::Tensor& b) {
  if (!b.defined() || !torch::GradMode::is_enabled()) return false;
  if (!(x2.requires_grad() || w.requires_grad() || b.requires_grad())) return false;
  if (x2.scalar_type() != w.scalar_type() || b.scalar_type() != w.scalar_type()) return false;
  if (!c10::impl::tls_is_dispatch_key_excluded(c10::DispatchKey::AutocastCUDA)) return false;
  return x2.is_cuda() && column_sum_is_fused(b.unsqueeze(0));  // r(1 out): its dtype, device and width
}

}  // namespace

torch::Tensor linear_column_sum_bias(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  check(x, w, b);
  CODESSM_REQUIRE(x.dim() == 2 && b.defined(), UsageError, "linear_column_sum_bias: needs a matrix input and a bias");
  return LinearColumnSumBias::apply(x, w, b);
}

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  check(x, w, b);
  if (x.dim() == 1) return linear(x.unsqueeze(0), w, b).squeeze(0);
  auto x2 = x.dim() == 2 ? x : x.reshape({-1, x.size(-1)});                     // r(M in)
  torch::Tensor y;                                                              // r(M out)
  if (use_column_sum_bias(x2, w, b)) {
    y = LinearColumnSumBias::apply(x2, w, b);
  } else {
    y = b.defined() ? torch::addmm(b, x2, w.t()) : torch::mm(x2, w.t());
  }
  if (x.dim() == 2) return y;
  auto sizes = x.sizes().vec();
  sizes.back() = w.size(0);
  return y.view(sizes);                                                         // r(... out)
}

torch::Tensor linear_reference(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  check(x, w, b);
  auto f = [](const torch::Tensor& t) { return t.to(torch::kCPU, torch::kFloat64); };
  auto y = torch::matmul(f(x), f(w).t());                                       // f64(... out)
  return b.defined() ? y + f(b) : y;
}

}  // namespace codessm::kernels
