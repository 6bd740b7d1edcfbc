// Batched spectra of real filters: rfft with sample rate 1, in float64. torch::fft (pocketfft) is used
// rather than FFTW: a 12-layer model has 24 kernels of 2048 samples, whose spectra take 0.4 ms of CPU
// (bench/results/interpret.md), under 1 % of the analysis; LibTorch is a dependency already. Only 1024-kernel
// models (24,576 kernels) would gain from FFTW's ~2× (docs/ecosystem §4.2).
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
