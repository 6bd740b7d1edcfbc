// AdamW with the parameter groups of the CodeSSM recipe [CS App. D]: weight decay 0 for SSM parameters,
// biases and normalisation layers, the configured decay (0.01) for every other weight. Which parameters decay,
// and any learning-rate scale, is declared by the model where it registers them (model/param_hints.h), not
// decided here: one group per distinct (decay, lr scale), decaying groups first.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "codessm/config/train_config.h"
#include "codessm/model/code_model.h"

namespace codessm::train {

/// Parameter names by decay, in the order the optimizer holds them, and each optimizer group's lr scale.
struct ParamGroupNames {
  std::vector<std::string> decay, no_decay;
  std::vector<double> lr_scales;  ///< one per optimizer param group (1 for the recipe's two groups)
};

/// Splits the trainable parameters (each tensor once, even when shared) by their hints.
ParamGroupNames split_param_groups(model::CodeModel& model);

/// AdamW over the hinted groups: decaying groups weight_decay = cfg.weight_decay, the others 0; lr = cfg.lr × the
/// group's lr scale; betas, eps from cfg. Without lr hints there are exactly two groups {decay, no_decay}.
/// `names` (optional) receives the split.
std::unique_ptr<torch::optim::AdamW> make_adamw(model::CodeModel& model, const config::OptimConfig& cfg,
                                                ParamGroupNames* names = nullptr);
/// The same for any module held by a shared_ptr (hints are gathered through named_modules()).
std::unique_ptr<torch::optim::AdamW> make_adamw(torch::nn::Module& model, const config::OptimConfig& cfg,
                                                ParamGroupNames* names = nullptr);

/// Sets the scheduled `lr` on every group, times the group's scale (`lr_scales` of make_adamw's names).
void set_group_lrs(torch::optim::Optimizer& opt, double lr, const std::vector<double>& lr_scales);

}  // namespace codessm::train
