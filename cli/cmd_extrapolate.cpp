// `codessm extrapolate`: fine-tune/evaluate a checkpoint at several context lengths and measure its zero-shot MLM
// accuracy at each (CodeSSM §5.2). Flags only; the work is pipelines::run_extrapolate.
#include <torch/torch.h>

#include <cstdio>

#include "codessm/pipelines/extrapolate_ops.h"
#include "command_registry.h"

namespace codessm::cli {
namespace {

void setup_extrapolate(CLI::App& app) {
  auto o = std::make_shared<pipelines::ExtrapolateOptions>();
  auto threads = std::make_shared<int>(0);
  auto* cmd = app.add_subcommand(
      "extrapolate", "train at one length, fine-tune and evaluate at longer ones (+ zero-shot MLM at each length)");
  cmd->add_option("--model", o->model, "the pretrained checkpoint (e.g. pretrained at 256 tokens)")->required();
  cmd->add_option("--lengths", o->lengths, "context lengths, ascending, e.g. 256,1024,2048")
      ->required()
      ->delimiter(',');
  cmd->add_option("--config", o->config_file,
                  "fine-tuning TrainConfig JSON (task, data, batch, steps); its max_length × batch_size sets the tokens "
                  "per step. Without it only the zero-shot MLM curve is measured");
  cmd->add_option("--set", o->overrides, "override a fine-tuning config field: key=value (repeatable)");
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer folder (overrides the config's)");
  cmd->add_option("--mlm-shards", o->mlm_shards, "held-out token shards: zero-shot masked-token accuracy at every length");
  cmd->add_option("--mlm-tokens", o->mlm_tokens, "tokens per zero-shot MLM evaluation")->capture_default_str();
  cmd->add_flag("!--same-batch", o->constant_tokens,
                "keep the config's batch_size at every length (default: batch_size × length held constant)");
  cmd->add_option("--device", o->device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  cmd->add_option("--dtype", o->dtype, "fp32, tf32 or bf16 (fine-tuning)")->capture_default_str();
  cmd->add_option("--max-seconds", o->max_seconds, "time budget of each fine-tuning run (0 = none)");
  cmd->add_option("--out", o->out, "output folder: L<length>/ runs, extrapolation.json/.md, figures/")->required();
  cmd->add_option("--threads", *threads, "CPU threads for LibTorch (0 = default)");
  auto no_progress = std::make_shared<bool>(false);
  cmd->add_flag("--no-progress", *no_progress, "no progress bar");
  cmd->callback([o, threads, no_progress] {
    if (*threads > 0) torch::set_num_threads(*threads);
    o->progress = !*no_progress;
    std::printf("%s\n", pipelines::run_extrapolate(*o).dump(2).c_str());
  });
}

const CommandRegistrar reg_extrapolate({"extrapolate", "length extrapolation: fine-tune/evaluate at longer lengths",
                                        setup_extrapolate});

}  // namespace
}  // namespace codessm::cli
