// The training loop, one for every model of the family and every objective: MLM pretraining (model-spec §6.1)
// and fine-tuning (§6.3), in the shape of Marian's Train<>: Trainer::run only schedules. Its parts:
//   StepRunner    one optimizer step: accumulation, data-parallel reductions, normalisation, clipping, and
//                 whether the update is applied (step_runner.h; GradientSync is its data-parallel seam)
//   Cadence       when to log, evaluate and save (cadence.h)
//   Checkpointer  the run folder: lock, fresh/resume, provenance, metrics, checkpoints, best/ (checkpointer.h)
//   TrainObjective  the data stream and the evaluator (objective.h); the trainer knows no data format, head or
//                 metric, and no objective by name
// Spectral monitoring is a hook that pipelines installs (train must not depend on interpret).
// A SIGTERM/SIGINT (core/stop_signal.h) ends the run after the current step with a checkpoint, then
// core::Interrupted is thrown (the CLI exits with 128 + signal).
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "codessm/config/train_config.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"
#include "codessm/train/gradient_sync.h"
#include "codessm/train/objective.h"
#include "codessm/train/step_runner.h"

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
  /// Time budget in seconds (0 = none): once spent, the run evaluates, saves and ends after the current step
  /// (rank 0's clock decides, so every rank stops at the same step). The lr schedule still runs over max_steps,
  /// so set max_steps to what the budget should roughly buy.
  double max_seconds = 0;
  bool progress = true;  ///< show a core::ProgressBar
  /// Data-parallel group (null = one process). Rank r trains on micro-batches r, r+W, r+2W, … of the stream and
  /// a step equals one process's step on the combined batch (B·W); only rank 0 writes run_config, metrics and
  /// checkpoints; every rank evaluates the same held-out set.
  std::shared_ptr<GradientSync> sync;
  /// The run's tokenizer, copied into every checkpoint (null: checkpoints carry only its fingerprint).
  std::shared_ptr<const data::Tokenizer> tokenizer;
};

/// What a run did.
struct TrainResult {
  int64_t steps = 0;           ///< optimizer steps done (including resumed ones)
  int64_t skipped_steps = 0;
  bool finished = false;       ///< reached max_steps (false: stopped by stop_after_step or max_seconds)
  std::string stopped_by;      ///< "max_steps", "stop_after_step" or "max_seconds"
  uint64_t tokens_seen = 0;    ///< real tokens trained on (including resumed ones)
  EvalResult last_eval;        ///< the last evaluation (empty metrics when none ran)
  int64_t best_step = -1;      ///< step of the best evaluation (-1 = none)
  double best_value = 0;       ///< its selection metric
  double first_loss = 0, last_loss = 0;  ///< training loss of the first and last step of this call
  fs::path last_checkpoint;
  double seconds = 0;
  nlohmann::json to_json() const;
};

class Trainer {
 public:
  /// `model` is the starting point (a fresh preset or a loaded checkpoint; on resume its weights are replaced by
  /// the checkpoint's) and must carry the objective's head. Uses cfg.optim and cfg.run; the whole config is the
  /// run's provenance (run_config.json).
  Trainer(config::TrainConfig cfg, model::CodeModel model, TrainObjective objective, TrainOptions options,
          TrainerHooks hooks = {});
  ~Trainer();

  /// Runs to max_steps (or stop_after_step). Throws NumericalError on a non-finite loss with on_nonfinite=stop
  /// (or too many skips), leaving every checkpoint as it was; UsageError/DataError for bad input;
  /// core::Interrupted after a requested stop (SIGTERM/SIGINT) has been saved.
  TrainResult run();

  model::CodeModel& model() { return model_; }
  TrainObjective& objective() { return objective_; }

 private:
  struct Run;  // the state of one run() call
  std::unique_ptr<Run> start_run();
  void after_step(Run& r, const StepOutcome& out, double lr);
  void evaluate(Run& r);
  void save(Run& r);
  bool out_of_time(const Run& r) const;
  void stop_for_signal(Run& r);
  TrainResult finish(Run& r);

  config::TrainConfig cfg_;
  model::CodeModel model_;
  TrainObjective objective_;
  TrainOptions options_;
  TrainerHooks hooks_;
};

}  // namespace codessm::train
