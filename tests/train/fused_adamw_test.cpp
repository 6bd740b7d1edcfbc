// FusedAdamW against LibTorch's AdamW (the reference twin): several steps on fresh random parameters and
// gradients, two groups (with and without weight decay); on the CPU it must be AdamW exactly, on CUDA the
// fused kernel within fp32 rounding; optimizer state written by one loads into the other.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ctime>

#include "codessm/tensor/torch_compat.h"
#include "codessm/train/fused_adamw.h"
#include "test_utils.h"

using namespace codessm;

namespace {

struct Setup {
  std::vector<torch::Tensor> params;
  std::vector<torch::optim::OptimizerParamGroup> groups() const {
    auto o1 = std::make_unique<torch::optim::AdamWOptions>(1e-2);
    o1->weight_decay(0.1).betas({0.9, 0.98}).eps(1e-6);
    auto o2 = std::make_unique<torch::optim::AdamWOptions>(1e-2);
    o2->weight_decay(0.0).betas({0.9, 0.98}).eps(1e-6);
    return {torch::optim::OptimizerParamGroup({params[0], params[1]}, std::move(o1)),
            torch::optim::OptimizerParamGroup({params[2]}, std::move(o2))};
  }
};

Setup make(torch::Device dev, uint64_t seed) {
  torch::manual_seed(seed);
  Setup s;
  for (auto shape : {std::vector<int64_t>{7, 5}, std::vector<int64_t>{33}, std::vector<int64_t>{4, 3, 2}})
    s.params.push_back(torch::randn(shape).to(dev).requires_grad_(true));
  return s;
}

/// Runs `steps` updates with the same gradient sequence; returns the final parameters.
template <typename Opt>
std::vector<torch::Tensor> run(Setup s, int steps, uint64_t seed, Opt** out_opt = nullptr) {
  auto opt = new Opt(s.groups(), torch::optim::AdamWOptions(1e-2));
  torch::manual_seed(seed);
  for (int i = 0; i < steps; ++i) {
    for (auto& p : s.params) p.mutable_grad() = torch::randn(p.sizes()).to(p.device());
    opt->step();
  }
  std::vector<torch::Tensor> r;
  for (auto& p : s.params) r.push_back(p.detach().cpu().to(torch::kFloat64));
  if (out_opt) *out_opt = opt;
  else delete opt;
  return r;
}

void compare(torch::Device dev, double tol) {
  const uint64_t seed = static_cast<uint64_t>(std::time(nullptr));
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  auto ref = run<torch::optim::AdamW>(make(dev, seed), 6, seed + 1);
  auto fast = run<train::FusedAdamW>(make(dev, seed), 6, seed + 1);
  for (size_t i = 0; i < ref.size(); ++i) {
    const double rel = (fast[i] - ref[i]).norm().item<double>() / ref[i].norm().item<double>();
    EXPECT_LE(rel, tol) << "param " << i;
  }
}

}  // namespace

TEST(FusedAdamW, CpuIsAdamW) { compare(torch::kCPU, 0.0); }

TEST(FusedAdamW, CudaFusedMatchesAdamW) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  compare(torch::kCUDA, 1e-6);
  auto s = make(torch::kCUDA, 1);
  train::FusedAdamW* opt = nullptr;
  run<train::FusedAdamW>(s, 1, 2, &opt);
  EXPECT_TRUE(opt->last_step_fused());
  delete opt;
}

TEST(FusedAdamW, StateLoadsIntoAdamW) {
  // optimizer.pt written after fused steps resumes under LibTorch's AdamW with the same moments and steps.
  const auto dev = torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  auto s = make(dev, 3);
  train::FusedAdamW* opt = nullptr;
  run<train::FusedAdamW>(s, 3, 4, &opt);
  auto path = test::temp_dir("fused_adamw") / "opt.pt";
  torch::save(*opt, path.string());
  torch::optim::AdamW back(s.groups(), torch::optim::AdamWOptions(1e-2));
  torch::load(back, path.string());
  for (auto& p : s.params) {
    auto& a = static_cast<torch::optim::AdamWParamState&>(*opt->state().at(tensor::optimizer_state_key(opt->state(), p)));
    auto& b = static_cast<torch::optim::AdamWParamState&>(*back.state().at(tensor::optimizer_state_key(back.state(), p)));
    EXPECT_EQ(a.step(), 3);
    EXPECT_EQ(b.step(), 3);
    EXPECT_TRUE(torch::equal(a.exp_avg(), b.exp_avg()));
    EXPECT_TRUE(torch::equal(a.exp_avg_sq(), b.exp_avg_sq()));
  }
  delete opt;
}
