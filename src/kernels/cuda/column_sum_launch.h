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

}  // namespace codessm::kernels::cuda
