// The loop: per optimizer step, set the scheduled lr, accumulate gradients over grad_accum micro-batches
// (each loss divided by grad_accum, so the update is that of their mean), clip, step; then log, evaluate and
// checkpoint on their cadences. Everything that makes a resumed run bit-identical to an uninterrupted one is
// either in the checkpoint (weights, AdamW moments and step counts, torch RNG states, data position, step)
// or a pure function of it (the lr, the masks).
#include "codessm/train/trainer.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/core/progress.h"
#include "codessm/model/checkpoint.h"
#include "codessm/tensor/device.h"
#include "codessm/tensor/torch_compat.h"
#include "codessm/train/grad_clip.h"
#include "codessm/train/lr_schedule.h"
#include "codessm/train/mlm_stream.h"
#include "codessm/train/optimizer_groups.h"
#include "codessm/train/run_checkpoints.h"
#include "metrics_log.h"

namespace codessm::train {

using nlohmann::json;

json TrainResult::to_json() const {
  json j{{"steps", steps},           {"skipped_steps", skipped_steps}, {"finished", finished},
         {"first_loss", first_loss}, {"last_loss", last_loss},         {"seconds", seconds},
         {"last_checkpoint", last_checkpoint.string()}};
  if (!stopped_by.empty()) j["stopped_by"] = stopped_by;
  j["tokens_seen"] = tokens_seen;
  if (!last_eval.primary.empty()) {
    j["last_eval"] = last_eval.metrics;
    j["selection_metric"] = last_eval.primary;
  }
  if (best_step >= 0) j["best"] = {{"step", best_step}, {"value", best_value}};
  return j;
}

Trainer::Trainer(config::TrainConfig cfg, model::CodeModel model, std::unique_ptr<Objective> objective,
                 TrainOptions options, TrainerHooks hooks)
    : cfg_(std::move(cfg)), model_(std::move(model)), objective_(std::move(objective)), options_(std::move(options)),
      hooks_(std::move(hooks)) {
  cfg_.validate("train config");
  CODESSM_REQUIRE(objective_ != nullptr, UsageError, "the trainer needs an objective");
  CODESSM_REQUIRE(!options_.run_dir.empty(), UsageError, "the trainer needs a run folder (--out)");
}

namespace {

/// The MLM objective, after checking that model, tokenizer and config fit together.
std::unique_ptr<Objective> checked_mlm_objective(const config::TrainConfig& cfg, const model::CodeModel& model,
                                                 std::shared_ptr<const data::Tokenizer> tok) {
  cfg.validate("train config");
  CODESSM_REQUIRE(tok != nullptr, UsageError, "the trainer needs the tokenizer that wrote the shards");
  const auto& mc = model->config();
  CODESSM_REQUIRE(mc.task == config::Task::kMaskedLM, UsageError,
                  "pretraining needs an MLM model; '{}' has task {}", cfg.model, config::to_string(mc.task));
  CODESSM_REQUIRE(mc.vocab_size >= tok->vocab_size(), UsageError,
                  "the model's vocab_size {} is smaller than the tokenizer's {}: set model_overrides "
                  "vocab_size={} (or start from a matching checkpoint)",
                  mc.vocab_size, tok->vocab_size(), tok->vocab_size());
  CODESSM_REQUIRE(mc.position_embedding_type == "none" || cfg.context_length <= mc.max_position_embeddings,
                  UsageError, "context_length {} exceeds the model's max_position_embeddings {}", cfg.context_length,
                  mc.max_position_embeddings);
  return make_mlm_objective(cfg, std::move(tok));
}

}  // namespace

Trainer::Trainer(config::TrainConfig cfg, model::CodeModel model, std::shared_ptr<const data::Tokenizer> tokenizer,
                 TrainOptions options, TrainerHooks hooks)
    : Trainer(cfg, model, checked_mlm_objective(cfg, model, std::move(tokenizer)), std::move(options),
              std::move(hooks)) {}

namespace {

bool finite(double x) { return std::isfinite(x); }

bool improves(const EvalResult& r, const TrainState& s) {
  if (!std::isfinite(r.value)) return false;
  if (s.best_step < 0) return true;
  return r.higher_is_better ? r.value > s.best_value : r.value < s.best_value;
}

}  // namespace

TrainResult Trainer::run() {
  const auto t0 = std::chrono::steady_clock::now();
  const torch::Device device = tensor::parse_device(cfg_.device);
  const bool bf16 = cfg_.dtype == "bf16";
  // bf16 runs keep the SSM convolution's small state GEMMs in fp32 (kernels::ssm_conv's accuracy) and rely on
  // TF32 there; only an "fp32" run asks for full-precision fp32 products.
  tensor::set_matmul_tf32(cfg_.dtype == "tf32" || bf16);
  GradientSync* sync = options_.sync.get();
  const int64_t world = sync ? sync->world_size() : 1, rank = sync ? sync->rank() : 0;
  const bool writer = rank == 0;
  core::ensure_dir(options_.run_dir);

  // ---- state: fresh or resumed ----
  TrainState state;
  std::optional<fs::path> resume_from;
  if (options_.resume) {
    resume_from = latest_checkpoint(options_.run_dir);
    CODESSM_REQUIRE(resume_from.has_value(), UsageError,
                    "--resume: '{}' holds no complete checkpoint (ckpt-*/{}); run without --resume",
                    options_.run_dir.string(), kTrainStateFile);
    model::load_weights(model_, *resume_from, /*strict_head=*/true);
    state = read_train_state(*resume_from);
  } else {
    CODESSM_REQUIRE(list_checkpoints(options_.run_dir).empty(), UsageError,
                    "'{}' already holds checkpoints: pass --resume to continue that run, or choose another --out",
                    options_.run_dir.string());
  }
  model_->to(device);
  model_->train();
  auto opt = make_adamw(model_, cfg_);
  // Moments and RNG last: building the optimizer and moving the model consume no randomness, but keep the
  // restored generators untouched by anything above.
  if (resume_from) load_optimizer_and_rng(*opt, *resume_from / kOptimizerFile);
  std::vector<torch::Tensor> params;
  for (auto& g : opt->param_groups())
    for (auto& p : g.params()) params.push_back(p);
  // Every rank starts from rank 0's weights (a resumed run reads the same checkpoint on every rank).
  if (sync && !resume_from) sync->broadcast_parameters(params);
  // The resolved config is logged and saved with the run (provenance); a resumed run keeps the original.
  const fs::path cfg_file = options_.run_dir / "run_config.json";
  const json cfg_json = cfg_.to_json();
  spdlog::info("train config: {}", cfg_json.dump());
  if (!writer) {
    // Ranks > 0 write nothing.
  } else if (!resume_from) {
    core::write_file_atomic(cfg_file, cfg_json.dump(2) + "\n");
  } else if (fs::exists(cfg_file) && json::parse(core::read_file(cfg_file)) != cfg_json) {
    spdlog::warn("--resume with a config that differs from {}; a resumed run is bit-identical only with the same one",
                 cfg_file.string());
  }

  // ---- data ----
  Objective& objective = *objective_;
  if (resume_from) objective.restore(state.data);

  std::unique_ptr<MetricsLog> metrics_log;
  if (writer) metrics_log = std::make_unique<MetricsLog>(options_.run_dir / "metrics.jsonl", resume_from ? state.step : -1);
  auto log_record = [&](const json& r) {
    if (metrics_log) metrics_log->write(r);
  };
  const LrSchedule sched{cfg_.lr, cfg_.warmup_steps, cfg_.max_steps, cfg_.schedule};
  const double clip = cfg_.max_grad_norm > 0 ? cfg_.max_grad_norm : std::numeric_limits<double>::max();

  TrainResult result;
  if (resume_from) result.last_checkpoint = *resume_from;
  std::unique_ptr<core::ProgressBar> bar;
  if (options_.progress && writer) {
    bar = std::make_unique<core::ProgressBar>(objective.name() == "mlm" ? "pretrain" : "finetune " + objective.name(),
                                              static_cast<uint64_t>(cfg_.max_steps), "step");
    bar->set(static_cast<uint64_t>(state.step));
  }
  auto save = [&] {
    if (!writer) return;
    result.last_checkpoint = save_checkpoint(options_.run_dir, model_, *opt, state);
    prune_checkpoints(options_.run_dir, cfg_.keep_last);
  };
  auto evaluate = [&] {
    result.last_eval = objective.evaluate(model_, device);
    json rec = result.last_eval.metrics;
    rec["kind"] = "eval";
    rec["step"] = state.step;
    if (hooks_.on_eval && writer) rec["spectral"] = hooks_.on_eval(model_, state.step);
    if (improves(result.last_eval, state)) {
      state.best_step = state.step;
      state.best_value = result.last_eval.value;
      rec["best"] = true;
      // The best model so far, for selection on the dev set (CodeXGLUE practice); atomic folder swap.
      if (cfg_.save_best && writer && objective.name() != "mlm") model::save_pretrained(model_, options_.run_dir / "best");
    }
    log_record(rec);
    spdlog::info("step {}: {} {:.4f} ({})", state.step, result.last_eval.primary, result.last_eval.value,
                 result.last_eval.metrics.dump());
  };

  auto window_start = std::chrono::steady_clock::now();
  uint64_t window_tokens = 0;
  bool first = true;
  // The time budget: every rank must stop at the same step (the collectives pair up), so rank 0's clock decides.
  auto out_of_time = [&] {
    if (options_.max_seconds <= 0) return false;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double over = s >= options_.max_seconds ? 1.0 : 0.0;
    return sync ? sync->all_reduce_sum(rank == 0 ? over : 0.0) > 0 : over > 0;
  };
  while (state.step < cfg_.max_steps) {
    if (options_.stop_after_step > 0 && state.step >= options_.stop_after_step) {
      result.stopped_by = "stop_after_step";
      save();
      break;
    }
    if (hooks_.before_step) hooks_.before_step(model_, state.step);
    const double lr = lr_at(sched, state.step);
    tensor::set_lr(*opt, lr);
    opt->zero_grad();

    // ---- forward/backward over the micro-batches ----
    double loss_sum = 0;
    uint64_t step_tokens = 0;
    bool bad = false;
    for (int64_t m = 0; m < cfg_.grad_accum && !bad; ++m) {
      // Every rank reads the whole stream and keeps its share, so the data position is the same on all ranks.
      if (bf16) tensor::set_autocast(device.type(), true);
      MicroBatchLoss out;
      try {
        out = objective.next(model_, device, state.step, rank, world);
      } catch (...) {
        if (bf16) tensor::set_autocast(device.type(), false);
        throw;
      }
      if (bf16) tensor::set_autocast(device.type(), false);
      step_tokens += out.tokens;
      if (!sync) {
        auto loss = out.loss_sum / out.count;
        const double l = loss.item<double>();
        if (!finite(l)) {
          bad = true;
          loss_sum = l;
          break;
        }
        loss_sum += l / static_cast<double>(cfg_.grad_accum);
        (loss / static_cast<double>(cfg_.grad_accum)).backward();
        continue;
      }
      // Data parallel: Σ loss of this rank / items of all ranks. Ranks never leave the loop early (the
      // collectives must pair up); a NaN reaches every rank through the gradient all-reduce below.
      const double global_n = sync->all_reduce_sum(out.count);
      auto loss = out.loss_sum / global_n;
      loss_sum += sync->all_reduce_sum(loss.item<double>()) / static_cast<double>(cfg_.grad_accum);
      (loss / static_cast<double>(cfg_.grad_accum)).backward();
    }
    if (sync) step_tokens = static_cast<uint64_t>(sync->all_reduce_sum(static_cast<double>(step_tokens)));
    double grad_norm = std::numeric_limits<double>::quiet_NaN();
    if (!bad) {
      if (sync) sync->all_reduce_gradients(params);
      grad_norm = clip_grad_norm(params, clip);  // multi-tensor; twin: clip_grad_norm_reference
      bad = !finite(grad_norm) || !finite(loss_sum);
    }

    // ---- non-finite: stop (checkpoints untouched) or skip the update ----
    if (bad) {
      const std::string what = finite(loss_sum) ? fmt::format("gradient norm is {}", grad_norm)
                                                : fmt::format("loss is {}", loss_sum);
      const std::string last =
          result.last_checkpoint.empty() ? "no checkpoint yet" : "last good checkpoint " + result.last_checkpoint.string();
      if (cfg_.on_nonfinite == "stop")
        throw NumericalError(fmt::format("step {}: {} ({} left untouched); lower lr, check the data, or set "
                                         "on_nonfinite=skip",
                                         state.step, what, last));
      opt->zero_grad();
      ++state.skipped_steps;
      log_record({{"kind", "skip"}, {"step", state.step + 1}, {"reason", what}, {"skipped_steps", state.skipped_steps}});
      spdlog::warn("step {}: {}; update skipped ({} so far)", state.step, what, state.skipped_steps);
      CODESSM_REQUIRE(state.skipped_steps <= cfg_.max_skipped_steps, NumericalError,
                      "{} steps skipped for non-finite values (max_skipped_steps {}); {} left untouched",
                      state.skipped_steps, cfg_.max_skipped_steps, last);
    } else {
      opt->step();
      if (first) result.first_loss = loss_sum;
      first = false;
      result.last_loss = loss_sum;
    }
    ++state.step;
    state.data = objective.position();
    state.tokens_seen += step_tokens;
    state.last_lr = lr;
    window_tokens += step_tokens;

    // ---- log, evaluate, checkpoint ----
    const double window_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - window_start).count();
    const double tok_per_s = window_s > 0 ? static_cast<double>(window_tokens) / window_s : 0.0;
    if (!bad && (state.step % cfg_.log_every == 0 || state.step == cfg_.max_steps)) {
      log_record({{"kind", "train"},     {"step", state.step},        {"loss", loss_sum},
                     {"lr", lr},            {"grad_norm", grad_norm},    {"tokens_per_s", tok_per_s},
                     {"tokens_seen", state.tokens_seen}, {"epoch", state.data.epoch}});
      window_start = std::chrono::steady_clock::now();
      window_tokens = 0;
    }
    if (bar) bar->set(static_cast<uint64_t>(state.step), fmt::format("loss {:.4f} {:.0f} tok/s", loss_sum, tok_per_s));
    const bool last_step = state.step == cfg_.max_steps;
    const bool eval_now = (cfg_.eval_every > 0 && state.step % cfg_.eval_every == 0) || last_step;
    if (eval_now) evaluate();
    if ((cfg_.save_every > 0 && state.step % cfg_.save_every == 0) || last_step) save();
    if (!last_step && out_of_time()) {
      spdlog::info("step {}: max_seconds {} reached; evaluating and saving", state.step, options_.max_seconds);
      result.stopped_by = "max_seconds";
      if (!eval_now) evaluate();
      if (!(cfg_.save_every > 0 && state.step % cfg_.save_every == 0)) save();
      break;
    }
  }
  if (bar) bar->finish();
  result.steps = state.step;
  result.skipped_steps = state.skipped_steps;
  result.tokens_seen = state.tokens_seen;
  result.finished = state.step >= cfg_.max_steps;
  if (result.finished) result.stopped_by = "max_steps";
  result.best_step = state.best_step;
  result.best_value = state.best_value;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace codessm::train
