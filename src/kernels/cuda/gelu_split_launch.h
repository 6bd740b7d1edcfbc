// Launchers of the SSM inputs' activation kernels (gelu_split.cu): y = gelu(x) ⊙ m[row], written as `parts`
// equal column blocks into separate tensors, and its backward, which reads the blocks' gradients where they
// are (no concatenation). Plain pointers and a CUDA stream, so that the .cu file needs no LibTorch headers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "elem_type.h"

namespace codessm::kernels::cuda {

constexpr int kMaxSplitParts = 4;

/// One pointer per column block (by value into the kernel's parameters).
struct SplitPtrs {
  void* p[kMaxSplitParts];
};
struct ConstSplitPtrs {
  const void* p[kMaxSplitParts];
};

/// x: (rows, cols) contiguous, 16-byte aligned; cols / parts a multiple of 16 / sizeof(element); row_scale:
/// rows floats or null (1); out.p[k]: (rows, cols / parts) contiguous, 16-byte aligned.
cudaError_t gelu_split_forward(ElemType t, const void* x, const float* row_scale, SplitPtrs out, int parts,
                               int64_t rows, int64_t cols, cudaStream_t s);

/// dx = dy ⊙ gelu'(x) ⊙ m[row], dy read from dy.p[k] for the k-th column block (null: a zero gradient).
cudaError_t gelu_split_backward(ElemType t, const void* x, const float* row_scale, ConstSplitPtrs dy, void* dx,
                                int parts, int64_t rows, int64_t cols, cudaStream_t s);

}  // namespace codessm::kernels::cuda
