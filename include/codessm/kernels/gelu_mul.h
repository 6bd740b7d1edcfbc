// The gate of a BiGS layer, gelu(dol(g)) ⊙ gelu(dv(x)) (model-spec §1.2), as one operation: both GELUs are
// the exact erf form of modeling_bigs.py (cuBLAS's fused GELU epilogue is the tanh form, 4.7e-4 away).
#pragma once

#include <torch/torch.h>

namespace codessm::kernels {

/// gelu(a) ⊙ gelu(b); a, b: same shape and dtype. Differentiable in both. On CUDA, when the optional CUDA
/// kernels are built, one fused kernel forward and one backward; otherwise (and as the twin) LibTorch's ops.
torch::Tensor gelu_mul(const torch::Tensor& a, const torch::Tensor& b);

/// Reference twin: the same function in float64 on the CPU through LibTorch's erf GELU. Differentiable.
torch::Tensor gelu_mul_reference(const torch::Tensor& a, const torch::Tensor& b);

/// Whether gelu_mul uses the fused kernels for this tensor (CUDA build, CUDA tensor, fp32/bf16/fp16).
bool gelu_mul_is_fused(const torch::Tensor& a);

/// Turns the fused kernels off (true) or back on — for the benchmarks' before/after rows.
void set_gelu_mul_unfused(bool off);

}  // namespace codessm::kernels
