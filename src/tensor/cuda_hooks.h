// Private: CUDA-only calls, compiled with CUDA headers only when CODESSM_WITH_CUDA is set
// (public headers carry no build flags, the CTranslate2 rule).
#pragma once

#include <torch/torch.h>

namespace codessm::tensor::detail {
int64_t cuda_peak_memory(const torch::Device& dev);
void cuda_reset_peak(const torch::Device& dev);
void cuda_sync(const torch::Device& dev);
}  // namespace codessm::tensor::detail
