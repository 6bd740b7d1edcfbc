// The backbone interface shared by BiGS (CodeSSM), RoFormer (RoCoder) and BERT (BertCoder), so heads,
// training and analysis code never branch on the architecture.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace codessm::model {

struct BackboneOutput {
  torch::Tensor last_hidden;                 ///< r(B L D)
  std::vector<torch::Tensor> hidden_states;  ///< n_layers + 1 tensors r(B L D) (embeddings first), when asked
};

class BackboneImpl : public torch::nn::Module {
 public:
  /// input_ids: i64(B L); attention_mask: (B L) {0,1} or undefined (all ones); token_type_ids: i64(B L) or
  /// undefined (zeros).
  virtual BackboneOutput forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                 const torch::Tensor& token_type_ids, bool output_hidden_states) = 0;
  /// The sentence vector r(B D) for retrieval and sequence classification (BiGS: masked mean → dense →
  /// tanh; BERT: token 0 → dense → tanh; RoFormer, which has no pooler: the masked mean).
  virtual torch::Tensor pool(const torch::Tensor& last_hidden, const torch::Tensor& attention_mask) = 0;
  /// The word-embedding matrix r(V D) (the tied MLM decoder).
  virtual torch::Tensor word_embedding_weight() = 0;
  /// Initialises weights as HF's _init_weights does (Linear/Embedding N(0, range), LayerNorm 1/0) and
  /// the SSM parameters by their own init.
  virtual void init_weights(double initializer_range) = 0;
};

/// Masked mean over the sequence: r(B L D), mask (B L) → r(B D). Mask undefined = plain mean.
torch::Tensor masked_mean(const torch::Tensor& h, const torch::Tensor& mask);

/// HF-style init of every Linear, Embedding, LayerNorm and Conv1d under `m` (pad row of `padding_idx`
/// zeroed in embeddings that declare one).
void init_standard_weights(torch::nn::Module& m, double initializer_range);

}  // namespace codessm::model
