// Named model presets (model-spec §3.8, §4, §5): the paper models and small ones for CPU tests and
// short GPU runs.
#pragma once

#include <string>
#include <vector>

#include "codessm/config/model_config.h"

namespace codessm::config {

struct PresetInfo {
  std::string name;
  std::string summary;
};

/// All presets with a one-line summary.
std::vector<PresetInfo> list_presets();
/// The preset's config; throws UsageError listing the known names when `name` is unknown.
ModelConfig make_preset(const std::string& name);
bool is_preset(const std::string& name);

}  // namespace codessm::config
