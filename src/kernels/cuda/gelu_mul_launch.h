// Launchers of the fused GELU gate kernels (gelu_mul.cu). Plain pointers and a CUDA stream, so that the
// .cu file needs no LibTorch headers. Inputs must be contiguous, 16-byte aligned, n elements each.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace codessm::kernels::cuda {

enum class ElemType { kF32, kBF16, kF16 };

cudaError_t gelu_mul_forward(ElemType t, const void* a, const void* b, void* out, int64_t n, cudaStream_t s);
cudaError_t gelu_mul_backward(ElemType t, const void* a, const void* b, const void* dout, void* da, void* db,
                              int64_t n, cudaStream_t s);

}  // namespace codessm::kernels::cuda
