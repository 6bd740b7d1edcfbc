// The local Toeplitz block's product: one T for every batch row, y_t = T·u_t, its zero half skipped, and its
// gradient dT = Σ_t g_t·u_tᵀ summed over the batch inside the product. Autograd's bmm over T broadcast with batch stride
// 0 forms every row's g_t·u_tᵀ (a B×Cc×Cc tensor in the activations' dtype: 64 MiB per block at 8×2048) and
// then sums it in a separate pass (ncu, training step 8×2048: 24 such sums, 0.72 ms); here the sum accumulates
// in fp32 inside the matrix products.
#pragma once

#include <torch/torch.h>

namespace codessm::kernels {

/// a: r(Bt M K), b: r(Bt N K), same float dtype and device, last dim contiguous → fp32 r(M N) = Σ_t a_t·b_tᵀ.
/// On CUDA, 16-bit inputs with M·N ≥ 2048² (enough output tiles to fill the GPU in one product) and the optional
/// CUDA kernels built: one cuBLAS product per t accumulating into the fp32 result (β = 1; fp32 accumulation
/// throughout, no rounding of the partial sums). Elsewhere: bmm and a sum over t in fp32.
torch::Tensor batch_product_sum(const torch::Tensor& a, const torch::Tensor& b);

/// Reference twin: the same sum in float64 on the CPU.
torch::Tensor batch_product_sum_reference(const torch::Tensor& a, const torch::Tensor& b);

/// Whether batch_product_sum takes the cuBLAS accumulation for these inputs.
bool batch_product_sum_is_fused(const torch::Tensor& a, const torch::Tensor& b);

/// Turns the cuBLAS accumulation off (true) or back on — for the benchmarks' before/after rows.
void set_batch_product_plain(bool off);

/// T: r(Cc Cc) (any strides, e.g. a transposed view), u: r(Bt Cc d) → r(Bt Cc d) in u's dtype, y_t = T·u_t with T
/// cast to u's dtype. T is cut into `tiles` × `tiles` equal squares (Cc % tiles == 0); those above the diagonal
/// (below it when `upper`) are zero — a causal (anti-causal) Toeplitz block — and skipped: tiles·(tiles+1)/2
/// batched products of (Cc/tiles)² instead of one of Cc² (3/4 of the work for 2 tiles), written into one output
/// (no cat). Differentiable: du_t = Tᵀ·g_t over the same squares, dT = batch_product_sum of each used square's rows
/// of g and columns of u (zeros in the skipped ones), returned in T's dtype.
torch::Tensor broadcast_product(const torch::Tensor& T, const torch::Tensor& u, int64_t tiles = 1, bool upper = false);

}  // namespace codessm::kernels
