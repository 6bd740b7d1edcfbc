// The SSM block of a BiGS layer (model-spec §2): S4DKernel holds the parameters under BiGS's names
// (kernel.log_step, kernel.A_re, kernel.A_im, kernel.C) and S4dLayer adds the skip D and runs the
// causal FFT convolution. With k kernels per block (CodeSSM-k-kernel) every parameter gains a leading
// K axis; K = 1 keeps BiGS's shapes exactly so BiGS checkpoints load.
#pragma once

#include <torch/torch.h>

#include "codessm/config/model_config.h"

namespace codessm::model {

class S4DKernelImpl : public torch::nn::Module {
 public:
  explicit S4DKernelImpl(const config::ModelConfig& cfg);
  /// Re-draws the parameters per the configured init (lin/inv/hippo), as the constructor does.
  void reset_parameters();
  /// r(K L) fp32: the kernel for length L, computed from the parameters only.
  torch::Tensor forward(int64_t L);

  torch::Tensor log_step;  ///< r(1) or r(K): log Δ
  torch::Tensor A_re;      ///< r(N) or r(K N): Re A, clamped to ≤ −1e-4 when used
  torch::Tensor A_im;      ///< r(N) or r(K N)
  torch::Tensor C;         ///< r(N 2) or r(K N 2): complex C as (re, im)
  int64_t kernels() const { return kernels_; }

 private:
  int64_t kernels_, modes_;
  config::SsmInit init_;
  double dt_min_, dt_max_;
};
TORCH_MODULE(S4DKernel);

class S4dLayerImpl : public torch::nn::Module {
 public:
  explicit S4dLayerImpl(const config::ModelConfig& cfg);
  /// u: r(B L D) → r(B L D) fp32: y = K ∗ u (causal) + D·u.
  torch::Tensor forward(const torch::Tensor& u);
  void reset_parameters();

  torch::Tensor D;     ///< r(1) or r(K): skip term
  S4DKernel kernel{nullptr};
};
TORCH_MODULE(S4dLayer);

/// The S4D-Lin/Inv/HiPPO imaginary parts for N modes (model-spec §2.1), r(N) float64.
torch::Tensor s4d_init_A_im(config::SsmInit init, int64_t N);

}  // namespace codessm::model
