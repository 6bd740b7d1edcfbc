// Tensor helpers shared by the test files (header-only: test_utils stays free of LibTorch).
#pragma once

#include <torch/torch.h>

#include <algorithm>

namespace codessm::test {

/// ‖a − ref‖ / max(‖ref‖, min_scale), both in float64 on the CPU: the relative error the parity tests bound.
inline double rel_err(const torch::Tensor& a, const torch::Tensor& ref, double min_scale = 1e-300) {
  auto r = ref.to(torch::kCPU, torch::kFloat64);
  return (a.to(torch::kCPU, torch::kFloat64) - r).norm().item<double>() / std::max(r.norm().item<double>(), min_scale);
}

}  // namespace codessm::test
