// toeplitz_lower: kernels r(K Cc) → lower-triangular Toeplitz blocks r(K Cc Cc), with a backward that sums
// the sub-diagonals of the incoming gradient. Autograd through a gather would scatter Cc² values onto Cc
// addresses with atomics (two orders of magnitude slower on the GPU); the sub-diagonal sums are a reshape
// ("shear") and one column sum instead.
#include <torch/torch.h>

#include "codessm/core/error.h"
#include "codessm/kernels/ssm_conv.h"

namespace codessm::kernels {

namespace {

/// i64(Cc Cc): the index i−j into the kernel where i ≥ j, and Cc (a zero slot appended to the kernel) above.
torch::Tensor toeplitz_index(int64_t Cc, const torch::Device& dev) {
  auto i = torch::arange(Cc, torch::TensorOptions().dtype(torch::kInt64).device(dev));
  auto d = i.unsqueeze(1) - i.unsqueeze(0);                        // i64(Cc Cc): i − j
  return torch::where(d >= 0, d, torch::full_like(d, Cc));         // above the diagonal → the zero slot
}

/// Sums of the sub-diagonals: out[k,l] = Σ_i g[k,i,i−l], l = 0..Cc−1.
torch::Tensor subdiagonal_sums(const torch::Tensor& g) {
  const int64_t K = g.size(0), Cc = g.size(1);
  // Flip the columns: i − j = l  ⇔  i + j' = l + Cc − 1 with j' = Cc − 1 − j (anti-diagonals).
  auto f = g.flip({2});                                                          // r(K Cc Cc)
  // Shear: pad each row to 2Cc and re-read the rows with a stride of 2Cc−1, so row i moves i steps right:
  // s[k,i,m] = f[k,i,m−i]; a column sum then adds each anti-diagonal m.
  auto p = torch::constant_pad_nd(f, {0, Cc});                                   // r(K Cc 2Cc)
  auto s = p.reshape({K, 2 * Cc * Cc}).narrow(1, 0, Cc * (2 * Cc - 1)).reshape({K, Cc, 2 * Cc - 1});
  return s.sum(1).narrow(1, Cc - 1, Cc);                                         // r(K Cc)
}

struct ToeplitzLower : public torch::autograd::Function<ToeplitzLower> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& kernel) {
    const int64_t K = kernel.size(0), Cc = kernel.size(1);
    auto padded = torch::constant_pad_nd(kernel, {0, 1});                        // r(K Cc+1): zero slot at Cc
    auto idx = toeplitz_index(Cc, kernel.device()).reshape({-1});                // i64(Cc·Cc)
    return padded.index_select(1, idx).reshape({K, Cc, Cc});                     // r(K Cc Cc)
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    return {subdiagonal_sums(grads[0])};
  }
};

}  // namespace

torch::Tensor toeplitz_lower(const torch::Tensor& kernel) {
  CODESSM_REQUIRE(kernel.dim() == 2, UsageError, "toeplitz_lower takes kernels (K, Cc); got {} dims", kernel.dim());
  return ToeplitzLower::apply(kernel);
}

}  // namespace codessm::kernels
