// codessm-requires: pipelines
// `codessm bench forward|train`: tokens/s and peak memory of a model's forward (or forward+backward) pass over
// sequence lengths, and of whole training steps (forward, backward, clipping, AdamW) over batch shapes.
#include "codessm/pipelines/bench_ops.h"
#include "command_registry.h"

namespace codessm::cli {
namespace {

void add_impl_flags(CLI::App* c, pipelines::BenchImplOptions& i) {
  c->add_option("--conv", i.conv, "SSM convolution: toeplitz (tensor cores) or fft (reference twin)")->capture_default_str();
  c->add_option("--chunk", i.chunk, "Toeplitz block size")->capture_default_str();
  c->add_flag("--unfused", i.unfused, "LibTorch ops instead of the fused CUDA kernels");
  c->add_flag("--bf16-state", i.bf16_state, "the convolution's state path in bf16 instead of fp32/TF32");
  c->add_flag("--profile", i.profile, "then 3 iterations with synchronising section timers (printed, and in the JSON)");
  c->add_option("--attention", i.attention, "Transformers: fused SDPA kernels or math (quadratic memory)")
      ->capture_default_str();
}

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
  fwd->add_option("--dtype", o->dtype, "fp32, tf32 (CUDA matmuls), bf16 (bf16 weights) or bf16-autocast")
      ->capture_default_str();
  fwd->add_option("--warmup", o->warmup, "untimed iterations")->capture_default_str();
  fwd->add_option("--iters", o->iters, "timed iterations")->capture_default_str();
  fwd->add_flag("--backward", o->backward, "time forward + backward");
  fwd->add_option("--out", o->out, "folder for bench_forward.json and .md");
  add_impl_flags(fwd, o->impl);
  fwd->callback([o] { pipelines::run_bench_forward(*o); });

  auto t = std::make_shared<pipelines::BenchTrainOptions>();
  auto* tr = cmd->add_subcommand("train", "tokens/s and peak memory of MLM training steps (forward, backward, AdamW)");
  tr->add_option("--model", t->model, "preset or checkpoint folder (an MLM model)")->capture_default_str();
  tr->add_option("--set", t->overrides, "override a config.json key: key=value (repeatable)");
  tr->add_option("--shapes", t->shapes, "BATCHxLENGTH list")->delimiter(',')->capture_default_str();
  tr->add_option("--device", t->device, "cpu, cuda, auto")->capture_default_str();
  tr->add_option("--dtype", t->dtype, "bf16 (autocast), tf32 or fp32")->capture_default_str();
  tr->add_option("--warmup", t->warmup, "untimed steps")->capture_default_str();
  tr->add_option("--iters", t->iters, "timed steps")->capture_default_str();
  tr->add_option("--mlm-probability", t->mlm_probability, "share of positions scored")->capture_default_str();
  tr->add_flag("--full-head", t->full_head, "vocabulary logits at every position (the old way)");
  tr->add_flag("--plain-adamw", t->plain_adamw, "LibTorch's per-tensor AdamW instead of the fused one");
  tr->add_option("--out", t->out, "folder for bench_train.json and .md");
  add_impl_flags(tr, t->impl);
  tr->callback([t] { pipelines::run_bench_train(*t); });
}

const CommandRegistrar reg({"bench", "benchmarks", setup});

}  // namespace
}  // namespace codessm::cli
