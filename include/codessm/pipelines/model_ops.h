// Wiring for the `codessm model ...` commands: a typed options struct in,
// library calls, results out as JSON (+ Markdown). No ML logic lives here.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codessm/config/model_config.h"

namespace codessm::pipelines {

namespace fs = std::filesystem;

struct ModelInfoOptions {
  std::string model;                  ///< preset or checkpoint folder
  std::vector<std::string> overrides;
  bool tree = false;                  ///< include every parameter's shape
};
/// Architecture, config and parameter counts per module.
nlohmann::json run_model_info(const ModelInfoOptions& o);

struct ModelInitOptions {
  std::string preset;
  std::vector<std::string> overrides;
  fs::path out;
  std::string dtype = "fp32";         ///< storage: fp32 or bf16
  double shard_mib = 15;              ///< shard size in MiB (0 = one file)
  uint64_t seed = 0;
};
void run_model_init(const ModelInitOptions& o);

struct ModelForwardOptions {
  fs::path checkpoint;
  fs::path input;                     ///< safetensors with input_ids [, attention_mask, token_type_ids]
  fs::path output;                    ///< safetensors with hidden_states.{i}, last_hidden_state, logits, pooled
  std::string padding;                ///< "" (checkpoint's), "reference" or "masked"
  std::string device = "cpu";
  std::string dtype = "fp32";         ///< fp32, bf16 (autocast) or fp64
};
nlohmann::json run_model_forward(const ModelForwardOptions& o);

}  // namespace codessm::pipelines
