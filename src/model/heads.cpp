#include "codessm/model/heads.h"

#include "codessm/kernels/linear.h"

namespace codessm::model {

namespace F = torch::nn::functional;

PredictionTransformImpl::PredictionTransformImpl(const config::ModelConfig& cfg) {
  dense = register_module("dense", torch::nn::Linear(cfg.hidden_size, cfg.hidden_size));
  LayerNorm = register_module("LayerNorm",
                              torch::nn::LayerNorm(torch::nn::LayerNormOptions({cfg.hidden_size}).eps(cfg.layer_norm_eps)));
}

torch::Tensor PredictionTransformImpl::forward(const torch::Tensor& h) {
  return LayerNorm->forward(F::gelu(kernels::linear(h, dense->weight, dense->bias)));  // hidden_act "gelu" = erf form
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
  auto t = transform->forward(h);                                       // r(B L D)
  auto w = decoder ? decoder->weight : tied_weight;                     // r(V D)
  const int64_t V = w.size(0), Vp = (V + 63) / 64 * 64;
  // kernels::linear: the bias in the product's epilogue; LibTorch's linear adds it to all B·L·V logits in a
  // pass of its own (as long as the 2.8 ms product at 32K tokens on the H200).
  if (!t.is_cuda() || Vp == V) return kernels::linear(t, w, bias);      // r(B L V)
  // A vocabulary that is no multiple of 8 (CodeT5p's 32100) leaves the logits' rows misaligned for the tensor
  // cores: measured 11.4 ms instead of ~3 for this product at 32K tokens on an H200. Zero rows pad it to a
  // multiple of 64 and the extra logits are dropped (a strided view of the padded product).
  auto wp = torch::constant_pad_nd(w, {0, 0, 0, Vp - V});              // r(Vp D)
  auto bp = torch::constant_pad_nd(bias, {0, Vp - V});                  // r(Vp)
  return kernels::linear(t, wp, bp).narrow(-1, 0, V);                   // r(B L V), row stride Vp
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
