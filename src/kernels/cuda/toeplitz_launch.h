// Launcher of the Toeplitz-block kernel (toeplitz.cu): T[k][i][j] = taps[k][i − j] for j ≤ i, 0 above the
// diagonal. Plain pointers and a CUDA stream (no LibTorch headers).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "elem_type.h"

namespace codessm::kernels::cuda {

/// Whether the kernel takes blocks of size Cc of type t: Cc a multiple of the 16-byte vector.
bool toeplitz_lower_takes(ElemType t, int64_t Cc);

/// taps: (K, Cc) contiguous; T: (K, Cc, Cc) contiguous, 16-byte aligned; both of type t.
cudaError_t toeplitz_lower(ElemType t, const void* taps, void* T, int64_t K, int64_t Cc, cudaStream_t s);

}  // namespace codessm::kernels::cuda
