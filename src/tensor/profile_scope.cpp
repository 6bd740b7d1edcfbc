// ProfileScope: totals per section name in a process-wide table (single-threaded use: benchmarks).
#include "codessm/tensor/profile_scope.h"

#include <map>
#include <string>

#include "codessm/tensor/device.h"

namespace codessm::tensor {

namespace {

struct Profile {
  bool on = false;
  torch::Device device = torch::kCPU;
  std::map<std::string, std::pair<int64_t, double>> totals;  // name → (calls, seconds)
};

Profile& profile() {
  static Profile p;
  return p;
}

}  // namespace

void profile_enable(bool on, const torch::Device& device) {
  profile().on = on;
  profile().device = device;
  profile().totals.clear();
}

bool profile_enabled() { return profile().on; }

void profile_reset() { profile().totals.clear(); }

nlohmann::json profile_report() {
  nlohmann::json j = nlohmann::json::object();
  for (auto& [name, v] : profile().totals) j[name] = {{"calls", v.first}, {"ms", v.second * 1e3}};
  return j;
}

ProfileScope::ProfileScope(const char* name) : name_(profile().on ? name : nullptr) {
  if (!name_) return;
  synchronize(profile().device);
  t0_ = std::chrono::steady_clock::now();
}

ProfileScope::~ProfileScope() {
  if (!name_) return;
  synchronize(profile().device);
  auto& t = profile().totals[name_];
  t.first += 1;
  t.second += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
}

}  // namespace codessm::tensor
