// bf16 training with fp32 master weights: the model holds bf16 weights and computes in bf16 end to end (no
// autocast: no per-op casts, bf16 LayerNorm and residual stream), while the optimizer updates fp32 copies.
// Under autocast a codessm-base training step spends a large share of its time casting (fp32 residual and
// LayerNorm, weight casts every forward); here each step adds only a cast of every gradient into fp32 and a
// rounding of every updated master back into the model. The SSM kernel parameters stay fp32 in the model
// (CodeModelImpl::cast_weights), so they need no master: the optimizer updates them in place as before.
#pragma once

#include <torch/torch.h>

#include <unordered_map>
#include <vector>

#include "codessm/model/code_model.h"
#include "codessm/train/fused_adamw.h"

namespace codessm::train {

class MasterWeights {
 public:
  /// Casts `model`'s weights to `dtype` (CodeModelImpl::cast_weights) and points `optimizer` at fp32 master
  /// copies of every weight that was cast. Call before the optimizer's first step and before loading its
  /// state: the state is keyed by the tensors the groups hold, which are the masters from here on.
  MasterWeights(model::CodeModel& model, torch::optim::Optimizer& optimizer, torch::ScalarType dtype);

  /// Adds the model's gradients (bf16) into the masters' fp32 gradients (assigned when undefined) and releases
  /// the model's; once per micro-batch, so accumulation over micro-batches happens in fp32.
  void accumulate_gradients();
  /// Rounds the updated masters into the model's weights (after optimizer.step()).
  void masters_to_model();
  /// The fused step instead of accumulate_gradients + clipping + optimizer.step() + masters_to_model, for a
  /// step of one micro-batch: whether `optimizer` and the tensors allow it (a FusedAdamW, the kernels built,
  /// the model on CUDA).
  bool can_step_fused(const torch::optim::Optimizer& optimizer) const;
  /// ‖g‖₂ over every gradient the optimizer would apply — the model's 16-bit gradients of the masters and the
  /// fp32 gradients of the parameters that were not cast — accumulated in fp32: a 0-dim fp32 tensor on the
  /// model's device (no host synchronisation); grad_norm reads it.
  torch::Tensor grad_norm_tensor(const torch::optim::Optimizer& optimizer) const;
  double grad_norm(const torch::optim::Optimizer& optimizer) const;
  /// One AdamW update from the model's gradients times grad_scale (FusedAdamW::step_from: no fp32 gradient
  /// copies; the updated masters rounded into the model in the same pass; with `clip`, clipping's factor and
  /// the skip of a non-finite norm decided on the device); releases the model's gradients. Call after one
  /// backward, without accumulate_gradients.
  void step_fused(FusedAdamW& optimizer, double grad_scale, const kernels::NormClip* clip = nullptr);
  /// Releases the model's gradients without a step (a skipped step on the fused path).
  void discard_gradients();
  /// The end of training: the model's cast weights become their fp32 masters for good (the model is fp32 again;
  /// no further step may follow).
  void release_to_model();
  /// Number of master/model pairs (the weights that were cast).
  size_t size() const { return model_.size(); }

  /// While alive, the model's cast weights are their fp32 masters (no copy: the tensors' storage is swapped),
  /// so a checkpoint written meanwhile holds the fp32 weights, not their bf16 rounding.
  class Fp32Scope {
   public:
    explicit Fp32Scope(MasterWeights* mw);
    ~Fp32Scope();
    Fp32Scope(const Fp32Scope&) = delete;
    Fp32Scope& operator=(const Fp32Scope&) = delete;

   private:
    MasterWeights* mw_;
    std::vector<torch::Tensor> low_;  // the bf16 data set aside
  };

 private:
  std::vector<torch::Tensor> model_;   // the model's cast parameters (bf16 leaves)
  std::vector<torch::Tensor> master_;  // their fp32 masters, held by the optimizer's groups
  std::vector<torch::Tensor> grad_;    // the masters' fp32 gradient buffers, kept across steps (no reallocation)
  std::unordered_map<const void*, size_t> index_of_master_;  // master's TensorImpl → its index in master_
  /// The gradient the optimizer applies to its parameter p: the model's for a master, p's own otherwise.
  torch::Tensor grad_for(const torch::Tensor& p) const;
};

}  // namespace codessm::train
