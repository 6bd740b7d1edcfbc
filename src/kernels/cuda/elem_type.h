// The element types the fused CUDA kernels take, shared by their launchers (no LibTorch headers here).
#pragma once

namespace codessm::kernels::cuda {

enum class ElemType { kF32, kBF16, kF16 };

}  // namespace codessm::kernels::cuda
