// `codessm finetune --task T` and `codessm eval --task T`: fine-tuning on a benchmark's own files and
// evaluation of a checkpoint (docs/finetune.md). Flags only; the work is pipelines::run_finetune / run_eval.
#include <torch/torch.h>

#include <cstdio>

#include "codessm/pipelines/finetune_ops.h"
#include "command_registry.h"

namespace codessm::cli {
namespace {

struct FinetuneFlags {
  pipelines::FinetuneOptions o;
  std::string device, dtype;
  int threads = 0;
  bool no_progress = false, print_default = false;
};

void setup_finetune(CLI::App& app) {
  auto f = std::make_shared<FinetuneFlags>();
  auto* cmd = app.add_subcommand("finetune", "fine-tune on a benchmark: retrieval, classification, clone, types");
  cmd->add_option("--task", f->o.task, "retrieval | classification | clone | types (overrides the config's task)");
  cmd->add_option("--config", f->o.config_file, "TrainConfig JSON (default: the built-in fine-tuning recipe)");
  cmd->add_option("--set", f->o.overrides,
                  "override a config field: key=value (repeatable), e.g. --set train_data=train.jsonl");
  cmd->add_option("--out", f->o.out, "run folder: run_config.json, metrics.jsonl, ckpt-*/, best/, reports/");
  cmd->add_flag("--resume", f->o.resume, "continue from the newest checkpoint of --out");
  cmd->add_option("--stop-after", f->o.stop_after_step, "stop with a checkpoint after this many steps");
  cmd->add_option("--device", f->device, "cpu, cuda, cuda:N or auto (overrides the config's device)");
  cmd->add_option("--dtype", f->dtype, "fp32, tf32 or bf16 (overrides the config's dtype)");
  cmd->add_option("--threads", f->threads, "CPU threads for LibTorch (0 = default)");
  cmd->add_flag("--no-progress", f->no_progress, "no progress bar");
  cmd->add_flag("--print-default-config", f->print_default, "print the built-in fine-tuning config and exit");
  cmd->callback([f] {
    if (f->print_default) {
      std::printf("%s\n", pipelines::default_finetune_config().to_json().dump(2).c_str());
      return;
    }
    if (f->threads > 0) torch::set_num_threads(f->threads);
    if (!f->device.empty()) f->o.overrides.push_back("device=" + f->device);
    if (!f->dtype.empty()) f->o.overrides.push_back("dtype=" + f->dtype);
    f->o.progress = !f->no_progress;
    std::printf("%s\n", pipelines::run_finetune(f->o).dump(2).c_str());
  });
}

void setup_eval(CLI::App& app) {
  auto o = std::make_shared<pipelines::EvalOptions>();
  auto threads = std::make_shared<int>(0);
  auto* cmd = app.add_subcommand("eval", "evaluate a checkpoint on a benchmark file (or zero-shot cloze)");
  cmd->add_option("--task", o->task, "retrieval | classification | clone | types | cloze")->required();
  cmd->add_option("--model", o->model, "checkpoint folder")->required();
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer folder")->required();
  cmd->add_option("--data", o->data, "benchmark file(s) (cloze: one clozeTest JSON per language)")->required();
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

const CommandRegistrar reg_finetune({"finetune", "fine-tune on a benchmark (resumable)", setup_finetune});
const CommandRegistrar reg_eval({"eval", "evaluate a checkpoint on a benchmark", setup_eval});

}  // namespace
}  // namespace codessm::cli
