#include "codessm/model/bigs_layer.h"

#include "codessm/tensor/torch_compat.h"

namespace codessm::model {

namespace F = torch::nn::functional;

BiGSLayerImpl::BiGSLayerImpl(const config::ModelConfig& cfg) : cfg_(cfg) {
  const int64_t d = cfg.hidden_size, I = cfg.intermediate_size;
  LayerNorm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(cfg.layer_norm_eps)));
  if (cfg.mixer == config::SequenceMixer::kS4D) {
    fs4 = register_module("fs4", S4dLayer(cfg));
    bs4 = register_module("bs4", S4dLayer(cfg));
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
    fconv = register_module("fconv", torch::nn::Conv1d(opts));
    tensor::avoid_broken_cpu_conv();  // LibTorch 1.13's oneDNN grouped-conv backward is wrong on the CPU
    bconv = register_module("bconv", torch::nn::Conv1d(opts));
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
  return s;
}

torch::Tensor BiGSLayerImpl::forward(const torch::Tensor& h, const torch::Tensor& mask, BiGSLayerTrace* trace) {
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
