// When the trainer logs, evaluates and saves: every N steps and always after the last step (0 = only then).
#pragma once

#include <cstdint>

#include "codessm/config/train_config.h"

namespace codessm::train {

struct Cadence {
  int64_t log_every = 10, eval_every = 200, save_every = 500, max_steps = 1000;

  static Cadence of(const config::RunConfig& r, int64_t max_steps) {
    return Cadence{r.log_every, r.eval_every, r.save_every, max_steps};
  }
  /// After `step` steps are done.
  bool log(int64_t step) const { return due(step, log_every); }
  bool eval(int64_t step) const { return due(step, eval_every); }
  bool save(int64_t step) const { return due(step, save_every); }

 private:
  bool due(int64_t step, int64_t every) const { return (every > 0 && step % every == 0) || step == max_steps; }
};

}  // namespace codessm::train
