#include "codessm/model/bigs_layer.h"

#include "codessm/kernels/gelu_mul.h"
#include "codessm/kernels/layer_norm.h"
#include "codessm/kernels/linear.h"
#include "codessm/tensor/profile_scope.h"
#include "codessm/tensor/torch_compat.h"

namespace codessm::model {

namespace F = torch::nn::functional;

BiGSLayerImpl::BiGSLayerImpl(const config::ModelConfig& cfg) : cfg_(cfg) {
  const int64_t d = cfg.hidden_size, I = cfg.intermediate_size;
  LayerNorm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(cfg.layer_norm_eps)));
  if (cfg.mixer == config::SequenceMixer::kS4D) {
    fs4 = register_module(param_names::kForwardSsm, S4dLayer(cfg));
    bs4 = register_module(param_names::kBackwardSsm, S4dLayer(cfg));
  }
  dv = register_module("dv", torch::nn::Linear(d, I));
  du_forward = register_module("du_forward", torch::nn::Linear(d, d));
  du_backward = register_module("du_backward", torch::nn::Linear(d, d));
  duc_forward = register_module("duc_forward", torch::nn::Linear(d, d));
  duc_backward = register_module("duc_backward", torch::nn::Linear(d, d));
  dol = register_module("dol", torch::nn::Linear(d, I));
  do_ = register_module("do", torch::nn::Linear(I, d));  // `do` is a C++ keyword; the registered name is BiGS's
  if (cfg.hf_conv) {
    // Inferred placement (model-spec §4.1): one grouped conv per direction, "same" padding, summed with the SSM.
    auto opts = torch::nn::Conv1dOptions(d, d, 3).padding(1).groups(cfg.hf_conv_groups).bias(true);
    fconv = register_module(param_names::kForwardConv, torch::nn::Conv1d(opts));
    tensor::avoid_broken_cpu_conv();  // LibTorch 1.13's oneDNN grouped-conv backward is wrong on the CPU
    bconv = register_module(param_names::kBackwardConv, torch::nn::Conv1d(opts));
  }
  if (cfg.layer_dropout > 0) {
    drop1 = register_module("drop1", torch::nn::Dropout(cfg.layer_dropout));
    drop2 = register_module("drop2", torch::nn::Dropout(cfg.layer_dropout));
  }
}

torch::Tensor BiGSLayerImpl::mix(const torch::Tensor& u, S4dLayer& ssm, torch::nn::Conv1d& conv) {
  torch::Tensor s;
  if (cfg_.mixer == config::SequenceMixer::kS4D) {
    s = ssm->forward(u);                                                       // r(B L D) fp32
  } else {
    // CodeF (inferred, model-spec §4.3): FNet's Re(FFT_seq(FFT_hidden(u))), in fp32.
    auto uf = u.scalar_type() == torch::kFloat64 ? u : u.to(torch::kFloat32);
    s = torch::real(torch::fft::fft(torch::fft::fft(uf, c10::nullopt, -1), c10::nullopt, 1));
  }
  if (conv) {
    auto c = conv->forward(u.transpose(1, 2)).transpose(1, 2);               // r(B L D)
    s = s + c.to(s.scalar_type());
  }
  if (u.scalar_type() == torch::kBFloat16 || u.scalar_type() == torch::kHalf) s = s.to(u.scalar_type());
  return s;
}

torch::Tensor BiGSLayerImpl::forward(const torch::Tensor& h, const torch::Tensor& mask, BiGSLayerTrace* trace) {
  // CodeF's DFT mixer has no kernel to run as Toeplitz products: it keeps the reference order.
  if (!uses_fast_path()) return forward_reference(h, mask, trace);
  return forward_fast(h, mask, trace);
}

bool BiGSLayerImpl::uses_fast_path() const {
  return conv_.impl == SsmConvImpl::kToeplitz && cfg_.mixer == config::SequenceMixer::kS4D;
}

torch::Tensor BiGSLayerImpl::hf_conv(const torch::Tensor& u, torch::nn::Conv1d& conv, bool mirrored) {
  auto x = u.transpose(1, 2);                                                  // r(B D L)
  // Conv1d(k=3, padding 1) on the reversed sequence, read back in the original order, is the same
  // conv with the taps reversed: y[t] = w0·u[t+1] + w1·u[t] + w2·u[t−1] + b.
  auto w = mirrored ? conv->weight.flip({2}) : conv->weight;                   // r(D D/groups 3)
  auto opts = F::Conv1dFuncOptions().bias(conv->bias).padding(1).groups(cfg_.hf_conv_groups);
  return F::conv1d(x, w, opts).transpose(1, 2);                                // r(B L D)
}

torch::Tensor BiGSLayerImpl::forward_fast(const torch::Tensor& h, const torch::Tensor& mask, BiGSLayerTrace* trace,
                                          const kernels::SsmConvPlan* plan_f, const kernels::SsmConvPlan* plan_b) {
  const bool anti = cfg_.bidirectional;  // CodeSSM-Uni: both branches causal
  torch::Tensor x, v_pre, pre_u;
  {
    CODESSM_PROFILE("bigs.ln_in_proj");
    // kernels::layer_norm: its training backward sums dγ, dβ in one column pass (LibTorch's took twice that).
    x = kernels::layer_norm(h, LayerNorm->weight, LayerNorm->bias, cfg_.layer_norm_eps);  // r(B L D)
    // kernels::linear: the bias in the product's epilogue (torch::nn::Linear adds it in a pass of its own).
    v_pre = kernels::linear(x, dv->weight, dv->bias);                          // r(B L I), before its GELU
    // One GEMM for both input projections; the checkpoint keeps BiGS's two names.
    auto w_u = torch::cat({du_forward->weight, du_backward->weight}, 0);       // r(2D D)
    auto b_u = torch::cat({du_forward->bias, du_backward->bias}, 0);           // r(2D)
    pre_u = kernels::linear(x, w_u, b_u);                                      // r(B L 2D), before its GELU
  }
  // GELU, the pad mask (zero mixer inputs at pads) and the cut into the two branches in one step: its backward
  // reads the branches' gradients where they are (a split's backward would cat them, and the mask product
  // would be a pass of its own each way).
  const bool masked = cfg_.padding_mode == config::PaddingMode::kMasked && mask.defined();
  auto halves = kernels::gelu_split(pre_u, masked ? mask : torch::Tensor(), 2);
  auto u_f = halves[0], u_b = halves[1];                                       // r(B L D) each
  torch::Tensor s_f, s_b;
  {
    CODESSM_PROFILE("bigs.convolutions");
    s_f = fs4->forward(u_f, /*anticausal=*/false, plan_f);                     // r(B L D)
    s_b = bs4->forward(u_b, /*anticausal=*/anti, plan_b);                      // r(B L D), original order
    if (fconv) {
      s_f = s_f + hf_conv(u_f, fconv, false).to(s_f.scalar_type());
      s_b = s_b + hf_conv(u_b, bconv, anti).to(s_b.scalar_type());
    }
  }
  CODESSM_PROFILE("bigs.out_proj_gate");
  auto uc_f = kernels::linear(s_f, duc_forward->weight, duc_forward->bias);   // r(B L D)
  auto uc_b = kernels::linear(s_b, duc_backward->weight, duc_backward->bias);  // r(B L D)
  if (trace) {
    trace->uc_forward = uc_f;
    trace->uc_backward = uc_b;
  }
  auto g = uc_f * uc_b;                                                        // r(B L D)
  if (drop1) g = drop1->forward(g);
  auto y = kernels::gelu_mul(kernels::linear(g, dol->weight, dol->bias), v_pre);  // r(B L I): both GELUs + gate
  if (drop2) y = drop2->forward(y);
  return h + kernels::linear(y, do_->weight, do_->bias);                       // r(B L D)
}

torch::Tensor BiGSLayerImpl::forward_reference(const torch::Tensor& h, const torch::Tensor& mask,
                                               BiGSLayerTrace* trace) {
  auto x = LayerNorm->forward(h);                                              // r(B L D)
  auto v = F::gelu(dv->forward(x));                                            // r(B L I)
  auto u_f = F::gelu(du_forward->forward(x));                                  // r(B L D)
  const bool flip = cfg_.bidirectional;
  auto x_b = flip ? torch::flip(x, {1}) : x;                                   // reversed order when bidirectional
  auto u_b = F::gelu(du_backward->forward(x_b));                               // r(B L D)
  const bool masked = cfg_.padding_mode == config::PaddingMode::kMasked && mask.defined();
  if (masked) {
    // Zero the mixer inputs at pads: the convolutions then see exactly the real tokens, whatever the padding.
    auto m = mask.to(u_f.scalar_type()).unsqueeze(-1);                        // r(B L 1)
    u_f = u_f * m;
    u_b = u_b * (flip ? torch::flip(m, {1}) : m);
  }
  auto uc_f = duc_forward->forward(mix(u_f, fs4, fconv));                      // r(B L D)
  auto uc_b = duc_backward->forward(mix(u_b, bs4, bconv));                     // r(B L D), reversed order
  if (flip) uc_b = torch::flip(uc_b, {1});                                     // back to original order
  if (trace) {
    trace->uc_forward = uc_f;
    trace->uc_backward = uc_b;
  }
  auto g = uc_f * uc_b;                                                        // r(B L D)
  if (drop1) g = drop1->forward(g);
  auto y = F::gelu(dol->forward(g)) * v;                                       // r(B L I)
  if (drop2) y = drop2->forward(y);
  return h + do_->forward(y);                                                  // r(B L D)
}

}  // namespace codessm::model
