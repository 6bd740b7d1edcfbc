// AdamW with the two parameter groups of the CodeSSM recipe [CS App. D]: weight decay 0 for SSM parameters
// (fs4.*/bs4.*), biases and normalisation layers, the configured decay (0.01) for every other weight.
// Which parameters decay is declared by the model (model::no_weight_decay), not decided here.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "codessm/config/train_config.h"
#include "codessm/model/code_model.h"

namespace codessm::train {

/// Parameter names per group, in the order the optimizer holds them (group 0 decays, group 1 does not).
struct ParamGroupNames {
  std::vector<std::string> decay, no_decay;
};

/// Splits the trainable parameters (each tensor once, even when shared) by model::no_weight_decay.
ParamGroupNames split_param_groups(model::CodeModel& model);

/// AdamW over the two groups: {decay: cfg.weight_decay, no_decay: 0}, lr = cfg.lr, betas, eps from cfg.
/// `names` (optional) receives the split.
std::unique_ptr<torch::optim::AdamW> make_adamw(model::CodeModel& model, const config::TrainConfig& cfg,
                                                ParamGroupNames* names = nullptr);

}  // namespace codessm::train
