#include "codessm/model/transformer.h"

#include <cmath>
#include <limits>

#include "codessm/kernels/rotary.h"
#include "codessm/tensor/profile_scope.h"
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
  auto& sa = attention->self;
  // q, k, v in one GEMM (the checkpoint keeps HF's three names): r(B L 3 NH HD).
  auto w = torch::cat({sa->query->weight, sa->key->weight, sa->value->weight}, 0);   // r(3D D)
  auto b = torch::cat({sa->query->bias, sa->key->bias, sa->value->bias}, 0);         // r(3D)
  auto qkv = F::linear(h, w, b).view({B, L, 3, NH, HD});
  if (cfg_.arch == config::Arch::kRoFormer) {  // RoPE on q and k together (rotary_value = false)
    auto qk = kernels::apply_rotary(qkv.narrow(2, 0, 2), cfg_.rotary_base, /*seq_dim=*/1);  // r(B L 2 NH HD)
    qkv = torch::cat({qk, qkv.narrow(2, 2, 1)}, 2);                                        // r(B L 3 NH HD)
  }
  // RoCoder's head dim 86 rules out the fused kernels; zero columns make it 88 without changing anything
  // kept (the scale stays 1/√HD).
  const int64_t HDp = tensor::sdpa_head_dim(HD, h.device());
  if (HDp != HD) qkv = torch::constant_pad_nd(qkv, {0, HDp - HD});                       // r(B L 3 NH HDp)
  auto heads = [&](int64_t i) { return qkv.select(2, i).transpose(1, 2); };              // r(B NH L HDp) views
  const double p = is_training() ? cfg_.attention_probs_dropout_prob : 0.0;
  c10::optional<torch::Tensor> mask;
  if (key_mask.defined()) mask = key_mask.to(qkv.scalar_type());
  CODESSM_PROFILE("transformer.attention_ffn");
  auto ctx = tensor::sdpa(heads(0), heads(1), heads(2), mask, p, /*causal=*/false,
                          /*scale=*/1.0 / std::sqrt(static_cast<double>(HD)));         // r(B NH L HDp)
  if (HDp != HD) ctx = ctx.narrow(-1, 0, HD);
  ctx = ctx.transpose(1, 2).reshape({B, L, NH * HD});                                     // r(B L D)
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
  // An all-real batch needs no mask, and without one the flash kernel is eligible (one host sync).
  if (mask.defined() && mask.min().item<double>() < 0.5) {
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
