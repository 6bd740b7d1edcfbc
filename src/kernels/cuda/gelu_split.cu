// The SSM inputs' activation of a BiGS layer in one pass each way: y = gelu(x) ⊙ m[row] (m: the padding mask,
// zero at pads) for x = [u_f | u_b] of shape (rows, 2D), written as the two branches' separate (rows, D)
// tensors. Unfused this was a GELU kernel, a mask product and, in the backward, a cat of the branches'
// gradients and the product's backward: 10 element-passes of the (rows, 2D) width forward and backward
// together, against 5 here. fp32 arithmetic, 16-byte vectors; a vector never straddles a row or a block
// because each block's width is a multiple of the vector (the caller checks).
#include "gelu_math.cuh"
#include "gelu_split_launch.h"

namespace codessm::kernels::cuda {

namespace {

/// Column block of the c-th vector of a row, vpp vectors per block: comparisons, not a division (≤ 4 blocks).
__device__ __forceinline__ int block_of(int c, int vpp) { return (c >= vpp) + (c >= 2 * vpp) + (c >= 3 * vpp); }

static_assert(kMaxSplitParts == 4, "part_ptr selects among four pointers");

/// ptrs.p[k] by selects, not an indexed read: indexing the parameter array puts a copy of it on the stack.
template <typename P>
__device__ __forceinline__ auto part_ptr(const P& ptrs, int k) {
  auto q = ptrs.p[0];
  q = k == 1 ? ptrs.p[1] : q;
  q = k == 2 ? ptrs.p[2] : q;
  q = k == 3 ? ptrs.p[3] : q;
  return q;
}

// One row per block iteration, the row's vectors over the threads: the row's mask value is read once and a
// vector's block and column follow from its index in the row by comparisons (a flat index needed two 64-bit
// divisions per vector, more instructions than its GELUs).
template <typename T>
__global__ void gelu_split_fwd_kernel(const T* __restrict__ x, const float* __restrict__ scale, SplitPtrs out,
                                      int64_t rows, int vpp, int parts) {
  using G = typename GeluOf<T>::type;
  constexpr int V = kVec<T>;
  const int vpr = vpp * parts;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float m = scale ? scale[r] : 1.f;
    const uint4* xr = reinterpret_cast<const uint4*>(x) + r * vpr;
    for (int c = threadIdx.x; c < vpr; c += blockDim.x) {
      const int p = block_of(c, vpp);
      float v[V];
      unpack<T>(xr[c], v);
#pragma unroll
      for (int j = 0; j < V; ++j) v[j] = G::value(v[j]) * m;
      reinterpret_cast<uint4*>(part_ptr(out, p))[r * vpp + (c - p * vpp)] = pack<T>(v);
    }
  }
}

template <typename T>
__global__ void gelu_split_bwd_kernel(const T* __restrict__ x, const float* __restrict__ scale, ConstSplitPtrs dy,
                                      T* __restrict__ dx, int64_t rows, int vpp, int parts) {
  using G = typename GeluOf<T>::type;
  constexpr int V = kVec<T>;
  const int vpr = vpp * parts;
  float v, d;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float m = scale ? scale[r] : 1.f;
    const uint4* xr = reinterpret_cast<const uint4*>(x) + r * vpr;
    uint4* dxr = reinterpret_cast<uint4*>(dx) + r * vpr;
    for (int c = threadIdx.x; c < vpr; c += blockDim.x) {
      const int p = block_of(c, vpp);
      const void* g = part_ptr(dy, p);
      uint4 ro = make_uint4(0, 0, 0, 0);  // all-zero bits: +0 in every element type
      if (g != nullptr) {
        float vx[V], vg[V];
        unpack<T>(xr[c], vx);
        unpack<T>(reinterpret_cast<const uint4*>(g)[r * vpp + (c - p * vpp)], vg);
#pragma unroll
        for (int j = 0; j < V; ++j) {
          G::value_grad(vx[j], v, d);
          vx[j] = vg[j] * m * d;
        }
        ro = pack<T>(vx);
      }
      dxr[c] = ro;
    }
  }
}

/// Blocks of up to 256 threads (whole warps, no more than a row's vectors), one row per block iteration; enough
/// blocks to fill the multiprocessors, the loops stride over the remaining rows.
inline dim3 row_threads(int vpr) { return dim3(vpr >= 256 ? 256 : ((vpr + 31) / 32) * 32); }
inline int row_blocks(int64_t rows, int threads) {
  int dev = 0, sms = 132;
  if (cudaGetDevice(&dev) == cudaSuccess) cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
  const int64_t cap = static_cast<int64_t>(sms) * (2048 / threads);
  return static_cast<int>(rows < cap ? rows : cap);
}

template <typename T>
cudaError_t fwd(const void* x, const float* scale, SplitPtrs out, int parts, int64_t rows, int64_t cols,
                cudaStream_t s) {
  if (rows == 0 || cols == 0) return cudaSuccess;
  const int vpp = static_cast<int>(cols / parts / kVec<T>);
  const dim3 threads = row_threads(vpp * parts);
  gelu_split_fwd_kernel<T><<<row_blocks(rows, threads.x), threads, 0, s>>>(static_cast<const T*>(x), scale, out,
                                                                           rows, vpp, parts);
  return cudaGetLastError();
}

template <typename T>
cudaError_t bwd(const void* x, const float* scale, ConstSplitPtrs dy, void* dx, int parts, int64_t rows,
                int64_t cols, cudaStream_t s) {
  if (rows == 0 || cols == 0) return cudaSuccess;
  const int vpp = static_cast<int>(cols / parts / kVec<T>);
  const dim3 threads = row_threads(vpp * parts);
  gelu_split_bwd_kernel<T><<<row_blocks(rows, threads.x), threads, 0, s>>>(static_cast<const T*>(x), scale, dy,
                                                                           static_cast<T*>(dx), rows, vpp, parts);
  return cudaGetLastError();
}

bool valid(ElemType t, int parts, int64_t cols) {
  const int64_t vec = t == ElemType::kF32 ? 4 : 8;
  // A row's vectors are counted in int: (1 << 30) vectors are 16 GiB per row, far past any model width.
  return parts >= 1 && parts <= kMaxSplitParts && cols % parts == 0 && (cols / parts) % vec == 0 &&
         cols / vec < (int64_t(1) << 30);
}

}  // namespace

cudaError_t gelu_split_forward(ElemType t, const void* x, const float* row_scale, SplitPtrs out, int parts,
                               int64_t rows, int64_t cols, cudaStream_t s) {
  if (!valid(t, parts, cols)) return cudaErrorInvalidValue;
  switch (t) {
    case ElemType::kF32: return fwd<float>(x, row_scale, out, parts, rows, cols, s);
    case ElemType::kBF16: return fwd<__nv_bfloat16>(x, row_scale, out, parts, rows, cols, s);
    case ElemType::kF16: return fwd<__half>(x, row_scale, out, parts, rows, cols, s);
  }
  return cudaErrorInvalidValue;
}

cudaError_t gelu_split_backward(ElemType t, const void* x, const float* row_scale, ConstSplitPtrs dy, void* dx,
                                int parts, int64_t rows, int64_t cols, cudaStream_t s) {
  if (!valid(t, parts, cols)) return cudaErrorInvalidValue;
  switch (t) {
    case ElemType::kF32: return bwd<float>(x, row_scale, dy, dx, parts, rows, cols, s);
    case ElemType::kBF16: return bwd<__nv_bfloat16>(x, row_scale, dy, dx, parts, rows, cols, s);
    case ElemType::kF16: return bwd<__half>(x, row_scale, dy, dx, parts, rows, cols, s);
  }
  return cudaErrorInvalidValue;
}

}  // namespace codessm::kernels::cuda
