// Causal long convolution of a sequence with per-channel-block kernels (model-spec §2.3):
//   y[b,c,t] = Σ_{j=0..t} K[h(c), j] · u[b,c,t−j],   h(c) = floor(c / (D/K))  (contiguous channel blocks)
// Fast path: zero-pad to 2L, rfft, multiply, irfft, keep the first L outputs (no circular wrap-around).
// The FFTs always run in fp32 (bf16 FFTs are unsupported on 1.13 CPU and cuFFT's half path needs
// power-of-two sizes); the result is fp32.
#pragma once

#include <torch/torch.h>

namespace codessm::kernels {

/// u: r(B D L) any float dtype; k: r(K L) with D % K == 0. Returns r(B D L) in fp32 (fp64 for fp64 input).
/// Differentiable.
torch::Tensor fft_causal_conv(const torch::Tensor& u, const torch::Tensor& k);

/// Reference twin: the direct O(L²) sum in float64 with explicit loops. Returns r(B D L) float64 (CPU).
torch::Tensor direct_causal_conv_reference(const torch::Tensor& u, const torch::Tensor& k);

/// Expands a per-kernel vector r(K) to per-channel r(D) by contiguous blocks of D/K.
torch::Tensor expand_to_channels(const torch::Tensor& per_kernel, int64_t channels);

}  // namespace codessm::kernels
