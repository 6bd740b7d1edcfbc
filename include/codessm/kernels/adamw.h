// AdamW over many tensors in one pass per element, for bf16 training with fp32 master weights: each gradient is
// read in its own dtype (the model's bf16 gradient of an fp32 master, no fp32 copy) and scaled on the fly (the
// step's mean and gradient clipping), and the updated master is rounded into the model's weight in the same
// pass. torch.optim.AdamW's arithmetic (decoupled weight decay, bias-corrected moments).
#pragma once

#include <torch/torch.h>

#include <vector>

namespace codessm::kernels {

/// One tensor's update: its group's hyperparameters and this update's step count t (≥ 1).
struct AdamWStep {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.01;
  int64_t step = 1;
};

/// The tensors of one update, index by index: params, exp_avgs, exp_avg_sqs fp32 (updated in place); grads any
/// float dtype of the param's shape; outputs undefined or a tensor of the param's shape that receives the
/// updated param (rounded to its dtype). All on one device, contiguous. β1, β2 and ε must agree over the list.
struct AdamWTensors {
  std::vector<torch::Tensor> params, grads, exp_avgs, exp_avg_sqs, outputs;
  std::vector<AdamWStep> steps;
};

/// Gradient clipping decided where the norm is, without a host synchronisation: the gradients' factor becomes
/// grad_scale·c, c = max_norm / (norm·norm_scale + 1e-6) when that is below 1 (max_norm ≤ 0: c = 1), norm a
/// 0-dim fp32 tensor on the parameters' device (global_norm's result, possibly made non-finite on purpose). A
/// non-finite norm·norm_scale skips the whole update: parameters, moments and outputs stay as they were.
struct NormClip {
  torch::Tensor norm;
  double norm_scale = 1.0, max_norm = 0.0;
};

/// Gradient clipping's factor for a norm (torch.nn.utils.clip_grad_norm_'s rule): max_norm / (norm + 1e-6) when
/// that is below 1; 1 when max_norm ≤ 0 or the norm is not finite. The CUDA kernel computes the same in fp32.
double clip_factor(double norm, double max_norm);

/// One AdamW update of every tensor with gradient·grad_scale (and clip's factor, when given). On CUDA with the
/// kernels: one launch per (gradient dtype, output dtype) pair, the clipping factor computed by the kernel from
/// the norm in device memory; elsewhere LibTorch ops per tensor in the same order (fp32), the norm read on the
/// host.
void adamw_step(const AdamWTensors& t, double grad_scale, const NormClip* clip = nullptr);

/// Whether adamw_step runs the CUDA kernels for tensors on this device.
bool adamw_step_is_fused(const torch::Tensor& param);

/// Reference twin: one update of one tensor in float64 on the CPU. Returns {param, exp_avg, exp_avg_sq}; the
/// inputs are not modified.
std::vector<torch::Tensor> adamw_step_reference(const torch::Tensor& param, const torch::Tensor& grad,
                                                const torch::Tensor& exp_avg, const torch::Tensor& exp_avg_sq,
                                                const AdamWStep& s, double grad_scale);

/// ‖(t₁, t₂, …)‖₂ of tensors of any float dtypes, accumulated in fp32 (float64 when any is float64): on CUDA
/// with the kernels one pass over the elements; LibTorch's norms elsewhere. A 0-dim tensor on their device.
torch::Tensor global_norm(const std::vector<torch::Tensor>& tensors);

}  // namespace codessm::kernels
