// `codessm study --config FILE --out DIR`: the SSM-Interpret study as one resumable pipeline (docs/study.md).
// Flags only; the work is study::run_study.
#include <torch/torch.h>

#include <cstdio>

#include "codessm/core/error.h"
#include "codessm/study/study.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {

void setup_study(CLI::App& app) {
  auto o = std::make_shared<study::StudyOptions>();
  auto f = std::make_shared<CommonFlags>();
  auto* cmd = app.add_subcommand(
      "study", "the SSM-Interpret study: corpus → tokenizer → pretraining → fine-tuning → interpret, probing, "
               "extrapolation → report with the papers' findings beside ours (resumable)");
  cmd->add_option("--config", o->config_file, "study config JSON (configs/study_*.json)")->required();
  cmd->add_option("--set", o->overrides, "override a config field: section.field=value (repeatable)");
  cmd->add_option("--import", o->imports,
                  "folder(s) with the files tools/gpu_study.sh returned (*.tar, *.tar.part-*): completes the GPU stages");
  cmd->add_option("--only", o->only, "run only stages whose key starts with this (repeatable), e.g. --only corpus");
  cmd->add_option("--repo-root", o->repo_root, "repository root: the device bundle and memory files are relative to it")
      ->capture_default_str();
  cmd->add_option("--publish", o->publish, "copy the finished report (+ the config) to this folder, e.g. study/");
  cmd->add_option("--ship", o->ship,
                  "write the embedded default here (e.g. models/): checkpoints, tokenizer, held-out checks, demo data");
  CommonHelp help{"study folder: stages/<stage>/ (each with stage.json), status.json"};
  help.out_required = true;
  add_common_flags(cmd, *f, kThreads | kOut | kProgress, help);
  cmd->callback([o, f] {
    // --threads also sizes the study's own workers (tokenizing, DirectProbe); 0 = all cores.
    apply_common_flags(*f);
    o->threads = f->threads;
    o->out = f->out;
    o->progress = f->progress;
    const auto r = study::run_study(*o);
    std::printf("%s\n", r.dump(2).c_str());
    if (r.value("failures", 0) > 0) throw DataError("study: some analysis stages failed (see status.json)");
  });
}

}  // namespace codessm::cli
