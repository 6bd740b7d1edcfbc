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

/// Row r, column block p and vector cc within the block of the i-th vector of x (vpp vectors per block-row).
struct VecPos {
  int64_t r, cc;
  int p;
  __device__ __forceinline__ VecPos(int64_t i, int64_t vpp, int parts) {
    const int64_t vpr = vpp * parts;
    r = i / vpr;
    const int64_t c = i - r * vpr;
    p = static_cast<int>(c / vpp);
    cc = c - p * vpp;
  }
};

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

template <typename T>
__global__ void gelu_split_fwd_kernel(const T* __restrict__ x, const float* __restrict__ scale, SplitPtrs out,
                                      int64_t nv, int64_t vpp, int parts) {
  using G = typename GeluOf<T>::type;
  constexpr int V = kVec<T>;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < nv; i += stride) {
    const VecPos at(i, vpp, parts);
    const float m = scale ? scale[at.r] : 1.f;
    uint4 rx = reinterpret_cast<const uint4*>(x)[i];
    uint4 ro;
    const T* px = reinterpret_cast<const T*>(&rx);
    T* po = reinterpret_cast<T*>(&ro);
#pragma unroll
    for (int j = 0; j < V; ++j) store_f(po + j, G::value(load_f(px + j)) * m);
    reinterpret_cast<uint4*>(part_ptr(out, at.p))[at.r * vpp + at.cc] = ro;
  }
}

template <typename T>
__global__ void gelu_split_bwd_kernel(const T* __restrict__ x, const float* __restrict__ scale, ConstSplitPtrs dy,
                                      T* __restrict__ dx, int64_t nv, int64_t vpp, int parts) {
  using G = typename GeluOf<T>::type;
  constexpr int V = kVec<T>;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  float v, d;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < nv; i += stride) {
    const VecPos at(i, vpp, parts);
    const void* g = part_ptr(dy, at.p);
    uint4 ro = make_uint4(0, 0, 0, 0);  // all-zero bits: +0 in every element type
    if (g != nullptr) {
      const float m = scale ? scale[at.r] : 1.f;
      uint4 rx = reinterpret_cast<const uint4*>(x)[i];
      uint4 rg = reinterpret_cast<const uint4*>(g)[at.r * vpp + at.cc];
      const T* px = reinterpret_cast<const T*>(&rx);
      const T* pg = reinterpret_cast<const T*>(&rg);
      T* po = reinterpret_cast<T*>(&ro);
#pragma unroll
      for (int j = 0; j < V; ++j) {
        G::value_grad(load_f(px + j), v, d);
        store_f(po + j, load_f(pg + j) * m * d);
      }
    }
    reinterpret_cast<uint4*>(dx)[i] = ro;
  }
}

template <typename T>
cudaError_t fwd(const void* x, const float* scale, SplitPtrs out, int parts, int64_t rows, int64_t cols,
                cudaStream_t s) {
  const int64_t n = rows * cols, vpp = cols / parts / kVec<T>;
  if (n == 0) return cudaSuccess;
  gelu_split_fwd_kernel<T><<<grid_for(n, kVec<T>), 256, 0, s>>>(static_cast<const T*>(x), scale, out,
                                                                 n / kVec<T>, vpp, parts);
  return cudaGetLastError();
}

template <typename T>
cudaError_t bwd(const void* x, const float* scale, ConstSplitPtrs dy, void* dx, int parts, int64_t rows,
                int64_t cols, cudaStream_t s) {
  const int64_t n = rows * cols, vpp = cols / parts / kVec<T>;
  if (n == 0) return cudaSuccess;
  gelu_split_bwd_kernel<T><<<grid_for(n, kVec<T>), 256, 0, s>>>(static_cast<const T*>(x), scale, dy,
                                                                 static_cast<T*>(dx), n / kVec<T>, vpp, parts);
  return cudaGetLastError();
}

bool valid(ElemType t, int parts, int64_t cols) {
  const int64_t vec = t == ElemType::kF32 ? 4 : 8;
  return parts >= 1 && parts <= kMaxSplitParts && cols % parts == 0 && (cols / parts) % vec == 0;
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
