// `codessm pretrain`: MLM pretraining from a JSON TrainConfig (docs/training.md) with `--set key=value`
// overrides, resumable with --resume. Flags only; the work is pipelines::run_pretrain.
#include <torch/torch.h>

#include <cstdio>

#include "codessm/pipelines/train_ops.h"
#include "command_registry.h"

namespace codessm::cli {
namespace {

struct PretrainFlags {
  pipelines::PretrainOptions o;
  std::string device, dtype;
  int threads = 0;
  bool no_progress = false, print_default = false;
};

void setup(CLI::App& app) {
  auto f = std::make_shared<PretrainFlags>();
  auto* cmd = app.add_subcommand("pretrain", "MLM pretraining on token shards (AdamW, cosine warm-up, resumable)");
  cmd->add_option("--config", f->o.config_file,
                  "TrainConfig JSON (default: the built-in tiny CPU config; on --resume: RUN_DIR/run_config.json)");
  cmd->add_option("--set", f->o.overrides, "override a config field: key=value (repeatable), e.g. --set max_steps=500");
  cmd->add_option("--out", f->o.out, "run folder: run_config.json, metrics.jsonl, ckpt-NNNNNN/, reports/");
  cmd->add_flag("--resume", f->o.resume, "continue from the newest checkpoint of --out (bit-identical to an uninterrupted run)");
  cmd->add_option("--stop-after", f->o.stop_after_step, "stop with a checkpoint after this many steps (0 = run to max_steps)");
  cmd->add_option("--device", f->device, "cpu, cuda, cuda:N or auto (overrides the config's device)");
  cmd->add_option("--dtype", f->dtype, "fp32, tf32 (CUDA matmuls) or bf16 (autocast; FFTs stay fp32) (overrides the config's dtype)");
  cmd->add_option("--threads", f->threads, "CPU threads for LibTorch (0 = default)");
  cmd->add_flag("--no-progress", f->no_progress, "no progress bar");
  cmd->add_flag("--print-default-config", f->print_default, "print the built-in default config and exit");
  cmd->callback([f] {
    if (f->print_default) {
      std::printf("%s\n", pipelines::default_pretrain_config().to_json().dump(2).c_str());
      return;
    }
    if (f->threads > 0) torch::set_num_threads(f->threads);
    if (!f->device.empty()) f->o.overrides.push_back("device=" + f->device);
    if (!f->dtype.empty()) f->o.overrides.push_back("dtype=" + f->dtype);
    f->o.progress = !f->no_progress;
    auto r = pipelines::run_pretrain(f->o);
    std::printf("%s\n", r.dump(2).c_str());
  });
}

const CommandRegistrar reg({"pretrain", "MLM pretraining (resumable)", setup});

}  // namespace
}  // namespace codessm::cli
