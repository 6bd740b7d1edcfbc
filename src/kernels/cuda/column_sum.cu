// Column sums on CUDA — the bias gradient of a linear layer, Σ over the rows of its output gradient, and
// LayerNorm's parameter gradients (Σ g·x̂ and Σ g) in the same tiling.
// LibTorch's sum(0) on an (M, N) bf16 gradient (reduce_kernel) ran at ~1 TB/s on the H200 for a layer's shapes
// (3.7 ms per 8×2048 training step of codessm-base: bench/results/run5/). Here: pass 1 — each block owns 32
// vectors of columns (256 bf16 columns) and a chunk of rows; its 32×8 threads read 16-byte vectors, four rows
// in flight per thread, and accumulate in fp32; the block's 8 row-partials go through shared memory into one
// partial per chunk (no atomics: the sum's order is fixed, so results are bit-identical between runs).
// Pass 2 — per column, 8 threads add stripes of the chunks' partials, then one adds the 8 in order and rounds
// once to the output type.
#include "column_sum_launch.h"
#include "elem_access.cuh"

namespace codessm::kernels::cuda {

namespace {

constexpr int kColVecs = 32;  // vectors of columns per block (threadIdx.x)
constexpr int kRowLanes = 8;  // rows read at once per block (threadIdx.y)
constexpr int kUnroll = 4;    // independent 16-byte loads in flight per thread

template <typename T>
__device__ __forceinline__ void add_vec(float (&acc)[kVec<T>], const uint4& v) {
  const T* p = reinterpret_cast<const T*>(&v);
#pragma unroll
  for (int j = 0; j < kVec<T>; ++j) acc[j] += load_f(p + j);
}

/// The block's (kRowLanes, kColVecs) threads each hold V column sums in acc: adds the kRowLanes row-partials of
/// every column through shared memory `sh` and writes the block's partial to partial[blockIdx.y, col]. sh[y][j·32
/// + x] holds element j of thread (x, y)'s vector: consecutive x → consecutive banks. Ends with a barrier, so the
/// caller may reuse sh.
template <int V>
__device__ __forceinline__ void store_block_partial(const float (&acc)[V], float (&sh)[kRowLanes][kColVecs * V],
                                                    float* __restrict__ partial, int64_t N) {
#pragma unroll
  for (int j = 0; j < V; ++j) sh[threadIdx.y][j * kColVecs + threadIdx.x] = acc[j];
  __syncthreads();
  for (int c = threadIdx.y * kColVecs + threadIdx.x; c < kColVecs * V; c += kColVecs * kRowLanes) {
    float s = 0.f;
#pragma unroll
    for (int y = 0; y < kRowLanes; ++y) s += sh[y][c];
    const int64_t col = (static_cast<int64_t>(blockIdx.x) * kColVecs + c % kColVecs) * V + c / kColVecs;
    if (col < N) partial[static_cast<int64_t>(blockIdx.y) * N + col] = s;
  }
  __syncthreads();
}

/// partial[chunk, n] = Σ over the chunk's rows of g[m, n].
template <typename T>
__global__ void __launch_bounds__(kColVecs* kRowLanes)
    column_partial_kernel(const T* __restrict__ g, float* __restrict__ partial, int64_t M, int64_t N,
                          int64_t rows_per_chunk) {
  constexpr int V = kVec<T>;
  const int64_t nv = N / V;                                         // vectors per row
  const int64_t cv = static_cast<int64_t>(blockIdx.x) * kColVecs + threadIdx.x;  // this thread's column vector
  const int64_t r0 = static_cast<int64_t>(blockIdx.y) * rows_per_chunk;
  const int64_t r1 = r0 + rows_per_chunk < M ? r0 + rows_per_chunk : M;
  float acc[V];
#pragma unroll
  for (int j = 0; j < V; ++j) acc[j] = 0.f;
  if (cv < nv) {
    const uint4* base = reinterpret_cast<const uint4*>(g) + cv;
    int64_t r = r0 + threadIdx.y;
    for (; r + (kUnroll - 1) * kRowLanes < r1; r += kUnroll * kRowLanes) {
      uint4 v[kUnroll];
#pragma unroll
      for (int k = 0; k < kUnroll; ++k) v[k] = __ldg(base + (r + k * kRowLanes) * nv);
#pragma unroll
      for (int k = 0; k < kUnroll; ++k) add_vec<T>(acc, v[k]);
    }
    for (; r < r1; r += kRowLanes) add_vec<T>(acc, __ldg(base + r * nv));
  }
  __shared__ float sh[kRowLanes][kColVecs * V];
  store_block_partial<V>(acc, sh, partial, N);
}

/// out[n] = Σ_chunk partial[chunk, n], rounded once. Block (32, 8): x a column, y a stripe of chunks
/// (y, y + 8, ...); the 8 stripe sums are added in y order — a fixed order, so the result is deterministic —
/// and each thread waits on ~chunks/8 loads, not all of them (one thread per column took 9 µs for 176 chunks).
template <typename T>
__global__ void __launch_bounds__(kColVecs* kRowLanes)
    column_finish_kernel(const float* __restrict__ partial, T* __restrict__ out, int64_t chunks, int64_t N) {
  const int64_t n = static_cast<int64_t>(blockIdx.x) * kColVecs + threadIdx.x;
  float s = 0.f;
  if (n < N)
    for (int64_t c = threadIdx.y; c < chunks; c += kRowLanes) s += partial[c * N + n];
  __shared__ float sh[kRowLanes][kColVecs];
  sh[threadIdx.y][threadIdx.x] = s;
  __syncthreads();
  if (threadIdx.y != 0 || n >= N) return;
  float total = 0.f;
#pragma unroll
  for (int y = 0; y < kRowLanes; ++y) total += sh[y][threadIdx.x];
  store_f(out + n, total);
}

/// LayerNorm's parameter gradients, first pass: pg[chunk, n] = Σ over the chunk's rows of g·(x − μ_m)·ρ_m (dγ)
/// and pb[chunk, n] = Σ g (dβ), with μ, ρ the forward's per-row mean and reciprocal standard deviation. The
/// same tiling as column_partial_kernel; two rows in flight per thread, two 16-byte loads each.
template <typename T>
__global__ void __launch_bounds__(kColVecs* kRowLanes)
    ln_partial_kernel(const T* __restrict__ g, const T* __restrict__ x, const float* __restrict__ mean,
                      const float* __restrict__ rstd, float* __restrict__ pg, float* __restrict__ pb, int64_t M,
                      int64_t N, int64_t rows_per_chunk) {
  constexpr int V = kVec<T>;
  constexpr int kRows = 2;
  const int64_t nv = N / V;
  const int64_t cv = static_cast<int64_t>(blockIdx.x) * kColVecs + threadIdx.x;
  const int64_t r0 = static_cast<int64_t>(blockIdx.y) * rows_per_chunk;
  const int64_t r1 = r0 + rows_per_chunk < M ? r0 + rows_per_chunk : M;
  float ag[V], ab[V];
#pragma unroll
  for (int j = 0; j < V; ++j) ag[j] = ab[j] = 0.f;
  if (cv < nv) {
    const uint4* bg = reinterpret_cast<const uint4*>(g) + cv;
    const uint4* bx = reinterpret_cast<const uint4*>(x) + cv;
    for (int64_t r = r0 + threadIdx.y; r < r1; r += kRows * kRowLanes) {
      uint4 vg[kRows], vx[kRows];
      float mu[kRows], rs[kRows];
#pragma unroll
      for (int k = 0; k < kRows; ++k) {
        const int64_t rr = r + k * kRowLanes;
        const bool in = rr < r1;
        vg[k] = in ? __ldg(bg + rr * nv) : make_uint4(0, 0, 0, 0);  // zero bits: +0 in every type
        vx[k] = in ? __ldg(bx + rr * nv) : make_uint4(0, 0, 0, 0);
        mu[k] = in ? __ldg(mean + rr) : 0.f;
        rs[k] = in ? __ldg(rstd + rr) : 0.f;
      }
#pragma unroll
      for (int k = 0; k < kRows; ++k) {
        const T* pgk = reinterpret_cast<const T*>(&vg[k]);
        const T* pxk = reinterpret_cast<const T*>(&vx[k]);
#pragma unroll
        for (int j = 0; j < V; ++j) {
          const float gj = load_f(pgk + j);
          ag[j] += gj * ((load_f(pxk + j) - mu[k]) * rs[k]);
          ab[j] += gj;
        }
      }
    }
  }
  __shared__ float sh[kRowLanes][kColVecs * V];
  store_block_partial<V>(ag, sh, pg, N);
  store_block_partial<V>(ab, sh, pb, N);
}

int64_t rows_per_chunk(ElemType t, int64_t M, int64_t N) {
  const int sms = multiprocessors();
  const int64_t tiles = (N / vector_elems(t) + kColVecs - 1) / kColVecs;
  const int64_t want_chunks = (4LL * sms + tiles - 1) / tiles;          // ~4 blocks per multiprocessor
  const int64_t min_rows = kUnroll * kRowLanes;                          // a chunk fills the unrolled loop
  int64_t rows = (M + want_chunks - 1) / want_chunks;
  if (rows < min_rows) rows = min_rows;
  return rows;
}

}  // namespace

int64_t column_sum_chunks(ElemType t, int64_t M, int64_t N) {
  if (M <= 0) return 1;
  const int64_t rows = rows_per_chunk(t, M, N);
  return (M + rows - 1) / rows;
}

cudaError_t column_sum(ElemType t, const void* g, float* workspace, void* out, int64_t M, int64_t N,
                       cudaStream_t s) {
  if (N <= 0) return cudaSuccess;
  const int64_t rows = M > 0 ? rows_per_chunk(t, M, N) : 1;
  const int64_t chunks = column_sum_chunks(t, M, N);
  const int64_t tiles = (N / vector_elems(t) + kColVecs - 1) / kColVecs;
  const dim3 grid(static_cast<unsigned>(tiles), static_cast<unsigned>(chunks));
  const dim3 block(kColVecs, kRowLanes);
  const unsigned fin = static_cast<unsigned>((N + kColVecs - 1) / kColVecs);
  switch (t) {
    case ElemType::kF32:
      column_partial_kernel<float><<<grid, block, 0, s>>>(static_cast<const float*>(g), workspace, M, N, rows);
      column_finish_kernel<float><<<fin, block, 0, s>>>(workspace, static_cast<float*>(out), chunks, N);
      break;
    case ElemType::kBF16:
      column_partial_kernel<__nv_bfloat16>
          <<<grid, block, 0, s>>>(static_cast<const __nv_bfloat16*>(g), workspace, M, N, rows);
      column_finish_kernel<__nv_bfloat16>
          <<<fin, block, 0, s>>>(workspace, static_cast<__nv_bfloat16*>(out), chunks, N);
      break;
    case ElemType::kF16:
      column_partial_kernel<__half><<<grid, block, 0, s>>>(static_cast<const __half*>(g), workspace, M, N, rows);
      column_finish_kernel<__half><<<fin, block, 0, s>>>(workspace, static_cast<__half*>(out), chunks, N);
      break;
  }
  return cudaGetLastError();
}

}  // namespace codessm::kernels::cuda

namespace codessm::kernels::cuda {

cudaError_t layer_norm_param_grads(ElemType t, const void* g, const void* x, const float* mean, const float* rstd,
                                   float* workspace, float* out, int64_t M, int64_t N, cudaStream_t s) {
  if (N <= 0) return cudaSuccess;
  const int64_t rows = M > 0 ? rows_per_chunk(t, M, N) : 1;
  const int64_t chunks = column_sum_chunks(t, M, N);
  const int64_t tiles = (N / vector_elems(t) + kColVecs - 1) / kColVecs;
  const dim3 grid(static_cast<unsigned>(tiles), static_cast<unsigned>(chunks));
  const dim3 block(kColVecs, kRowLanes);
  float* pg = workspace;
  float* pb = workspace + chunks * N;
  switch (t) {
    case ElemType::kF32:
      ln_partial_kernel<float><<<grid, block, 0, s>>>(static_cast<const float*>(g), static_cast<const float*>(x),
                                                      mean, rstd, pg, pb, M, N, rows);
      break;
    case ElemType::kBF16:
      ln_partial_kernel<__nv_bfloat16><<<grid, block, 0, s>>>(static_cast<const __nv_bfloat16*>(g),
                                                              static_cast<const __nv_bfloat16*>(x), mean, rstd, pg,
                                                              pb, M, N, rows);
      break;
    case ElemType::kF16:
      ln_partial_kernel<__half><<<grid, block, 0, s>>>(static_cast<const __half*>(g), static_cast<const __half*>(x),
                                                       mean, rstd, pg, pb, M, N, rows);
      break;
  }
  const unsigned fin = static_cast<unsigned>((N + kColVecs - 1) / kColVecs);
  column_finish_kernel<float><<<fin, block, 0, s>>>(pg, out, chunks, N);
  column_finish_kernel<float><<<fin, block, 0, s>>>(pb, out + N, chunks, N);
  return cudaGetLastError();
}

}  // namespace codessm::kernels::cuda
