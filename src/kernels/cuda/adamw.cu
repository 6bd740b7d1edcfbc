// AdamW for bf16 training with fp32 master weights in one pass per element, over many tensors in one launch:
// g = gradient · scale (read in its own type — the model's bf16 gradient, no fp32 copy), then torch.optim.AdamW's
// arithmetic in fp32 (p ← p·(1 − lr·wd); m ← m + (1 − β1)(g − m); v ← β2·v + (1 − β2)·g²;
// p ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)), and the updated master rounded into the model's weight.
// Unfused, the step was five passes over every parameter (the gradient's fp32 copy, clipping's scale, AdamW, the
// rounding into the model, and the norm): ~52 bytes per parameter against ~30 here (H200 run 7b: 3.05 ms of an
// 8×2048 codessm-base step). Each block owns a chunk of one tensor (the host's block table); 4-element vectors
// where the pointers allow, scalars otherwise. Clipping's factor can come from the gradients' norm on the device
// (AdamWScale::norm), so the update is queued before the host reads the norm. Also the per-block sums of squares
// for that norm.
#include "adamw_launch.h"
#include "elem_access.cuh"

namespace codessm::kernels::cuda {

namespace {

constexpr int kThreads = 256;

template <typename T>
struct Vec4;  // four elements of T in one load
template <>
struct Vec4<float> {
  using type = float4;
};
template <>
struct Vec4<__nv_bfloat16> {
  using type = uint2;
};
template <>
struct Vec4<__half> {
  using type = uint2;
};

template <typename T>
__device__ __forceinline__ void load4(const T* p, float (&x)[4]) {
  const typename Vec4<T>::type r = *reinterpret_cast<const typename Vec4<T>::type*>(p);
  const T* e = reinterpret_cast<const T*>(&r);
#pragma unroll
  for (int j = 0; j < 4; ++j) x[j] = load_f(e + j);
}

template <typename T>
__device__ __forceinline__ void store4(T* p, const float (&x)[4]) {
  typename Vec4<T>::type r;
  T* e = reinterpret_cast<T*>(&r);
#pragma unroll
  for (int j = 0; j < 4; ++j) store_f(e + j, x[j]);
  *reinterpret_cast<typename Vec4<T>::type*>(p) = r;
}

struct Update {
  float beta1, beta2, eps, lr, decay, step_size, bias2_sqrt;
  __device__ __forceinline__ void operator()(float g, float& p, float& m, float& v) const {
    p = p * decay;
    m = m + (1.f - beta1) * (g - m);
    v = beta2 * v + (1.f - beta2) * g * g;
    p = p - step_size * m / (sqrtf(v) / bias2_sqrt + eps);
  }
};

/// The gradient factor (AdamWScale); false: the norm is not finite and the update is skipped. The same in
/// every thread, so whole blocks return together.
__device__ __forceinline__ bool gradient_factor(const AdamWScale& c, float& scale) {
  scale = c.grad_scale;
  if (c.norm == nullptr) return true;
  const float n = *c.norm * c.norm_scale;
  if (!isfinite(n)) return false;
  if (c.max_norm > 0.f) {
    const float k = c.max_norm / (n + 1e-6f);
    if (k < 1.f) scale *= k;
  }
  return true;
}

template <typename G, typename W, bool kOut>
__global__ void __launch_bounds__(kThreads) adamw_kernel(const AdamWSegment* __restrict__ segs,
                                                         const AdamWBlock* __restrict__ blocks, float beta1,
                                                         float beta2, float eps, AdamWScale factor) {
  float scale;
  if (!gradient_factor(factor, scale)) return;
  const AdamWBlock b = blocks[blockIdx.x];
  const AdamWSegment s = segs[b.segment];
  const int64_t end = b.start + kAdamWChunk < s.n ? b.start + kAdamWChunk : s.n;
  const Update up{beta1, beta2, eps, s.lr, 1.f - s.lr * s.weight_decay, s.lr / s.bias1, s.bias2_sqrt};
  const G* g = static_cast<const G*>(s.g);
  W* out = static_cast<W*>(s.out);
  // 4-element vectors over the chunk's first multiple of 4 (only a tensor's last chunk can end off one), then
  // element by element; without vector alignment, all element by element.
  const int64_t vec_end = s.vec ? b.start + ((end - b.start) & ~int64_t(3)) : b.start;
  for (int64_t i = b.start + 4 * static_cast<int64_t>(threadIdx.x); i < vec_end; i += 4 * kThreads) {
    float gg[4], p[4], m[4], v[4];
    load4(g + i, gg);
    load4(s.p + i, p);
    load4(s.m + i, m);
    load4(s.v + i, v);
#pragma unroll
    for (int j = 0; j < 4; ++j) up(gg[j] * scale, p[j], m[j], v[j]);
    store4(s.p + i, p);
    store4(s.m + i, m);
    store4(s.v + i, v);
    if (kOut) store4(out + i, p);
  }
  for (int64_t k = vec_end + threadIdx.x; k < end; k += kThreads) {
    float p = s.p[k], m = s.m[k], v = s.v[k];
    up(load_f(g + k) * scale, p, m, v);
    s.p[k] = p;
    s.m[k] = m;
    s.v[k] = v;
    if (kOut) store_f(out + k, p);
  }
}

template <typename G>
__global__ void __launch_bounds__(kThreads) sum_squares_kernel(const AdamWSegment* __restrict__ segs,
                                                               const AdamWBlock* __restrict__ blocks,
                                                               float* __restrict__ partial) {
  const AdamWBlock b = blocks[blockIdx.x];
  const AdamWSegment s = segs[b.segment];
  const int64_t end = b.start + kAdamWChunk < s.n ? b.start + kAdamWChunk : s.n;
  const G* g = static_cast<const G*>(s.g);
  float acc = 0.f;
  for (int64_t k = b.start + threadIdx.x; k < end; k += kThreads) {
    const float x = load_f(g + k);
    acc += x * x;
  }
  // block sum in a fixed order: warp shuffles, then the 8 warp sums by one thread
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) acc += __shfl_down_sync(0xffffffffu, acc, o);
  __shared__ float warp[kThreads / 32];
  if ((threadIdx.x & 31) == 0) warp[threadIdx.x >> 5] = acc;
  __syncthreads();
  if (threadIdx.x == 0) {
    float t = 0.f;
#pragma unroll
    for (int w = 0; w < kThreads / 32; ++w) t += warp[w];
    partial[blockIdx.x] = t;
  }
}

template <typename G, typename W, bool kOut>
cudaError_t launch(const AdamWSegment* segs, const AdamWBlock* blocks, int64_t nb, float b1, float b2, float eps,
                   AdamWScale scale, cudaStream_t s) {
  adamw_kernel<G, W, kOut><<<static_cast<unsigned>(nb), kThreads, 0, s>>>(segs, blocks, b1, b2, eps, scale);
  return cudaGetLastError();
}

template <typename G>
cudaError_t launch_g(bool has_out, ElemType out_type, const AdamWSegment* segs, const AdamWBlock* blocks, int64_t nb,
                     float b1, float b2, float eps, AdamWScale scale, cudaStream_t s) {
  if (!has_out) return launch<G, float, false>(segs, blocks, nb, b1, b2, eps, scale, s);
  switch (out_type) {
    case ElemType::kF32: return launch<G, float, true>(segs, blocks, nb, b1, b2, eps, scale, s);
    case ElemType::kBF16: return launch<G, __nv_bfloat16, true>(segs, blocks, nb, b1, b2, eps, scale, s);
    case ElemType::kF16: return launch<G, __half, true>(segs, blocks, nb, b1, b2, eps, scale, s);
  }
  return cudaErrorInvalidValue;
}

}  // namespace

cudaError_t adamw_step(ElemType grad_type, bool has_out, ElemType out_type, const AdamWSegment* segs,
                       const AdamWBlock* blocks, int64_t n_blocks, float beta1, float beta2, float eps,
                       AdamWScale grad_scale, cudaStream_t s) {
  if (n_blocks <= 0) return cudaSuccess;
  switch (grad_type) {
    case ElemType::kF32: return launch_g<float>(has_out, out_type, segs, blocks, n_blocks, beta1, beta2, eps, grad_scale, s);
    case ElemType::kBF16:
      return launch_g<__nv_bfloat16>(has_out, out_type, segs, blocks, n_blocks, beta1, beta2, eps, grad_scale, s);
    case ElemType::kF16: return launch_g<__half>(has_out, out_type, segs, blocks, n_blocks, beta1, beta2, eps, grad_scale, s);
  }
  return cudaErrorInvalidValue;
}

cudaError_t sum_squares(ElemType grad_type, const AdamWSegment* segs, const AdamWBlock* blocks, int64_t n_blocks,
                        float* partial, cudaStream_t s) {
  if (n_blocks <= 0) return cudaSuccess;
  const unsigned nb = static_cast<unsigned>(n_blocks);
  switch (grad_type) {
    case ElemType::kF32: sum_squares_kernel<float><<<nb, kThreads, 0, s>>>(segs, blocks, partial); break;
    case ElemType::kBF16: sum_squares_kernel<__nv_bfloat16><<<nb, kThreads, 0, s>>>(segs, blocks, partial); break;
    case ElemType::kF16: sum_squares_kernel<__half><<<nb, kThreads, 0, s>>>(segs, blocks, partial); break;
  }
  return cudaGetLastError();
}

}  // namespace codessm::kernels::cuda
