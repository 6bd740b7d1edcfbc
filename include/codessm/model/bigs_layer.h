// One BiGS/CodeSSM layer (model-spec §1, CodeSSM App. A.2 eqs. 4-6), pre-norm residual:
//   X = LN(H); v = gelu(dv X); u_f = gelu(du_forward X); u_b = gelu(du_backward flip(X))
//   uc_f = duc_forward(SSM_f(u_f)); uc_b = flip(duc_backward(SSM_b(u_b)))
//   H' = H + do(gelu(dol(uc_f ⊙ uc_b)) ⊙ v)
// Variants by config, not by copies: uni (no flips), layer_dropout (CodeSSM-do: two masks after the
// products), Fourier mixer (CodeF), hf_conv (CodeSSM-HF: grouped Conv1d k=3 summed with each SSM),
// k kernels per SSM, and padding mode (reference leaks right padding into the backward SSM; masked
// zeroes the SSM/conv inputs at pads so real-token outputs ignore the amount of padding).
#pragma once

#include <torch/torch.h>

#include "codessm/config/model_config.h"
#include "codessm/model/s4d_layer.h"

namespace codessm::model {

/// Intermediates of one layer, for causality tests and analysis. All r(B L D) in original order.
struct BiGSLayerTrace {
  torch::Tensor uc_forward, uc_backward;
};

class BiGSLayerImpl : public torch::nn::Module {
 public:
  explicit BiGSLayerImpl(const config::ModelConfig& cfg);
  /// h: r(B L D); mask: r(B L) {0,1} float, or undefined (all real). Returns r(B L D).
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& mask = {}, BiGSLayerTrace* trace = nullptr);

  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Linear dv{nullptr}, du_forward{nullptr}, du_backward{nullptr};
  torch::nn::Linear duc_forward{nullptr}, duc_backward{nullptr}, dol{nullptr}, do_{nullptr};
  S4dLayer fs4{nullptr}, bs4{nullptr};          ///< absent with the Fourier mixer
  torch::nn::Conv1d fconv{nullptr}, bconv{nullptr};  ///< CodeSSM-HF only
  torch::nn::Dropout drop1{nullptr}, drop2{nullptr};  ///< CodeSSM-do only

 private:
  /// The sequence mixer of one direction: SSM (or DFT) plus the optional conv path. u: r(B L D).
  torch::Tensor mix(const torch::Tensor& u, S4dLayer& ssm, torch::nn::Conv1d& conv);
  config::ModelConfig cfg_;
};
TORCH_MODULE(BiGSLayer);

}  // namespace codessm::model
