#include "codessm/model/s4d_layer.h"

#include <ATen/ATen.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "codessm/core/error.h"

#include "codessm/kernels/fft_conv.h"
#include "codessm/kernels/s4d_kernel.h"
#include "codessm/kernels/ssm_conv.h"
#include "codessm/model/bigs_layer.h"

namespace codessm::model {

torch::Tensor s4d_init_A_im(config::SsmInit init, int64_t N) {
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  switch (init) {
    case config::SsmInit::kLin:  // S4D-Lin: π n, what the PyTorch port hard-codes [pt:234]
      return M_PI * torch::arange(N, opts);
    case config::SsmInit::kInv: {  // S4D-Inv: (N/π)(N/(2n+1) − 1) [jax:280-284]
      auto n = torch::arange(N, opts);
      return (static_cast<double>(N) / M_PI) * (static_cast<double>(N) / (2 * n + 1) - 1);
    }
    case config::SsmInit::kHippo: {
      // Eigenvalues of the skew part of the NPLR HiPPO-LegS matrix: eigh(-i·S) reads only the lower
      // triangle, i.e. the Hermitian matrix H with H[n,k] = i·½√((2n+1)(2k+1)) for n > k and 0 diagonal
      // (the real −½ diagonal of S becomes imaginary and is ignored by eigh) [jax:158-193].
      auto H = torch::zeros({N, N}, torch::TensorOptions().dtype(torch::kComplexDouble));
      auto* h = H.data_ptr<c10::complex<double>>();
      for (int64_t n = 0; n < N; ++n)
        for (int64_t k = 0; k < n; ++k) {
          double v = 0.5 * std::sqrt((2.0 * n + 1) * (2.0 * k + 1));
          h[n * N + k] = c10::complex<double>(0, v);
          h[k * N + n] = c10::complex<double>(0, -v);
        }
      return std::get<0>(at::linalg_eigh(H, "L"));  // ascending, ± symmetric
    }
  }
  return {};
}

S4DKernelImpl::S4DKernelImpl(const config::ModelConfig& cfg)
    : kernels_(cfg.ssm_kernels), modes_(cfg.num_ssm), init_(cfg.ssm_init), dt_min_(cfg.dt_min), dt_max_(cfg.dt_max) {
  const bool bigs_shapes = kernels_ == 1;
  auto f = torch::TensorOptions().dtype(torch::kFloat32);
  log_step = register_parameter(param_names::kLogStep, torch::zeros({kernels_}, f));
  A_re = register_parameter(param_names::kARe, bigs_shapes ? torch::zeros({modes_}, f) : torch::zeros({kernels_, modes_}, f));
  A_im = register_parameter(param_names::kAIm, bigs_shapes ? torch::zeros({modes_}, f) : torch::zeros({kernels_, modes_}, f));
  C = register_parameter(param_names::kC, bigs_shapes ? torch::zeros({modes_, 2}, f) : torch::zeros({kernels_, modes_, 2}, f));
  reset_parameters();
}

void S4DKernelImpl::reset_parameters() {
  torch::NoGradGuard g;
  // log Δ ~ U[log dt_min, log dt_max], one independent draw per kernel [pt:63-68].
  log_step.uniform_(std::log(dt_min_), std::log(dt_max_));
  C.normal_(0.0, std::sqrt(0.5));  // E|C_n|² = 1 [pt:231]
  A_re.fill_(-0.5);
  auto im = s4d_init_A_im(init_, modes_).to(torch::kFloat32);  // r(N)
  A_im.copy_(im.expand_as(A_im));
}

torch::Tensor S4DKernelImpl::forward(int64_t L) { return kernels::s4d_kernel(log_step, A_re, A_im, C, L); }

S4dLayerImpl::S4dLayerImpl(const config::ModelConfig& cfg) {
  D = register_parameter(param_names::kSkip, torch::zeros({cfg.ssm_kernels}));
  kernel = register_module(param_names::kKernel, S4DKernel(cfg));
  reset_parameters();
}

void S4dLayerImpl::reset_parameters() {
  torch::NoGradGuard g;
  D.normal_();  // torch.randn(1) in the PyTorch port [pt:269]
}

std::vector<torch::Tensor> S4dLayerImpl::kernel_params() const {
  const bool bigs = kernel->A_re.dim() == 1;
  return {kernel->log_step, bigs ? kernel->A_re.unsqueeze(0) : kernel->A_re,
          bigs ? kernel->A_im.unsqueeze(0) : kernel->A_im, bigs ? kernel->C.unsqueeze(0) : kernel->C, D};
}

torch::Tensor S4dLayerImpl::forward(const torch::Tensor& u, bool anticausal, const kernels::SsmConvPlan* plan) {
  if (conv_.impl == SsmConvImpl::kToeplitz) {
    if (plan) return kernels::ssm_conv_apply(u, *plan, conv_.fp32_state);         // r(B L D), u's dtype
    return kernels::ssm_conv(u, kernel->log_step, kernel->A_re, kernel->A_im, kernel->C, D,
                             {/*chunk=*/conv_.chunk, anticausal, conv_.fp32_state, conv_.tiles});  // r(B L D), u's dtype
  }
  if (anticausal) return forward(u.flip({1}), false).flip({1});                  // flip ∘ causal ∘ flip
  const int64_t L = u.size(1), Dm = u.size(2);
  auto ut = u.transpose(1, 2);                                        // r(B D L)
  auto k = kernel->forward(L);                                        // r(K L)
  auto y = kernels::fft_causal_conv(ut, k);                           // r(B D L) fp32
  auto d = kernels::expand_to_channels(D, Dm).view({1, -1, 1});       // r(1 D 1) or r(1 1 1)
  y = y + ut.to(y.scalar_type()) * d;                                 // skip term D·u
  // Low-precision activations get their dtype back (bf16 inference); under autocast the next Linear casts.
  if (u.scalar_type() == torch::kBFloat16 || u.scalar_type() == torch::kHalf) y = y.to(u.scalar_type());
  return y.transpose(1, 2);                                           // r(B L D)
}

SsmConvChoice default_ssm_conv() {
  static const SsmConvChoice choice = [] {
    SsmConvChoice c;
    if (const char* v = std::getenv("CODESSM_SSM_CONV")) {
      const std::string s(v);
      CODESSM_REQUIRE(s == "fft" || s == "toeplitz", UsageError,
                      "CODESSM_SSM_CONV='{}': use fft or toeplitz (or unset it)", s);
      c.impl = s == "fft" ? SsmConvImpl::kFFT : SsmConvImpl::kToeplitz;
    }
    if (const char* v = std::getenv("CODESSM_SSM_CHUNK")) {
      char* end = nullptr;
      const long n = std::strtol(v, &end, 10);
      CODESSM_REQUIRE(end && *end == '\0' && n >= 1, UsageError, "CODESSM_SSM_CHUNK='{}': a positive integer", v);
      c.chunk = n;
    }
    return c;
  }();
  return choice;
}

void set_ssm_conv(torch::nn::Module& root, const SsmConvChoice& c) {
  for (auto& m : root.modules(/*include_self=*/true)) {
    if (auto* s4 = m->as<S4dLayerImpl>()) s4->set_conv(c);
    if (auto* layer = m->as<BiGSLayerImpl>()) layer->set_conv(c);
  }
}

}  // namespace codessm::model
