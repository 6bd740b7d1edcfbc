// x·Wᵀ + b over the last dimension as one 2-D product. LibTorch's linear on a 3-D input runs the product and
// then a separate broadcast add of the bias: on the H200 that add takes as long as the product itself for a
// layer's shapes (kernel timings in bench/results/perf_h200_run4.md), and the vocabulary head's as long as
// its 2.8 ms product. Flattened to 2-D, addmm hands the bias to cuBLASLt's epilogue instead.
#pragma once

#include <torch/torch.h>

namespace codessm::kernels {

/// x: r(... in), w: r(out in), b: r(out) or undefined → r(... out). Differentiable in all three; works under
/// autocast like torch::addmm. A non-contiguous x is copied once (reshape).
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b = {});

/// The same product with its backward written out (bias gradient by kernels::column_sum) — what linear runs
/// when training on CUDA without autocast; exposed so that the CPU tests exercise its backward. x: r(M in).
torch::Tensor linear_column_sum_bias(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);

/// Reference twin: the same product in float64 on the CPU, x·Wᵀ + b written out. Differentiable.
torch::Tensor linear_reference(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b = {});

}  // namespace codessm::kernels
