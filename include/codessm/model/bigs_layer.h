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
  /// With the Toeplitz convolution (default) the layer runs without flips and with one GEMM for
  /// du_forward|du_backward (forward_fast); with the FFT it is modeling_bigs.py's order (forward_reference).
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& mask = {}, BiGSLayerTrace* trace = nullptr);
  /// The layer exactly as modeling_bigs.py computes it: flips, FFT convolution in fp32 (the reference twin).
  torch::Tensor forward_reference(const torch::Tensor& h, const torch::Tensor& mask, BiGSLayerTrace* trace);
  /// The same function in the original token order: the backward branch is an anti-causal convolution
  /// (flip ∘ causal ∘ flip), the two input projections one GEMM, every product in h's compute dtype.
  /// `plan_f`, `plan_b`: this layer's slices of convolution matrices built for every layer at once (BiGSBackbone),
  /// or null to build its own.
  torch::Tensor forward_fast(const torch::Tensor& h, const torch::Tensor& mask, BiGSLayerTrace* trace,
                             const kernels::SsmConvPlan* plan_f = nullptr, const kernels::SsmConvPlan* plan_b = nullptr);
  void set_conv(const SsmConvChoice& c) { conv_ = c; }
  const SsmConvChoice& conv() const { return conv_; }
  /// Whether forward() takes the Toeplitz path (forward_fast).
  bool uses_fast_path() const;
  /// false for CodeSSM-Uni (both branches causal).
  bool bidirectional() const { return cfg_.bidirectional; }

  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Linear dv{nullptr}, du_forward{nullptr}, du_backward{nullptr};
  torch::nn::Linear duc_forward{nullptr}, duc_backward{nullptr}, dol{nullptr}, do_{nullptr};
  S4dLayer fs4{nullptr}, bs4{nullptr};          ///< absent with the Fourier mixer
  torch::nn::Conv1d fconv{nullptr}, bconv{nullptr};  ///< CodeSSM-HF only
  torch::nn::Dropout drop1{nullptr}, drop2{nullptr};  ///< CodeSSM-do only

 private:
  /// The sequence mixer of one direction: SSM (or DFT) plus the optional conv path. u: r(B L D).
  torch::Tensor mix(const torch::Tensor& u, S4dLayer& ssm, torch::nn::Conv1d& conv);
  /// CodeSSM-HF's conv path in the original order: r(B L D) → r(B L D); `mirrored` applies the conv that the
  /// reference applies to the flipped sequence (flip ∘ conv ∘ flip = conv with its taps reversed).
  torch::Tensor hf_conv(const torch::Tensor& u, torch::nn::Conv1d& conv, bool mirrored);
  config::ModelConfig cfg_;
  SsmConvChoice conv_ = default_ssm_conv();
};
TORCH_MODULE(BiGSLayer);

}  // namespace codessm::model
