#include "codessm/model/transformer.h"

#include <limits>

#include "codessm/kernels/rotary.h"
#include "codessm/tensor/torch_compat.h"

namespace codessm::model {

namespace F = torch::nn::functional;

SelfAttentionImpl::SelfAttentionImpl(const config::ModelConfig& cfg) {
  const int64_t d = cfg.hidden_size;
  query = register_module("query", torch::nn::Linear(d, d));
  key = register_module("key", torch::nn::Linear(d, d));
  value = register_module("value", torch::nn::Linear(d, d));
}

DenseLayerNormImpl::DenseLayerNormImpl(int64_t in, int64_t out, double eps) {
  dense = register_module("dense", torch::nn::Linear(in, out));
  LayerNorm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({out}).eps(eps)));
}

AttentionImpl::AttentionImpl(const config::ModelConfig& cfg) {
  self = register_module("self", SelfAttention(cfg));
  output = register_module("output", DenseLayerNorm(cfg.hidden_size, cfg.hidden_size, cfg.layer_norm_eps));
}

IntermediateImpl::IntermediateImpl(const config::ModelConfig& cfg) {
  dense = register_module("dense", torch::nn::Linear(cfg.hidden_size, cfg.intermediate_size));
}

TransformerLayerImpl::TransformerLayerImpl(const config::ModelConfig& cfg) : cfg_(cfg) {
  attention = register_module("attention", Attention(cfg));
  intermediate = register_module("intermediate", Intermediate(cfg));
  output = register_module("output", DenseLayerNorm(cfg.intermediate_size, cfg.hidden_size, cfg.layer_norm_eps));
  dropout_ = register_module("dropout", torch::nn::Dropout(cfg.hidden_dropout_prob));
}

torch::Tensor TransformerLayerImpl::forward(const torch::Tensor& h, const torch::Tensor& key_mask) {
  const int64_t B = h.size(0), L = h.size(1), NH = cfg_.num_attention_heads, HD = cfg_.head_dim();
  auto heads = [&](const torch::Tensor& t) { return t.view({B, L, NH, HD}).transpose(1, 2); };  // r(B NH L HD)
  auto& sa = attention->self;
  auto q = heads(sa->query->forward(h));
  auto k = heads(sa->key->forward(h));
  auto v = heads(sa->value->forward(h));
  if (cfg_.arch == config::Arch::kRoFormer) {  // RoPE on q and k only (rotary_value = false)
    q = kernels::apply_rotary(q, cfg_.rotary_base);
    k = kernels::apply_rotary(k, cfg_.rotary_base);
  }
  const double p = is_training() ? cfg_.attention_probs_dropout_prob : 0.0;
  c10::optional<torch::Tensor> mask;
  if (key_mask.defined()) mask = key_mask.to(q.scalar_type());
  auto ctx = tensor::sdpa(q, k, v, mask, p, /*causal=*/false);                   // r(B NH L HD)
  ctx = ctx.transpose(1, 2).reshape({B, L, NH * HD});                              // r(B L D)
  auto& ao = attention->output;
  auto a = ao->LayerNorm->forward(h + dropout_->forward(ao->dense->forward(ctx)));  // post-LN
  auto f = output->dense->forward(F::gelu(intermediate->dense->forward(a)));         // r(B L D)
  return output->LayerNorm->forward(a + dropout_->forward(f));
}

TransformerEncoderImpl::TransformerEncoderImpl(const config::ModelConfig& cfg) {
  layer = register_module("layer", torch::nn::ModuleList());
  for (int64_t i = 0; i < cfg.num_hidden_layers; ++i) layer->push_back(TransformerLayer(cfg));
}

FirstTokenPoolerImpl::FirstTokenPoolerImpl(int64_t d) { dense = register_module("dense", torch::nn::Linear(d, d)); }

TransformerBackbone::TransformerBackbone(const config::ModelConfig& cfg) : cfg_(cfg) {
  embeddings = register_module("embeddings", Embeddings(cfg));
  encoder = register_module("encoder", TransformerEncoder(cfg));
  if (cfg.arch == config::Arch::kBert) pooler = register_module("pooler", FirstTokenPooler(cfg.hidden_size));
}

BackboneOutput TransformerBackbone::forward(const torch::Tensor& ids, const torch::Tensor& mask,
                                            const torch::Tensor& tt, bool output_hidden_states) {
  auto types = tt.defined() ? tt : torch::zeros_like(ids);
  auto h = embeddings->forward(ids, types);                                        // r(B L D)
  torch::Tensor key_mask;
  if (mask.defined()) {
    // HF's extended mask: 0 for real keys, the dtype's lowest value for padded keys. r(B 1 1 L)
    key_mask = (1.0 - mask.to(torch::kFloat32)).mul(std::numeric_limits<float>::lowest()).view({ids.size(0), 1, 1, -1});
  }
  BackboneOutput out;
  for (size_t i = 0; i < encoder->layer->size(); ++i) {
    if (output_hidden_states) out.hidden_states.push_back(h);
    h = encoder->layer->ptr<TransformerLayerImpl>(i)->forward(h, key_mask);
  }
  if (output_hidden_states) out.hidden_states.push_back(h);
  out.last_hidden = h;
  return out;
}

torch::Tensor TransformerBackbone::pool(const torch::Tensor& h, const torch::Tensor& mask) {
  if (pooler) return torch::tanh(pooler->dense->forward(h.select(1, 0)));  // BERT: token 0
  return masked_mean(h, mask);                                             // RoFormer has no pooler
}

void TransformerBackbone::init_weights(double r) { init_standard_weights(*this, r); }

}  // namespace codessm::model
