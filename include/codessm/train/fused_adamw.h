// AdamW with one multi-tensor kernel per parameter group on CUDA (at::_fused_adamw_, PyTorch ≥ 2.1), instead
// of LibTorch's per-tensor loop (~10 kernel launches for each of a model's ~200 tensors). The same class,
// state and checkpoint format as torch::optim::AdamW (it is one), so optimizer.pt files move between the two
// and a resumed run may switch; elsewhere (CPU, LibTorch 1.13) step() is AdamW::step, the reference twin.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "codessm/kernels/adamw.h"

namespace codessm::train {

class FusedAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;
  /// One fused update per group when every parameter with a gradient is a CUDA fp32 tensor and LibTorch has
  /// the kernel; torch::optim::AdamW::step otherwise. amsgrad is not supported by the fused path (falls back).
  torch::Tensor step(LossClosure closure = nullptr) override;
  /// One update in which parameter p's gradient is grad_of(p) (any float dtype; undefined: p is skipped, as
  /// step() skips a parameter without a gradient) times grad_scale, and the updated p is also written into
  /// output_of(p) when that is defined (rounded to its dtype): kernels::adamw_step, one pass per element — bf16
  /// training reads the model's bf16 gradients of the fp32 masters and writes the model's weights without fp32
  /// copies. Every parameter must be fp32; state and step counts are step()'s (so are checkpoints).
  /// With `clip`, clipping's factor is taken from the norm where it lies (kernels::NormClip: on CUDA inside the
  /// update, no host synchronisation) and a non-finite norm skips the update on the device; the step counts have
  /// been advanced all the same — undo_last_step_counts() takes them back once the caller has read the norm.
  using TensorOf = std::function<torch::Tensor(const torch::Tensor&)>;
  void step_from(const TensorOf& grad_of, const TensorOf& output_of, double grad_scale,
                 const kernels::NormClip* clip = nullptr);
  /// Takes back the step counts the last step_from advanced (for an update the norm skipped).
  void undo_last_step_counts();
  /// Whether the last step() took the fused path (for logs and benchmarks).
  bool last_step_fused() const { return last_fused_; }

 private:
  /// p's state, created (zero moments, step 0) on its first update.
  torch::optim::AdamWParamState& state_of(const torch::Tensor& p);
  bool last_fused_ = false;
  std::vector<torch::optim::AdamWParamState*> last_stepped_;  ///< the states step_from advanced last
};

}  // namespace codessm::train
