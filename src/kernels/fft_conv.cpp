#include "codessm/kernels/fft_conv.h"

#include "codessm/core/error.h"

namespace codessm::kernels {

static void check_conv_args(const torch::Tensor& u, const torch::Tensor& k) {
  CODESSM_REQUIRE(u.dim() == 3, UsageError, "convolution input must be (B, D, L); got {} dims", u.dim());
  CODESSM_REQUIRE(k.dim() == 2, UsageError, "convolution kernel must be (K, L); got {} dims", k.dim());
  CODESSM_REQUIRE(u.size(1) % k.size(0) == 0, UsageError,
                  "channels D={} must be a multiple of the number of kernels K={}", u.size(1), k.size(0));
  CODESSM_REQUIRE(k.size(1) >= u.size(2), UsageError, "kernel length {} is shorter than the sequence length {}",
                  k.size(1), u.size(2));
}

torch::Tensor fft_causal_conv(const torch::Tensor& u, const torch::Tensor& k) {
  check_conv_args(u, k);
  const int64_t B = u.size(0), D = u.size(1), L = u.size(2), K = k.size(0);
  const int64_t n = 2 * L;  // zero padding to 2L turns the circular convolution into a linear one
  // fp32 at least (bf16/fp16 inputs are promoted); float64 stays float64 for reference checks.
  const auto dt = u.scalar_type() == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32;
  auto uf = torch::fft::rfft(u.to(dt), n);                                  // c(B D L+1)
  auto kf = torch::fft::rfft(k.narrow(1, 0, L).to(dt), n);                  // c(K L+1)
  torch::Tensor yf;
  if (K == 1) {
    yf = uf * kf;                                                           // c(B D L+1), broadcast over D
  } else {
    // Channel c uses kernel c / (D/K): view channels as (K, D/K) instead of materialising a (D, L) kernel.
    yf = (uf.view({B, K, D / K, L + 1}) * kf.view({1, K, 1, L + 1})).view({B, D, L + 1});
  }
  return torch::fft::irfft(yf, n).narrow(-1, 0, L);                         // r(B D L)
}

torch::Tensor direct_causal_conv_reference(const torch::Tensor& u, const torch::Tensor& k) {
  check_conv_args(u, k);
  auto ud = u.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  auto kd = k.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const int64_t B = ud.size(0), D = ud.size(1), L = ud.size(2), K = kd.size(0);
  auto y = torch::zeros({B, D, L}, torch::kFloat64);
  auto ua = ud.accessor<double, 3>();
  auto ka = kd.accessor<double, 2>();
  auto ya = y.accessor<double, 3>();
  const int64_t block = D / K;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < D; ++c) {
      const int64_t h = c / block;
      for (int64_t t = 0; t < L; ++t) {
        double acc = 0;
        for (int64_t j = 0; j <= t; ++j) acc += ka[h][j] * ua[b][c][t - j];
        ya[b][c][t] = acc;
      }
    }
  return y;
}

torch::Tensor expand_to_channels(const torch::Tensor& per_kernel, int64_t channels) {
  const int64_t K = per_kernel.numel();
  CODESSM_REQUIRE(channels % K == 0, UsageError, "channels {} not a multiple of kernels {}", channels, K);
  if (K == 1) return per_kernel.reshape({1});
  return per_kernel.reshape({K, 1}).expand({K, channels / K}).reshape({channels});  // r(D)
}

}  // namespace codessm::kernels
