#include "codessm/model/model_summary.h"

namespace codessm::model {

namespace {
bool contains(const std::string& s, const std::string& p) { return s.find(p) != std::string::npos; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}
}  // namespace

nlohmann::json ParamCounts::to_json() const {
  return {{"embeddings", embeddings}, {"encoder", encoder},   {"pooler", pooler},
          {"head", head},             {"backbone", backbone()}, {"total", total()},
          {"per_layer", per_layer},   {"ssm_per_block", ssm_per_block}};
}

ParamCounts count_parameters(CodeModel& model) {
  ParamCounts c;
  const std::string base = model->config().base_prefix() + ".";
  for (auto& p : model->named_parameters(true)) {
    const auto& n = p.key();
    const int64_t k = p.value().numel();
    if (n.rfind(base + "embeddings.", 0) == 0) c.embeddings += k;
    else if (n.rfind(base + "encoder.", 0) == 0) c.encoder += k;
    else if (n.rfind(base + "pooler.", 0) == 0) c.pooler += k;
    else c.head += k;
    if (n.rfind(base + "encoder.layer.0.", 0) == 0) c.per_layer += k;
    if (n.rfind(base + "encoder.layer.0.fs4.", 0) == 0) c.ssm_per_block += k;
  }
  return c;
}

bool no_weight_decay(const std::string& n) {
  return contains(n, ".fs4.") || contains(n, ".bs4.") || ends_with(n, ".bias") || ends_with(n, "predictions.bias") ||
         contains(n, "LayerNorm.");
}

std::vector<std::pair<std::string, std::vector<int64_t>>> parameter_shapes(CodeModel& model) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  for (auto& p : model->named_parameters(true)) out.emplace_back(p.key(), p.value().sizes().vec());
  return out;
}

}  // namespace codessm::model
