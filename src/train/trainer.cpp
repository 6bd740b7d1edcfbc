// The schedule of a run: per optimizer step, set the scheduled lr, let the StepRunner do the step, then log,
// evaluate and checkpoint on their cadences. Everything that makes a resumed run bit-identical to an
// uninterrupted one is either in the checkpoint (weights, AdamW moments and step counts, torch RNG states, data
// position, step) or a pure function of it (the lr, the masks).
#include "codessm/train/trainer.h"

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cmath>

#include "codessm/core/error.h"
#include "codessm/core/logging.h"
#include "codessm/core/progress.h"
#include "codessm/core/stop_signal.h"
#include "codessm/tensor/device.h"
#include "codessm/tensor/torch_compat.h"
#include "codessm/train/cadence.h"
#include "codessm/train/checkpointer.h"
#include "codessm/train/lr_schedule.h"
#include "codessm/train/master_weights.h"
#include "codessm/train/optimizer_groups.h"

namespace codessm::train {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

json TrainResult::to_json() const {
  json j{{"steps", steps},           {"skipped_steps", skipped_steps}, {"finished", finished},
         {"first_loss", first_loss}, {"last_loss", last_loss},         {"seconds", seconds},
         {"last_checkpoint", last_checkpoint.string()}, {"tokens_seen", tokens_seen}};
  if (!stopped_by.empty()) j["stopped_by"] = stopped_by;
  if (!last_eval.primary.empty()) {
    j["last_eval"] = last_eval.metrics;
    j["selection_metric"] = last_eval.primary;
  }
  if (best_step >= 0) j["best"] = {{"step", best_step}, {"value", best_value}};
  return j;
}

/// What one run() call holds.
struct Trainer::Run {
  Clock::time_point t0 = Clock::now();
  torch::Device device{torch::kCPU};
  std::unique_ptr<Checkpointer> ckpt;
  std::unique_ptr<torch::optim::AdamW> opt;
  std::unique_ptr<MasterWeights> master;       ///< bf16-master runs: the optimizer's fp32 masters
  ParamGroupNames groups;
  std::unique_ptr<StepRunner> runner;
  std::unique_ptr<core::ProgressBar> bar;
  TrainState state;
  TrainResult result;
  bool first = true;
  int64_t saved_at = -1;                       ///< step of the last checkpoint written by this call
  Clock::time_point window_start = Clock::now();
  uint64_t window_tokens = 0;                  ///< tokens since the last training record (tokens/s)
};

Trainer::Trainer(config::TrainConfig cfg, model::CodeModel model, TrainObjective objective, TrainOptions options,
                 TrainerHooks hooks)
    : cfg_(std::move(cfg)), model_(std::move(model)), objective_(std::move(objective)), options_(std::move(options)),
      hooks_(std::move(hooks)) {
  cfg_.validate("train config");
  CODESSM_REQUIRE(objective_.stream && objective_.evaluator, UsageError, "the trainer needs an objective");
  CODESSM_REQUIRE(!options_.run_dir.empty(), UsageError, "the trainer needs a run folder (--out)");
  const auto have = model_->config().head, need = objective_.head.kind;
  CODESSM_REQUIRE(have == need, UsageError, "objective {} trains a model with a {} head; this model has a {} head",
                  objective_.name, config::to_string(need), config::to_string(have));
}

Trainer::~Trainer() = default;

TrainResult Trainer::run() {
  auto r = start_run();
  const Cadence cadence = Cadence::of(cfg_.run, cfg_.optim.max_steps);
  const LrSchedule sched{cfg_.optim.lr, cfg_.optim.warmup_steps, cfg_.optim.max_steps, cfg_.optim.schedule};
  while (r->state.step < cfg_.optim.max_steps) {
    if (options_.stop_after_step > 0 && r->state.step >= options_.stop_after_step) {
      r->result.stopped_by = "stop_after_step";
      save(*r);
      break;
    }
    if (hooks_.before_step) hooks_.before_step(model_, r->state.step);
    const double lr = lr_at(sched, r->state.step);
    set_group_lrs(*r->opt, lr, r->groups.lr_scales);
    const StepOutcome out = r->runner->step(r->state.step, {core::stop_signal() != 0, out_of_time(*r)});
    after_step(*r, out, lr);
    const int64_t step = r->state.step;
    if (out.applied && cadence.log(step)) {
      const double s = std::chrono::duration<double>(Clock::now() - r->window_start).count();
      r->ckpt->log({{"kind", "train"}, {"step", step}, {"loss", out.loss}, {"lr", lr}, {"grad_norm", out.grad_norm},
                    {"tokens_per_s", s > 0 ? static_cast<double>(r->window_tokens) / s : 0.0},
                    {"tokens_seen", r->state.tokens_seen}, {"epoch", r->state.data.epoch}});
      r->window_start = Clock::now();
      r->window_tokens = 0;
    }
    if (cadence.eval(step) || (out.out_of_time && step < cfg_.optim.max_steps)) evaluate(*r);
    if (cadence.save(step) || out.stop || out.out_of_time) save(*r);
    if (out.stop) stop_for_signal(*r);
    if (out.out_of_time && step < cfg_.optim.max_steps) {
      spdlog::info("step {}: max_seconds {} reached; evaluated and saved", step, options_.max_seconds);
      r->result.stopped_by = "max_seconds";
      break;
    }
  }
  return finish(*r);
}

std::unique_ptr<Trainer::Run> Trainer::start_run() {
  auto r = std::make_unique<Run>();
  r->device = tensor::parse_device(cfg_.run.device);
  // bf16 runs keep the SSM convolution's small state GEMMs in fp32 (kernels::ssm_conv's accuracy) and rely on
  // TF32 there; only an "fp32" run asks for full-precision fp32 products.
  const auto dt = cfg_.run.dtype;
  tensor::set_matmul_tf32(dt == config::TrainDtype::kTf32 || dt == config::TrainDtype::kBf16 ||
                          dt == config::TrainDtype::kBf16Master);
  GradientSync* sync = options_.sync.get();
  const bool writer = !sync || sync->rank() == 0;
  r->ckpt = std::make_unique<Checkpointer>(CheckpointerOptions{
      options_.run_dir, cfg_.run.keep_last, objective_.keeps_best && cfg_.run.save_best, writer, options_.tokenizer});
  r->state = r->ckpt->start(model_, options_.resume);
  r->result.last_checkpoint = r->ckpt->last();
  model_->to(r->device);
  model_->train();
  r->opt = make_adamw(model_, cfg_.optim, &r->groups);
  // bf16-master: the model turns bf16 and the groups point at fp32 masters, before the moments are restored
  // onto them (the state is keyed by the tensors the groups hold).
  if (dt == config::TrainDtype::kBf16Master) r->master = std::make_unique<MasterWeights>(model_, *r->opt, torch::kBFloat16);
  // Moments and RNG last: building the optimizer and moving the model consume no randomness, but keep the
  // restored generators untouched by anything above.
  r->ckpt->restore_optimizer(*r->opt);
  r->runner = std::make_unique<StepRunner>(
      model_, *r->opt, *objective_.stream, r->device,
      StepOptions{cfg_.optim.grad_accum, cfg_.optim.max_grad_norm, dt == config::TrainDtype::kBf16}, sync,
      r->master.get());
  // Every rank starts from rank 0's weights (a resumed run reads the same checkpoint on every rank).
  if (sync && !r->ckpt->resumed()) {
    sync->broadcast_parameters(r->runner->parameters());
    if (r->master) r->master->masters_to_model();
  }
  r->ckpt->record_config(cfg_.to_json());
  if (r->ckpt->resumed()) objective_.stream->restore(r->state.data);
  if (options_.progress && writer) {
    const std::string what = objective_.name == "mlm" ? "pretrain" : "finetune " + objective_.name;
    r->bar = std::make_unique<core::ProgressBar>(what, static_cast<uint64_t>(cfg_.optim.max_steps), "step");
    r->bar->set(static_cast<uint64_t>(r->state.step));
  }
  return r;
}

void Trainer::after_step(Run& r, const StepOutcome& out, double lr) {
  if (!out.applied) {
    // NaN policy: stop (checkpoints untouched) or skip the update and count it.
    const std::string last = r.result.last_checkpoint.empty() ? "no checkpoint yet"
                                                              : "last good checkpoint " + r.result.last_checkpoint.string();
    if (cfg_.optim.on_nonfinite == config::NonFinitePolicy::kStop)
      throw NumericalError(fmt::format("step {}: {} ({} left untouched); lower lr, check the data, or set "
                                       "on_nonfinite=skip",
                                       r.state.step, out.nonfinite_reason(), last));
    ++r.state.skipped_steps;
    r.ckpt->log({{"kind", "skip"}, {"step", r.state.step + 1}, {"reason", out.nonfinite_reason()},
                 {"skipped_steps", r.state.skipped_steps}});
    spdlog::warn("step {}: {}; update skipped ({} so far)", r.state.step, out.nonfinite_reason(), r.state.skipped_steps);
    CODESSM_REQUIRE(r.state.skipped_steps <= cfg_.optim.max_skipped_steps, NumericalError,
                    "{} steps skipped for non-finite values (max_skipped_steps {}); {} left untouched",
                    r.state.skipped_steps, cfg_.optim.max_skipped_steps, last);
  } else {
    if (r.first) r.result.first_loss = out.loss;
    r.first = false;
    r.result.last_loss = out.loss;
  }
  ++r.state.step;
  r.state.data = objective_.stream->position();
  r.state.tokens_seen += out.tokens;
  r.state.last_lr = lr;
  r.window_tokens += out.tokens;
  if (r.bar) r.bar->set(static_cast<uint64_t>(r.state.step), fmt::format("loss {:.4f}", out.loss));
}

void Trainer::evaluate(Run& r) {
  // Evaluation, best-checkpoint writes and hooks see the fp32 weights (bf16-master: the masters), so every
  // evaluator runs exactly as in an fp32/autocast run.
  MasterWeights::Fp32Scope fp32(r.master.get());
  auto& res = r.result.last_eval;
  res = objective_.evaluator->evaluate(model_, r.device);
  select_metric(res, cfg_.run.metric);
  json rec = res.metrics;
  rec["kind"] = "eval";
  rec["step"] = r.state.step;
  if (hooks_.on_eval && (!options_.sync || options_.sync->rank() == 0)) rec["spectral"] = hooks_.on_eval(model_, r.state.step);
  if (r.ckpt->consider(model_, res, r.state)) rec["best"] = true;
  r.ckpt->log(rec);
  spdlog::info("step {}: {} {:.4f} ({})", r.state.step, res.primary, res.value, res.metrics.dump());
}

void Trainer::save(Run& r) {
  if (r.saved_at == r.state.step) return;
  MasterWeights::Fp32Scope fp32(r.master.get());  // checkpoints hold the fp32 masters, not their bf16 rounding
  r.ckpt->save(model_, *r.opt, r.state);
  r.result.last_checkpoint = r.ckpt->last();
  r.saved_at = r.state.step;
}

bool Trainer::out_of_time(const Run& r) const {
  if (options_.max_seconds <= 0 || (options_.sync && options_.sync->rank() != 0)) return false;
  return std::chrono::duration<double>(Clock::now() - r.t0).count() >= options_.max_seconds;
}

void Trainer::stop_for_signal(Run& r) {
  const int sig = core::stop_signal() != 0 ? core::stop_signal() : SIGTERM;  // a rank told by another rank
  if (r.bar) r.bar->finish();
  throw core::Interrupted(sig, fmt::format("stopped by {} after step {} of {}; {}; continue with --resume",
                                           core::signal_name(sig), r.state.step, cfg_.optim.max_steps,
                                           r.result.last_checkpoint.empty()
                                               ? "this rank writes no checkpoint"
                                               : "checkpoint " + r.result.last_checkpoint.string()));
}

TrainResult Trainer::finish(Run& r) {
  if (r.bar) r.bar->finish();
  if (r.master) r.master->release_to_model();  // the caller gets the fp32 model back
  auto& res = r.result;
  res.steps = r.state.step;
  res.skipped_steps = r.state.skipped_steps;
  res.finished = r.state.step >= cfg_.optim.max_steps;
  if (res.finished) res.stopped_by = "max_steps";
  res.tokens_seen = r.state.tokens_seen;
  res.best_step = r.state.best_step;
  res.best_value = r.state.best_value;
  res.seconds = std::chrono::duration<double>(Clock::now() - r.t0).count();
  return res;
}

}  // namespace codessm::train
