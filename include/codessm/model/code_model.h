// CodeModel: a backbone registered under its HF prefix ("bigs", "roformer", "bert") plus the task head
// of the config, so named_parameters() are exactly the HF state-dict names
// (BiGSForMaskedLM: bigs.embeddings.*, bigs.encoder.layer.{i}.*, bigs.pooler.*, cls.predictions.*).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "codessm/config/model_config.h"
#include "codessm/model/backbone.h"
#include "codessm/model/heads.h"

namespace codessm::model {

struct ModelInput {
  torch::Tensor input_ids;       ///< i64(B L)
  torch::Tensor attention_mask;  ///< (B L) {0,1}; undefined = all real
  torch::Tensor token_type_ids;  ///< i64(B L); undefined = zeros
};

struct ModelOutput {
  /// MLM r(B L V); seq-cls r(B labels); tok-cls r(B L labels); pair-cls r(B/2 labels) (input rows a0 b0 a1 b1 ...);
  /// retrieval: undefined
  torch::Tensor logits;
  torch::Tensor pooled;       ///< r(B D) for retrieval and sequence classification
  torch::Tensor last_hidden;  ///< r(B L D)
  std::vector<torch::Tensor> hidden_states;  ///< embeddings + every layer, when asked
};

class CodeModelImpl : public torch::nn::Module {
 public:
  /// Builds the model of `cfg` with freshly initialised weights (HF init; SSM init per config).
  explicit CodeModelImpl(const config::ModelConfig& cfg);
  ModelOutput forward(const ModelInput& in, bool output_hidden_states = false);
  /// Backbone only (for representations): last hidden and, when asked, all hidden states.
  BackboneOutput encode(const ModelInput& in, bool output_hidden_states);
  /// The sentence embedding used for retrieval: r(B D).
  torch::Tensor embed(const ModelInput& in);
  /// MLM logits at chosen positions only (training scores the ~15% masked tokens; the vocabulary product
  /// over every position would be a sixth of the whole step): last_hidden r(B L D), positions i64(M) flat
  /// indices b·L + t. Returns r(M V). Needs the MLM head.
  torch::Tensor mlm_logits_at(const torch::Tensor& last_hidden, const torch::Tensor& positions);
  /// Casts every weight to `dt` (bf16 inference; bf16 training with train::MasterWeights) except the SSM kernel
  /// parameters and skips, which stay fp32:
  /// rounding A_im (up to ~N·π) to bf16's 8 bits would move the kernel's phases by whole cycles over L.
  void cast_weights(torch::ScalarType dt);

  const config::ModelConfig& config() const { return cfg_; }
  BackboneImpl& backbone() { return *backbone_; }
  /// Re-initialises every weight as at construction.
  void init_weights();

  MLMHead cls{nullptr};                           ///< kMaskedLM
  torch::nn::Linear classifier{nullptr};          ///< BiGS/BERT seq-cls, all token-cls
  RoFormerClassificationHead rof_classifier{nullptr};  ///< RoFormer seq-cls (registered as "classifier")
  PairClassificationHead pair_classifier{nullptr};     ///< kPairClassification (registered as "classifier")
  torch::nn::Dropout head_dropout{nullptr};

 private:
  config::ModelConfig cfg_;
  std::shared_ptr<BackboneImpl> backbone_;
};
TORCH_MODULE(CodeModel);

}  // namespace codessm::model
