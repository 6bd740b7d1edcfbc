#include "codessm/model/model_summary.h"

#include "codessm/model/param_hints.h"
#include "codessm/model/param_names.h"

namespace codessm::model {

namespace {
bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
}  // namespace

nlohmann::json ParamCounts::to_json() const {
  return {{"embeddings", embeddings}, {"encoder", encoder},   {"pooler", pooler},
          {"head", head},             {"backbone", backbone()}, {"total", total()},
          {"per_layer", per_layer},   {"ssm_per_block", ssm_per_block}, {"no_weight_decay", no_weight_decay}};
}

ParamCounts count_parameters(CodeModel& model) {
  ParamCounts c;
  namespace pn = param_names;
  const std::string base = model->config().base_prefix() + ".";
  const std::string layer0 = base + pn::kEncoderLayers + ".0.";
  const auto hints = param_hints(*model);
  for (auto& p : model->named_parameters(true)) {
    const auto& n = p.key();
    const int64_t k = p.value().numel();
    if (starts_with(n, base + pn::kEmbeddings + ".")) c.embeddings += k;
    else if (starts_with(n, base + "encoder.")) c.encoder += k;
    else if (starts_with(n, base + pn::kPooler + ".")) c.pooler += k;
    else c.head += k;
    if (starts_with(n, layer0)) c.per_layer += k;
    if (starts_with(n, layer0 + pn::kForwardSsm + ".")) c.ssm_per_block += k;
    if (hint_of(hints, n).no_weight_decay) c.no_weight_decay += k;
  }
  return c;
}

std::vector<std::pair<std::string, std::vector<int64_t>>> parameter_shapes(CodeModel& model) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  for (auto& p : model->named_parameters(true)) out.emplace_back(p.key(), p.value().sizes().vec());
  return out;
}

}  // namespace codessm::model
