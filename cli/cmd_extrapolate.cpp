// `codessm extrapolate`: fine-tune/evaluate a checkpoint at several context lengths and measure its zero-shot MLM
// accuracy at each (CodeSSM §5.2). Flags only; the work is pipelines::run_extrapolate.
#include <torch/torch.h>

#include <cstdio>

#include "codessm/pipelines/extrapolate_ops.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {

void setup_extrapolate(CLI::App& app) {
  auto o = std::make_shared<pipelines::ExtrapolateOptions>();
  auto f = std::make_shared<CommonFlags>();
  auto model = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "extrapolate", "train at one length, fine-tune and evaluate at longer ones (+ zero-shot MLM at each length)");
  add_model_argument(cmd, *model, "the pretrained checkpoint (e.g. pretrained at 256 tokens)");
  cmd->add_option("--lengths", o->lengths, "context lengths, ascending, e.g. 256,1024,2048")
      ->required()
      ->delimiter(',');
  cmd->add_option("--config", o->config_file,
                  "fine-tuning TrainConfig JSON (objective, data, batch, steps); its max_length × batch_size sets the "
                  "tokens per step. Without it only the zero-shot MLM curve is measured");
  cmd->add_option("--set", o->overrides, "override a fine-tuning config field: key=value (repeatable)");
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer folder (overrides the config's)");
  cmd->add_option("--mlm-shards", o->mlm_shards, "held-out token shards: zero-shot masked-token accuracy at every length");
  cmd->add_option("--mlm-tokens", o->mlm_tokens, "tokens per zero-shot MLM evaluation")->capture_default_str();
  cmd->add_flag("!--same-batch", o->constant_tokens,
                "keep the config's batch_size at every length (default: batch_size × length held constant)");
  cmd->add_option("--max-seconds", o->max_seconds, "time budget of each fine-tuning run (0 = none)");
  CommonHelp help{"output folder: L<length>/ runs, extrapolation.json/.md, figures/"};
  help.out_required = true;
  help.dtype = "fp32, tf32 or bf16 (fine-tuning)";
  add_common_flags(cmd, *f, kDevice | kDtype | kThreads | kOut | kProgress, help);
  cmd->callback([o, f, model] {
    apply_common_flags(*f);
    o->model = *model;
    o->out = f->out;
    if (!f->device.empty()) o->device = f->device;
    if (!f->dtype.empty()) o->dtype = f->dtype;
    o->progress = f->progress;
    std::printf("%s\n", pipelines::run_extrapolate(*o).dump(2).c_str());
  });
}

}  // namespace codessm::cli
