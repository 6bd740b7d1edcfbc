#include "codessm/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace codessm::train {

double lr_at(const LrSchedule& s, int64_t step) {
  if (step < s.warmup_steps) return s.peak * static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, s.warmup_steps));
  if (s.kind == config::Schedule::kConstant) return s.peak;
  const double p = static_cast<double>(step - s.warmup_steps) /
                   static_cast<double>(std::max<int64_t>(1, s.total_steps - s.warmup_steps));
  if (s.kind == config::Schedule::kLinear) return s.peak * std::max(0.0, 1.0 - p);
  // HF's num_cycles = 0.5: one half cosine from peak to 0; clamped at 0 past the end.
  return s.peak * std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * p)));
}

}  // namespace codessm::train
