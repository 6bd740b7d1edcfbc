#include "cuda_hooks.h"

#ifdef CODESSM_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>

#include "codessm/tensor/torch_compat.h"
#endif

namespace codessm::tensor::detail {

#ifdef CODESSM_WITH_CUDA
int64_t cuda_peak_memory(const torch::Device& dev) {
  if (!dev.is_cuda()) return 0;
  auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(dev.index() < 0 ? 0 : dev.index());
#if CODESSM_TORCH_AT_LEAST(2, 4)
  const auto agg = static_cast<size_t>(c10::CachingDeviceAllocator::StatType::AGGREGATE);
#else
  const auto agg = static_cast<size_t>(c10::cuda::CUDACachingAllocator::StatType::AGGREGATE);
#endif
  return stats.allocated_bytes[agg].peak;
}
void cuda_reset_peak(const torch::Device& dev) {
  if (dev.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(dev.index() < 0 ? 0 : dev.index());
}
void cuda_sync(const torch::Device& dev) { c10::cuda::device_synchronize(); }
#else
int64_t cuda_peak_memory(const torch::Device&) { return 0; }
void cuda_reset_peak(const torch::Device&) {}
void cuda_sync(const torch::Device&) {}
#endif

}  // namespace codessm::tensor::detail
