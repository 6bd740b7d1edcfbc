#include "codessm/model/heads.h"

#include <algorithm>

#include "codessm/kernels/gelu_mul.h"
#include "codessm/kernels/layer_norm.h"
#include "codessm/kernels/linear.h"
#include "codessm/tensor/torch_compat.h"

namespace codessm::model {

namespace F = torch::nn::functional;

PredictionTransformImpl::PredictionTransformImpl(const config::ModelConfig& cfg) {
  dense = register_module("dense", torch::nn::Linear(cfg.hidden_size, cfg.hidden_size));
  LayerNorm = register_module("LayerNorm",
                              torch::nn::LayerNorm(torch::nn::LayerNormOptions({cfg.hidden_size}).eps(cfg.layer_norm_eps)));
}

torch::Tensor PredictionTransformImpl::forward(const torch::Tensor& h) {
  // hidden_act "gelu" = erf form; kernels::gelu and kernels::layer_norm are F::gelu and F::layer_norm, by the fused
  // kernels on CUDA (LibTorch's LayerNorm forward ran at ~1.5 TB/s here, ncu run 11a).
  auto t = kernels::gelu(kernels::linear(h, dense->weight, dense->bias));      // r(... D)
  return kernels::layer_norm(t, LayerNorm->weight, LayerNorm->bias, LayerNorm->options.eps());
}

LMPredictionHeadImpl::LMPredictionHeadImpl(const config::ModelConfig& cfg) {
  transform = register_module("transform", PredictionTransform(cfg));
  if (!cfg.tie_word_embeddings) {
    decoder = register_module("decoder",
                              torch::nn::Linear(torch::nn::LinearOptions(cfg.hidden_size, cfg.vocab_size).bias(false)));
  }
  bias = register_parameter("bias", torch::zeros({cfg.vocab_size}));
}

torch::Tensor LMPredictionHeadImpl::forward(const torch::Tensor& h, const torch::Tensor& tied_weight) {
  auto w = decoder ? decoder->weight : tied_weight;                     // r(V D)
  const int64_t V = w.size(0), Vp = (V + 63) / 64 * 64;
  // A vocabulary that is no multiple of 8 (CodeT5p's 32100) leaves the logits' rows misaligned for the tensor
  // cores: measured 11.4 ms instead of ~3 for this product at 32K tokens on an H200. Zero rows pad it to a
  // multiple of 64 and the extra logits are dropped (a strided view of the padded product).
  const bool pad = h.is_cuda() && Vp != V;
  auto wp = pad ? torch::constant_pad_nd(w, {0, 0, 0, Vp - V}) : w;   // r(Vp D)
  auto bp = pad ? torch::constant_pad_nd(bias, {0, Vp - V}) : bias;   // r(Vp)
  const int64_t D = h.size(-1), rows = h.numel() / std::max<int64_t>(D, 1);
  const auto dt = h.scalar_type();
  torch::Tensor logits;                                                 // r(B L Vp)
  if (!torch::GradMode::is_enabled() && rows > kInferenceRowBlock && wp.scalar_type() == dt &&
      bp.scalar_type() == dt && transform->dense->weight.scalar_type() == dt) {
    // Inference over many positions (16 × 4096 tokens: 3.9 GiB of bf16 logits): only one block's transform
    // lives beside the logits, not all rows' (128 MiB at that size), and no product result is copied.
    tensor::AutocastSuspend same_dtype;  // the out= product takes the dtypes as given
    auto h2 = h.reshape({rows, D});                                     // r(R D)
    logits = torch::empty({rows, wp.size(0)}, h.options());             // r(R Vp)
    for (int64_t r0 = 0; r0 < rows; r0 += kInferenceRowBlock) {
      const int64_t n = std::min(kInferenceRowBlock, rows - r0);
      auto out = logits.narrow(0, r0, n);                              // r(n Vp), contiguous rows
      torch::addmm_out(out, bp, transform->forward(h2.narrow(0, r0, n)), wp.t());  // bias in the epilogue
    }
    auto sizes = h.sizes().vec();
    sizes.back() = wp.size(0);
    logits = logits.view(sizes);
  } else {
    // kernels::linear: the bias in the product's epilogue; LibTorch's linear adds it to all B·L·V logits in a
    // pass of its own (as long as the 2.8 ms product at 32K tokens on the H200).
    logits = kernels::linear(transform->forward(h), wp, bp);            // r(B L Vp)
  }
  return pad ? logits.narrow(-1, 0, V) : logits;                        // r(B L V), row stride Vp
}

MLMHeadImpl::MLMHeadImpl(const config::ModelConfig& cfg) {
  predictions = register_module("predictions", LMPredictionHead(cfg));
}

RoFormerClassificationHeadImpl::RoFormerClassificationHeadImpl(const config::ModelConfig& cfg) {
  const double p = cfg.classifier_dropout >= 0 ? cfg.classifier_dropout : cfg.hidden_dropout_prob;
  dense = register_module("dense", torch::nn::Linear(cfg.hidden_size, cfg.hidden_size));
  out_proj = register_module("out_proj", torch::nn::Linear(cfg.hidden_size, cfg.num_labels));
  dropout = register_module("dropout", torch::nn::Dropout(p));
}

torch::Tensor RoFormerClassificationHeadImpl::forward(const torch::Tensor& h) {
  auto x = dropout->forward(h.select(1, 0));                             // r(B D)
  x = dropout->forward(F::gelu(dense->forward(x)));
  return out_proj->forward(x);                                           // r(B labels)
}

PairClassificationHeadImpl::PairClassificationHeadImpl(const config::ModelConfig& cfg) {
  const double p = cfg.classifier_dropout >= 0 ? cfg.classifier_dropout : cfg.hidden_dropout_prob;
  dense = register_module("dense", torch::nn::Linear(2 * cfg.hidden_size, cfg.hidden_size));
  out_proj = register_module("out_proj", torch::nn::Linear(cfg.hidden_size, cfg.num_labels));
  dropout = register_module("dropout", torch::nn::Dropout(p));
}

torch::Tensor PairClassificationHeadImpl::forward(const torch::Tensor& pooled) {
  TORCH_CHECK(pooled.dim() == 2 && pooled.size(0) % 2 == 0, "pair classification needs r(2B D) pooled rows");
  auto x = pooled.reshape({pooled.size(0) / 2, 2 * pooled.size(1)});  // r(B 2D): [a_i ; b_i]
  x = dropout->forward(x);
  x = dropout->forward(torch::tanh(dense->forward(x)));
  return out_proj->forward(x);  // r(B labels)
}

}  // namespace codessm::model
