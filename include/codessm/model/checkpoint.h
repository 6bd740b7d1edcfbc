// Checkpoints as the Hugging Face ecosystem writes them: a folder with config.json and
// model.safetensors (or model-0000i-of-0000n.safetensors + model.safetensors.index.json above a shard
// size), tensor names of the BiGS/HF state dict. A checkpoint saved by modeling_bigs.py (safetensors)
// loads here, and one saved here loads there (metadata {"format": "pt"}, tied decoder omitted as HF does).
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "codessm/config/model_config.h"
#include "codessm/model/code_model.h"

namespace codessm::model {

namespace fs = std::filesystem;

inline constexpr int kCheckpointFormatVersion = 1;

struct SaveOptions {
  torch::Dtype dtype = torch::kFloat32;     ///< storage dtype of floating tensors: fp32 or bf16
  uint64_t max_shard_bytes = 15ull << 20;   ///< shard above this size (15 MiB); 0 = one file
};

struct LoadOptions {
  /// Task head to build instead of the checkpoint's (e.g. fine-tune a sequence classifier from an MLM
  /// checkpoint): the backbone must be complete; head tensors that do not fit are reported and skipped,
  /// missing head tensors keep their fresh init.
  c10::optional<config::Task> task;
  int64_t num_labels = 0;                   ///< with `task`, for classification heads (0 = keep)
  std::vector<std::string> id2label;        ///< label names of the new head (size num_labels); empty = keep/none
  c10::optional<config::PaddingMode> padding_mode;  ///< override the checkpoint's padding mode
};

/// What the loader did, for the log and for `model info`.
struct LoadReport {
  std::vector<std::string> loaded, missing_initialised, skipped_unexpected, ignored_known;
};

/// Writes `<dir>/config.json` and the weights, atomically: everything goes to `<dir>.tmp-<pid>` first,
/// then replaces `dir` (so a crash never leaves a half-written checkpoint).
void save_pretrained(CodeModel& model, const fs::path& dir, const SaveOptions& opts = {});

/// The named tensors that save_pretrained writes (HF names, tied decoder and unused buffers left out).
std::vector<std::pair<std::string, torch::Tensor>> export_state(CodeModel& model);

/// Reads `<dir>/config.json`. Throws DataError naming the file when it is missing or invalid.
config::ModelConfig load_config(const fs::path& dir);

/// Builds the model of the checkpoint's config (with the overrides) and loads its tensors. Errors name the
/// tensor and the problem: missing, unexpected, wrong shape, non-float dtype; truncated files and bad
/// headers are reported by the safetensors reader.
CodeModel load_pretrained(const fs::path& dir, const LoadOptions& opts = {}, LoadReport* report = nullptr);

/// Loads tensors from a safetensors file/folder into an existing model (strict for the backbone).
LoadReport load_weights(CodeModel& model, const fs::path& weights, bool strict_head);

}  // namespace codessm::model
