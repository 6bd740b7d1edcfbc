// GELU and its derivative on the device, shared by the gate and the SSM-input kernels (gelu_mul.cu,
// gelu_split.cu). fp32 uses CUDA's erff (exact to a few ulps). On the H200 the 16-bit kernels were bound by
// erff's instructions, not memory (gate forward on 8×2048×3072 bf16: 120 µs, ~2.5 TB/s; run 6a): for bf16/fp16
// the normal CDF is Abramowitz & Stegun 7.1.26 (|error of erf| ≤ 1.5e-7, a reciprocal and one exp that the
// derivative's density shares), with the lower tail formed directly, not as 1 − erf. Its error is under
// 3e-7·|x| absolute, far under one bf16 or fp16 rounding of any GELU of magnitude ≥ 1e-4 (the tanh form is
// 4.7e-4 off).
// Where only the value is needed (every forward), A&S 7.1.28 instead: erf(z) = 1 − (1 + a1 z + … + a6 z⁶)^−16,
// |error| ≤ 3e-7 — six FMAs, four squarings and one reciprocal, no exponential (12 operations and one
// special-function op per GELU in place of ~19 and two; the gate's forward computes two GELUs per 6 bytes
// moved): the forward GELU kernels 10% faster on the H200 (ncu, run 11a). The derivative needs exp(−x²/2)
// anyway, so backward passes keep 7.1.26, whose exponential the density shares.
#pragma once

#include "elem_access.cuh"

namespace codessm::kernels::cuda {

constexpr float kInvSqrt2 = 0.70710678118654752440f;
constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

/// GELU and its derivative gelu'(x) = Φ(x) + x φ(x), exact erf form (fp32).
struct GeluExact {
  __device__ static __forceinline__ float value(float x) { return 0.5f * x * (1.f + erff(x * kInvSqrt2)); }
  __device__ static __forceinline__ void value_grad(float x, float& v, float& g) {
    const float cdf = 0.5f * (1.f + erff(x * kInvSqrt2));
    v = x * cdf;
    g = cdf + x * kInvSqrt2Pi * __expf(-0.5f * x * x);
  }
};

/// The same through A&S 7.1.26 (bf16/fp16 inputs and outputs; see the file comment).
struct GeluFast {
  /// Φ(x) and exp(−x²/2).
  __device__ static __forceinline__ float cdf(float x, float& e) {
    const float z = fabsf(x) * kInvSqrt2;
    e = __expf(-z * z);
    const float t = __fdividef(1.f, fmaf(0.3275911f, z, 1.f));
    const float p =
        t * fmaf(t, fmaf(t, fmaf(t, fmaf(t, 1.061405429f, -1.453152027f), 1.421413741f), -0.284496736f), 0.254829592f);
    const float tail = 0.5f * p * e;  // Φ(−|x|) = erfc(|x|/√2) / 2
    return x < 0.f ? tail : 1.f - tail;
  }
  /// GELU alone, Φ by A&S 7.1.28 (see the file comment). With q(|x|) = 2^(1/16)·(1 + a1 z + … + a6 z⁶) at
  /// z = |x|/√2 — the 2^(1/16) and the powers of 1/√2 folded into the coefficients — the lower tail is
  /// Φ(−|x|) = q^−16 and gelu(x) = max(x, 0) − |x|·Φ(−|x|) for either sign, without 1 − erf's cancellation.
  /// In fp32 the sixteenth power adds up to ~2e-6 relative to the tail: |error| ≤ 5e-7·max(1, |x|) in all.
  __device__ static __forceinline__ float value(float x) {
    const float ax = fabsf(x);
    float q = fmaf(ax, fmaf(ax, fmaf(ax, fmaf(ax, fmaf(ax, fmaf(ax, 5.621299806e-6f, 5.105520904e-5f),
                                                   3.968613601e-5f), 3.422739217e-3f), 2.207699791e-2f),
                              5.207516253e-2f), 1.044273734f);
    q *= q;
    q *= q;
    q *= q;
    q *= q;                                   // q^16; beyond |x| ≈ 19 it overflows to ∞ and the tail is 0
    // |x| capped where the tail is already 0, so that x = +∞ gives ∞, not ∞·0 (x = −∞ gives the limit 0).
    return fmaf(-fminf(ax, 64.f), __fdividef(1.f, q), fmaxf(x, 0.f));
  }
  __device__ static __forceinline__ void value_grad(float x, float& v, float& g) {
    float e;
    const float c = cdf(x, e);
    v = x * c;
    g = c + x * kInvSqrt2Pi * e;
  }
};

/// The form each element type uses.
template <typename T>
struct GeluOf {
  using type = GeluFast;
};
template <>
struct GeluOf<float> {
  using type = GeluExact;
};

}  // namespace codessm::kernels::cuda
