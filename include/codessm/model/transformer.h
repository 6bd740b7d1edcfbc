// The Transformer baselines (model-spec §5): RoCoder = RoFormer (RoPE on q and k, post-LN BERT block,
// no absolute positions) and BertCoder = BERT (absolute learned positions). One layer class with a
// rotary switch; registered names follow HF (`roformer.encoder.layer.{i}.attention.self.query`, ...).
#pragma once

#include <torch/torch.h>

#include "codessm/config/model_config.h"
#include "codessm/model/backbone.h"
#include "codessm/model/bigs_model.h"

namespace codessm::model {

class SelfAttentionImpl : public torch::nn::Module {
 public:
  explicit SelfAttentionImpl(const config::ModelConfig& cfg);
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
};
TORCH_MODULE(SelfAttention);

class DenseLayerNormImpl : public torch::nn::Module {  // HF *SelfOutput / *Output: dense, LayerNorm
 public:
  DenseLayerNormImpl(int64_t in, int64_t out, double eps);
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(DenseLayerNorm);

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const config::ModelConfig& cfg);
  SelfAttention self{nullptr};
  DenseLayerNorm output{nullptr};
};
TORCH_MODULE(Attention);

class IntermediateImpl : public torch::nn::Module {
 public:
  explicit IntermediateImpl(const config::ModelConfig& cfg);
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(Intermediate);

class TransformerLayerImpl : public torch::nn::Module {
 public:
  explicit TransformerLayerImpl(const config::ModelConfig& cfg);
  /// h: r(B L D); additive key mask r(B 1 1 L) or undefined. Post-LN block.
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& key_mask);

  Attention attention{nullptr};
  Intermediate intermediate{nullptr};
  DenseLayerNorm output{nullptr};

 private:
  config::ModelConfig cfg_;
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(TransformerLayer);

class TransformerEncoderImpl : public torch::nn::Module {
 public:
  explicit TransformerEncoderImpl(const config::ModelConfig& cfg);
  torch::nn::ModuleList layer{nullptr};
};
TORCH_MODULE(TransformerEncoder);

/// BERT's pooler: dense + tanh on token 0.
class FirstTokenPoolerImpl : public torch::nn::Module {
 public:
  explicit FirstTokenPoolerImpl(int64_t d);
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(FirstTokenPooler);

class TransformerBackbone : public BackboneImpl {
 public:
  explicit TransformerBackbone(const config::ModelConfig& cfg);
  BackboneOutput forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                         const torch::Tensor& token_type_ids, bool output_hidden_states) override;
  torch::Tensor pool(const torch::Tensor& last_hidden, const torch::Tensor& attention_mask) override;
  torch::Tensor word_embedding_weight() override { return embeddings->word_embeddings->weight; }
  void init_weights(double initializer_range) override;

  Embeddings embeddings{nullptr};
  TransformerEncoder encoder{nullptr};
  FirstTokenPooler pooler{nullptr};  ///< BERT only

 private:
  config::ModelConfig cfg_;
};

}  // namespace codessm::model
