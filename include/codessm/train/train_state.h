// The resumable state of a run beside the model weights in a checkpoint folder:
//   ckpt-000500/config.json, model.safetensors     model (model::save_pretrained, HF layout)
//   ckpt-000500/optimizer.pt                       AdamW state + torch RNG states (torch::serialize archive)
//   ckpt-000500/train_state.json                   step, data position, counters (this struct)
// A checkpoint is complete once train_state.json exists (it is written last, atomically).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace codessm::train {

/// Where a training stream stands: the next batch is batch `batch` of epoch `epoch` (counting held-out
/// batches). Every TrainStream's position is this pair (plus the stage of staged pretraining), so it is the
/// whole data state a checkpoint needs.
struct StreamPosition {
  uint64_t epoch = 0;
  uint64_t batch = 0;
  uint64_t stage = 0;  ///< staged pretraining: index into MlmDataConfig::stages (0 otherwise)
  nlohmann::json to_json() const;
  static StreamPosition from_json(const nlohmann::json& j);
};

/// Version of train_state.json; a newer one fails with a message that says so.
inline constexpr int kTrainStateFormatVersion = 1;
inline constexpr const char* kTrainStateFile = "train_state.json";
inline constexpr const char* kOptimizerFile = "optimizer.pt";

struct TrainState {
  int64_t step = 0;               ///< optimizer steps done
  StreamPosition data;            ///< next training batch
  int64_t skipped_steps = 0;      ///< steps skipped for a non-finite loss/gradient
  uint64_t tokens_seen = 0;       ///< real (non-pad) tokens trained on
  double last_lr = 0;
  int64_t best_step = -1;         ///< step of the best evaluation so far (-1 = none yet)
  double best_value = 0;          ///< its selection metric (Objective's primary)
  nlohmann::json to_json() const;
  /// `source` names the file in errors.
  static TrainState from_json(const nlohmann::json& j, const std::string& source);
};

/// Writes the optimizer state and the torch RNG states (CPU, and CUDA when available) atomically.
void save_optimizer_and_rng(const torch::optim::Optimizer& opt, const std::filesystem::path& file);
/// Restores what save_optimizer_and_rng wrote into `opt` (built over the same parameters in the same order)
/// and into the global generators. Throws DataError naming the file.
void load_optimizer_and_rng(torch::optim::Optimizer& opt, const std::filesystem::path& file);

}  // namespace codessm::train
