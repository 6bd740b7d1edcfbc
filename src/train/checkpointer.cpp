#include "codessm/train/checkpointer.h"

#include <cmath>

#include "codessm/config/train_config.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/model/checkpoint.h"
#include "codessm/train/run_checkpoints.h"
#include "metrics_log.h"
#include "run_lock.h"

namespace codessm::train {

using nlohmann::json;

namespace {

bool improves(const EvalResult& r, const TrainState& s) {
  if (!std::isfinite(r.value)) return false;
  if (s.best_step < 0) return true;
  return r.higher_is_better ? r.value > s.best_value : r.value < s.best_value;
}

}  // namespace

Checkpointer::Checkpointer(CheckpointerOptions options) : options_(std::move(options)) {
  CODESSM_REQUIRE(!options_.run_dir.empty(), UsageError, "the trainer needs a run folder (--out)");
}

Checkpointer::~Checkpointer() = default;

TrainState Checkpointer::start(model::CodeModel& model, bool resume) {
  if (options_.writer) {
    core::ensure_dir(options_.run_dir);
    lock_ = std::make_unique<RunLock>(options_.run_dir);
  }
  TrainState state;
  if (resume) {
    resumed_from_ = latest_checkpoint(options_.run_dir);
    CODESSM_REQUIRE(resumed_from_.has_value(), UsageError,
                    "--resume: '{}' holds no complete checkpoint (ckpt-*/{}); run without --resume",
                    options_.run_dir.string(), kTrainStateFile);
    model::load_weights(model, *resumed_from_, /*strict_head=*/true);
    state = read_train_state(*resumed_from_);
    last_ = *resumed_from_;
  } else {
    CODESSM_REQUIRE(list_checkpoints(options_.run_dir).empty(), UsageError,
                    "'{}' already holds checkpoints: pass --resume to continue that run, or choose another --out",
                    options_.run_dir.string());
  }
  // A fresh start discards the records of an attempt that died before its first checkpoint (they would
  // otherwise repeat steps); a resumed one keeps those up to the checkpoint.
  if (options_.writer)
    metrics_ = std::make_unique<MetricsLog>(options_.run_dir / "metrics.jsonl", resume ? state.step : -1);
  return state;
}

void Checkpointer::restore_optimizer(torch::optim::Optimizer& opt) const {
  if (resumed_from_) load_optimizer_and_rng(opt, *resumed_from_ / kOptimizerFile);
}

void Checkpointer::record_config(const json& cfg) const {
  spdlog::info("train config: {}", cfg.dump());
  if (!options_.writer) return;
  const fs::path file = options_.run_dir / "run_config.json";
  if (!resumed_from_) {
    core::write_file_atomic(file, cfg.dump(2) + "\n");
    return;
  }
  if (!fs::exists(file)) return;
  // Compared in the current format, so a run written in format 1 is not reported as changed.
  json saved = json::parse(core::read_file(file), nullptr, /*allow_exceptions=*/false);
  try {
    saved = config::TrainConfig::parse(saved, file.string()).to_json();
  } catch (const UsageError&) {
    // Unreadable as a config: reported as different below.
  }
  if (saved != cfg)
    spdlog::warn("--resume with a config that differs from {}; a resumed run is bit-identical only with the same one",
                 file.string());
}

void Checkpointer::log(const json& record) {
  if (metrics_) metrics_->write(record);
}

void Checkpointer::save(model::CodeModel& model, const torch::optim::Optimizer& opt, const TrainState& state) {
  if (!options_.writer) return;
  last_ = save_checkpoint(options_.run_dir, model, opt, state, options_.tokenizer.get(), last_);
  prune_checkpoints(options_.run_dir, options_.keep_last);
}

bool Checkpointer::consider(model::CodeModel& model, const EvalResult& r, TrainState& state) {
  if (!improves(r, state)) return false;
  state.best_step = state.step;
  state.best_value = r.value;
  // The best model so far, for selection on the dev set (CodeXGLUE practice); atomic folder swap.
  if (options_.keep_best && options_.writer) {
    model::save_pretrained(model, options_.run_dir / "best");
    if (options_.tokenizer) options_.tokenizer->save(options_.run_dir / "best");
  }
  return true;
}

}  // namespace codessm::train
