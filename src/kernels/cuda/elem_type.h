// The element types the fused CUDA kernels take, shared by their launchers (no LibTorch headers here).
#pragma once

namespace codessm::kernels::cuda {

enum class ElemType { kF32, kBF16, kF16 };

/// Elements per 16-byte vector (the host side's kVec).
constexpr int vector_elems(ElemType t) { return t == ElemType::kF32 ? 4 : 8; }

}  // namespace codessm::kernels::cuda
