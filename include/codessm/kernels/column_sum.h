// Column sums of a matrix, Σ over its rows — the bias gradient of a linear layer (kernels::linear's backward).
#pragma once

#include <torch/torch.h>

namespace codessm::kernels {

/// g: r(M N) → r(N) in g's dtype, accumulated in fp32 (float64 for float64). On CUDA, when the optional CUDA
/// kernels are built, two deterministic passes (src/kernels/cuda/column_sum.cu); otherwise LibTorch's sum(0).
/// Not differentiable (it computes gradients).
torch::Tensor column_sum(const torch::Tensor& g);

/// Reference twin: the same sums in float64 on the CPU.
torch::Tensor column_sum_reference(const torch::Tensor& g);

/// Whether column_sum runs the CUDA kernels for this tensor (CUDA build, CUDA tensor, fp32/bf16/fp16,
/// contiguous, 16-byte aligned rows).
bool column_sum_is_fused(const torch::Tensor& g);

/// Turns the CUDA kernels off (true) or back on — for the benchmarks' before/after rows.
void set_column_sum_unfused(bool off);

}  // namespace codessm::kernels
