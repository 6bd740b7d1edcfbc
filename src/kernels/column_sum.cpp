// Dispatch of column_sum: the CUDA kernels (src/kernels/cuda/column_sum.cu) when they are built and the
// tensor qualifies; LibTorch's sum(0) everywhere else.
#include "codessm/kernels/column_sum.h"

#include <atomic>

#include "codessm/core/error.h"

#ifdef CODESSM_HAVE_CUDA_KERNELS
#include <c10/cuda/CUDAStream.h>

#include "cuda/column_sum_launch.h"
#include "cuda_dispatch.h"
#endif

namespace codessm::kernels {

namespace {

std::atomic<bool> g_column_sum_unfused{false};

}  // namespace

bool column_sum_is_fused(const torch::Tensor& g) {
#ifdef CODESSM_HAVE_CUDA_KERNELS
  const auto dt = g.scalar_type();
  if (g_column_sum_unfused.load() || !g.is_cuda() || g.dim() != 2 || !g.is_contiguous()) return false;
  if (dt != torch::kFloat32 && dt != torch::kBFloat16 && dt != torch::kFloat16) return false;
  const int64_t vec = 16 / static_cast<int64_t>(g.element_size());  // the kernel reads 16-byte vectors
  return g.size(1) % vec == 0 && reinterpret_cast<uintptr_t>(g.data_ptr()) % 16 == 0;
#else
  (void)g;
  return false;
#endif
}

void set_column_sum_unfused(bool off) { g_column_sum_unfused.store(off); }

torch::Tensor column_sum(const torch::Tensor& g) {
  CODESSM_REQUIRE(g.dim() == 2, UsageError, "column_sum needs a matrix, got {} dimensions", g.dim());
#ifdef CODESSM_HAVE_CUDA_KERNELS
  if (column_sum_is_fused(g)) {
    const int64_t M = g.size(0), N = g.size(1);
    const auto t = cuda::elem_type(g);
    auto ws = torch::empty({cuda::column_sum_chunks(t, M, N), N}, g.options().dtype(torch::kFloat32));
    auto out = torch::empty({N}, g.options());
    const auto e = cuda::column_sum(t, g.data_ptr(), ws.data_ptr<float>(), out.data_ptr(), M, N,
                                    c10::cuda::getCurrentCUDAStream());
    CODESSM_CHECK(e == cudaSuccess, "column_sum: CUDA error {}", cudaGetErrorString(e));
    return out;
  }
#endif
  return g.sum(0);
}

torch::Tensor column_sum_reference(const torch::Tensor& g) {
  return g.to(torch::kCPU, torch::kFloat64).sum(0);
}

}  // namespace codessm::kernels
