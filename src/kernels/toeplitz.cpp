// toeplitz_lower: kernels r(K Cc) → lower-triangular Toeplitz blocks r(K Cc Cc), with a backward that sums
// the sub-diagonals of the incoming gradient. Autograd through the windows view (or a gather) would scatter
// Cc² values onto Cc addresses with atomics (two orders of magnitude slower on the GPU); the sub-diagonal sums
// are a reshape ("shear") and one column sum instead. On CUDA (kernels built) the blocks are written by
// kernels/cuda/toeplitz.cu; the windows view and its flip are the fallback and the CPU's way.
#include <torch/torch.h>

#include "codessm/core/error.h"
#include "codessm/kernels/ssm_conv.h"

#ifdef CODESSM_HAVE_CUDA_KERNELS
#include <c10/cuda/CUDAStream.h>

#include "cuda/toeplitz_launch.h"
#include "cuda_dispatch.h"
#endif

namespace codessm::kernels {

namespace {

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
    const int64_t Cc = kernel.size(1);
#ifdef CODESSM_HAVE_CUDA_KERNELS
    const auto dt = kernel.scalar_type();
    const bool kernel_dtype = dt == torch::kFloat32 || dt == torch::kBFloat16 || dt == torch::kHalf;
    if (kernel.is_cuda() && kernel_dtype && cuda::toeplitz_lower_takes(cuda::elem_type(dt), Cc)) {
      auto taps = kernel.contiguous();
      auto T = torch::empty({kernel.size(0), Cc, Cc}, kernel.options());             // r(K Cc Cc)
      const auto e = cuda::toeplitz_lower(cuda::elem_type(taps), taps.data_ptr(), T.data_ptr(), taps.size(0), Cc,
                                          c10::cuda::getCurrentCUDAStream());
      CODESSM_CHECK(e == cudaSuccess, "toeplitz_lower: CUDA error {}", cudaGetErrorString(e));
      return T;
    }
#endif
    // kp = [0 … 0 (Cc−1 zeros), k_0 … k_{Cc−1}]; its windows w[i][t] = kp[i + t] are a view, and
    // T[i][j] = kp[Cc−1 + i − j] = w[i][Cc−1−j]: one flip copies T out of the view. (A gather through an i64
    // index of Cc² entries read that index once per kernel: 12× the bytes of a bf16 T for 12 layers at Cc 2048.)
    auto kp = torch::constant_pad_nd(kernel, {Cc - 1, 0});                       // r(K 2Cc−1)
    return kp.unfold(1, Cc, 1).flip({2}).contiguous();                           // r(K Cc Cc)
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
