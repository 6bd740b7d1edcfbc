// One optimizer step, everything between "the lr is set" and "the update is applied": forward/backward over
// grad_accum micro-batches (under bf16 autocast when asked), the step's scalars and gradients combined across
// data-parallel ranks through the GradientSync seam, normalisation, clipping, and the NaN check that decides
// whether the update is applied. The trainer only schedules steps; it never touches a gradient.
//
// Normalisation. Every micro-batch back-propagates its loss *sum*; after the last one, the summed gradient is
// divided by the item count of the whole step (all micro-batches, all ranks). The step's gradient is therefore
// the gradient of the mean loss over every item of the step — the same whatever the split into micro-batches
// and ranks (one process with grad_accum A equals one micro-batch A times larger, and W ranks equal one
// process on the combined batch), and the count needs no communication before a backward can start. The
// loss stays on the device until the step ends: one host synchronisation per step for it, and under data
// parallelism one scalar collective (loss, items, tokens, stop flag) per step.
//
// Normalisation and clipping use multi-tensor kernels (train::scale_grads, train::clip_grad_norm; twin:
// clip_grad_norm_reference). What plugs in here without changing the runner:
//  - data parallelism overlapped with the backward: a GradientSync implementation (gradient_sync.h);
//  - the optimizer: any torch::optim::Optimizer (its step() sees gradients already normalised and clipped;
//    make_adamw is the one place that builds it — train::FusedAdamW today, one fused kernel per group on CUDA);
//  - the loss: the TrainStream's next() returns the MicroBatchLoss this runner sums (the MLM stream runs the
//    vocabulary head at the masked positions only, masked_mlm_loss_sum); nothing here depends on how.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "codessm/model/code_model.h"
#include "codessm/train/gradient_sync.h"
#include "codessm/train/objective.h"

namespace codessm::train {

class MasterWeights;

struct StepOptions {
  int64_t grad_accum = 1;     ///< micro-batches per step
  double max_grad_norm = 1.0; ///< global L2 clipping of the normalised gradient; 0 = none (the norm is still measured)
  bool bf16_autocast = false; ///< run the forward passes under bf16 autocast
};

/// This rank's wish to stop after the step: a signal, or (rank 0's clock decides) the time budget.
struct StopWish {
  bool signal = false;
  bool time_budget = false;
};

/// What one step did.
struct StepOutcome {
  double loss = 0;       ///< Σ loss / Σ items over the step's micro-batches (all ranks)
  double grad_norm = 0;  ///< L2 norm of the normalised gradient before clipping (NaN/Inf when non-finite)
  uint64_t tokens = 0;   ///< real input tokens of the step (all ranks)
  bool applied = false;  ///< the loss and the gradient norm were finite and the optimizer stepped
  bool stop = false;         ///< some rank got a stop signal (every rank gets the same answer)
  bool out_of_time = false;  ///< some rank ran out of its time budget (every rank gets the same answer)
  /// "loss is nan" / "gradient norm is inf" for a step that was not applied.
  std::string nonfinite_reason() const;
};

class StepRunner {
 public:
  /// `sync` may be null (one process). The model's trainable parameters are gathered from the optimizer.
  /// `master` (bf16-master runs; may be null): each micro-batch's gradients go into the fp32 masters, and the
  /// updated masters are rounded into the model after the optimizer step.
  StepRunner(model::CodeModel& model, torch::optim::Optimizer& optimizer, TrainStream& stream, torch::Device device,
             StepOptions options, GradientSync* sync, MasterWeights* master = nullptr);

  /// Runs step `step` (0-based; staged streams switch data by it). `stop` is this rank's wish to stop after the
  /// step; it is combined with the other ranks' in the step's one scalar collective. A step whose
  /// loss or gradient norm is not finite leaves the parameters and the optimizer state untouched (gradients
  /// cleared); the caller applies the NaN policy.
  StepOutcome step(int64_t step, StopWish stop = {});

  /// The parameters the optimizer updates, in its order (the gradient sync reduces these).
  const std::vector<torch::Tensor>& parameters() const { return params_; }

 private:
  model::CodeModel& model_;
  torch::optim::Optimizer& opt_;
  TrainStream& stream_;
  torch::Device device_;
  StepOptions options_;
  GradientSync* sync_;
  MasterWeights* master_;
  std::vector<torch::Tensor> params_;
};

}  // namespace codessm::train
