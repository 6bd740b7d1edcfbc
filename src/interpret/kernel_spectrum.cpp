#include "codessm/interpret/kernel_spectrum.h"

#include "codessm/core/error.h"

namespace codessm::interpret {

Spectra kernel_spectra(const torch::Tensor& kernels) {
  CODESSM_CHECK(kernels.dim() == 2, "kernel_spectra expects r(B L), got {} dims", kernels.dim());
  auto k = kernels.detach().to(torch::kCPU, torch::kFloat64);  // r(B L)
  auto X = torch::fft::rfft(k, /*n=*/c10::nullopt, /*dim=*/-1);  // c(B M) complex128
  return {torch::abs(X), torch::angle(X)};
}

torch::Tensor rfft_frequencies(int64_t L) {
  return torch::arange(L / 2 + 1, torch::kFloat64) / static_cast<double>(L);  // r(M)
}

}  // namespace codessm::interpret
