// Device-side helpers every fused CUDA kernel shares: fp32 loads and stores of the element types (arithmetic is
// fp32; 16-bit values are rounded once on store) and the 16-byte vector width. CUDA headers only (nvcc sees no
// LibTorch).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace codessm::kernels::cuda {

__device__ __forceinline__ float load_f(const float* p) { return *p; }
__device__ __forceinline__ float load_f(const __nv_bfloat16* p) { return __bfloat162float(*p); }
__device__ __forceinline__ float load_f(const __half* p) { return __half2float(*p); }
__device__ __forceinline__ void store_f(float* p, float v) { *p = v; }
__device__ __forceinline__ void store_f(__nv_bfloat16* p, float v) { *p = __float2bfloat16(v); }
__device__ __forceinline__ void store_f(__half* p, float v) { *p = __float2half(v); }

/// Elements per 16-byte vector.
template <typename T>
constexpr int kVec = 16 / sizeof(T);

/// Multiprocessors of the current device (132 if the query fails), for grids sized to the device.
inline int multiprocessors() {
  int dev = 0, sms = 132;
  if (cudaGetDevice(&dev) == cudaSuccess) cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
  return sms;
}

/// The elements of a 16-byte vector as floats, and floats rounded back into one (16-bit pairs converted by one
/// packed instruction each, not one conversion and one byte move per element).
template <typename T>
__device__ __forceinline__ void unpack(const uint4& r, float (&v)[kVec<T>]) {
  const T* p = reinterpret_cast<const T*>(&r);
#pragma unroll
  for (int j = 0; j < kVec<T>; ++j) v[j] = load_f(p + j);
}

/// Two floats rounded into one 16-bit pair (the pointer only selects the type).
__device__ __forceinline__ __nv_bfloat162 pair_of(__nv_bfloat16*, float a, float b) {
  return __floats2bfloat162_rn(a, b);
}
__device__ __forceinline__ __half2 pair_of(__half*, float a, float b) { return __floats2half2_rn(a, b); }

template <typename T>
__device__ __forceinline__ uint4 pack(const float (&v)[kVec<T>]) {
  if constexpr (sizeof(T) == 4) {
    return make_uint4(__float_as_uint(v[0]), __float_as_uint(v[1]), __float_as_uint(v[2]), __float_as_uint(v[3]));
  } else {
    using Pair = decltype(pair_of(static_cast<T*>(nullptr), 0.f, 0.f));
    uint4 r;
    auto* q = reinterpret_cast<Pair*>(&r);
#pragma unroll
    for (int j = 0; j < 4; ++j) q[j] = pair_of(static_cast<T*>(nullptr), v[2 * j], v[2 * j + 1]);
    return r;
  }
}

}  // namespace codessm::kernels::cuda
