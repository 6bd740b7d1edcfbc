// Rotary position embedding as RoFormer applies it (HF RoFormerSelfAttention, model-spec §5.2):
//   θ_i = base^(−2i/HD), angle = p·θ_i,  interleaved pairs:
//   x'_{2i} = x_{2i}·cos − x_{2i+1}·sin,   x'_{2i+1} = x_{2i+1}·cos + x_{2i}·sin
#pragma once

#include <torch/torch.h>

namespace codessm::kernels {

/// x: r(B NH L HD) with even HD; positions 0..L-1. Returns the rotated tensor in x's dtype
/// (angles are computed in fp32).
torch::Tensor apply_rotary(const torch::Tensor& x, double base = 10000.0);

/// Reference twin: float64 loops over the pair formula above.
torch::Tensor apply_rotary_reference(const torch::Tensor& x, double base = 10000.0);

}  // namespace codessm::kernels
