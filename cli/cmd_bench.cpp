// `codessm bench forward|train`: tokens/s and peak memory of a model's forward (or forward+backward) pass over
// sequence lengths, and of whole training steps (forward, backward, clipping, AdamW) over batch shapes.
#include "codessm/pipelines/bench_ops.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {
namespace {

void add_impl_flags(CLI::App* c, pipelines::BenchImplOptions& i) {
  c->add_option("--conv", i.conv, "SSM convolution: toeplitz (tensor cores) or fft (reference twin)")->capture_default_str();
  c->add_option("--chunk", i.chunk, "Toeplitz block size (0: automatic: one block up to L 4096 on CUDA)")->capture_default_str();
  c->add_option("--tiles", i.tiles, "diagonal tiles of the dense Toeplitz block, zero half skipped (0: automatic, 2 from 1024 on CUDA)")
      ->capture_default_str();
  c->add_flag("--unfused", i.unfused, "LibTorch ops instead of the fused CUDA kernels (GELU gate and inputs, column sums)");
  c->add_flag("--plain-bias-grad", i.plain_bias_grad, "LibTorch's sums for the bias and LayerNorm gradients (not the column-sum kernels)");
  c->add_flag("--plain-toeplitz-grad", i.plain_toeplitz_grad,
              "the local Toeplitz block's gradient by bmm and a batch sum (not summed inside cuBLAS products)");
  c->add_flag("--plain-layer-norm", i.plain_layer_norm,
              "LayerNorm's forward by LibTorch's kernel (not the row kernel)");
  c->add_flag("--bf16-state", i.bf16_state, "the convolution's state path in bf16 with fp32 chunk mixing (the default)");
  c->add_flag("--fp32-state", i.fp32_state, "the convolution's whole state path in fp32/TF32")->excludes("--bf16-state");
  c->add_flag("--mask-host-check", i.mask_host_check,
              "BiGS: check on the host whether a batch has padding (one synchronisation per forward; the old way)");
  c->add_flag("--profile", i.profile, "then 3 iterations with synchronising section timers (printed, and in the JSON)");
  c->add_option("--attention", i.attention, "Transformers: fused SDPA kernels or math (quadratic memory)")
      ->capture_default_str();
}

}  // namespace

void setup_bench(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "benchmarks of the models");
  cmd->require_subcommand(1);

  auto o = std::make_shared<pipelines::BenchForwardOptions>();
  auto f = std::make_shared<CommonFlags>();
  auto* fwd = cmd->add_subcommand("forward", "tokens/s and peak memory over sequence lengths");
  add_model_argument(fwd, o->model, "preset or checkpoint folder (default codessm-base)", /*required=*/false);
  fwd->add_option("--set", o->overrides, "override a config.json key: key=value (repeatable)");
  fwd->add_option("--lengths", o->lengths, "sequence lengths")->delimiter(',')->capture_default_str();
  fwd->add_option("--batch", o->batch, "batch size")->capture_default_str();
  fwd->add_option("--warmup", o->warmup, "untimed iterations")->capture_default_str();
  fwd->add_option("--iters", o->iters, "timed iterations")->capture_default_str();
  fwd->add_flag("--backward", o->backward, "time forward + backward");
  fwd->add_flag("--cuda-graph", o->cuda_graph,
                "replay the forward as one captured CUDA graph (the GPU's time without the host's launches)")
      ->excludes("--backward");
  CommonHelp fwd_help{"folder for bench_forward.json and .md"};
  fwd_help.dtype = "fp32, tf32 (CUDA matmuls), bf16 (bf16 weights) or bf16-autocast (default fp32)";
  add_common_flags(fwd, *f, kDevice | kDtype | kThreads | kOut, fwd_help);
  add_impl_flags(fwd, o->impl);
  fwd->callback([o, f] {
    apply_common_flags(*f);
    if (!f->device.empty()) o->device = f->device;
    if (!f->dtype.empty()) o->dtype = f->dtype;
    o->out = f->out;
    pipelines::run_bench_forward(*o);
  });

  auto t = std::make_shared<pipelines::BenchTrainOptions>();
  auto tf = std::make_shared<CommonFlags>();
  auto* tr = cmd->add_subcommand("train", "tokens/s and peak memory of MLM training steps (forward, backward, AdamW)");
  add_model_argument(tr, t->model, "preset or checkpoint folder, an MLM model (default codessm-base)", /*required=*/false);
  tr->add_option("--set", t->overrides, "override a config.json key: key=value (repeatable)");
  tr->add_option("--shapes", t->shapes, "BATCHxLENGTH list")->delimiter(',')->capture_default_str();
  tr->add_option("--warmup", t->warmup, "untimed steps")->capture_default_str();
  tr->add_option("--iters", t->iters, "timed steps")->capture_default_str();
  tr->add_option("--mlm-probability", t->mlm_probability, "share of positions scored")->capture_default_str();
  tr->add_flag("--full-head", t->full_head, "vocabulary logits at every position (the old way)");
  tr->add_flag("--plain-adamw", t->plain_adamw, "LibTorch's per-tensor AdamW instead of the fused one");
  tr->add_flag("--unfused-step", t->unfused_step,
               "bf16-master: the optimizer step in separate passes (fp32 gradient copies, clipping, AdamW, rounding)");
  CommonHelp tr_help{"folder for bench_train.json and .md"};
  tr_help.dtype = "as the trainer's: bf16-master (bf16 weights and activations, fp32 master weights; the default), "
                  "bf16 (autocast), tf32 or fp32";
  add_common_flags(tr, *tf, kDevice | kDtype | kThreads | kOut, tr_help);
  add_impl_flags(tr, t->impl);
  tr->callback([t, tf] {
    apply_common_flags(*tf);
    if (!tf->device.empty()) t->device = tf->device;
    if (!tf->dtype.empty()) t->dtype = tf->dtype;
    t->out = tf->out;
    pipelines::run_bench_train(*t);
  });
}

}  // namespace codessm::cli
