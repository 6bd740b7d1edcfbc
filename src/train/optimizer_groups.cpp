#include "codessm/train/optimizer_groups.h"

#include <map>
#include <tuple>
#include <unordered_set>

#include "codessm/core/error.h"
#include "codessm/model/param_hints.h"
#include "codessm/tensor/torch_compat.h"
#include "codessm/train/fused_adamw.h"

namespace codessm::train {

namespace {

/// Trainable parameters with their names, each tensor once (a tied weight would otherwise get two updates).
std::vector<std::pair<std::string, torch::Tensor>> unique_trainable(torch::nn::Module& model) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  std::unordered_set<const void*> seen;
  for (auto& p : model.named_parameters(/*recurse=*/true)) {
    if (!p.value().requires_grad()) continue;
    if (!seen.insert(p.value().unsafeGetTensorImpl()).second) continue;
    out.emplace_back(p.key(), p.value());
  }
  return out;
}

/// A group's identity: decaying groups sort first, then by lr scale (1 before others in each half).
struct GroupKey {
  bool no_decay;
  double lr_scale;
  bool operator<(const GroupKey& o) const {
    return std::make_tuple(no_decay, lr_scale != 1.0, lr_scale) < std::make_tuple(o.no_decay, o.lr_scale != 1.0, o.lr_scale);
  }
};

struct Groups {
  std::map<GroupKey, std::vector<torch::Tensor>> params;
  ParamGroupNames names;
};

Groups grouped(torch::nn::Module& model) {
  const auto hints = model::param_hints(model);
  Groups g;
  std::map<GroupKey, std::vector<std::string>> names;
  for (auto& [name, t] : unique_trainable(model)) {
    const auto h = model::hint_of(hints, name);
    CODESSM_REQUIRE(h.lr_scale > 0, UsageError, "parameter '{}' has lr scale {}; it must be > 0", name, h.lr_scale);
    const GroupKey k{h.no_weight_decay, h.lr_scale};
    g.params[k].push_back(t);
    names[k].push_back(name);
  }
  for (auto& [k, n] : names) {
    auto& dst = k.no_decay ? g.names.no_decay : g.names.decay;
    dst.insert(dst.end(), n.begin(), n.end());
    g.names.lr_scales.push_back(k.lr_scale);
  }
  return g;
}

}  // namespace

ParamGroupNames split_param_groups(model::CodeModel& model) { return grouped(*model).names; }

std::unique_ptr<torch::optim::AdamW> make_adamw(model::CodeModel& model, const config::OptimConfig& cfg,
                                                ParamGroupNames* names) {
  return make_adamw(*model, cfg, names);
}

std::unique_ptr<torch::optim::AdamW> make_adamw(torch::nn::Module& model, const config::OptimConfig& cfg,
                                                ParamGroupNames* names) {
  auto g = grouped(model);
  auto opts = [&](double wd, double lr_scale) {
    return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(cfg.lr * lr_scale)
                                                            .betas({cfg.beta1, cfg.beta2})
                                                            .eps(cfg.adam_eps)
                                                            .weight_decay(wd));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  for (auto& [k, params] : g.params) groups.emplace_back(params, opts(k.no_decay ? 0.0 : cfg.weight_decay, k.lr_scale));
  if (names) *names = std::move(g.names);
  // Default options matter only for groups added later; give them the decaying ones.
  // FusedAdamW is AdamW (same state and checkpoints); on CUDA it updates each group with one fused kernel.
  return std::make_unique<FusedAdamW>(std::move(groups), *opts(cfg.weight_decay, 1.0));
}

void set_group_lrs(torch::optim::Optimizer& opt, double lr, const std::vector<double>& lr_scales) {
  auto& groups = opt.param_groups();
  CODESSM_CHECK(lr_scales.size() == groups.size(), "set_group_lrs: {} scales for {} param groups", lr_scales.size(),
                groups.size());
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(lr * lr_scales[i]);
}

}  // namespace codessm::train
