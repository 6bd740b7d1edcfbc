// LayerNorm over the last dimension with a training backward that computes the parameter gradients in one
// column-sum pass. LibTorch's CUDA backward spent ~79 µs per BiGS layer of an 8×2048 training step in its
// γ/β reduction (ncu, bench/results/run6/), twice what reading g and x takes at the H200's bandwidth.
#pragma once

#include <torch/torch.h>

namespace codessm::kernels {

/// F::layer_norm(x, {x.size(-1)}, weight, bias, eps). x: r(..., N); weight, bias: r(N). Differentiable in all
/// three. On CUDA with the kernels built, outside autocast, with x, weight and bias of one dtype (fp32/bf16/fp16)
/// and N a multiple of 16 bytes: the forward by the LayerNorm kernel (one warp per row, fp32 two-pass statistics;
/// rows up to 256 vectors: 2048 bf16/fp16 or 1024 fp32 values), and when training a custom backward — dx by
/// LibTorch's layer-norm backward (its input gradient only), dγ = Σ_rows g·x̂ and dβ = Σ_rows g by the column-sum
/// kernels (fp32, fixed order, rounded once to the parameters' dtype). Otherwise LibTorch's layer_norm.
torch::Tensor layer_norm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias, double eps);

/// Reference twin: the same function in float64 on the CPU. Differentiable.
torch::Tensor layer_norm_reference(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                   double eps);

/// Whether layer_norm takes the custom backward for these tensors in the current (grad, autocast) mode.
bool layer_norm_is_fused(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

/// Whether the forward kernel takes these tensors (dtype, device, width, alignment; not the grad or autocast mode).
bool layer_norm_forward_is_fused(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

/// A/B switch for benchmarks (process-wide): the forward by LibTorch's kernel even where ours takes the tensors.
void set_layer_norm_plain(bool plain);

}  // namespace codessm::kernels
