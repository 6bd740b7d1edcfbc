// Fused BiGS gate on CUDA: out = gelu(a) ⊙ gelu(b) with the erf GELU, and its backward
// da = dout ⊙ gelu'(a) ⊙ gelu(b), db = dout ⊙ gelu(a) ⊙ gelu'(b), in one pass each (fp32 arithmetic); and the
// single GELU y = gelu(x) with dx = dy ⊙ gelu'(x).
// Unfused, LibTorch runs three kernels forward (21 element-passes of the gate's width) and three backward
// (33); these read/write 9 and 15. 16-byte vector loads; a scalar loop takes the tail. The GELU's two forms
// (erff for fp32, A&S 7.1.26 for bf16/fp16) are in gelu_math.cuh.
// No LibTorch headers here (nvcc only sees CUDA's); the launchers are called from src/kernels/gelu_mul.cpp.
#include "gelu_math.cuh"
#include "gelu_mul_launch.h"

namespace codessm::kernels::cuda {

namespace {

template <typename T>
__global__ void gelu_mul_fwd_kernel(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out,
                                    int64_t n) {
  using G = typename GeluOf<T>::type;
  constexpr int V = kVec<T>;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t nv = n / V;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < nv; i += stride) {
    float va[V], vb[V];
    unpack<T>(reinterpret_cast<const uint4*>(a)[i], va);
    unpack<T>(reinterpret_cast<const uint4*>(b)[i], vb);
#pragma unroll
    for (int j = 0; j < V; ++j) va[j] = G::value(va[j]) * G::value(vb[j]);
    reinterpret_cast<uint4*>(out)[i] = pack<T>(va);
  }
  for (int64_t i = nv * V + static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    store_f(out + i, G::value(load_f(a + i)) * G::value(load_f(b + i)));
}

template <typename T>
__global__ void gelu_mul_bwd_kernel(const T* __restrict__ a, const T* __restrict__ b, const T* __restrict__ dout,
                                    T* __restrict__ da, T* __restrict__ db, int64_t n) {
  using G = typename GeluOf<T>::type;
  constexpr int V = kVec<T>;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t nv = n / V;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < nv; i += stride) {
    float va[V], vb[V], vg[V];
    unpack<T>(reinterpret_cast<const uint4*>(a)[i], va);
    unpack<T>(reinterpret_cast<const uint4*>(b)[i], vb);
    unpack<T>(reinterpret_cast<const uint4*>(dout)[i], vg);
#pragma unroll
    for (int j = 0; j < V; ++j) {
      float gx, dgx, gy, dgy;
      G::value_grad(va[j], gx, dgx);
      G::value_grad(vb[j], gy, dgy);
      va[j] = vg[j] * dgx * gy;
      vb[j] = vg[j] * gx * dgy;
    }
    reinterpret_cast<uint4*>(da)[i] = pack<T>(va);
    reinterpret_cast<uint4*>(db)[i] = pack<T>(vb);
  }
  for (int64_t i = nv * V + static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const float g = load_f(dout + i);
    float gx, dgx, gy, dgy;
    G::value_grad(load_f(a + i), gx, dgx);
    G::value_grad(load_f(b + i), gy, dgy);
    store_f(da + i, g * dgx * gy);
    store_f(db + i, g * gx * dgy);
  }
}

template <typename T>
__global__ void gelu_fwd_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t n) {
  using G = typename GeluOf<T>::type;
  constexpr int V = kVec<T>;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t nv = n / V;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < nv; i += stride) {
    float v[V];
    unpack<T>(reinterpret_cast<const uint4*>(x)[i], v);
#pragma unroll
    for (int j = 0; j < V; ++j) v[j] = G::value(v[j]);
    reinterpret_cast<uint4*>(y)[i] = pack<T>(v);
  }
  for (int64_t i = nv * V + static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    store_f(y + i, G::value(load_f(x + i)));
}

template <typename T>
__global__ void gelu_bwd_kernel(const T* __restrict__ x, const T* __restrict__ dy, T* __restrict__ dx, int64_t n) {
  using G = typename GeluOf<T>::type;
  constexpr int V = kVec<T>;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t nv = n / V;
  float v, d;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < nv; i += stride) {
    float vx[V], vg[V];
    unpack<T>(reinterpret_cast<const uint4*>(x)[i], vx);
    unpack<T>(reinterpret_cast<const uint4*>(dy)[i], vg);
#pragma unroll
    for (int j = 0; j < V; ++j) {
      G::value_grad(vx[j], v, d);
      vx[j] = vg[j] * d;
    }
    reinterpret_cast<uint4*>(dx)[i] = pack<T>(vx);
  }
  for (int64_t i = nv * V + static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    G::value_grad(load_f(x + i), v, d);
    store_f(dx + i, load_f(dy + i) * d);
  }
}

template <typename T>
cudaError_t fwd(const void* a, const void* b, void* out, int64_t n, cudaStream_t s) {
  gelu_mul_fwd_kernel<T><<<grid_for(n, kVec<T>), 256, 0, s>>>(static_cast<const T*>(a), static_cast<const T*>(b),
                                                              static_cast<T*>(out), n);
  return cudaGetLastError();
}

template <typename T>
cudaError_t bwd(const void* a, const void* b, const void* dout, void* da, void* db, int64_t n, cudaStream_t s) {
  gelu_mul_bwd_kernel<T><<<grid_for(n, kVec<T>), 256, 0, s>>>(static_cast<const T*>(a), static_cast<const T*>(b),
                                                              static_cast<const T*>(dout), static_cast<T*>(da),
                                                              static_cast<T*>(db), n);
  return cudaGetLastError();
}

template <typename T>
cudaError_t gfwd(const void* x, void* y, int64_t n, cudaStream_t s) {
  gelu_fwd_kernel<T><<<grid_for(n, kVec<T>), 256, 0, s>>>(static_cast<const T*>(x), static_cast<T*>(y), n);
  return cudaGetLastError();
}

template <typename T>
cudaError_t gbwd(const void* x, const void* dy, void* dx, int64_t n, cudaStream_t s) {
  gelu_bwd_kernel<T><<<grid_for(n, kVec<T>), 256, 0, s>>>(static_cast<const T*>(x), static_cast<const T*>(dy),
                                                          static_cast<T*>(dx), n);
  return cudaGetLastError();
}

}  // namespace

cudaError_t gelu_forward(ElemType t, const void* x, void* y, int64_t n, cudaStream_t s) {
  switch (t) {
    case ElemType::kF32: return gfwd<float>(x, y, n, s);
    case ElemType::kBF16: return gfwd<__nv_bfloat16>(x, y, n, s);
    case ElemType::kF16: return gfwd<__half>(x, y, n, s);
  }
  return cudaErrorInvalidValue;
}

cudaError_t gelu_backward(ElemType t, const void* x, const void* dy, void* dx, int64_t n, cudaStream_t s) {
  switch (t) {
    case ElemType::kF32: return gbwd<float>(x, dy, dx, n, s);
    case ElemType::kBF16: return gbwd<__nv_bfloat16>(x, dy, dx, n, s);
    case ElemType::kF16: return gbwd<__half>(x, dy, dx, n, s);
  }
  return cudaErrorInvalidValue;
}

cudaError_t gelu_mul_forward(ElemType t, const void* a, const void* b, void* out, int64_t n, cudaStream_t s) {
  switch (t) {
    case ElemType::kF32: return fwd<float>(a, b, out, n, s);
    case ElemType::kBF16: return fwd<__nv_bfloat16>(a, b, out, n, s);
    case ElemType::kF16: return fwd<__half>(a, b, out, n, s);
  }
  return cudaErrorInvalidValue;
}

cudaError_t gelu_mul_backward(ElemType t, const void* a, const void* b, const void* dout, void* da, void* db,
                              int64_t n, cudaStream_t s) {
  switch (t) {
    case ElemType::kF32: return bwd<float>(a, b, dout, da, db, n, s);
    case ElemType::kBF16: return bwd<__nv_bfloat16>(a, b, dout, da, db, n, s);
    case ElemType::kF16: return bwd<__half>(a, b, dout, da, db, n, s);
  }
  return cudaErrorInvalidValue;
}

}  // namespace codessm::kernels::cuda
