// `codessm eval --task T`: a checkpoint on a benchmark's own files, or zero-shot cloze (docs/finetune.md).
// Flags only; the work is pipelines::run_eval.
#include <torch/torch.h>

#include <cstdio>

#include "codessm/pipelines/finetune_ops.h"
#include "command_registry.h"

namespace codessm::cli {
namespace {

void setup_eval(CLI::App& app) {
  auto o = std::make_shared<pipelines::EvalOptions>();
  auto threads = std::make_shared<int>(0);
  auto* cmd = app.add_subcommand("eval", "evaluate a checkpoint on a benchmark file (or zero-shot cloze)");
  cmd->add_option("--task", o->task, "retrieval | classification | clone | types | cloze | mlm (held-out masked tokens on shards)")->required();
  cmd->add_option("--model", o->model, "checkpoint folder")->required();
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer folder")->required();
  cmd->add_option("--data", o->data, "benchmark file(s) (cloze: one clozeTest JSON per language; mlm: shard folders)")->required();
  cmd->add_option("--answers", o->answers, "cloze: CodeXGLUE answers file, or a folder with <lang>/answers.txt");
  cmd->add_option("--set", o->overrides, "config fields: dataset=, max_length=, pooling=, clone_data=, ...");
  cmd->add_option("--out", o->out, "report folder: eval.json, eval.md, predictions");
  cmd->add_option("--device", o->device, "cpu, cuda, cuda:N or auto");
  cmd->add_option("--threads", *threads, "CPU threads for LibTorch (0 = default)");
  cmd->callback([o, threads] {
    if (*threads > 0) torch::set_num_threads(*threads);
    std::printf("%s\n", pipelines::run_eval(*o).dump(2).c_str());
  });
}

const CommandRegistrar reg_eval({"eval", "evaluate a checkpoint on a benchmark", setup_eval});

}  // namespace
}  // namespace codessm::cli
