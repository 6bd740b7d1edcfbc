// `codessm eval MODEL --task T`: a checkpoint on a benchmark's own files, or zero-shot cloze (docs/finetune.md).
// Flags only; the work is pipelines::run_eval.
#include <cstdio>

#include "codessm/pipelines/finetune_ops.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {

void setup_eval(CLI::App& app) {
  auto o = std::make_shared<pipelines::EvalOptions>();
  auto f = std::make_shared<CommonFlags>();
  auto model = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("eval", "evaluate a checkpoint on a benchmark file (or zero-shot cloze)");
  add_model_argument(cmd, *model, "checkpoint folder");
  cmd->add_option("--task,--objective", o->objective, "retrieval | classification | clone | types | cloze | mlm (held-out masked tokens on shards)")->required();
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer folder (default: the one saved in the checkpoint)");
  cmd->add_option("--data", o->data, "benchmark file(s) (cloze: one clozeTest JSON per language; mlm: shard folders)")->required();
  cmd->add_option("--answers", o->answers, "cloze: CodeXGLUE answers file, or a folder with <lang>/answers.txt");
  cmd->add_option("--set", o->overrides, "the objective's task config: dataset=, max_length=, pooling=, clone_data=, ... (mlm: context_length=, eval_batches=, data_seed=, ...)");
  cmd->add_option("--batch-size", o->batch_size, "evaluation batches are twice this")->capture_default_str();
  add_common_flags(cmd, *f, kDevice | kThreads | kOut, {"report folder: eval.json, eval.md, predictions"});
  cmd->callback([o, f, model] {
    apply_common_flags(*f);
    o->model = *model;
    o->out = f->out;
    if (!f->device.empty()) o->device = f->device;
    std::printf("%s\n", pipelines::run_eval(*o).dump(2).c_str());
  });
}

}  // namespace codessm::cli
