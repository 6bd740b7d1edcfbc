// Named wall-clock sections for finding where a forward or a training step spends its time, without a
// profiler: when enabled, a scope synchronises the device at entry and exit, so its time is its own device
// work plus its launch overhead (launch-bound sections show up as such). Off by default; then a scope costs
// one branch. `codessm bench forward|train --profile` enables it and prints the table (CTranslate2's PROFILE).
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace codessm::tensor {

/// Turns section timing on for `device` (off: `on` = false). Resets the totals.
void profile_enable(bool on, const torch::Device& device = torch::kCPU);
bool profile_enabled();
/// {name: {"calls": n, "ms": total}} since the last enable/reset, sorted by name.
nlohmann::json profile_report();
void profile_reset();

class ProfileScope {
 public:
  explicit ProfileScope(const char* name);
  ~ProfileScope();
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  const char* name_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace codessm::tensor

#define CODESSM_PROFILE_CAT2(a, b) a##b
#define CODESSM_PROFILE_CAT(a, b) CODESSM_PROFILE_CAT2(a, b)
/// Times the rest of the enclosing block under `name` (a string literal) when profiling is on.
#define CODESSM_PROFILE(name) ::codessm::tensor::ProfileScope CODESSM_PROFILE_CAT(codessm_profile_, __LINE__)(name)
