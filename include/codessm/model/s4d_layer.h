// The SSM block of a BiGS layer (model-spec §2): S4DKernel holds the parameters under BiGS's names
// (kernel.log_step, kernel.A_re, kernel.A_im, kernel.C) and S4dLayer adds the skip D and runs the
// causal FFT convolution. With k kernels per block (CodeSSM-k-kernel) every parameter gains a leading
// K axis; K = 1 keeps BiGS's shapes exactly so BiGS checkpoints load.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "codessm/config/model_config.h"
#include "codessm/kernels/ssm_conv.h"
#include "codessm/model/param_hints.h"
#include "codessm/model/param_names.h"

namespace codessm::model {

/// How the SSM convolution is computed — a runtime choice, never saved with a checkpoint: the chunked
/// Toeplitz products on tensor cores (kernels::ssm_conv, the default) or the FFT of modeling_bigs.py (the
/// reference twin, fp32 FFTs).
enum class SsmConvImpl { kToeplitz, kFFT };
struct SsmConvChoice {
  SsmConvImpl impl = SsmConvImpl::kToeplitz;
  int64_t chunk = 0;       ///< Toeplitz block size; 0 = kernels::auto_chunk (one dense block on CUDA up to 4096, 2048 in 16-bit inference)
  /// kernels::SsmConvOptions::fp32_state, for 16-bit activations at lengths with more than one block. Off: the
  /// 16-bit state path (fp32 chunk mixing) moves a third of the fp32 path's bytes, and the bf16 model's error
  /// against fp32 is the dense block's (tests/model/long_sequence_precision_test.cpp: 5.56e-3 vs 5.60e-3).
  bool fp32_state = false;
  int64_t tiles = 0;       ///< kernels::SsmConvOptions::tiles: the dense block's diagonal tiles (0 = kernels::auto_tiles)
};

/// The choice new layers start with: the defaults above, or the environment's CODESSM_SSM_CONV=fft|toeplitz
/// and CODESSM_SSM_CHUNK=N (read here only, once; docs/models.md) — so that any command, `pretrain` included,
/// can be run on the reference path for a before/after comparison without a flag on every command.
SsmConvChoice default_ssm_conv();

class S4DKernelImpl : public torch::nn::Module, public ParamHintSource {
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
  /// SSM parameters train without weight decay [CS App. D] (their lr is the common one).
  std::map<std::string, ParamHint> param_hints() const override {
    namespace n = param_names;
    return {{n::kLogStep, {true}}, {n::kARe, {true}}, {n::kAIm, {true}}, {n::kC, {true}}};
  }

 private:
  int64_t kernels_, modes_;
  config::SsmInit init_;
  double dt_min_, dt_max_;
};
TORCH_MODULE(S4DKernel);

class S4dLayerImpl : public torch::nn::Module, public ParamHintSource {
 public:
  explicit S4dLayerImpl(const config::ModelConfig& cfg);
  /// u: r(B L D) → r(B L D): y = K ∗ u + D·u, causal or (anticausal) y[t] = Σ_{j≥t} K[j−t] u[j] + D·u[t].
  /// Toeplitz: in u's dtype; FFT: fp32 (fp64 for fp64 input).
  /// `plan` (Toeplitz only): this block's slice of matrices built for many blocks at once (BiGSBackbone).
  torch::Tensor forward(const torch::Tensor& u, bool anticausal = false,
                        const kernels::SsmConvPlan* plan = nullptr);
  /// The parameters in the K-kernel layout (BiGS's K = 1 shapes promoted): log_step r(K), A_re/A_im r(K N),
  /// C r(K N 2), D r(K) — views, differentiable.
  std::vector<torch::Tensor> kernel_params() const;
  void reset_parameters();
  void set_conv(const SsmConvChoice& c) { conv_ = c; }
  const SsmConvChoice& conv() const { return conv_; }
  /// The skip D is an SSM parameter: no weight decay [CS App. D].
  std::map<std::string, ParamHint> param_hints() const override { return {{param_names::kSkip, {true}}}; }

  torch::Tensor D;     ///< r(1) or r(K): skip term
  S4DKernel kernel{nullptr};

 private:
  SsmConvChoice conv_ = default_ssm_conv();
};
TORCH_MODULE(S4dLayer);

/// Sets the convolution of every S4dLayer and BiGS layer under `root` (tests and benchmarks compare the two).
void set_ssm_conv(torch::nn::Module& root, const SsmConvChoice& c);

/// The S4D-Lin/Inv/HiPPO imaginary parts for N modes (model-spec §2.1), r(N) float64.
torch::Tensor s4d_init_A_im(config::SsmInit init, int64_t N);

}  // namespace codessm::model
