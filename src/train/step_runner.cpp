// StepRunner (step_runner.h): the order of operations is what makes accumulation, data parallelism and the
// NaN policy agree; see the header for the normalisation rule.
#include "codessm/train/step_runner.h"

#include <fmt/format.h>

#include <cmath>

#include "codessm/kernels/adamw.h"
#include "codessm/tensor/scopes.h"
#include "codessm/train/fused_adamw.h"
#include "codessm/train/grad_clip.h"
#include "codessm/train/master_weights.h"

namespace codessm::train {

std::string StepOutcome::nonfinite_reason() const {
  return std::isfinite(loss) ? fmt::format("gradient norm is {}", grad_norm) : fmt::format("loss is {}", loss);
}

StepRunner::StepRunner(model::CodeModel& model, torch::optim::Optimizer& optimizer, TrainStream& stream,
                       torch::Device device, StepOptions options, GradientSync* sync, MasterWeights* master)
    : model_(model), opt_(optimizer), stream_(stream), device_(device), options_(options), sync_(sync),
      master_(master) {
  for (auto& g : opt_.param_groups())
    for (auto& p : g.params()) params_.push_back(p);
}

StepOutcome StepRunner::step(int64_t step, StopWish stop) {
  const int64_t rank = sync_ ? sync_->rank() : 0, world = sync_ ? sync_->world_size() : 1;
  // bf16 with fp32 masters, one micro-batch, one process: the optimizer's update straight from the model's bf16
  // gradients in one pass (no fp32 copies; the step's mean and clipping as one factor inside the update).
  const bool fused = master_ && !sync_ && options_.grad_accum == 1 && master_->can_step_fused(opt_);
  opt_.zero_grad();
  torch::Tensor loss_sum;  // fp32 scalar on the device: Σ of the micro-batches' loss sums (no host sync yet)
  double items = 0;
  uint64_t tokens = 0;
  for (int64_t m = 0; m < options_.grad_accum; ++m) {
    MicroBatchLoss out;
    {
      tensor::AutocastScope autocast(device_.type(), options_.bf16_autocast);
      // Every rank reads the whole stream and keeps its share, so the data position is the same on all ranks.
      out = stream_.next(model_, device_, step, rank, world);
    }
    items += out.count;
    tokens += out.tokens;
    if (sync_) sync_->before_backward(/*last=*/m + 1 == options_.grad_accum);
    out.loss_sum.backward();
    if (master_ && !fused) master_->accumulate_gradients();  // fp32 from here on: accumulation, sync, clipping, AdamW
    loss_sum = loss_sum.defined() ? loss_sum + out.loss_sum.detach() : out.loss_sum.detach();
  }
  torch::Tensor norm;  // fused: the gradients' norm, on the device
  if (fused) {
    // Queued before any host synchronisation, so the GPU goes from the backward to the update without waiting for
    // the host (which builds the update's tables meanwhile): clipping's factor comes from the norm on the device,
    // and a non-finite loss or norm skips the update there (loss·0 is NaN for a NaN or infinite loss).
    norm = master_->grad_norm_tensor(opt_);
    const kernels::NormClip clip{norm + loss_sum.to(torch::kFloat32) * 0, 1.0 / items, options_.max_grad_norm};
    master_->step_fused(dynamic_cast<FusedAdamW&>(opt_), 1.0 / items, &clip);
  }
  // The step's scalars: this rank's, then (data parallel) their sums over ranks in one collective. A NaN on any
  // rank reaches every rank through the loss sum, so all ranks skip or stop together.
  std::vector<double> s{loss_sum.item<double>(), items, static_cast<double>(tokens), stop.signal ? 1.0 : 0.0,
                        stop.time_budget ? 1.0 : 0.0};
  if (sync_) s = sync_->sum_scalars(s);
  StepOutcome out;
  out.loss = s[0] / s[1];
  out.tokens = static_cast<uint64_t>(s[2]);
  out.stop = s[3] > 0;
  out.out_of_time = s[4] > 0;
  if (fused) {
    out.grad_norm = norm.item<double>() / s[1];  // the norm of the step's mean-loss gradient
    out.applied = std::isfinite(out.loss) && std::isfinite(out.grad_norm);
    if (!out.applied) dynamic_cast<FusedAdamW&>(opt_).undo_last_step_counts();  // the device skipped the update
    return out;
  }
  if (sync_) sync_->finish_gradients(params_);
  scale_grads(params_, 1.0 / s[1]);  // the gradient of the step's mean loss
  // Multi-tensor norm and scaling (a handful of launches; twin: clip_grad_norm_reference); max_grad_norm <= 0 only
  // measures the norm.
  out.grad_norm = clip_grad_norm(params_, options_.max_grad_norm);
  out.applied = std::isfinite(out.loss) && std::isfinite(out.grad_norm);
  if (out.applied) {
    opt_.step();
    if (master_) master_->masters_to_model();
  } else {
    opt_.zero_grad();
  }
  return out;
}

}  // namespace codessm::train
