// Launcher of the column-sum kernels (column_sum.cu): out[n] = Σ_m g[m, n] for a row-major (M, N) matrix,
// accumulated in fp32, in a fixed order (deterministic). Plain pointers and a CUDA stream.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "elem_type.h"

namespace codessm::kernels::cuda {

/// Row chunks the first pass cuts M into for an (M, N) input (the workspace holds chunks × N floats).
int64_t column_sum_chunks(ElemType t, int64_t M, int64_t N);

/// g: (M, N) contiguous, 16-byte aligned, N a multiple of 16 / sizeof(element); workspace: column_sum_chunks()
/// × N floats; out: N elements of g's type.
cudaError_t column_sum(ElemType t, const void* g, float* workspace, void* out, int64_t M, int64_t N,
                       cudaStream_t s);

/// LayerNorm's parameter gradients over the rows of an (M, N) gradient g and input x (both of type t,
/// contiguous, 16-byte aligned, N a multiple of 16 / sizeof(element)), with the forward's per-row mean and
/// reciprocal standard deviation (M floats each): out[n] = Σ_m g·(x − μ_m)·ρ_m (dγ), out[N + n] = Σ_m g (dβ),
/// fp32, in a fixed order. workspace: 2 × column_sum_chunks(t, M, N) × N floats.
cudaError_t layer_norm_param_grads(ElemType t, const void* g, const void* x, const float* mean, const float* rstd,
                                   float* workspace, float* out, int64_t M, int64_t N, cudaStream_t s);

}  // namespace codessm::kernels::cuda
