// ScopedEvalMode and AutocastScope restore what they changed, also when the scope is left by an exception.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <stdexcept>

#include "codessm/tensor/scopes.h"

namespace codessm::tensor {
namespace {

/// Whether CPU autocast is on, seen from its effect: a matrix product of fp32 inputs comes out in bf16.
bool cpu_autocast_on() {
  auto a = torch::ones({2, 2});
  return torch::mm(a, a).scalar_type() == torch::kBFloat16;
}

TEST(Scopes, EvalModeAndNoGradAreRestoredEvenOnAnException) {
  auto m = torch::nn::Linear(2, 2);
  m->train();
  try {
    ScopedEvalMode s(*m);
    EXPECT_FALSE(m->is_training());
    EXPECT_FALSE(torch::GradMode::is_enabled());
    throw std::runtime_error("leave the scope");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(m->is_training());
  EXPECT_TRUE(torch::GradMode::is_enabled());
  m->eval();
  { ScopedEvalMode s(*m); }
  EXPECT_FALSE(m->is_training()) << "a module in eval mode stays there";
}

TEST(Scopes, AutocastIsOnOnlyInsideTheScope) {
  EXPECT_FALSE(cpu_autocast_on());
  try {
    AutocastScope a(c10::DeviceType::CPU, /*on=*/true);
    EXPECT_TRUE(cpu_autocast_on());
    throw std::runtime_error("leave the scope");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(cpu_autocast_on());
  { AutocastScope off(c10::DeviceType::CPU, /*on=*/false); EXPECT_FALSE(cpu_autocast_on()); }
}

}  // namespace
}  // namespace codessm::tensor
