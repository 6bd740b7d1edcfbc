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
    uint4 ra = reinterpret_cast<const uint4*>(a)[i];
    uint4 rb = reinterpret_cast<const uint4*>(b)[i];
    uint4 ro;
    const T* pa = reinterpret_cast<const T*>(&ra);
    const T* pb = reinterpret_cast<const T*>(&rb);
    T* po = reinterpret_cast<T*>(&ro);
#pragma unroll
    for (int j = 0; j < V; ++j) store_f(po + j, G::value(load_f(pa + j)) * G::value(load_f(pb + j)));
    reinterpret_cast<uint4*>(out)[i] = ro;
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
    uint4 ra = reinterpret_cast<const uint4*>(a)[i];
    uint4 rb = reinterpret_cast<const uint4*>(b)[i];
    uint4 rg = reinterpret_cast<const uint4*>(dout)[i];
    uint4 oa, ob;
    const T* pa = reinterpret_cast<const T*>(&ra);
    const T* pb = reinterpret_cast<const T*>(&rb);
    const T* pg = reinterpret_cast<const T*>(&rg);
    T* qa = reinterpret_cast<T*>(&oa);
    T* qb = reinterpret_cast<T*>(&ob);
#pragma unroll
    for (int j = 0; j < V; ++j) {
      const float g = load_f(pg + j);
      float gx, dgx, gy, dgy;
      G::value_grad(load_f(pa + j), gx, dgx);
      G::value_grad(load_f(pb + j), gy, dgy);
      store_f(qa + j, g * dgx * gy);
      store_f(qb + j, g * gx * dgy);
    }
    reinterpret_cast<uint4*>(da)[i] = oa;
    reinterpret_cast<uint4*>(db)[i] = ob;
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
    uint4 rx = reinterpret_cast<const uint4*>(x)[i];
    uint4 ry;
    const T* px = reinterpret_cast<const T*>(&rx);
    T* py = reinterpret_cast<T*>(&ry);
#pragma unroll
    for (int j = 0; j < V; ++j) store_f(py + j, G::value(load_f(px + j)));
    reinterpret_cast<uint4*>(y)[i] = ry;
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
    uint4 rx = reinterpret_cast<const uint4*>(x)[i];
    uint4 rg = reinterpret_cast<const uint4*>(dy)[i];
    uint4 ro;
    const T* px = reinterpret_cast<const T*>(&rx);
    const T* pg = reinterpret_cast<const T*>(&rg);
    T* po = reinterpret_cast<T*>(&ro);
#pragma unroll
    for (int j = 0; j < V; ++j) {
      G::value_grad(load_f(px + j), v, d);
      store_f(po + j, load_f(pg + j) * d);
    }
    reinterpret_cast<uint4*>(dx)[i] = ro;
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
