// Batched spectra of real filters: rfft with sample rate 1, in float64. torch::fft (pocketfft) is used
// rather than FFTW: the analysis transforms a few dozen kernels (a 12-layer model: 24 × 2048 samples), where
// the whole spectrum step takes well under a millisecond either way (bench/results/interpret.md), and LibTorch
// is already a dependency of kernel materialisation.
#pragma once

#include <torch/torch.h>

namespace codessm::interpret {

/// Magnitude and phase of the rfft of every row.
struct Spectra {
  torch::Tensor magnitude;  ///< r(B M) float64, M = ⌊L/2⌋+1
  torch::Tensor phase;      ///< r(B M) float64, radians in (−π, π]
};

/// `kernels`: r(B L) real (any float dtype, any device); the transform runs in float64 on the CPU.
Spectra kernel_spectra(const torch::Tensor& kernels);

/// Frequencies of the M rfft bins of a length-L signal: f_k = k/L, r(M) float64.
torch::Tensor rfft_frequencies(int64_t L);

}  // namespace codessm::interpret
