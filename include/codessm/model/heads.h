// Task heads with HF names: the MLM head `cls.predictions.*` (decoder tied to the word embeddings,
// output bias `cls.predictions.bias`), `classifier` for sequence/token classification (RoFormer's
// sequence head is `classifier.dense` + `classifier.out_proj` on token 0, as HF's).
#pragma once

#include <torch/torch.h>

#include "codessm/config/model_config.h"

namespace codessm::model {

class PredictionTransformImpl : public torch::nn::Module {
 public:
  explicit PredictionTransformImpl(const config::ModelConfig& cfg);
  torch::Tensor forward(const torch::Tensor& h);  ///< LN(gelu(dense(h)))
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(PredictionTransform);

class LMPredictionHeadImpl : public torch::nn::Module {
 public:
  explicit LMPredictionHeadImpl(const config::ModelConfig& cfg);
  /// h: r(B L D); tied_weight: r(V D) (the word embeddings) when tied. Returns r(B L V).
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& tied_weight);
  /// Rows per block of the inference path: without autograd, more rows than this and one dtype throughout, the
  /// transform runs one block of rows at a time and each block's logits are written into the output in place.
  static constexpr int64_t kInferenceRowBlock = 8192;
  PredictionTransform transform{nullptr};
  torch::nn::Linear decoder{nullptr};  ///< only when tie_word_embeddings is false
  torch::Tensor bias;                  ///< r(V)
};
TORCH_MODULE(LMPredictionHead);

class MLMHeadImpl : public torch::nn::Module {  // HF *OnlyMLMHead: cls.predictions
 public:
  explicit MLMHeadImpl(const config::ModelConfig& cfg);
  LMPredictionHead predictions{nullptr};
};
TORCH_MODULE(MLMHead);

/// RoFormer's sequence-classification head: token 0 → dropout → dense → gelu → dropout → out_proj.
class RoFormerClassificationHeadImpl : public torch::nn::Module {
 public:
  explicit RoFormerClassificationHeadImpl(const config::ModelConfig& cfg);
  torch::Tensor forward(const torch::Tensor& last_hidden);
  torch::nn::Linear dense{nullptr}, out_proj{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(RoFormerClassificationHead);

/// Clone detection's head (CodeXGLUE BigCloneBench's RobertaClassificationHead on a pair): the two codes'
/// pooled vectors concatenated -> dropout -> dense(2D -> D) -> tanh -> dropout -> out_proj(D -> labels).
class PairClassificationHeadImpl : public torch::nn::Module {
 public:
  explicit PairClassificationHeadImpl(const config::ModelConfig& cfg);
  /// pooled: r(2B D), rows (a0, b0, a1, b1, ...). Returns r(B labels).
  torch::Tensor forward(const torch::Tensor& pooled);
  torch::nn::Linear dense{nullptr}, out_proj{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(PairClassificationHead);

}  // namespace codessm::model
