// kernels::linear: the last dimension's product as one 2-D addmm (see the header for why).
#include "codessm/kernels/linear.h"

#include "codessm/core/error.h"

namespace codessm::kernels {

namespace {

void check(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  CODESSM_REQUIRE(x.dim() >= 1 && w.dim() == 2 && x.size(-1) == w.size(1), UsageError,
                  "linear: input (..., {}) does not match weight ({}, {})", x.dim() ? x.size(-1) : 0, w.size(0),
                  w.size(1));
  CODESSM_REQUIRE(!b.defined() || (b.dim() == 1 && b.size(0) == w.size(0)), UsageError,
                  "linear: bias must have {} values", w.size(0));
}

}  // namespace

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  check(x, w, b);
  if (x.dim() == 1) return linear(x.unsqueeze(0), w, b).squeeze(0);
  auto x2 = x.dim() == 2 ? x : x.reshape({-1, x.size(-1)});                     // r(M in)
  auto y = b.defined() ? torch::addmm(b, x2, w.t()) : torch::mm(x2, w.t());   // r(M out)
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
