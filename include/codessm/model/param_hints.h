// Per-parameter optimisation hints, declared where the parameters are registered (the C++ form of s4's
// `register(name, tensor, lr, wd)`, style habit 12): a module that wants a parameter trained differently
// implements ParamHintSource; `param_hints(model)` gathers them under full parameter names and adds the generic
// rule (biases and LayerNorm parameters without weight decay). train::make_adamw turns the hints into param
// groups, model::count_parameters reports how many parameters are decay-free, and nothing matches names by
// substring any more.
// CodeSSM recipe [CS App. D, model-spec §6.1]: weight decay 0 for SSM parameters (S4DKernel's log_step, A_re,
// A_im, C and S4dLayer's D), biases and normalisation layers; 0.01 for every other weight, including the
// CodeSSM-HF conv weights (fconv/bconv.weight; their biases are decay-free by the bias rule). lr 5e-5 for all
// parameters, so no module declares an lr scale today; the field exists for recipes that do (s4's SSM lr).
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

namespace codessm::model {

struct ParamHint {
  bool no_weight_decay = false;  ///< trained without weight decay
  double lr_scale = 1.0;         ///< multiplies the scheduled learning rate (1 = the common lr)
  bool operator==(const ParamHint& o) const { return no_weight_decay == o.no_weight_decay && lr_scale == o.lr_scale; }
};

/// Implemented by modules that register parameters with hints. Keys are the names of the module's *own*
/// parameters (as register_parameter named them, without sub-module prefix).
class ParamHintSource {
 public:
  virtual ~ParamHintSource() = default;
  virtual std::map<std::string, ParamHint> param_hints() const = 0;
};

/// The hint of every parameter of `model` that has one other than the default, by its full name (the keys of
/// named_parameters()): declared ParamHintSource hints, biases and LayerNorm parameters (decay-free).
std::map<std::string, ParamHint> param_hints(const torch::nn::Module& model);

/// The hint of `name` in `hints` (the default ParamHint when absent).
ParamHint hint_of(const std::map<std::string, ParamHint>& hints, const std::string& name);

}  // namespace codessm::model
