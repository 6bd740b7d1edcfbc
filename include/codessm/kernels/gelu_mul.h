// The gate of a BiGS layer, gelu(dol(g)) ⊙ gelu(dv(x)) (model-spec §1.2), as one operation, and the GELU of
// its SSM inputs: the erf form of modeling_bigs.py (cuBLAS's fused GELU epilogue is the tanh form, 4.7e-4 away).
#pragma once

#include <torch/torch.h>

#include <vector>

namespace codessm::kernels {

/// gelu(a) ⊙ gelu(b); a, b: same shape and dtype. Differentiable in both. On CUDA, when the optional CUDA
/// kernels are built, one fused kernel forward and one backward (bf16/fp16: the normal CDF as for gelu below);
/// otherwise (and as the twin) LibTorch's ops.
torch::Tensor gelu_mul(const torch::Tensor& a, const torch::Tensor& b);

/// Reference twin: the same function in float64 on the CPU through LibTorch's erf GELU. Differentiable.
torch::Tensor gelu_mul_reference(const torch::Tensor& a, const torch::Tensor& b);

/// gelu(x), the erf form; differentiable. On CUDA with the optional kernels, one kernel forward and one
/// backward (for bf16/fp16 through the A&S 7.1.26 normal CDF: < 3e-7·|x| off the exact form, under one
/// 16-bit rounding; src/kernels/cuda/gelu_mul.cu); otherwise LibTorch's gelu.
torch::Tensor gelu(const torch::Tensor& x);

/// Reference twin of gelu: float64 on the CPU. Differentiable.
torch::Tensor gelu_reference(const torch::Tensor& x);

/// The SSM inputs' activation: gelu(x) ⊙ mask, cut into `parts` (1..4) equal column blocks —
/// (F::gelu(x) · mask[..., None]).split(cols / parts, -1); on the fused path each block is its own contiguous
/// tensor, otherwise a column view of one. x: r(..., cols); mask:
/// undefined (all ones) or one value per row, r(...) of any numeric dtype (1 at tokens, 0 at pads).
/// Differentiable in x. On CUDA with the kernels (block width a multiple of 16 bytes): one kernel forward and
/// one backward that reads the blocks' gradients in place (no cat of the two branches' gradients, no separate
/// mask product); otherwise gelu, a product and split.
std::vector<torch::Tensor> gelu_split(const torch::Tensor& x, const torch::Tensor& mask, int64_t parts);

/// Reference twin of gelu_split: float64 on the CPU. Differentiable.
std::vector<torch::Tensor> gelu_split_reference(const torch::Tensor& x, const torch::Tensor& mask, int64_t parts);

/// Whether gelu_mul and gelu use the fused kernels for this tensor (CUDA build, CUDA tensor, fp32/bf16/fp16).
bool gelu_mul_is_fused(const torch::Tensor& a);

/// Turns the fused kernels off (true) or back on — for the benchmarks' before/after rows.
void set_gelu_mul_unfused(bool off);

}  // namespace codessm::kernels
