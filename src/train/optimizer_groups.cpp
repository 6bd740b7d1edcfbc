#include "codessm/train/optimizer_groups.h"

#include <unordered_set>

#include "codessm/model/model_summary.h"
#include "codessm/train/fused_adamw.h"

namespace codessm::train {

namespace {

/// Trainable parameters with their names, each tensor once (a tied weight would otherwise get two updates).
std::vector<std::pair<std::string, torch::Tensor>> unique_trainable(model::CodeModel& model) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  std::unordered_set<const void*> seen;
  for (auto& p : model->named_parameters(/*recurse=*/true)) {
    if (!p.value().requires_grad()) continue;
    if (!seen.insert(p.value().unsafeGetTensorImpl()).second) continue;
    out.emplace_back(p.key(), p.value());
  }
  return out;
}

}  // namespace

ParamGroupNames split_param_groups(model::CodeModel& model) {
  ParamGroupNames g;
  for (auto& [name, t] : unique_trainable(model)) (model::no_weight_decay(name) ? g.no_decay : g.decay).push_back(name);
  return g;
}

std::unique_ptr<torch::optim::AdamW> make_adamw(model::CodeModel& model, const config::TrainConfig& cfg,
                                                ParamGroupNames* names) {
  std::vector<torch::Tensor> decay, no_decay;
  ParamGroupNames g;
  for (auto& [name, t] : unique_trainable(model)) {
    const bool nd = model::no_weight_decay(name);
    (nd ? no_decay : decay).push_back(t);
    (nd ? g.no_decay : g.decay).push_back(name);
  }
  auto opts = [&](double wd) {
    return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(cfg.lr)
                                                            .betas({cfg.beta1, cfg.beta2})
                                                            .eps(cfg.adam_eps)
                                                            .weight_decay(wd));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, opts(cfg.weight_decay));
  groups.emplace_back(no_decay, opts(0.0));
  if (names) *names = std::move(g);
  // Default options matter only for groups added later; give them the decaying ones.
  // FusedAdamW is AdamW (same state and checkpoints); on CUDA it updates each group with one fused kernel.
  return std::make_unique<FusedAdamW>(std::move(groups), *opts(cfg.weight_decay));
}

}  // namespace codessm::train
