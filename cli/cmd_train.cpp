// `codessm pretrain` (MLM) and `codessm finetune --task T` (docs/training.md, docs/finetune.md): one training loop,
// so one set of run flags — a JSON TrainConfig with `--set key=value` overrides, a run folder, --resume.
// Flags only; the work is pipelines::run_pretrain / run_finetune.
#include <torch/torch.h>

#include <cstdio>
#include <functional>

#include "codessm/config/train_config.h"
#include "codessm/pipelines/finetune_ops.h"
#include "codessm/pipelines/train_ops.h"
#include "command_registry.h"

namespace codessm::cli {
namespace {

struct RunFlags {
  std::string device, dtype;
  int threads = 0;
  bool no_progress = false, print_default = false;
};

/// The flags both commands share, and a callback that applies them to `o` before `run` (or prints the default).
void add_run_flags(CLI::App* cmd, pipelines::PretrainOptions* o, std::shared_ptr<RunFlags> f,
                   std::function<config::TrainConfig()> default_config, std::function<nlohmann::json()> run) {
  cmd->add_option("--config", o->config_file,
                  "TrainConfig JSON (default: the built-in config; on --resume: RUN_DIR/run_config.json)");
  cmd->add_option("--set", o->overrides, "override a config field: key=value (repeatable), e.g. --set max_steps=500");
  cmd->add_option("--out", o->out, "run folder: run_config.json, metrics.jsonl, ckpt-NNNNNN/, reports/ (+ best/)");
  cmd->add_flag("--resume", o->resume, "continue from the newest checkpoint of --out (bit-identical to an uninterrupted run)");
  cmd->add_option("--stop-after", o->stop_after_step, "stop with a checkpoint after this many steps (0 = run to max_steps)");
  cmd->add_option("--max-seconds", o->max_seconds,
                  "time budget: stop with an evaluation and a checkpoint after this many seconds (0 = none)");
  cmd->add_option("--device", f->device, "cpu, cuda, cuda:N or auto (overrides the config's device)");
  cmd->add_option("--dtype", f->dtype, "fp32, tf32 (CUDA matmuls) or bf16 (autocast; FFTs stay fp32) (overrides the config's dtype)");
  cmd->add_option("--threads", f->threads, "CPU threads for LibTorch (0 = default)");
  cmd->add_flag("--no-progress", f->no_progress, "no progress bar");
  cmd->add_flag("--print-default-config", f->print_default, "print the built-in default config and exit");
  cmd->callback([o, f, default_config, run] {
    if (f->print_default) {
      std::printf("%s\n", default_config().to_json().dump(2).c_str());
      return;
    }
    if (f->threads > 0) torch::set_num_threads(f->threads);
    if (!f->device.empty()) o->overrides.push_back("device=" + f->device);
    if (!f->dtype.empty()) o->overrides.push_back("dtype=" + f->dtype);
    o->progress = !f->no_progress;
    std::printf("%s\n", run().dump(2).c_str());
  });
}

void setup_pretrain(CLI::App& app) {
  auto o = std::make_shared<pipelines::PretrainOptions>();
  auto* cmd = app.add_subcommand("pretrain", "MLM pretraining on token shards (AdamW, cosine warm-up, resumable)");
  add_run_flags(cmd, o.get(), std::make_shared<RunFlags>(), pipelines::default_pretrain_config,
                [o] { return pipelines::run_pretrain(*o); });
}

void setup_finetune(CLI::App& app) {
  auto o = std::make_shared<pipelines::FinetuneOptions>();
  auto* cmd = app.add_subcommand("finetune", "fine-tune on a benchmark: retrieval, classification, clone, types");
  cmd->add_option("--task", o->task, "retrieval | classification | clone | types (overrides the config's task)");
  add_run_flags(cmd, o.get(), std::make_shared<RunFlags>(), pipelines::default_finetune_config,
                [o] { return pipelines::run_finetune(*o); });
}

const CommandRegistrar reg_pretrain({"pretrain", "MLM pretraining (resumable)", setup_pretrain});
const CommandRegistrar reg_finetune({"finetune", "fine-tune on a benchmark (resumable)", setup_finetune});

}  // namespace
}  // namespace codessm::cli
