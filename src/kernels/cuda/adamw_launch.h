// Launchers of the multi-tensor AdamW kernels (adamw.cu): plain pointers, tables built on the host and copied to
// the device by the caller (src/kernels/adamw.cpp), a CUDA stream.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "elem_type.h"

namespace codessm::kernels::cuda {

/// One tensor of an AdamW launch: fp32 parameter and moments (updated in place), its gradient (the launch's
/// gradient type), an optional rounded copy of the updated parameter (the launch's output type; null: none),
/// and the update's per-tensor scalars: lr, weight decay, 1 − β1^t, √(1 − β2^t).
struct AdamWSegment {
  float* p;
  float* m;
  float* v;
  const void* g;
  void* out;
  int64_t n;
  float lr, weight_decay, bias1, bias2_sqrt;
  int32_t vec;  ///< 1 when every pointer takes 4-element vectors (p, m, v 16-byte, g and out 8- or 16-byte aligned)
  int32_t pad_;
};

/// One block's work: elements [start, start + kAdamWChunk) of segment `segment`.
struct AdamWBlock {
  int32_t segment;
  int32_t pad_;
  int64_t start;
};

constexpr int64_t kAdamWChunk = 65536;

/// The factor of every gradient: grad_scale, times clipping's min(1, max_norm / (*norm · norm_scale + 1e-6)) when
/// norm is set (a device fp32 scalar, read by the kernel: no host synchronisation) and max_norm > 0. A non-finite
/// *norm · norm_scale skips the whole update.
struct AdamWScale {
  float grad_scale;
  const float* norm;
  float norm_scale, max_norm;
};

/// segs, blocks: device tables (n_blocks entries in blocks).
cudaError_t adamw_step(ElemType grad_type, bool has_out, ElemType out_type, const AdamWSegment* segs,
                       const AdamWBlock* blocks, int64_t n_blocks, float beta1, float beta2, float eps,
                       AdamWScale scale, cudaStream_t s);

/// partial[b] = Σ over block b's elements of g² (fp32), for a table of segments (only g and n are read).
cudaError_t sum_squares(ElemType grad_type, const AdamWSegment* segs, const AdamWBlock* blocks, int64_t n_blocks,
                        float* partial, cudaStream_t s);

}  // namespace codessm::kernels::cuda
