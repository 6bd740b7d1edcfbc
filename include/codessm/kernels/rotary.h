// Rotary position embedding as RoFormer applies it (HF RoFormerSelfAttention, model-spec §5.2):
//   θ_i = base^(−2i/HD), angle = p·θ_i,  interleaved pairs:
//   x'_{2i} = x_{2i}·cos − x_{2i+1}·sin,   x'_{2i+1} = x_{2i+1}·cos + x_{2i}·sin
#pragma once

#include <torch/torch.h>

namespace codessm::kernels {

/// x: r(B NH L HD) with even HD; positions 0..L-1 along `seq_dim` (2 here; 1 for the (B L … HD) layout of a
/// fused QKV projection, where q and k are rotated in one call). Returns the rotated tensor in x's dtype
/// (angles are computed in fp32).
torch::Tensor apply_rotary(const torch::Tensor& x, double base = 10000.0, int64_t seq_dim = 2);

/// Reference twin: float64 loops over the pair formula above.
torch::Tensor apply_rotary_reference(const torch::Tensor& x, double base = 10000.0);

}  // namespace codessm::kernels
