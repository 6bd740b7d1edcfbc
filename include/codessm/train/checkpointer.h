// Everything the trainer does with its run folder, behind one object: the run lock, starting fresh or resuming
// (weights, then optimizer moments and RNG states), the provenance file, periodic checkpoints with pruning, the
// best model so far, and the metrics log. Only the writer (rank 0) writes; every rank resumes from the same
// checkpoint.
//   run_dir/.lock              held while a run is in the folder (RunLock)
//   run_dir/run_config.json    resolved TrainConfig (provenance; a resumed run keeps the original)
//   run_dir/metrics.jsonl      see MetricsLog
//   run_dir/ckpt-NNNNNN/       run_checkpoints.h (+ the tokenizer's files, when given)
//   run_dir/best/              the model of the best evaluation (objectives that keep one), a plain checkpoint
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"
#include "codessm/train/objective.h"
#include "codessm/train/train_state.h"

namespace codessm::train {

namespace fs = std::filesystem;

class RunLock;
class MetricsLog;

struct CheckpointerOptions {
  fs::path run_dir;
  int64_t keep_last = 3;    ///< 0 = keep all
  bool keep_best = false;   ///< write best/ when an evaluation improves
  bool writer = true;       ///< rank 0: writes; other ranks only read
  /// Saved into every checkpoint and best/ (as Hugging Face does), so a checkpoint carries its tokenizer.
  std::shared_ptr<const data::Tokenizer> tokenizer;
};

class Checkpointer {
 public:
  explicit Checkpointer(CheckpointerOptions options);
  ~Checkpointer();

  /// Takes the run lock (writer) and starts the run: fresh (the folder must hold no checkpoint; metrics.jsonl of
  /// an earlier attempt that never checkpointed is discarded) or resumed (`model` gets the newest checkpoint's
  /// weights; metrics.jsonl keeps the records up to its step). Returns the run's state.
  TrainState start(model::CodeModel& model, bool resume);
  bool resumed() const { return resumed_from_.has_value(); }
  /// The resumed checkpoint's AdamW moments and RNG states (a fresh run: nothing). Call once the optimizer
  /// exists and nothing else will draw random numbers before the first step.
  void restore_optimizer(torch::optim::Optimizer& opt) const;
  /// Fresh: writes run_config.json. Resumed: warns when `cfg` differs from it (bit-identical resume needs the
  /// same config).
  void record_config(const nlohmann::json& cfg) const;
  /// Appends one record to metrics.jsonl (writer only).
  void log(const nlohmann::json& record);

  /// Writes ckpt-<state.step> and prunes to keep_last (writer only). A write that fails (disk full, EFBIG)
  /// removes its partial folder and throws DataError naming the step and the checkpoint that stays the latest.
  void save(model::CodeModel& model, const torch::optim::Optimizer& opt, const TrainState& state);
  /// Records `r` in `state` when it improves on the best so far (and writes best/ when keep_best); returns
  /// whether it did. A non-finite value never improves.
  bool consider(model::CodeModel& model, const EvalResult& r, TrainState& state);

  /// The newest checkpoint of this run (the resumed one until the first save; empty when none).
  const fs::path& last() const { return last_; }

 private:
  CheckpointerOptions options_;
  std::unique_ptr<RunLock> lock_;
  std::unique_ptr<MetricsLog> metrics_;
  std::optional<fs::path> resumed_from_;
  fs::path last_;
};

}  // namespace codessm::train
