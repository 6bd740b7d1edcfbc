// Fused BiGS gate on CUDA: out = gelu(a) ⊙ gelu(b) with the exact erf GELU, and its backward
// da = dout ⊙ gelu'(a) ⊙ gelu(b), db = dout ⊙ gelu(a) ⊙ gelu'(b), in one pass each (fp32 arithmetic).
// Unfused, LibTorch runs three kernels forward (21 element-passes of the gate's width) and three backward
// (33); these read/write 9 and 15. 16-byte vector loads; a scalar loop takes the tail.
// No LibTorch headers here (nvcc only sees CUDA's); the launchers are called from src/kernels/gelu_mul.cpp.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "gelu_mul_launch.h"

namespace codessm::kernels::cuda {

namespace {

__device__ __forceinline__ float load_f(const float* p) { return *p; }
__device__ __forceinline__ float load_f(const __nv_bfloat16* p) { return __bfloat162float(*p); }
__device__ __forceinline__ float load_f(const __half* p) { return __half2float(*p); }
__device__ __forceinline__ void store_f(float* p, float v) { *p = v; }
__device__ __forceinline__ void store_f(__nv_bfloat16* p, float v) { *p = __float2bfloat16(v); }
__device__ __forceinline__ void store_f(__half* p, float v) { *p = __float2half(v); }

constexpr float kInvSqrt2 = 0.70710678118654752440f;
constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

__device__ __forceinline__ float gelu(float x) { return 0.5f * x * (1.f + erff(x * kInvSqrt2)); }
/// d/dx [x Φ(x)] = Φ(x) + x φ(x)
__device__ __forceinline__ float gelu_grad(float x) {
  return 0.5f * (1.f + erff(x * kInvSqrt2)) + x * kInvSqrt2Pi * __expf(-0.5f * x * x);
}

template <typename T>
constexpr int kVec = 16 / sizeof(T);

template <typename T>
__global__ void gelu_mul_fwd_kernel(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out,
                                    int64_t n) {
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
    for (int j = 0; j < V; ++j) store_f(po + j, gelu(load_f(pa + j)) * gelu(load_f(pb + j)));
    reinterpret_cast<uint4*>(out)[i] = ro;
  }
  for (int64_t i = nv * V + static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    store_f(out + i, gelu(load_f(a + i)) * gelu(load_f(b + i)));
}

template <typename T>
__global__ void gelu_mul_bwd_kernel(const T* __restrict__ a, const T* __restrict__ b, const T* __restrict__ dout,
                                    T* __restrict__ da, T* __restrict__ db, int64_t n) {
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
      const float x = load_f(pa + j), y = load_f(pb + j), g = load_f(pg + j);
      store_f(qa + j, g * gelu_grad(x) * gelu(y));
      store_f(qb + j, g * gelu(x) * gelu_grad(y));
    }
    reinterpret_cast<uint4*>(da)[i] = oa;
    reinterpret_cast<uint4*>(db)[i] = ob;
  }
  for (int64_t i = nv * V + static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const float x = load_f(a + i), y = load_f(b + i), g = load_f(dout + i);
    store_f(da + i, g * gelu_grad(x) * gelu(y));
    store_f(db + i, g * gelu(x) * gelu_grad(y));
  }
}

int grid_for(int64_t n, int vec) {
  int dev = 0, sms = 132;
  if (cudaGetDevice(&dev) == cudaSuccess) cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
  const int64_t want = (n / vec + 255) / 256;
  const int64_t cap = static_cast<int64_t>(sms) * 8;  // a few waves; the loops stride over the rest
  return static_cast<int>(want < 1 ? 1 : (want < cap ? want : cap));
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

}  // namespace

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
