#include "codessm/model/bigs_model.h"

namespace codessm::model {

EmbeddingsImpl::EmbeddingsImpl(const config::ModelConfig& cfg) {
  const int64_t d = cfg.hidden_size;
  word_embeddings = register_module(
      "word_embeddings", torch::nn::Embedding(torch::nn::EmbeddingOptions(cfg.vocab_size, d).padding_idx(cfg.pad_token_id)));
  if (cfg.position_embedding_type == "absolute") {
    position_embeddings =
        register_module("position_embeddings", torch::nn::Embedding(cfg.max_position_embeddings, d));
  }
  token_type_embeddings = register_module("token_type_embeddings", torch::nn::Embedding(cfg.type_vocab_size, d));
  LayerNorm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(cfg.layer_norm_eps)));
  dropout = register_module("dropout", torch::nn::Dropout(cfg.hidden_dropout_prob));
}

torch::Tensor EmbeddingsImpl::forward(const torch::Tensor& ids, const torch::Tensor& tt) {
  auto e = word_embeddings->forward(ids) + token_type_embeddings->forward(tt);  // r(B L D)
  if (position_embeddings) {
    const int64_t L = ids.size(1);
    TORCH_CHECK(L <= position_embeddings->weight.size(0), "sequence length ", L,
                " exceeds max_position_embeddings ", position_embeddings->weight.size(0));
    auto pos = torch::arange(L, ids.options()).unsqueeze(0);                    // i64(1 L)
    e = e + position_embeddings->forward(pos);
  }
  return dropout->forward(LayerNorm->forward(e));
}

BiGSEncoderImpl::BiGSEncoderImpl(const config::ModelConfig& cfg) {
  layer = register_module("layer", torch::nn::ModuleList());
  for (int64_t i = 0; i < cfg.num_hidden_layers; ++i) layer->push_back(BiGSLayer(cfg));
}

BiGSPoolerImpl::BiGSPoolerImpl(const config::ModelConfig& cfg) : non_padding_(cfg.pooler_type != "mean") {
  dense = register_module("dense", torch::nn::Linear(cfg.hidden_size, cfg.hidden_size));
}

torch::Tensor BiGSPoolerImpl::forward(const torch::Tensor& h, const torch::Tensor& mask) {
  return torch::tanh(dense->forward(masked_mean(h, non_padding_ ? mask : torch::Tensor())));  // r(B D)
}

BiGSBackbone::BiGSBackbone(const config::ModelConfig& cfg) {
  embeddings = register_module("embeddings", Embeddings(cfg));
  encoder = register_module("encoder", BiGSEncoder(cfg));
  pooler = register_module("pooler", BiGSPooler(cfg));
}

BackboneOutput BiGSBackbone::forward(const torch::Tensor& ids, const torch::Tensor& mask, const torch::Tensor& tt,
                                     bool output_hidden_states) {
  auto types = tt.defined() ? tt : torch::zeros_like(ids);
  auto h = embeddings->forward(ids, types);                                  // r(B L D)
  // A batch without padding needs no mask: saves a pass over the mixer inputs in every layer (one host sync).
  const torch::Tensor layer_mask = mask.defined() && mask.min().item<double>() < 0.5 ? mask : torch::Tensor();
  BackboneOutput out;
  for (size_t i = 0; i < encoder->layer->size(); ++i) {
    if (output_hidden_states) out.hidden_states.push_back(h);
    h = encoder->layer->ptr<BiGSLayerImpl>(i)->forward(h, layer_mask);
  }
  if (output_hidden_states) out.hidden_states.push_back(h);
  out.last_hidden = h;  // no final LayerNorm in BiGS [pt:333-385]
  return out;
}

torch::Tensor BiGSBackbone::pool(const torch::Tensor& h, const torch::Tensor& mask) {
  return pooler->forward(h, mask);
}

void BiGSBackbone::init_weights(double r) { init_standard_weights(*this, r); }

}  // namespace codessm::model
