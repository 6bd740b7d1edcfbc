// The training loop, one for every model of the family and every task: MLM pretraining (model-spec §6.1) and
// fine-tuning (§6.3). It owns the optimizer, the schedule, the data position and the checkpoints of one run
// directory, and knows nothing about data formats, heads or metrics (an Objective supplies losses and
// evaluations) or about interpretation (spectral monitoring is a hook that pipelines installs, since train
// must not depend on interpret).
//   run_dir/run_config.json    resolved TrainConfig (provenance)
//   run_dir/metrics.jsonl      one JSON record per log/eval event ({"kind": "train"|"eval"|"skip", "step", ...})
//   run_dir/ckpt-NNNNNN/       see run_checkpoints.h; the last one is also written at the end of the run
//   run_dir/best/              (save_best) the model with the best evaluation so far, as a plain checkpoint
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "codessm/config/train_config.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"
#include "codessm/train/data_parallel.h"
#include "codessm/train/mlm_objective.h"
#include "codessm/train/objective.h"

namespace codessm::train {

namespace fs = std::filesystem;

/// Callbacks into the loop (all optional).
struct TrainerHooks {
  /// After each evaluation; the JSON returned is stored in the eval record under "spectral".
  std::function<nlohmann::json(model::CodeModel& model, int64_t step)> on_eval;
  /// Before each optimizer step `step` (0-based); tests inject faults here.
  std::function<void(model::CodeModel& model, int64_t step)> before_step;
};

/// Per-call knobs of a run (never persisted).
struct TrainOptions {
  fs::path run_dir;
  /// Continue from the newest checkpoint of run_dir: model, optimizer, schedule, RNG states and data position.
  bool resume = false;
  /// Stop once this many steps are done, writing a checkpoint (a controlled "kill"); 0 = run to max_steps.
  int64_t stop_after_step = 0;
  /// Stop once this call has trained for this many seconds, with an evaluation and a checkpoint (a time budget:
  /// the lr schedule still runs over max_steps, so set max_steps to what the budget should roughly buy);
  /// 0 = no limit. Under data parallelism the ranks agree on the stop (one scalar all-reduce per step).
  double max_seconds = 0;
  bool progress = true;  ///< show a core::ProgressBar
  /// Data-parallel group (null = one process). Rank r trains on micro-batches r, r+W, r+2W, … of the stream, the
  /// loss is normalised by the masked tokens of all ranks' micro-batches together and gradients are summed, so a
  /// step equals one process's step on the combined batch (B·W). Only rank 0 writes run_config, metrics and
  /// checkpoints; every rank evaluates the same held-out set.
  std::shared_ptr<GradientSync> sync;
};

/// What a run did.
struct TrainResult {
  int64_t steps = 0;           ///< optimizer steps done (including resumed ones)
  int64_t skipped_steps = 0;
  bool finished = false;       ///< reached max_steps (false: stopped by stop_after_step or max_seconds)
  std::string stopped_by;      ///< "max_steps", "stop_after_step" or "max_seconds"
  EvalResult last_eval;        ///< the last evaluation (empty metrics when none ran)
  int64_t best_step = -1;      ///< step of the best evaluation (-1 = none)
  double best_value = 0;       ///< its selection metric
  double first_loss = 0, last_loss = 0;  ///< training loss of the first and last step of this call
  uint64_t tokens_seen = 0;    ///< real input tokens trained on (including resumed steps)
  fs::path last_checkpoint;
  double seconds = 0;
  nlohmann::json to_json() const;
};

class Trainer {
 public:
  /// MLM pretraining: `model` is the starting point (a fresh preset or a loaded checkpoint); on resume its
  /// weights are replaced by the checkpoint's. The tokenizer must be the one that wrote the shards.
  Trainer(config::TrainConfig cfg, model::CodeModel model, std::shared_ptr<const data::Tokenizer> tokenizer,
          TrainOptions options, TrainerHooks hooks = {});
  /// Any objective (fine-tuning): the model must already carry the objective's head.
  Trainer(config::TrainConfig cfg, model::CodeModel model, std::unique_ptr<Objective> objective, TrainOptions options,
          TrainerHooks hooks = {});

  /// Runs to max_steps (or stop_after_step). Throws NumericalError on a non-finite loss with on_nonfinite=stop
  /// (or too many skips), leaving every checkpoint as it was; UsageError/DataError for bad input.
  TrainResult run();

  model::CodeModel& model() { return model_; }
  Objective& objective() { return *objective_; }

 private:
  config::TrainConfig cfg_;
  model::CodeModel model_;
  std::unique_ptr<Objective> objective_;
  TrainOptions options_;
  TrainerHooks hooks_;
};

}  // namespace codessm::train
