// Gathers the declared hints under full parameter names. Module prefixes come from named_modules(), so a
// hint follows its parameter wherever the module is registered (any layer, any backbone prefix).
#include "codessm/model/param_hints.h"

namespace codessm::model {

std::map<std::string, ParamHint> param_hints(const torch::nn::Module& model) {
  std::map<std::string, ParamHint> out;
  for (const auto& item : model.named_modules(/*name_prefix=*/"", /*include_self=*/true)) {
    const std::string prefix = item.key().empty() ? "" : item.key() + ".";
    const torch::nn::Module* m = item.value().get();
    // Normalisation layers and biases: decay-free for every module kind (recipe rule, not a declared hint).
    const bool norm = dynamic_cast<const torch::nn::LayerNormImpl*>(m) != nullptr;
    for (const auto& p : m->named_parameters(/*recurse=*/false))
      if (norm || p.key() == "bias") out[prefix + p.key()].no_weight_decay = true;
    if (const auto* src = dynamic_cast<const ParamHintSource*>(m))
      for (const auto& [name, hint] : src->param_hints()) out[prefix + name] = hint;
  }
  return out;
}

ParamHint hint_of(const std::map<std::string, ParamHint>& hints, const std::string& name) {
  auto it = hints.find(name);
  return it == hints.end() ? ParamHint{} : it->second;
}

}  // namespace codessm::model
