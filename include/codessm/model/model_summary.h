// Parameter counts per module (model-spec §3.8, §5.3), and how many of them train without weight decay
// (from the registration-time hints of param_hints.h).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codessm/model/code_model.h"

namespace codessm::model {

struct ParamCounts {
  int64_t embeddings = 0;  ///< word (+position) + token-type + embedding LayerNorm
  int64_t encoder = 0;     ///< all layers
  int64_t pooler = 0;
  int64_t head = 0;        ///< MLM head (tied decoder not counted) or classifier
  int64_t per_layer = 0;   ///< parameters of layer 0
  int64_t ssm_per_block = 0;  ///< parameters of one S4dLayer (fs4), 0 without SSMs
  int64_t no_weight_decay = 0;  ///< parameters (all modules) hinted decay-free: SSM parameters, biases, norms
  int64_t backbone() const { return embeddings + encoder; }
  int64_t total() const { return embeddings + encoder + pooler + head; }
  nlohmann::json to_json() const;
};

ParamCounts count_parameters(CodeModel& model);

/// A printable module tree with shapes (for `model info --tree`).
std::vector<std::pair<std::string, std::vector<int64_t>>> parameter_shapes(CodeModel& model);

}  // namespace codessm::model
