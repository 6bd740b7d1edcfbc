// Launchers of the fused GELU gate and GELU kernels (gelu_mul.cu). Plain pointers and a CUDA stream, so that the
// .cu file needs no LibTorch headers. Inputs must be contiguous, 16-byte aligned, n elements each.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "elem_type.h"

namespace codessm::kernels::cuda {

cudaError_t gelu_mul_forward(ElemType t, const void* a, const void* b, void* out, int64_t n, cudaStream_t s);
cudaError_t gelu_mul_backward(ElemType t, const void* a, const void* b, const void* dout, void* da, void* db,
                              int64_t n, cudaStream_t s);
cudaError_t gelu_forward(ElemType t, const void* x, void* y, int64_t n, cudaStream_t s);
cudaError_t gelu_backward(ElemType t, const void* x, const void* dy, void* dx, int64_t n, cudaStream_t s);

}  // namespace codessm::kernels::cuda
