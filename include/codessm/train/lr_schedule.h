// Learning-rate schedules with linear warm-up, exactly as Hugging Face transformers'
// get_{cosine,linear,constant}_schedule_with_warmup (the CodeSSM recipe ran on the HF Trainer: cosine in
// pretraining, linear in fine-tuning, 300 warm-up steps [CS App. D], model-spec §6.1).
#pragma once

#include <cstdint>

#include "codessm/config/train_config.h"

namespace codessm::train {

/// A schedule: peak lr, warm-up steps, total optimizer steps and the shape after warm-up.
struct LrSchedule {
  double peak = 5e-5;
  int64_t warmup_steps = 300;
  int64_t total_steps = 1000;
  config::Schedule kind = config::Schedule::kCosine;  ///< half cosine to 0, linear to 0, or constant
};

/// The lr of optimizer step `step` (0-based): peak·step/warmup during warm-up (so step 0 has lr 0, as in
/// HF), then peak·½(1+cos(π·p)) (cosine), peak·(1−p) (linear) or peak (constant), with
/// p = (step − warmup)/max(1, total − warmup). Never negative.
double lr_at(const LrSchedule& s, int64_t step);

}  // namespace codessm::train
