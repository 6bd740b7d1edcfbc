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
  /// Head to build instead of the checkpoint's (e.g. fine-tune a sequence classifier from an MLM
  /// checkpoint): the backbone must be complete; head tensors that do not fit are reported and skipped,
  /// missing head tensors keep their fresh init.
  c10::optional<config::HeadKind> head;
  int64_t num_labels = 0;                   ///< with `head`, for classification heads (0 = keep)
  std::vector<std::string> id2label;        ///< label names of the new head (size num_labels); empty = keep/none
  c10::optional<config::PaddingMode> padding_mode;  ///< override the checkpoint's padding mode
};

/// What the loader did, for the log and for `model info`.
struct LoadReport {
  std::vector<std::string> loaded, missing_initialised, skipped_unexpected, ignored_known;
  /// The checkpoint's config ties the MLM decoder to the word embeddings but it stores a different decoder
  /// matrix: the model was built untied and that matrix loaded (never dropped).
  bool untied_decoder = false;
};

/// Writes `<dir>/config.json` and the weights, atomically: everything goes to `<dir>.tmp-<pid>` first,
/// then replaces `dir` (so a crash never leaves a half-written checkpoint). Only a checkpoint folder or an
/// empty folder is ever replaced: a file or a folder holding anything else is refused (UsageError) and left
/// as it was. "out/" and "." name the folder itself; the current folder is filled in place when empty.
void save_pretrained(CodeModel& model, const fs::path& dir, const SaveOptions& opts = {});

/// The named tensors that save_pretrained writes (HF names, tied decoder and unused buffers left out).
std::vector<std::pair<std::string, torch::Tensor>> export_state(CodeModel& model);

/// Reads `<dir>/config.json`. Throws DataError naming the file when it is missing or invalid.
config::ModelConfig load_config(const fs::path& dir);

/// Builds the model of the checkpoint's config (with the overrides) and loads its tensors. Errors name the
/// tensor and the problem: missing, unexpected, wrong shape, non-float dtype, NaN/Inf values (NumericalError);
/// truncated files and bad headers are reported by the safetensors reader. A stored MLM decoder that differs
/// from the word embeddings is loaded untied (with a warning and LoadReport::untied_decoder).
CodeModel load_pretrained(const fs::path& dir, const LoadOptions& opts = {}, LoadReport* report = nullptr);

/// Loads tensors from a safetensors file/folder into an existing model (strict for the backbone). A tied model
/// refuses a stored decoder that differs from the embeddings (DataError) instead of dropping it.
LoadReport load_weights(CodeModel& model, const fs::path& weights, bool strict_head);

}  // namespace codessm::model
