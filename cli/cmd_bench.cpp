// codessm-requires: pipelines
// `codessm bench forward`: tokens/s and peak memory of a model's forward (or forward+backward) pass
// over sequence lengths, on the CPU or a GPU.
#include "codessm/pipelines/model_ops.h"
#include "command_registry.h"

namespace codessm::cli {
namespace {

void setup(CLI::App& app) {
  auto o = std::make_shared<pipelines::BenchForwardOptions>();
  auto* cmd = app.add_subcommand("bench", "benchmarks of the models");
  cmd->require_subcommand(1);
  auto* fwd = cmd->add_subcommand("forward", "tokens/s and peak memory over sequence lengths");
  fwd->add_option("--model", o->model, "preset or checkpoint folder")->capture_default_str();
  fwd->add_option("--set", o->overrides, "override a config.json key: key=value (repeatable)");
  fwd->add_option("--lengths", o->lengths, "sequence lengths")->delimiter(',')->capture_default_str();
  fwd->add_option("--batch", o->batch, "batch size")->capture_default_str();
  fwd->add_option("--device", o->device, "cpu, cuda, auto")->capture_default_str();
  fwd->add_option("--dtype", o->dtype, "fp32, tf32 (CUDA matmuls) or bf16 (autocast)")->capture_default_str();
  fwd->add_option("--warmup", o->warmup, "untimed iterations")->capture_default_str();
  fwd->add_option("--iters", o->iters, "timed iterations")->capture_default_str();
  fwd->add_flag("--backward", o->backward, "time forward + backward");
  fwd->add_option("--out", o->out, "folder for bench_forward.json and .md");
  fwd->callback([o] { pipelines::run_bench_forward(*o); });
}

const CommandRegistrar reg({"bench", "benchmarks", setup});

}  // namespace
}  // namespace codessm::cli
