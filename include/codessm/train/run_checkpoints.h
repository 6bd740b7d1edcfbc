// Checkpoint folders of a run directory: ckpt-NNNNNN written atomically (everything goes to a hidden
// temporary folder, which is renamed into place once complete), found again for --resume, pruned to the last K.
// A write that fails (disk full) or a process killed while writing leaves no partial ckpt-*; the temporary
// folders it may leave are removed by the next prune (the run lock guarantees no other writer owns them).
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"
#include "codessm/train/train_state.h"

namespace codessm::train {

namespace fs = std::filesystem;

/// run_dir/ckpt-<step, 6 digits>.
fs::path checkpoint_dir(const fs::path& run_dir, int64_t step);

/// Writes model (save_pretrained), optimizer + RNG, the tokenizer's files (when `tok` is given) and the train
/// state into run_dir/ckpt-<step>. A crash at any point leaves the previous checkpoints untouched and no partial
/// ckpt-* folder; a failed write removes its temporary folder and throws DataError naming `previous` (the
/// checkpoint that stays the latest; empty = none yet).
fs::path save_checkpoint(const fs::path& run_dir, model::CodeModel& model, const torch::optim::Optimizer& opt,
                         const TrainState& state, const data::Tokenizer* tok = nullptr, const fs::path& previous = {});

/// Complete checkpoints (with train_state.json), oldest first.
std::vector<fs::path> list_checkpoints(const fs::path& run_dir);
/// The newest complete checkpoint, if any.
std::optional<fs::path> latest_checkpoint(const fs::path& run_dir);
/// Deletes all but the newest `keep` complete checkpoints (keep 0 = keep all) and every temporary file or folder a
/// killed or failed save left in run_dir (call it only while holding the run lock).
void prune_checkpoints(const fs::path& run_dir, int64_t keep);

/// Reads ckpt/train_state.json.
TrainState read_train_state(const fs::path& ckpt);

}  // namespace codessm::train
