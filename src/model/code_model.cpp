#include "codessm/model/code_model.h"

#include "codessm/model/bigs_model.h"
#include "codessm/model/s4d_layer.h"
#include "codessm/tensor/profile_scope.h"
#include "codessm/model/transformer.h"

namespace codessm::model {

using config::Arch;
using config::HeadKind;

CodeModelImpl::CodeModelImpl(const config::ModelConfig& cfg) : cfg_(cfg) {
  cfg.validate("model config");
  if (cfg.arch == Arch::kBiGS) backbone_ = std::make_shared<BiGSBackbone>(cfg);
  else backbone_ = std::make_shared<TransformerBackbone>(cfg);
  register_module(cfg.base_prefix(), backbone_);
  const double p = cfg.classifier_dropout >= 0 ? cfg.classifier_dropout : cfg.hidden_dropout_prob;
  switch (cfg.head) {
    case HeadKind::kMaskedLM:
      cls = register_module("cls", MLMHead(cfg));
      break;
    case HeadKind::kSequenceClassification:
      if (cfg.arch == Arch::kRoFormer) {
        rof_classifier = register_module("classifier", RoFormerClassificationHead(cfg));
      } else {
        head_dropout = register_module("dropout", torch::nn::Dropout(p));
        classifier = register_module("classifier", torch::nn::Linear(cfg.hidden_size, cfg.num_labels));
      }
      break;
    case HeadKind::kTokenClassification:
      head_dropout = register_module("dropout", torch::nn::Dropout(cfg.hidden_dropout_prob));
      classifier = register_module("classifier", torch::nn::Linear(cfg.hidden_size, cfg.num_labels));
      break;
    case HeadKind::kRetrieval:
      break;
    case HeadKind::kPairClassification:
      pair_classifier = register_module("classifier", PairClassificationHead(cfg));
      break;
  }
  init_weights();
}

void CodeModelImpl::init_weights() {
  // Linear/Embedding/LayerNorm/Conv of backbone and heads; the SSM parameters keep the init drawn in
  // their constructors (HF's _init_weights does not touch them either).
  init_standard_weights(*this, cfg_.initializer_range);
  torch::NoGradGuard g;
  if (cls) cls->predictions->bias.zero_();
}

BackboneOutput CodeModelImpl::encode(const ModelInput& in, bool output_hidden_states) {
  TORCH_CHECK(in.input_ids.defined() && in.input_ids.dim() == 2, "input_ids must be (B, L)");
  return backbone_->forward(in.input_ids, in.attention_mask, in.token_type_ids, output_hidden_states);
}

torch::Tensor CodeModelImpl::embed(const ModelInput& in) {
  auto out = encode(in, false);
  return backbone_->pool(out.last_hidden, in.attention_mask);
}

torch::Tensor CodeModelImpl::mlm_logits_at(const torch::Tensor& last_hidden, const torch::Tensor& positions) {
  TORCH_CHECK(cls, "mlm_logits_at needs a model with the MLM head (", cfg_.hf_architecture(), ")");
  CODESSM_PROFILE("head");
  auto rows = last_hidden.reshape({-1, last_hidden.size(-1)}).index_select(0, positions);  // r(M D)
  return cls->predictions->forward(rows, backbone_->word_embedding_weight());             // r(M V)
}

void CodeModelImpl::cast_weights(torch::ScalarType dt) {
  torch::NoGradGuard g;
  for (auto& m : modules(/*include_self=*/true)) {
    if (m->as<S4dLayerImpl>() || m->as<S4DKernelImpl>()) continue;  // SSM parameters stay fp32
    for (auto& p : m->named_parameters(/*recurse=*/false)) p.value().set_data(p.value().to(dt));
    for (auto& b : m->named_buffers(/*recurse=*/false)) b.value().set_data(b.value().to(dt));
  }
}

ModelOutput CodeModelImpl::forward(const ModelInput& in, bool output_hidden_states) {
  auto enc = encode(in, output_hidden_states);
  CODESSM_PROFILE("head");
  ModelOutput out;
  out.last_hidden = enc.last_hidden;
  out.hidden_states = std::move(enc.hidden_states);
  switch (cfg_.head) {
    case HeadKind::kMaskedLM:
      out.logits = cls->predictions->forward(out.last_hidden, backbone_->word_embedding_weight());
      break;
    case HeadKind::kSequenceClassification:
      if (rof_classifier) {
        out.logits = rof_classifier->forward(out.last_hidden);
      } else {
        out.pooled = backbone_->pool(out.last_hidden, in.attention_mask);
        out.logits = classifier->forward(head_dropout->forward(out.pooled));
      }
      break;
    case HeadKind::kTokenClassification:
      out.logits = classifier->forward(head_dropout->forward(out.last_hidden));
      break;
    case HeadKind::kRetrieval:
      out.pooled = backbone_->pool(out.last_hidden, in.attention_mask);
      break;
    case HeadKind::kPairClassification:
      out.pooled = backbone_->pool(out.last_hidden, in.attention_mask);  // r(2B D)
      out.logits = pair_classifier->forward(out.pooled);
      break;
  }
  return out;
}

}  // namespace codessm::model
