// One pass of a fused element-wise operation over n elements in 16-byte vectors, shared by the GELU kernels
// (gelu_mul.cu, gelu_split.cu). Each block takes kPassThreads·kPassUnroll consecutive vectors, each thread
// kPassUnroll of them with all its loads issued before the arithmetic, and the grid covers the data once: short
// blocks that the hardware schedules as earlier ones finish keep every multiprocessor busy to the end. (The
// kernels first looped over a grid sized to fill the device once; at 1.45 vectors per thread half the threads
// ran a second iteration alone, and the gate's forward reached 71% of the DRAM peak; ncu, run 11a.)
// CUDA headers only.
#pragma once

#include <cstdint>

#include "elem_access.cuh"

namespace codessm::kernels::cuda {

constexpr int kPassThreads = 256;
constexpr int kPassUnroll = 2;

/// Blocks for nv vectors (at least one: block 0 also takes a scalar tail), or 0 past the grid's limit.
inline unsigned pass_blocks(int64_t nv) {
  const int64_t per = int64_t(kPassThreads) * kPassUnroll, b = (nv + per - 1) / per;
  return b < 1 ? 1u : (b > 0x7fffffff ? 0u : static_cast<unsigned>(b));
}

template <typename T, int N>
struct PassIn {
  const T* p[N];
};
template <typename T, int N>
struct PassOut {
  T* p[N];
};

/// Op: a default-constructible functor with kIn, kOut and `__device__ void operator()(const float* in, float*
/// out) const` on one element's kIn inputs and kOut outputs (fp32 arithmetic; 16-bit values rounded on store).
template <typename T, typename Op>
__global__ void __launch_bounds__(kPassThreads)
    elementwise_pass_kernel(PassIn<T, Op::kIn> in, PassOut<T, Op::kOut> out, int64_t n) {
  constexpr int V = kVec<T>, NI = Op::kIn, NO = Op::kOut;
  const Op op;
  const int64_t nv = n / V;
  const int64_t first = static_cast<int64_t>(blockIdx.x) * (kPassThreads * kPassUnroll) + threadIdx.x;
  uint4 r[kPassUnroll][NI];
#pragma unroll
  for (int u = 0; u < kPassUnroll; ++u) {
    const int64_t i = first + u * kPassThreads;
    if (i < nv) {
#pragma unroll
      for (int k = 0; k < NI; ++k) r[u][k] = reinterpret_cast<const uint4*>(in.p[k])[i];
    }
  }
#pragma unroll
  for (int u = 0; u < kPassUnroll; ++u) {
    const int64_t i = first + u * kPassThreads;
    if (i < nv) {
      float x[NI][V], y[NO][V];
#pragma unroll
      for (int k = 0; k < NI; ++k) unpack<T>(r[u][k], x[k]);
#pragma unroll
      for (int j = 0; j < V; ++j) {
        float xi[NI], yo[NO];
#pragma unroll
        for (int k = 0; k < NI; ++k) xi[k] = x[k][j];
        op(xi, yo);
#pragma unroll
        for (int o = 0; o < NO; ++o) y[o][j] = yo[o];
      }
#pragma unroll
      for (int o = 0; o < NO; ++o) reinterpret_cast<uint4*>(out.p[o])[i] = pack<T>(y[o]);
    }
  }
  if (blockIdx.x == 0) {  // the elements after the last whole vector
    for (int64_t e = nv * V + threadIdx.x; e < n; e += kPassThreads) {
      float xi[NI], yo[NO];
#pragma unroll
      for (int k = 0; k < NI; ++k) xi[k] = load_f(in.p[k] + e);
      op(xi, yo);
#pragma unroll
      for (int o = 0; o < NO; ++o) store_f(out.p[o] + e, yo[o]);
    }
  }
}

/// Launches Op over n elements; the pointers must be 16-byte aligned.
template <typename T, typename Op>
cudaError_t elementwise_pass(PassIn<T, Op::kIn> in, PassOut<T, Op::kOut> out, int64_t n, cudaStream_t s) {
  if (n <= 0) return cudaSuccess;
  const unsigned blocks = pass_blocks(n / kVec<T>);
  if (blocks == 0) return cudaErrorInvalidValue;
  elementwise_pass_kernel<T, Op><<<blocks, kPassThreads, 0, s>>>(in, out, n);
  return cudaGetLastError();
}

}  // namespace codessm::kernels::cuda
