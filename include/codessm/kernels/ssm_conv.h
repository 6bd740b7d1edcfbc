// The S4D long convolution of CodeSSM as matrix products on tensor cores (model-spec §1.3, §2.3):
//   causal       y[t] = Σ_{j≤t} K[t−j]·u[j] + D·u[t]
//   anti-causal  y[t] = Σ_{j≥t} K[j−t]·u[j] + D·u[t]   (BiGS's backward branch in the original token order:
//                flip ∘ causal ∘ flip, with no flips)
// One kernel is shared by all channels of a block (K kernels → K contiguous channel blocks), so the
// convolution is y = T(K)·u with T the L×L Toeplitz matrix, the same for every channel and batch row.
// Chunked form (the chunked SSM algorithm specialised to one shared LTI kernel): positions are cut into
// chunks of Cc; inside a chunk a dense Cc×Cc Toeplitz block (D on its diagonal); across chunks the N complex
// modes carry a state:  s_c = W_in·u_c (C×… → 2N real rows),  h = M·s (chunk-to-chunk decay z = Ā^Cc),
// y_c += W_out·h_c. Cost per token and channel 2·Cc + 8·N FLOPs (independent of L), against O(log L)
// in fp32 for the FFT and 2·L for a dense Toeplitz matrix. Derivation: docs/math/ssm_conv.md.
// Shapes: B batch, L length, D channels, K kernels, N modes, Cc chunk, nc = ⌈L/Cc⌉ chunks.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace codessm::kernels {

/// The block size Cc used where the caller leaves it to the library (chunk 0), for K kernels per block: on CUDA
/// one dense block for the whole sequence while K·L² ≤ 4096² (no state path at all; the dense blocks of a
/// 12-layer model then take ≤ 1.6 GB), otherwise the largest power of two ≤ 1024 within that bound; 256 on the
/// CPU, where the larger block's extra products are not free. Measured on the H200 (bench/results/
/// perf_h200_run4.md): one dense block gave 667K/711K/716K/650K forward tokens/s at L 512/1024/2048/4096
/// against 438K/530K/578K/616K with blocks of 256 (before the bias fix), and 195K vs 165K training tokens/s at
/// 8×2048; at L 8192, blocks of 1024 646K vs 631K (256). With K = 8 a dense block at L 4096 took 24.6 GiB.
/// `state16_inference` (no autograd, 16-bit activations, the 16-bit state path): the dense block only up to L 2048
/// — blocks of 1024 then cost less than the dense block's extra products (run 7b: forward at L 4096 993K vs
/// 901K tokens/s dense; at L 2048 dense stays ahead, 1,027K vs 928K). Training keeps the dense block to 4096
/// (8×2048 with blocks of 1024: 248K vs 322K tokens/s).
int64_t auto_chunk(int64_t L, int64_t kernels, bool cuda, bool state16_inference = false);

struct SsmConvOptions {
  /// Positions per chunk Cc (the dense block is Cc×Cc); sequences shorter than Cc use one block of L;
  /// 0: auto_chunk(L, K, on CUDA).
  int64_t chunk = 256;
  /// false: causal (forward branch); true: anti-causal (backward branch, original order).
  bool anticausal = false;
  /// Low-precision input (bf16/fp16): run the whole state path (W_in, the chunk mixing, W_out) in fp32 (TF32
  /// on tensor cores when enabled); the convolution then stays within twice the error of a dense bf16 Toeplitz
  /// product (tests/kernels/ssm_conv_test.cpp), at the cost of an fp32 copy of u and an fp32 output term.
  /// false: the chunk summaries W_in·u and the output term W_out·h are products in the input's dtype (one
  /// rounding each, ~2⁻⁹ relative in bf16, on top of the local block's), the chunk mixing stays fp32.
  bool fp32_state = true;
  /// The dense Cc×Cc block's diagonal tiles: T is cut into tiles × tiles and the zero half above (below,
  /// anti-causal) the diagonal skipped (broadcast_product); 0: auto_tiles(Cc, K, on CUDA) — on the CPU one product.
  /// A count that does not divide Cc (a short sequence's block) means one tile.
  int64_t tiles = 0;
  /// The dense block T in this dtype, cast from the kernel's K×Cc taps before T is spread out (the same values
  /// as casting T, which the products do anyway, for a fraction of the bytes). For plans used without autograd
  /// (inference with 16-bit activations); with gradients keep T in the parameters' dtype, so that dT is summed
  /// along its diagonals in fp32. Unset: the parameters' dtype.
  c10::optional<torch::ScalarType> matrix_dtype;
};

/// The tile count for a dense block of Cc where the caller leaves it to the library (tiles 0), K kernels per
/// SSM block: on CUDA 2 from Cc 1024 on with one kernel (3/4 of the block's products; H200 run 8c, codessm-base:
/// forward L 2048 1,064K vs 1,034K tokens/s, training 8×2048 341K vs 335K), else 1 — smaller products fill the
/// GPU worse than they save, and with 8 kernels each product has only d/8 columns (run 8d, codessm-8kernel:
/// L 1024 565K with 2 tiles against 927K with one in run 7c).
int64_t auto_tiles(int64_t Cc, int64_t kernels, bool cuda);

/// u: r(B L D), float (fp32/bf16/fp16/fp64), last dim contiguous (a column slice of a wider tensor is fine);
/// log_step, A_re, A_im, C: the S4D parameters as in s4d_kernel (K kernels, N modes); skip: r(K) (r(1) for BiGS).
/// Returns r(B L D) in u's dtype; the small matrices are built in the parameters' dtype and cast to u's dtype
/// for the products (fp32 accumulation on tensor cores). Differentiable in u and every parameter.
torch::Tensor ssm_conv(const torch::Tensor& u, const torch::Tensor& log_step, const torch::Tensor& A_re,
                       const torch::Tensor& A_im, const torch::Tensor& C, const torch::Tensor& skip,
                       const SsmConvOptions& opts = {});

/// The small matrices of the chunked convolution (docs/math/ssm_conv.md) for G kernels, built from the
/// parameters by differentiable tensor code in their dtype. Building them for every SSM block of a model at
/// once (G = blocks × kernels) costs a few dozen small kernels per forward instead of that many per block.
struct SsmConvPlan {
  torch::Tensor T;      ///< r(G Cc Cc): local Toeplitz block with D on the diagonal (its transpose, anti-causal)
  torch::Tensor W_in;   ///< r(G 2N Cc): chunk → state rows (Re, then Im); undefined when nc = 1
  torch::Tensor W_out;  ///< r(G Cc 2N): state → chunk output; undefined when nc = 1
  torch::Tensor M;      ///< r(G N 2nc 2nc): chunk-to-chunk transfer (real 2×2 blocks of z^m); undefined when nc = 1
  int64_t L = 0, Cc = 0, nc = 0;
  int64_t tiles = 1;  ///< T's diagonal tiles (SsmConvOptions::tiles, resolved); Cc % tiles == 0
  bool anticausal = false;
  int64_t kernels() const { return T.size(0); }
  /// Consecutive groups of `count` kernels (kernels() / count plans), each tensor cut by one torch::split, so
  /// that a backward through every piece is one cat per tensor — slices (narrow) would each fill a zero tensor
  /// of the whole batched size and autograd would add them up (ncu: ~4 ms of an 8×2048 training step).
  std::vector<SsmConvPlan> split(int64_t count) const;
};

/// The plan for sequences of length L. Parameters of G kernels: log_step r(G), A_re/A_im r(G N), C r(G N 2),
/// skip r(G) — or BiGS's K = 1 shapes.
SsmConvPlan ssm_conv_plan(const torch::Tensor& log_step, const torch::Tensor& A_re, const torch::Tensor& A_im,
                          const torch::Tensor& C, const torch::Tensor& skip, int64_t L, const SsmConvOptions& opts);

/// The convolution of u r(B L D) with a plan of K kernels (D % K == 0, channel blocks of D/K). Returns
/// r(B L D) in u's dtype.
torch::Tensor ssm_conv_apply(const torch::Tensor& u, const SsmConvPlan& plan, bool fp32_state = true);

/// Reference twin: the kernel by the float64 recurrence (s4d_kernel_reference) and the direct O(L²) sum with
/// explicit loops, both directions. Returns r(B L D) float64 on the CPU. Not differentiable.
torch::Tensor ssm_conv_reference(const torch::Tensor& u, const torch::Tensor& log_step, const torch::Tensor& A_re,
                                 const torch::Tensor& A_im, const torch::Tensor& C, const torch::Tensor& skip,
                                 bool anticausal);

/// The lower-triangular Toeplitz blocks T[k,i,j] = K[k,i−j] (i ≥ j, else 0) of kernels r(K Cc): r(K Cc Cc).
/// Differentiable; the backward sums each sub-diagonal of the incoming gradient (no scatter of Cc² atomics).
torch::Tensor toeplitz_lower(const torch::Tensor& kernel);

}  // namespace codessm::kernels
