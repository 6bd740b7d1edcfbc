// The one seam between a training step and data parallelism. StepRunner calls exactly these hooks, in this
// order, once per step (every rank issues its collectives in the same order):
//   before_backward(last) × grad_accum  →  sum_scalars({loss, items, tokens, stop})  →  finish_gradients(params)
// A step therefore costs one scalar collective, not two per micro-batch. The implementation today
// (ProcessGroupSync, data_parallel.h) reduces flat gradient buckets in finish_gradients, after the backward. An
// overlapped implementation registers autograd hooks on the parameters, launches each bucket's all-reduce as
// soon as its gradients are final — but only when before_backward said `last` (non-final micro-batches just
// accumulate locally: DDP's no_sync) — and waits for the in-flight buckets in finish_gradients. Nothing else in
// the trainer changes.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace codessm::train {

class GradientSync {
 public:
  virtual ~GradientSync() = default;
  virtual int64_t rank() const = 0;
  virtual int64_t world_size() const = 0;
  /// Copies rank 0's parameter values to every rank (a fresh run's start; a resumed run reads one checkpoint).
  virtual void broadcast_parameters(const std::vector<torch::Tensor>& params) = 0;
  /// Called before each micro-batch's backward; `last` marks the step's final micro-batch.
  virtual void before_backward(bool last) {}
  /// The element-wise sum over ranks of a few host scalars, in one collective.
  virtual std::vector<double> sum_scalars(const std::vector<double>& values) = 0;
  /// After the step's last backward: on return every parameter's gradient is its sum over ranks (parameters
  /// without a gradient are skipped consistently: every rank holds the same set).
  virtual void finish_gradients(const std::vector<torch::Tensor>& params) = 0;
};

}  // namespace codessm::train
