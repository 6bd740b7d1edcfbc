// Launcher of the LayerNorm forward kernel (layer_norm.cu): y = (x − μ)·ρ·γ + β per row, ρ = 1/√(σ² + ε), with
// μ and ρ optionally written for the backward. Plain pointers and a CUDA stream (no LibTorch headers).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "elem_type.h"

namespace codessm::kernels::cuda {

/// Whether the forward kernel takes rows of N elements of type t: N a multiple of the 16-byte vector, at most
/// 256 vectors (a warp holds a row in registers: 2048 bf16/fp16 or 1024 fp32 values).
bool layer_norm_forward_takes(ElemType t, int64_t N);

/// x, y: (rows, N) contiguous; w, b: N elements; all of type t and 16-byte aligned. mean, rstd: rows floats
/// each, or both null (inference). Statistics in fp32, two passes over the row held in registers.
cudaError_t layer_norm_forward(ElemType t, const void* x, const void* w, const void* b, void* y, float* mean,
                               float* rstd, int64_t rows, int64_t N, float eps, cudaStream_t s);

}  // namespace codessm::kernels::cuda
