// Tensor helpers shared by the test files (header-only: test_utils stays free of LibTorch).
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>

namespace codessm::test {

/// ‖a − ref‖ / max(‖ref‖, min_scale), both in float64 on the CPU: the relative error the parity tests bound.
inline double rel_err(const torch::Tensor& a, const torch::Tensor& ref, double min_scale = 1e-300) {
  auto r = ref.to(torch::kCPU, torch::kFloat64);
  return (a.to(torch::kCPU, torch::kFloat64) - r).norm().item<double>() / std::max(r.norm().item<double>(), min_scale);
}

/// A fresh seed per run (the functions compared must agree on any valid input), set as torch's seed; tests
/// record it in their trace. CODESSM_TEST_SEED=<seed> replays the seed a failed run printed.
inline uint64_t fresh_seed(uint64_t salt) {
  const char* fixed = std::getenv("CODESSM_TEST_SEED");
  const uint64_t s = fixed != nullptr && *fixed != '\0'
                         ? static_cast<uint64_t>(std::stoull(fixed))
                         : static_cast<uint64_t>(std::time(nullptr)) * 1000003u + salt;
  torch::manual_seed(s);
  return s;
}

}  // namespace codessm::test
