// What the LibTorch-side dispatchers of the fused CUDA kernels share (gelu_mul.cpp, column_sum.cpp): the
// element type of a tensor as the launchers take it. Only included when the CUDA kernels are built.
#pragma once

#include <torch/torch.h>

#include "cuda/elem_type.h"

namespace codessm::kernels::cuda {

/// fp32, bf16 or fp16 (callers check the dtype first).
inline ElemType elem_type(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat32: return ElemType::kF32;
    case torch::kBFloat16: return ElemType::kBF16;
    default: return ElemType::kF16;
  }
}
inline ElemType elem_type(const torch::Tensor& t) { return elem_type(t.scalar_type()); }

}  // namespace codessm::kernels::cuda
