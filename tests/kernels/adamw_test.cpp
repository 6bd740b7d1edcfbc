// kernels::adamw_step (the one-pass AdamW of bf16 training with fp32 masters) and kernels::global_norm against
// their float64 twins on fresh random inputs: sizes below a vector, a tail off a multiple of 4, several blocks
// of one tensor; bf16 and fp32 gradients in one call; outputs (the model's rounded weights) for some tensors;
// a misaligned gradient (the scalar path); per-tensor lr, weight decay and step counts. On the CPU the LibTorch
// form, on CUDA the kernels.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "codessm/kernels/adamw.h"
#include "tensor_test_utils.h"

using namespace codessm;

namespace adamw_test {

double err(const torch::Tensor& a, const torch::Tensor& ref) {
  return test::rel_err(a, ref, std::sqrt(static_cast<double>(std::max<int64_t>(ref.numel(), 1))) * 1e-3);
}

void check_step(torch::Device dev) {
  const uint64_t seed = test::fresh_seed(51);
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " device " << dev);
  const std::vector<int64_t> sizes = {1, 7, 4096, 65536 + 13, 3 * 65536, 1030};
  kernels::AdamWTensors t;
  std::vector<torch::Tensor> p0, m0, v0, g0;
  std::vector<bool> with_out;
  torch::Tensor wide;  // the misaligned gradient's storage
  for (size_t i = 0; i < sizes.size(); ++i) {
    const int64_t n = sizes[i];
    auto opts = torch::TensorOptions(dev).dtype(torch::kFloat32);
    auto p = torch::randn({n}, opts), m = torch::randn({n}, opts) * 0.1, v = torch::rand({n}, opts) * 0.01;
    torch::Tensor g;
    if (i == sizes.size() - 1) {  // a view one element into a bf16 buffer: not 8-byte aligned
      wide = torch::randn({n + 1}, opts).to(torch::kBFloat16);
      g = wide.narrow(0, 1, n);
    } else {
      g = torch::randn({n}, opts).to(i % 2 ? torch::kBFloat16 : torch::kFloat32);
    }
    p0.push_back(p.clone());
    m0.push_back(m.clone());
    v0.push_back(v.clone());
    g0.push_back(g.clone());
    t.params.push_back(p);
    t.exp_avgs.push_back(m);
    t.exp_avg_sqs.push_back(v);
    t.grads.push_back(g);
    with_out.push_back(i % 3 != 0);
    t.outputs.push_back(with_out.back() ? torch::empty({n}, opts.dtype(torch::kBFloat16)) : torch::Tensor());
    kernels::AdamWStep s;
    s.lr = 1e-3 * (1 + static_cast<double>(i));
    s.weight_decay = i % 2 ? 0.0 : 0.05;
    s.step = 1 + static_cast<int64_t>(i) * 3;
    t.steps.push_back(s);
  }
  const double scale = 0.37;
  kernels::adamw_step(t, scale);
  for (size_t i = 0; i < sizes.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "tensor " << i << " n " << sizes[i]);
    auto ref = kernels::adamw_step_reference(p0[i], g0[i], m0[i], v0[i], t.steps[i], scale);
    EXPECT_LT(err(t.params[i], ref[0]), 1e-6) << "param";
    EXPECT_LT(err(t.exp_avgs[i], ref[1]), 1e-6) << "exp_avg";
    EXPECT_LT(err(t.exp_avg_sqs[i], ref[2]), 1e-5) << "exp_avg_sq";
    EXPECT_GT((t.params[i] - p0[i]).abs().max().item<double>(), 0.0) << "the parameter moved";
    if (with_out[i]) EXPECT_TRUE(torch::equal(t.outputs[i], t.params[i].to(torch::kBFloat16))) << "rounded copy";
  }
}

void check_norm(torch::Device dev) {
  const uint64_t seed = test::fresh_seed(52);
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " device " << dev);
  std::vector<torch::Tensor> xs = {torch::randn({5}), torch::randn({65536 * 2 + 3}) * 3, torch::randn({0}),
                                   torch::randn({7, 11})};
  double ref2 = 0;
  for (auto& x : xs) ref2 += x.to(torch::kFloat64).pow(2).sum().item<double>();
  std::vector<torch::Tensor> on;
  for (size_t i = 0; i < xs.size(); ++i) on.push_back(xs[i].to(dev, i % 2 ? torch::kFloat32 : torch::kFloat32));
  EXPECT_NEAR(kernels::global_norm(on).item<double>(), std::sqrt(ref2), 1e-5 * std::sqrt(ref2));
  // bf16 tensors: the norm of their (exact) values, accumulated in fp32
  std::vector<torch::Tensor> low;
  double low2 = 0;
  for (auto& x : xs) {
    low.push_back(x.to(dev, torch::kBFloat16));
    low2 += low.back().to(torch::kCPU, torch::kFloat64).pow(2).sum().item<double>();
  }
  auto n = kernels::global_norm(low);
  EXPECT_EQ(n.scalar_type(), torch::kFloat32);
  EXPECT_NEAR(n.item<double>(), std::sqrt(low2), 1e-5 * std::sqrt(low2));
}

/// Clipping from a norm tensor on the parameters' device (kernels::NormClip): the factor min(1, max/(n·s + 1e-6))
/// applied as the float64 twin's grad_scale; max_norm ≤ 0 no clipping; a NaN or infinite norm (or an infinite
/// norm scale, as for a step without items) leaves parameters, moments and outputs bit-for-bit as they were.
void check_norm_clip(torch::Device dev) {
  const uint64_t seed = test::fresh_seed(53);
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " device " << dev);
  auto opts = torch::TensorOptions(dev).dtype(torch::kFloat32);
  struct Case {
    double norm, norm_scale, max_norm;
    bool applied;
  };
  const std::vector<Case> cases = {{40.0, 0.25, 1.0, true},  {40.0, 0.25, 20.0, true}, {3.0, 1.0, 0.0, true},
                                   {NAN, 1.0, 1.0, false},   {INFINITY, 0.5, 1.0, false},
                                   {5.0, INFINITY, 1.0, false}, {NAN, 1.0, 0.0, false}};
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << "norm " << c.norm << " scale " << c.norm_scale << " max " << c.max_norm);
    kernels::AdamWTensors t;
    for (int64_t n : {5, 4096 + 3}) {
      t.params.push_back(torch::randn({n}, opts));
      t.exp_avgs.push_back(torch::randn({n}, opts) * 0.1);
      t.exp_avg_sqs.push_back(torch::rand({n}, opts) * 0.01);
      t.grads.push_back(torch::randn({n}, opts).to(torch::kBFloat16));
      t.outputs.push_back(torch::zeros({n}, opts.dtype(torch::kBFloat16)));
      kernels::AdamWStep st;
      st.step = 3;
      t.steps.push_back(st);
    }
    std::vector<torch::Tensor> p0, m0, v0, o0;
    for (size_t i = 0; i < t.params.size(); ++i) {
      p0.push_back(t.params[i].clone());
      m0.push_back(t.exp_avgs[i].clone());
      v0.push_back(t.exp_avg_sqs[i].clone());
      o0.push_back(t.outputs[i].clone());
    }
    const double grad_scale = 0.5;
    const kernels::NormClip clip{torch::full({}, c.norm, opts), c.norm_scale, c.max_norm};
    kernels::adamw_step(t, grad_scale, &clip);
    const double n = c.norm * c.norm_scale;
    const double k = c.max_norm > 0 && c.max_norm / (n + 1e-6) < 1 ? c.max_norm / (n + 1e-6) : 1.0;
    for (size_t i = 0; i < t.params.size(); ++i) {
      if (!c.applied) {
        EXPECT_TRUE(torch::equal(t.params[i], p0[i]) && torch::equal(t.exp_avgs[i], m0[i]) &&
                    torch::equal(t.exp_avg_sqs[i], v0[i]) && torch::equal(t.outputs[i], o0[i]))
            << "tensor " << i << " changed by a skipped update";
        continue;
      }
      auto ref = kernels::adamw_step_reference(p0[i], t.grads[i], m0[i], v0[i], t.steps[i], grad_scale * k);
      EXPECT_LT(err(t.params[i], ref[0]), 1e-6) << "param " << i;
      EXPECT_LT(err(t.exp_avgs[i], ref[1]), 1e-6) << "exp_avg " << i;
      EXPECT_LT(err(t.exp_avg_sqs[i], ref[2]), 1e-5) << "exp_avg_sq " << i;
      // and not the unclipped update, where clipping is active
      if (k < 0.9) {
        auto unclipped = kernels::adamw_step_reference(p0[i], t.grads[i], m0[i], v0[i], t.steps[i], grad_scale);
        EXPECT_GT(err(t.exp_avgs[i], unclipped[1]), 1e-3) << "exp_avg " << i << " ignores the clipping";
      }
    }
  }
  // A norm that is not one fp32 value on the parameters' device is refused.
  kernels::AdamWTensors t;
  t.params = {torch::zeros({3}, opts)};
  t.exp_avgs = {torch::zeros({3}, opts)};
  t.exp_avg_sqs = {torch::zeros({3}, opts)};
  t.grads = {torch::zeros({3}, opts)};
  t.steps = {kernels::AdamWStep{}};
  const kernels::NormClip bad{torch::zeros({2}, opts), 1.0, 1.0};
  EXPECT_ANY_THROW(kernels::adamw_step(t, 1.0, &bad));
}

}  // namespace adamw_test

TEST(AdamWStep, MatchesFloat64TwinOnCpu) { adamw_test::check_step(torch::kCPU); }
TEST(AdamWStep, GlobalNormOnCpu) { adamw_test::check_norm(torch::kCPU); }
TEST(AdamWStep, ClippingFromANormTensorOnCpu) { adamw_test::check_norm_clip(torch::kCPU); }

TEST(AdamWStepCuda, KernelsMatchFloat64Twin) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
#ifdef CODESSM_TEST_CUDA_KERNELS
  EXPECT_TRUE(kernels::adamw_step_is_fused(torch::zeros({1}, torch::kCUDA)));
#endif
  adamw_test::check_step(torch::kCUDA);
  adamw_test::check_norm(torch::kCUDA);
  adamw_test::check_norm_clip(torch::kCUDA);
}
