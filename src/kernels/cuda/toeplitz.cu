// Lower-triangular Toeplitz blocks on CUDA: T[k][i][j] = taps[k][i − j] (j ≤ i), 0 above the diagonal — the
// convolution plan's matrices, every layer's and direction's in one launch. One block per row of T, its threads
// over the row's 16-byte vectors: vectors wholly above the diagonal are zeros without a load, the others read
// their taps (descending addresses, cached). LibTorch's flip of a windows view ran at ~0.9 TB/s (an index
// kernel: 111 µs per plan of codessm-base at L 2048, ncu, bench/results/run11/); this kernel only writes T.
#include "elem_access.cuh"
#include "toeplitz_launch.h"

namespace codessm::kernels::cuda {

namespace {

template <typename T>
__global__ void toeplitz_lower_kernel(const T* __restrict__ taps, T* __restrict__ out, int64_t rows, int Cc) {
  constexpr int V = kVec<T>;
  const int vpr = Cc / V;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {  // r = k·Cc + i
    const int64_t k = r / Cc;
    const int i = static_cast<int>(r - k * Cc);
    const T* tk = taps + k * Cc;
    uint4* row = reinterpret_cast<uint4*>(out) + r * vpr;
    for (int c = threadIdx.x; c < vpr; c += blockDim.x) {
      const int j0 = c * V;
      float v[V];
#pragma unroll
      for (int e = 0; e < V; ++e) {
        const int d = i - j0 - e;  // T[i][j0 + e] = taps[i − j0 − e] on and below the diagonal
        const float t = load_f(tk + (d >= 0 ? d : 0));  // a valid address either way
        v[e] = d >= 0 ? t : 0.f;
      }
      row[c] = pack<T>(v);
    }
  }
}

template <typename T>
cudaError_t launch(const void* taps, void* out, int64_t K, int64_t Cc, cudaStream_t s) {
  const int64_t rows = K * Cc, vpr = Cc / kVec<T>;
  const int threads = vpr >= 256 ? 256 : static_cast<int>((vpr + 31) / 32 * 32);
  const int sms = multiprocessors();
  const int64_t cap = static_cast<int64_t>(sms) * (2048 / threads);
  const int blocks = static_cast<int>(rows < cap ? rows : cap);
  toeplitz_lower_kernel<T><<<blocks, threads, 0, s>>>(static_cast<const T*>(taps), static_cast<T*>(out), rows,
                                                      static_cast<int>(Cc));
  return cudaGetLastError();
}

}  // namespace

bool toeplitz_lower_takes(ElemType t, int64_t Cc) {
  return Cc > 0 && Cc % vector_elems(t) == 0 && Cc < (int64_t(1) << 30);
}

cudaError_t toeplitz_lower(ElemType t, const void* taps, void* T, int64_t K, int64_t Cc, cudaStream_t s) {
  if (!toeplitz_lower_takes(t, Cc)) return cudaErrorInvalidValue;
  if (K == 0) return cudaSuccess;
  switch (t) {
    case ElemType::kF32: return launch<float>(taps, T, K, Cc, s);
    case ElemType::kBF16: return launch<__nv_bfloat16>(taps, T, K, Cc, s);
    case ElemType::kF16: return launch<__half>(taps, T, K, Cc, s);
  }
  return cudaErrorInvalidValue;
}

}  // namespace codessm::kernels::cuda
