// The SSM inputs' activation of a BiGS layer in one pass each way: y = gelu(x) ⊙ m[row] (m: the padding mask,
// zero at pads) for x = [u_f | u_b] of shape (rows, 2D), written as the two branches' separate (rows, D)
// tensors; blocks over x's flat vectors as in elementwise_pass.cuh. Unfused this was a GELU kernel, a mask
// product and, in the backward, a cat of the branches' gradients and the product's backward: 10 element-passes
// of the (rows, 2D) width forward and backward together, against 5 here. fp32 arithmetic, 16-byte vectors; a
// vector never straddles a row or a block because each block's width is a multiple of the vector (the caller
// checks).
#include "elementwise_pass.cuh"
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

/// n / d for 0 ≤ n < 2^31 and 1 ≤ d < 2^31 by a multiply-high, an add and a shift (Granlund & Montgomery; the
/// magic number made on the host once per launch).
struct FastDiv {
  uint32_t d, m, s;
  explicit FastDiv(uint32_t divisor) : d(divisor), s(0) {
    while ((uint64_t(1) << s) < d) ++s;
    m = static_cast<uint32_t>(((uint64_t(1) << 32) * ((uint64_t(1) << s) - d)) / d + 1);
  }
  __device__ __forceinline__ uint32_t div(uint32_t n) const { return (__umulhi(n, m) + n) >> s; }
};

/// Where the vectors of a block's pass (elementwise_pass.cuh's layout: consecutive vectors of x, kPassUnroll per
/// thread) go: row, column block and vector within the block. One 64-bit division per thread for the block's
/// first row; per vector a FastDiv by the row's vector count and comparisons for the block (a flat index needed
/// two 64-bit divisions per vector, more instructions than its GELUs).
struct SplitIndex {
  int64_t r0;  // row of the block's first vector
  int o;       // that vector's place in its row
  __device__ __forceinline__ SplitIndex(int64_t f0, int vpr) : r0(f0 / vpr), o(static_cast<int>(f0 - r0 * vpr)) {}
  /// Row, block and the vector's index in the block's (rows, vpp) output for the block's l-th vector.
  __device__ __forceinline__ void at(int l, const FastDiv& by_vpr, int vpp, int64_t& r, int& p, int64_t& k) const {
    const uint32_t t = static_cast<uint32_t>(o + l);
    const uint32_t dr = by_vpr.div(t);
    const int c = static_cast<int>(t - dr * by_vpr.d);
    r = r0 + dr;
    p = block_of(c, vpp);
    k = r * vpp + (c - p * vpp);
  }
};

template <typename T>
__global__ void __launch_bounds__(kPassThreads)
    gelu_split_fwd_kernel(const T* __restrict__ x, const float* __restrict__ scale, SplitPtrs out, int64_t nv,
                          FastDiv by_vpr, int vpp) {
  using G = typename GeluOf<T>::type;
  constexpr int V = kVec<T>;
  const int64_t f0 = static_cast<int64_t>(blockIdx.x) * (kPassThreads * kPassUnroll);
  const SplitIndex idx(f0, static_cast<int>(by_vpr.d));
  uint4 rx[kPassUnroll];
#pragma unroll
  for (int u = 0; u < kPassUnroll; ++u) {
    const int64_t f = f0 + threadIdx.x + u * kPassThreads;
    if (f < nv) rx[u] = reinterpret_cast<const uint4*>(x)[f];
  }
#pragma unroll
  for (int u = 0; u < kPassUnroll; ++u) {
    const int l = threadIdx.x + u * kPassThreads;
    if (f0 + l < nv) {
      int64_t r, k;
      int p;
      idx.at(l, by_vpr, vpp, r, p, k);
      const float m = scale ? scale[r] : 1.f;
      float v[V];
      unpack<T>(rx[u], v);
#pragma unroll
      for (int j = 0; j < V; ++j) v[j] = G::value(v[j]) * m;
      reinterpret_cast<uint4*>(part_ptr(out, p))[k] = pack<T>(v);
    }
  }
}

template <typename T>
__global__ void __launch_bounds__(kPassThreads)
    gelu_split_bwd_kernel(const T* __restrict__ x, const float* __restrict__ scale, ConstSplitPtrs dy,
                          T* __restrict__ dx, int64_t nv, FastDiv by_vpr, int vpp) {
  using G = typename GeluOf<T>::type;
  constexpr int V = kVec<T>;
  const int64_t f0 = static_cast<int64_t>(blockIdx.x) * (kPassThreads * kPassUnroll);
  const SplitIndex idx(f0, static_cast<int>(by_vpr.d));
  uint4 rx[kPassUnroll], rg[kPassUnroll];
  int64_t rows[kPassUnroll];
  bool has[kPassUnroll];
#pragma unroll
  for (int u = 0; u < kPassUnroll; ++u) {
    const int l = threadIdx.x + u * kPassThreads;
    has[u] = false;
    rows[u] = 0;
    if (f0 + l < nv) {
      int64_t k;
      int p;
      idx.at(l, by_vpr, vpp, rows[u], p, k);
      const void* g = part_ptr(dy, p);
      if (g != nullptr) {
        has[u] = true;
        rx[u] = reinterpret_cast<const uint4*>(x)[f0 + l];
        rg[u] = reinterpret_cast<const uint4*>(g)[k];
      }
    }
  }
#pragma unroll
  for (int u = 0; u < kPassUnroll; ++u) {
    const int64_t f = f0 + threadIdx.x + u * kPassThreads;
    if (f < nv) {
      uint4 ro = make_uint4(0, 0, 0, 0);  // all-zero bits: +0 in every element type (an unused block)
      if (has[u]) {
        const float m = scale ? scale[rows[u]] : 1.f;
        float vx[V], vg[V];
        unpack<T>(rx[u], vx);
        unpack<T>(rg[u], vg);
#pragma unroll
        for (int j = 0; j < V; ++j) {
          float v, d;
          G::value_grad(vx[j], v, d);
          vx[j] = vg[j] * m * d;
        }
        ro = pack<T>(vx);
      }
      reinterpret_cast<uint4*>(dx)[f] = ro;
    }
  }
}

template <typename T>
cudaError_t fwd(const void* x, const float* scale, SplitPtrs out, int parts, int64_t rows, int64_t cols,
                cudaStream_t s) {
  if (rows == 0 || cols == 0) return cudaSuccess;
  const int vpp = static_cast<int>(cols / parts / kVec<T>);
  const int64_t nv = rows * cols / kVec<T>;
  const unsigned blocks = pass_blocks(nv);
  if (blocks == 0) return cudaErrorInvalidValue;
  gelu_split_fwd_kernel<T><<<blocks, kPassThreads, 0, s>>>(static_cast<const T*>(x), scale, out, nv,
                                                           FastDiv(static_cast<uint32_t>(vpp * parts)), vpp);
  return cudaGetLastError();
}

template <typename T>
cudaError_t bwd(const void* x, const float* scale, ConstSplitPtrs dy, void* dx, int parts, int64_t rows,
                int64_t cols, cudaStream_t s) {
  if (rows == 0 || cols == 0) return cudaSuccess;
  const int vpp = static_cast<int>(cols / parts / kVec<T>);
  const int64_t nv = rows * cols / kVec<T>;
  const unsigned blocks = pass_blocks(nv);
  if (blocks == 0) return cudaErrorInvalidValue;
  gelu_split_bwd_kernel<T><<<blocks, kPassThreads, 0, s>>>(static_cast<const T*>(x), scale, dy,
                                                           static_cast<T*>(dx), nv,
                                                           FastDiv(static_cast<uint32_t>(vpp * parts)), vpp);
  return cudaGetLastError();
}

bool valid(ElemType t, int parts, int64_t cols) {
  const int64_t vec = vector_elems(t);
  // A row's vectors are counted in 32 bits (FastDiv: index + a block's vectors < 2^31): 2^30 vectors are
  // 16 GiB per row, far past any model width.
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
