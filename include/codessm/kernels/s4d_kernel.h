// The S4D convolution kernel of BiGS/CodeSSM as a function of parameters only (no input), so the
// analysis tools can call it directly (model-spec §2.2, [pt:241-260]):
//   Δ_h = exp(log_step_h),  A_hn = min(A_re_hn, -1e-4) + i·A_im_hn,  C_hn = C[h,n,0] + i·C[h,n,1]
//   K[h,l] = Re Σ_n C_hn · (exp(Δ_h A_hn) − 1)/A_hn · exp(Δ_h A_hn · l),   l = 0..L-1
// (ZOH with B = 1, N complex modes, no conjugate pairing, no factor 2). Generalised to K kernels per
// block (CodeSSM-k-kernel, §4.2); K = 1 with BiGS's shapes ([1], [N], [N], [N,2]) is BiGS exactly.
// Shapes: r(K) log_step, r(K N) A_re/A_im, r(K N 2) C  — or the BiGS K=1 shapes r(1), r(N), r(N), r(N 2).
#pragma once

#include <torch/torch.h>

#include <complex>
#include <vector>

namespace codessm::kernels {

/// The clamp BiGS applies to Re(A) so every mode decays: A_re is used as min(A_re, kMaxARe).
inline constexpr double kMaxARe = -1e-4;

/// The discretised modes of K kernels, differentiable, in the parameters' dtype (complex):
/// dtA = Δ·A c(K N) (A_re clamped) and Cp = C·B̄ = C·(e^{ΔA} − 1)/A c(K N). BiGS K=1 shapes are promoted.
struct S4DModes {
  torch::Tensor dtA, Cp;
};
S4DModes s4d_modes(const torch::Tensor& log_step, const torch::Tensor& A_re, const torch::Tensor& A_im,
                   const torch::Tensor& C);

/// Fast path, differentiable: returns r(K L) in the parameters' real dtype (fp32 in models).
/// Follows modeling_bigs.py's operation order (complex Vandermonde + einsum) for bitwise-close parity;
/// chunks over kernels so that K·N·L complex temporaries stay below ~64M elements.
torch::Tensor s4d_kernel(const torch::Tensor& log_step, const torch::Tensor& A_re, const torch::Tensor& A_im,
                         const torch::Tensor& C, int64_t L);

/// Reference twin: float64, explicit loops over the complex recurrence x_l = Ā x_{l-1} + B̄ δ_l,
/// K[l] = Re(Σ_n C_n x_l[n]). Returns r(K L) float64 on the CPU. Not differentiable.
torch::Tensor s4d_kernel_reference(const torch::Tensor& log_step, const torch::Tensor& A_re,
                                   const torch::Tensor& A_im, const torch::Tensor& C, int64_t L);

/// Closed-form length-L DFT of the kernel (sample rate 1): for mode n with z = exp(ΔA_n) and C̃_n = C_n B̄_n,
/// Σ_{l<L} C̃ z^l ω^{-kl} = C̃ (1 − z^L)/(1 − z ω^{-k}), ω = e^{2πi/L}. The real part of the kernel gives
/// X[k] = ½(F(k) + conj(F(L−k))), F the complex-kernel transform. Returns c(K L) as a complex128 tensor.
torch::Tensor s4d_kernel_dft_closed_form(const torch::Tensor& log_step, const torch::Tensor& A_re,
                                         const torch::Tensor& A_im, const torch::Tensor& C, int64_t L);

/// Brings BiGS K=1 shapes to the general ones: log_step r(K), A r(K N), C r(K N 2). Throws a UsageError
/// naming the shapes when they are inconsistent.
struct S4DParamShapes {
  int64_t kernels = 1;
  int64_t modes = 0;
};
S4DParamShapes check_s4d_shapes(const torch::Tensor& log_step, const torch::Tensor& A_re, const torch::Tensor& A_im,
                                const torch::Tensor& C);

}  // namespace codessm::kernels
