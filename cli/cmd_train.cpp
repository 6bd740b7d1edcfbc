// `codessm pretrain` (MLM) and `codessm finetune --task T` (docs/training.md, docs/finetune.md): one training loop,
// so one set of run flags — a JSON TrainConfig with `--set key=value` overrides, a run folder, --resume.
// Flags only; the work is pipelines::run_pretrain / run_finetune.
#include <cstdio>
#include <functional>

#include "codessm/config/train_config.h"
#include "codessm/core/stop_signal.h"
#include "codessm/pipelines/finetune_ops.h"
#include "codessm/pipelines/train_ops.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {
namespace {

struct RunFlags {
  CommonFlags common;
  std::string model;
  bool print_default = false;
};

/// The flags both commands share, and a callback that turns them into config overrides before `run` (or prints
/// the default config).
void add_run_flags(CLI::App* cmd, pipelines::TrainRunOptions* o, std::shared_ptr<RunFlags> f,
                   std::function<config::TrainConfig()> default_config, std::function<nlohmann::json()> run) {
  cmd->add_option("MODEL", f->model, "preset or checkpoint to start from (= --set model=MODEL)");
  cmd->add_option("--config", o->config_file,
                  "TrainConfig JSON (default: the built-in config; on --resume: RUN_DIR/run_config.json)");
  cmd->add_option("--set", o->overrides,
                  "override a config field: key=value, key a dotted path or a field name (repeatable), e.g. "
                  "--set max_steps=500 --set model.overrides.num_hidden_layers=4");
  cmd->add_flag("--resume", o->resume, "continue from the newest checkpoint of --out (bit-identical to an uninterrupted run)");
  cmd->add_option("--stop-after", o->stop_after_step, "stop with a checkpoint after this many steps (0 = run to max_steps)");
  cmd->add_option("--max-seconds", o->max_seconds, "time budget: evaluate, save and stop once spent (0 = none)");
  add_common_flags(cmd, f->common, kDevice | kDtype | kThreads | kSeed | kOut | kProgress,
                   {"run folder: run_config.json, metrics.jsonl, ckpt-NNNNNN/, reports/ (+ best/)",
                    "fp32, tf32 (CUDA matmuls in TF32), bf16 (autocast; FFTs stay fp32) or bf16-master (bf16 weights "
                    "and activations, fp32 master weights: the fastest on CUDA)"});
  cmd->add_flag("--print-default-config", f->print_default, "print the built-in default config and exit");
  cmd->callback([o, f, default_config, run] {
    if (f->print_default) {
      std::printf("%s\n", default_config().to_json().dump(2).c_str());
      return;
    }
    apply_common_flags(f->common);
    // The command line wins over the config file: its flags are overrides applied last.
    if (!f->model.empty()) o->overrides.push_back("model=" + f->model);
    if (!f->common.device.empty()) o->overrides.push_back("run.device=" + f->common.device);
    if (!f->common.dtype.empty()) o->overrides.push_back("run.dtype=" + f->common.dtype);
    if (f->common.seed) o->overrides.push_back("run.seed=" + std::to_string(*f->common.seed));
    o->out = f->common.out;
    o->progress = f->common.progress;
    // SIGTERM/SIGINT: finish the step, checkpoint, exit 128+signal (core/stop_signal.h).
    core::install_stop_handlers();
    std::printf("%s\n", run().dump(2).c_str());
  });
}

}  // namespace

void setup_pretrain(CLI::App& app) {
  auto o = std::make_shared<pipelines::TrainRunOptions>();
  auto* cmd = app.add_subcommand("pretrain", "MLM pretraining on token shards (AdamW, cosine warm-up, resumable)");
  add_run_flags(cmd, o.get(), std::make_shared<RunFlags>(), pipelines::default_pretrain_config,
                [o] { return pipelines::run_pretrain(*o); });
}

void setup_finetune(CLI::App& app) {
  auto o = std::make_shared<pipelines::FinetuneOptions>();
  auto* cmd = app.add_subcommand("finetune", "fine-tune on a benchmark: retrieval, classification, clone, types");
  cmd->add_option("--task,--objective", o->objective,
                  "retrieval | classification | clone | types (overrides the config's objective)");
  add_run_flags(cmd, o.get(), std::make_shared<RunFlags>(), pipelines::default_finetune_config,
                [o] { return pipelines::run_finetune(*o); });
}

}  // namespace codessm::cli
