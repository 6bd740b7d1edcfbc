// RAII scopes every training and evaluation path uses, so no code path turns a mode on by hand and forgets to
// turn it off on an exception:
//   ScopedEvalMode  eval mode (no dropout) + no gradients; the module's previous mode is restored after
//                   (pytorch/examples test(): model.eval() + NoGradGuard).
//   AutocastScope   bf16 autocast on one device type for the scope's lifetime (torch_compat.h hides the
//                   1.13 / 2.x API difference).
#pragma once

#include <torch/torch.h>

#include "codessm/tensor/torch_compat.h"

namespace codessm::tensor {

class ScopedEvalMode {
 public:
  explicit ScopedEvalMode(torch::nn::Module& module) : module_(module), was_training_(module.is_training()) {
    module_.eval();
  }
  ~ScopedEvalMode() {
    if (was_training_) module_.train();
  }
  ScopedEvalMode(const ScopedEvalMode&) = delete;
  ScopedEvalMode& operator=(const ScopedEvalMode&) = delete;

 private:
  torch::NoGradGuard no_grad_;
  torch::nn::Module& module_;
  bool was_training_;
};

class AutocastScope {
 public:
  /// With `on` false the scope does nothing (callers need no branch).
  AutocastScope(c10::DeviceType device, bool on, at::ScalarType dtype = at::kBFloat16) : device_(device), on_(on) {
    if (on_) set_autocast(device_, true, dtype);
  }
  ~AutocastScope() {
    if (on_) set_autocast(device_, false);
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  c10::DeviceType device_;
  bool on_;
};

}  // namespace codessm::tensor
