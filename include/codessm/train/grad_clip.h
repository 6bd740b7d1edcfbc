// Gradient-norm clipping and scaling over all parameters with multi-tensor kernels (at::_foreach_norm,
// at::_foreach_mul_): a handful of launches for a model's ~200 gradients, where torch::nn::utils::
// clip_grad_norm_ runs two per tensor (6.5 ms of a 102 ms codessm-base training step on an H200).
#pragma once

#include <torch/torch.h>

#include <vector>

namespace codessm::train {

/// The global L2 norm of the defined gradients of `params` (one host synchronisation). Scales them by
/// max_norm / (norm + 1e-6) when that is below 1 (max_norm ≤ 0: never), as torch.nn.utils.clip_grad_norm_.
/// Returns the norm before clipping (NaN/Inf when a gradient is not finite).
double clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm);

/// Multiplies every defined gradient by `factor` (one multi-tensor kernel per device and dtype).
void scale_grads(const std::vector<torch::Tensor>& params, double factor);

/// Reference twin: LibTorch's torch::nn::utils::clip_grad_norm_ (per-tensor norms and scaling).
double clip_grad_norm_reference(const std::vector<torch::Tensor>& params, double max_norm);

}  // namespace codessm::train
