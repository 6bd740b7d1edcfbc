// Multi-tensor clipping against LibTorch's clip_grad_norm_ (the reference twin) on fresh random gradients:
// the same norm and the same clipped gradients (float64 to 1e-12, float32 to 1e-6), no clipping below the
// threshold, NaN reported, never clipped.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <ctime>

#include "codessm/train/grad_clip.h"

using namespace codessm;

namespace {

std::vector<torch::Tensor> params_with_grads(torch::ScalarType dt, double scale) {
  std::vector<torch::Tensor> ps;
  for (auto shape : {std::vector<int64_t>{7, 3}, std::vector<int64_t>{11}, std::vector<int64_t>{2, 2, 5}}) {
    auto p = torch::randn(shape, dt).requires_grad_(true);
    p.mutable_grad() = torch::randn(shape, dt) * scale;
    ps.push_back(p);
  }
  ps.push_back(torch::randn({4}, dt).requires_grad_(true));  // no gradient: skipped by both
  return ps;
}

std::vector<torch::Tensor> copy_grads(const std::vector<torch::Tensor>& ps) {
  std::vector<torch::Tensor> out;
  for (auto& p : ps) {
    auto q = p.detach().clone().requires_grad_(true);
    if (p.grad().defined()) q.mutable_grad() = p.grad().clone();
    out.push_back(q);
  }
  return out;
}

}  // namespace

TEST(GradClip, MatchesLibTorchClipGradNorm) {
  torch::manual_seed(static_cast<uint64_t>(std::time(nullptr)));
  for (auto dt : {torch::kFloat64, torch::kFloat32})
    for (double scale : {0.01, 10.0}) {  // below and above the threshold
      auto a = params_with_grads(dt, scale);
      auto b = copy_grads(a);
      const double na = train::clip_grad_norm(a, 1.0), nb = train::clip_grad_norm_reference(b, 1.0);
      const double tol = dt == torch::kFloat64 ? 1e-12 : 1e-6;
      EXPECT_NEAR(na, nb, tol * nb) << "scale " << scale;
      for (size_t i = 0; i < 3; ++i)
        EXPECT_LT((a[i].grad() - b[i].grad()).abs().max().item<double>(), tol * (1 + b[i].grad().abs().max().item<double>()));
      EXPECT_FALSE(a[3].grad().defined());
    }
}

TEST(GradClip, NonFiniteNormIsReportedAndNothingIsScaled) {
  auto a = params_with_grads(torch::kFloat32, 10.0);
  a[1].mutable_grad()[3] = std::nan("");
  auto before = a[0].grad().clone();
  EXPECT_TRUE(std::isnan(train::clip_grad_norm(a, 1.0)));
  EXPECT_TRUE(torch::equal(a[0].grad(), before));
}

TEST(GradClip, ScaleGrads) {
  auto a = params_with_grads(torch::kFloat64, 1.0);
  auto b = copy_grads(a);
  train::scale_grads(a, 0.25);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(torch::allclose(a[i].grad(), b[i].grad() * 0.25, 0, 0));
}
