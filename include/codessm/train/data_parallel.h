// Data-parallel gradient synchronisation over c10d process groups (Gloo on CPU; NCCL where LibTorch was built
// with it), in the torchrun convention (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT): ProcessGroupSync implements
// the GradientSync seam (gradient_sync.h). Each rank back-propagates the *sum* of its micro-batches' losses; the
// step runner divides the summed gradient by the item count of all ranks together, so one step equals one
// process's step on the combined batch (up to summation order). Gradients travel in flat fp32 buckets, reduced
// after the backward (overlapping them with it is the next step; gradient_sync.h says how).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "codessm/train/gradient_sync.h"

namespace codessm::train {

/// Where this process sits in a data-parallel group (per-call knobs, not persisted).
struct DistributedOptions {
  int64_t rank = 0;
  int64_t world_size = 1;
  std::string backend = "gloo";          ///< "gloo" (CPU tensors) or "nccl" (CUDA tensors; CUDA LibTorch only)
  std::string file_store;                ///< rendezvous file shared by the ranks; "" = TCP at master_addr:master_port
  std::string master_addr = "127.0.0.1";
  int64_t master_port = 29500;
  int64_t local_rank = 0;                ///< this rank's GPU on its host (NCCL tensors live on cuda:local_rank)
  int64_t bucket_bytes = 25ll << 20;     ///< gradients are all-reduced in flat buckets of at most this size

  /// From torchrun's RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (world size 1 when they are unset).
  static DistributedOptions from_env();
};

/// One process group: sums of scalars, gradient all-reduce, parameter broadcast. Throws UsageError for a bad
/// rank/world/backend, DataError when the rendezvous fails.
class ProcessGroupSync : public GradientSync {
 public:
  explicit ProcessGroupSync(const DistributedOptions& options);
  ~ProcessGroupSync() override;
  ProcessGroupSync(const ProcessGroupSync&) = delete;
  ProcessGroupSync& operator=(const ProcessGroupSync&) = delete;

  /// False when this build has no c10d backend (then construction throws UsageError saying why).
  static bool available();
  /// True when this build has the NCCL backend (CUDA LibTorch built with -DCODESSM_NCCL_INCLUDE or USE_C10D_NCCL).
  static bool nccl_available();

  int64_t rank() const override { return options_.rank; }
  int64_t world_size() const override { return options_.world_size; }
  void broadcast_parameters(const std::vector<torch::Tensor>& params) override;
  std::vector<double> sum_scalars(const std::vector<double>& values) override;
  /// all_reduce_gradients: flat buckets of at most bucket_bytes, after the backward.
  void finish_gradients(const std::vector<torch::Tensor>& params) override { all_reduce_gradients(params); }

  /// The sum of `value` over all ranks (e.g. the global number of masked tokens).
  double all_reduce_sum(double value) { return sum_scalars({value})[0]; }
  /// Replaces each parameter's gradient by its sum over all ranks (parameters without a gradient are skipped
  /// consistently: every rank must hold the same set).
  void all_reduce_gradients(const std::vector<torch::Tensor>& params);

 private:
  struct Impl;
  DistributedOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codessm::train
