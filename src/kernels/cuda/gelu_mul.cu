// Fused BiGS gate on CUDA: out = gelu(a) ⊙ gelu(b) with the erf GELU, and its backward
// da = dout ⊙ gelu'(a) ⊙ gelu(b), db = dout ⊙ gelu(a) ⊙ gelu'(b), in one pass each (fp32 arithmetic); and the
// single GELU y = gelu(x) with dx = dy ⊙ gelu'(x).
// Unfused, LibTorch runs three kernels forward (21 element-passes of the gate's width) and three backward
// (33); these read/write 9 and 15. The passes are elementwise_pass.cuh's (16-byte vectors, the grid covering
// the data once); the GELU's forms (erff for fp32, A&S for bf16/fp16) are in gelu_math.cuh.
// No LibTorch headers here (nvcc only sees CUDA's); the launchers are called from src/kernels/gelu_mul.cpp.
#include "elementwise_pass.cuh"
#include "gelu_math.cuh"
#include "gelu_mul_launch.h"

namespace codessm::kernels::cuda {

namespace {

template <typename T>
struct GateFwd {
  static constexpr int kIn = 2, kOut = 1;  // a, b → out
  __device__ void operator()(const float* x, float* y) const {
    using G = typename GeluOf<T>::type;
    y[0] = G::value(x[0]) * G::value(x[1]);
  }
};

template <typename T>
struct GateBwd {
  static constexpr int kIn = 3, kOut = 2;  // a, b, dout → da, db
  __device__ void operator()(const float* x, float* y) const {
    using G = typename GeluOf<T>::type;
    float ga, dga, gb, dgb;
    G::value_grad(x[0], ga, dga);
    G::value_grad(x[1], gb, dgb);
    y[0] = x[2] * dga * gb;
    y[1] = x[2] * ga * dgb;
  }
};

template <typename T>
struct GeluFwd {
  static constexpr int kIn = 1, kOut = 1;  // x → y
  __device__ void operator()(const float* x, float* y) const { y[0] = GeluOf<T>::type::value(x[0]); }
};

template <typename T>
struct GeluBwd {
  static constexpr int kIn = 2, kOut = 1;  // x, dy → dx
  __device__ void operator()(const float* x, float* y) const {
    float v, d;
    GeluOf<T>::type::value_grad(x[0], v, d);
    y[0] = x[1] * d;
  }
};

template <typename T>
const T* in(const void* p) {
  return static_cast<const T*>(p);
}
template <typename T>
T* out(void* p) {
  return static_cast<T*>(p);
}

template <typename T>
cudaError_t gate_fwd(const void* a, const void* b, void* o, int64_t n, cudaStream_t s) {
  return elementwise_pass<T, GateFwd<T>>({{in<T>(a), in<T>(b)}}, {{out<T>(o)}}, n, s);
}
template <typename T>
cudaError_t gate_bwd(const void* a, const void* b, const void* g, void* da, void* db, int64_t n, cudaStream_t s) {
  return elementwise_pass<T, GateBwd<T>>({{in<T>(a), in<T>(b), in<T>(g)}}, {{out<T>(da), out<T>(db)}}, n, s);
}
template <typename T>
cudaError_t gelu_fwd(const void* x, void* y, int64_t n, cudaStream_t s) {
  return elementwise_pass<T, GeluFwd<T>>({{in<T>(x)}}, {{out<T>(y)}}, n, s);
}
template <typename T>
cudaError_t gelu_bwd(const void* x, const void* dy, void* dx, int64_t n, cudaStream_t s) {
  return elementwise_pass<T, GeluBwd<T>>({{in<T>(x), in<T>(dy)}}, {{out<T>(dx)}}, n, s);
}

}  // namespace

cudaError_t gelu_forward(ElemType t, const void* x, void* y, int64_t n, cudaStream_t s) {
  switch (t) {
    case ElemType::kF32: return gelu_fwd<float>(x, y, n, s);
    case ElemType::kBF16: return gelu_fwd<__nv_bfloat16>(x, y, n, s);
    case ElemType::kF16: return gelu_fwd<__half>(x, y, n, s);
  }
  return cudaErrorInvalidValue;
}

cudaError_t gelu_backward(ElemType t, const void* x, const void* dy, void* dx, int64_t n, cudaStream_t s) {
  switch (t) {
    case ElemType::kF32: return gelu_bwd<float>(x, dy, dx, n, s);
    case ElemType::kBF16: return gelu_bwd<__nv_bfloat16>(x, dy, dx, n, s);
    case ElemType::kF16: return gelu_bwd<__half>(x, dy, dx, n, s);
  }
  return cudaErrorInvalidValue;
}

cudaError_t gelu_mul_forward(ElemType t, const void* a, const void* b, void* out, int64_t n, cudaStream_t s) {
  switch (t) {
    case ElemType::kF32: return gate_fwd<float>(a, b, out, n, s);
    case ElemType::kBF16: return gate_fwd<__nv_bfloat16>(a, b, out, n, s);
    case ElemType::kF16: return gate_fwd<__half>(a, b, out, n, s);
  }
  return cudaErrorInvalidValue;
}

cudaError_t gelu_mul_backward(ElemType t, const void* a, const void* b, const void* dout, void* da, void* db,
                              int64_t n, cudaStream_t s) {
  switch (t) {
    case ElemType::kF32: return gate_bwd<float>(a, b, dout, da, db, n, s);
    case ElemType::kBF16: return gate_bwd<__nv_bfloat16>(a, b, dout, da, db, n, s);
    case ElemType::kF16: return gate_bwd<__half>(a, b, dout, da, db, n, s);
  }
  return cudaErrorInvalidValue;
}

}  // namespace codessm::kernels::cuda
