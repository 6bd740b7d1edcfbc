#include "codessm/model/backbone.h"

namespace codessm::model {

torch::Tensor masked_mean(const torch::Tensor& h, const torch::Tensor& mask) {
  if (!mask.defined()) return h.mean(1);                            // r(B D)
  auto m = mask.to(h.scalar_type()).unsqueeze(-1);                  // r(B L 1)
  return (h * m).sum(1) / m.sum(1);                                 // r(B D), as BiGSPooler [pt:387-403]
}

void init_standard_weights(torch::nn::Module& root, double r) {
  torch::NoGradGuard g;
  for (auto& m : root.modules(/*include_self=*/false)) {  // self may not be in a shared_ptr yet
    if (auto* lin = m->as<torch::nn::Linear>()) {
      lin->weight.normal_(0.0, r);
      if (lin->bias.defined()) lin->bias.zero_();
    } else if (auto* emb = m->as<torch::nn::Embedding>()) {
      emb->weight.normal_(0.0, r);
      if (emb->options.padding_idx()) emb->weight[*emb->options.padding_idx()].zero_();
    } else if (auto* ln = m->as<torch::nn::LayerNorm>()) {
      ln->weight.fill_(1.0);
      ln->bias.zero_();
    } else if (auto* conv = m->as<torch::nn::Conv1d>()) {
      // HF leaves Conv1d at PyTorch's default; we use the same N(0, range) as Linear (documented).
      conv->weight.normal_(0.0, r);
      if (conv->bias.defined()) conv->bias.zero_();
    }
  }
}

}  // namespace codessm::model
