// AdamW with one multi-tensor kernel per parameter group on CUDA (at::_fused_adamw_, PyTorch ≥ 2.1), instead
// of LibTorch's per-tensor loop (~10 kernel launches for each of a model's ~200 tensors). The same class,
// state and checkpoint format as torch::optim::AdamW (it is one), so optimizer.pt files move between the two
// and a resumed run may switch; elsewhere (CPU, LibTorch 1.13) step() is AdamW::step, the reference twin.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace codessm::train {

class FusedAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;
  /// One fused update per group when every parameter with a gradient is a CUDA fp32 tensor and LibTorch has
  /// the kernel; torch::optim::AdamW::step otherwise. amsgrad is not supported by the fused path (falls back).
  torch::Tensor step(LossClosure closure = nullptr) override;
  /// Whether the last step() took the fused path (for logs and benchmarks).
  bool last_step_fused() const { return last_fused_; }

 private:
  bool last_fused_ = false;
};

}  // namespace codessm::train
