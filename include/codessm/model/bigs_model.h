// The BiGS backbone (model-spec §3): embeddings (no positions unless position_embedding_type is
// "absolute"), the stack of BiGS layers (no final norm), and the masked-mean pooler. Registered names
// are modeling_bigs.py's, so `bigs.encoder.layer.{i}.fs4.kernel.log_step` etc. load by name.
#pragma once

#include <torch/torch.h>

#include "codessm/config/model_config.h"
#include "codessm/model/backbone.h"
#include "codessm/model/bigs_layer.h"

namespace codessm::model {

/// Word (+ position) + token-type embeddings → LayerNorm → dropout. Shared by BiGS and BERT.
class EmbeddingsImpl : public torch::nn::Module {
 public:
  explicit EmbeddingsImpl(const config::ModelConfig& cfg);
  /// ids, token types: i64(B L) → r(B L D).
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids);

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(Embeddings);

class BiGSEncoderImpl : public torch::nn::Module {
 public:
  explicit BiGSEncoderImpl(const config::ModelConfig& cfg);
  torch::nn::ModuleList layer{nullptr};  ///< BiGSLayer × num_hidden_layers
};
TORCH_MODULE(BiGSEncoder);

/// `pooler.dense` + tanh over the (masked) mean.
class BiGSPoolerImpl : public torch::nn::Module {
 public:
  explicit BiGSPoolerImpl(const config::ModelConfig& cfg);
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& mask);
  torch::nn::Linear dense{nullptr};

 private:
  bool non_padding_;
};
TORCH_MODULE(BiGSPooler);

class BiGSBackbone : public BackboneImpl {
 public:
  explicit BiGSBackbone(const config::ModelConfig& cfg);
  BackboneOutput forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                         const torch::Tensor& token_type_ids, bool output_hidden_states) override;
  torch::Tensor pool(const torch::Tensor& last_hidden, const torch::Tensor& attention_mask) override;
  torch::Tensor word_embedding_weight() override { return embeddings->word_embeddings->weight; }
  void init_weights(double initializer_range) override;

  Embeddings embeddings{nullptr};
  BiGSEncoder encoder{nullptr};
  BiGSPooler pooler{nullptr};  ///< always constructed, as in BiGSModel [pt:556]
};

/// Whether the BiGS backbone checks on the host that a batch has padding before handing the mask to its layers
/// (the old way on CUDA, kept for before/after benchmarks: `bench --mask-host-check`). Off by default: where
/// the fused GELU split reads the mask, an all-ones mask costs nothing and the check stopped the host once per
/// forward. The CPU always checks (no synchronisation there; a mask saved is a pass per layer saved).
void set_mask_host_check(bool on);

}  // namespace codessm::model
