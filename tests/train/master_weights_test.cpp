// MasterWeights (bf16 training, fp32 masters) against its twin, plain fp32 AdamW: the masters take exactly the
// update AdamW makes from the same (bf16, cast to fp32) gradients, the model holds their bf16 rounding, the SSM
// parameters stay fp32 in the model and are updated in place, micro-batches accumulate in fp32, a checkpoint
// scope shows the fp32 masters; and a few steps of bf16 training follow fp32 training within a stated tolerance.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "codessm/kernels/adamw.h"
#include "codessm/train/grad_clip.h"
#include "codessm/train/master_weights.h"
#include "codessm/train/optimizer_groups.h"
#include "tensor_test_utils.h"
#include "train_fixtures.h"

using namespace codessm;

namespace {

struct Batch {
  torch::Tensor ids, mask;
};

Batch random_batch(int64_t B, int64_t L) {
  return {torch::randint(5, 261, {B, L}, torch::kInt64), torch::ones({B, L}, torch::kInt64)};
}

/// Mean cross-entropy of predicting every token of the batch (an MLM loss without masking: enough gradient
/// signal for every weight, deterministic). Logits in fp32, as the trainer's loss.
torch::Tensor batch_loss(model::CodeModel& m, const Batch& b) {
  auto logits = m->forward({b.ids, b.mask, {}}).logits;                         // r(B L V)
  return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}).to(torch::kFloat32),
                                              b.ids.reshape({-1}));
}

std::map<std::string, torch::Tensor> weights(model::CodeModel& m) {
  std::map<std::string, torch::Tensor> w;
  for (auto& p : m->named_parameters()) w[p.key()] = p.value().detach().clone();
  return w;
}

config::OptimConfig optim() {
  config::OptimConfig oc;
  oc.lr = 1e-3;
  return oc;
}

}  // namespace

/// Three steps on `dev`; the twin runs the same optimizer (FusedAdamW: the fused kernel on CUDA, AdamW on the
/// CPU) on fp32 copies of the weights with the same gradients, so the comparison is exact on both.
void check_step(torch::Device dev) {
  const uint64_t seed = test::fresh_seed(11);
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  auto m = test::tiny_model(seed);
  m->eval();  // no dropout: the gradients below are the model's, whatever the mode
  m->to(dev);
  auto ref_model = test::tiny_model(seed);     // the same initial weights, kept fp32: the twin's parameters
  ref_model->to(dev);
  auto opt = train::make_adamw(m, optim());
  train::MasterWeights mw(m, *opt, torch::kBFloat16);
  ASSERT_GT(mw.size(), 0u);
  auto ref_opt = train::make_adamw(ref_model, optim());
  std::map<std::string, torch::Tensor> ref_params;
  for (auto& p : ref_model->named_parameters()) ref_params[p.key()] = p.value();

  for (int step = 0; step < 3; ++step) {
    opt->zero_grad();
    auto b = random_batch(2, 24);
    batch_loss(m, {b.ids.to(dev), b.mask.to(dev)}).backward();
    // The twin gets the same gradients, cast to fp32 (captured before accumulate_gradients releases them).
    for (auto& p : m->named_parameters())
      if (p.value().grad().defined())  // (a few weights, e.g. the pooler, take no part in the MLM loss)
        ref_params.at(p.key()).mutable_grad() = p.value().grad().to(torch::kFloat32);
    mw.accumulate_gradients();
    for (auto& p : m->parameters()) {
      if (p.scalar_type() == torch::kBFloat16) {
        EXPECT_FALSE(p.grad().defined()) << "the model's bf16 gradients are released";
      }
    }
    opt->step();
    mw.masters_to_model();
    ref_opt->step();
  }
  size_t cast = 0, kept = 0;
  {
    train::MasterWeights::Fp32Scope fp32(&mw);
    for (auto& p : m->named_parameters()) {
      const auto& ref = ref_params.at(p.key());
      ASSERT_EQ(p.value().scalar_type(), torch::kFloat32) << p.key();
      EXPECT_TRUE(torch::equal(p.value(), ref)) << p.key() << ": the fp32 weights are AdamW's on the same gradients";
    }
  }
  for (auto& p : m->named_parameters()) {
    const auto& ref = ref_params.at(p.key());
    if (p.value().scalar_type() == torch::kBFloat16) {
      ++cast;
      EXPECT_TRUE(torch::equal(p.value(), ref.to(torch::kBFloat16))) << p.key() << " is its master, rounded";
    } else {
      ++kept;  // the SSM kernel parameters: fp32 in the model, updated in place
      EXPECT_TRUE(torch::equal(p.value(), ref)) << p.key();
    }
  }
  EXPECT_EQ(cast, mw.size());
  EXPECT_GT(kept, 0u) << "codessm-tiny's SSM parameters stay fp32";
}

TEST(MasterWeights, StepIsAdamWOnTheMastersRoundedIntoTheModel) { check_step(torch::kCPU); }

TEST(MasterWeights, CudaStepIsAdamWOnTheMastersRoundedIntoTheModel) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  check_step(torch::kCUDA);  // the multi-tensor casts (_foreach_copy_) and the fused AdamW kernel
}

TEST(MasterWeights, MicroBatchesAccumulateInFp32) {
  auto m = test::tiny_model(3);
  m->eval();
  auto opt = train::make_adamw(m, optim());
  train::MasterWeights mw(m, *opt, torch::kBFloat16);
  torch::manual_seed(5);
  auto b1 = random_batch(2, 16), b2 = random_batch(2, 16);
  opt->zero_grad();
  batch_loss(m, b1).backward();
  std::map<std::string, torch::Tensor> g1, g2;
  for (auto& p : m->named_parameters())
    if (p.value().scalar_type() == torch::kBFloat16 && p.value().grad().defined())
      g1[p.key()] = p.value().grad().to(torch::kFloat32);
  mw.accumulate_gradients();
  batch_loss(m, b2).backward();
  for (auto& p : m->named_parameters())
    if (g1.count(p.key())) g2[p.key()] = p.value().grad().to(torch::kFloat32);
  mw.accumulate_gradients();
  train::MasterWeights::Fp32Scope fp32(&mw);
  // The masters are the optimizer's tensors; inside the scope they are also the model's, so grads compare here.
  size_t n = 0;
  for (auto& group : opt->param_groups())
    for (auto& p : group.params()) {
      for (auto& q : m->named_parameters())
        if (g1.count(q.key()) && q.value().data_ptr() == p.data_ptr()) {
          EXPECT_TRUE(torch::equal(p.grad(), g1[q.key()] + g2[q.key()])) << q.key();
          ++n;
        }
    }
  EXPECT_EQ(n, g1.size());
  EXPECT_GT(n, mw.size() / 2);
}

TEST(MasterWeights, Bf16TrainingFollowsFp32Training) {
  // Stated tolerance: after 8 AdamW steps (lr 1e-3) on the same batches, the bf16 run's loss is within 2% of
  // the fp32 run's at every step (bf16 keeps 8 bits: ~0.4% per rounding, a few per layer).
  const uint64_t seed = test::fresh_seed(12);
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::vector<Batch> batches;
  for (int i = 0; i < 8; ++i) batches.push_back(random_batch(4, 32));
  auto run = [&](bool bf16) {
    auto m = test::tiny_model(seed);
    m->eval();
    auto opt = train::make_adamw(m, optim());
    std::unique_ptr<train::MasterWeights> mw;
    if (bf16) mw = std::make_unique<train::MasterWeights>(m, *opt, torch::kBFloat16);
    std::vector<double> losses;
    for (auto& b : batches) {
      opt->zero_grad();
      auto loss = batch_loss(m, b);
      loss.backward();
      losses.push_back(loss.item<double>());
      if (mw) mw->accumulate_gradients();
      opt->step();
      if (mw) mw->masters_to_model();
    }
    return losses;
  };
  auto f32 = run(false), b16 = run(true);
  for (size_t i = 0; i < f32.size(); ++i) EXPECT_NEAR(b16[i], f32[i], 0.02 * f32[i]) << "step " << i;
  EXPECT_LT(b16.back(), b16.front()) << "bf16 training lowers the loss";
}

TEST(MasterWeights, RefusesAModelThatIsNotFp32) {
  auto m = test::tiny_model(1);
  auto opt = train::make_adamw(m, optim());
  m->cast_weights(torch::kBFloat16);
  EXPECT_THROW_WITH((void)train::MasterWeights(m, *opt, torch::kBFloat16), UsageError, "starts from an fp32 model");
}

namespace {

/// The one-pass step (MasterWeights::step_fused: AdamW from the model's bf16 gradients, clipping's factor
/// inside, the masters rounded into the model in the same pass) against the step in passes (fp32 gradient
/// copies, clip_grad_norm, the optimizer's step, masters_to_model), both from the same gradients at every step
/// (model a's, copied into model b: on CUDA two backward passes differ in their last bits — atomics in the
/// embedding's backward — and AdamW's normalised update amplifies that for parameters with tiny gradients):
/// the same gradient norms, masters, moments and model weights within fp32 rounding, three steps, clipping on.
void check_fused_step(torch::Device dev) {
  const uint64_t seed = test::fresh_seed(13);
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " device " << dev);
  std::vector<Batch> batches;
  for (int i = 0; i < 3; ++i) batches.push_back(random_batch(2, 24));
  struct Run {
    model::CodeModel m{nullptr};
    std::unique_ptr<torch::optim::AdamW> opt;
    std::unique_ptr<train::MasterWeights> mw;
    std::vector<double> norms;
  };
  auto make = [&]() {
    Run r;
    r.m = test::tiny_model(seed);
    r.m->eval();
    r.m->to(dev);
    r.opt = train::make_adamw(r.m, optim());
    r.mw = std::make_unique<train::MasterWeights>(r.m, *r.opt, torch::kBFloat16);
    return r;
  };
  Run a = make(), b = make();
  auto* fb = dynamic_cast<train::FusedAdamW*>(b.opt.get());
  ASSERT_NE(fb, nullptr) << "make_adamw returns the FusedAdamW";
  EXPECT_EQ(b.mw->can_step_fused(*b.opt), dev.is_cuda() && kernels::adamw_step_is_fused(torch::zeros({1}, dev)));
  std::map<std::string, torch::Tensor> params_b;
  for (auto& p : b.m->named_parameters()) params_b[p.key()] = p.value();
  const double max_norm = 0.05;  // below the gradients' norms: clipping scales every step
  for (auto& batch : batches) {
    Batch on{batch.ids.to(dev), batch.mask.to(dev)};
    a.opt->zero_grad();
    b.opt->zero_grad();
    batch_loss(a.m, on).backward();
    for (auto& p : a.m->named_parameters())
      if (p.value().grad().defined()) params_b.at(p.key()).mutable_grad() = p.value().grad().clone();
    a.mw->accumulate_gradients();
    std::vector<torch::Tensor> params;
    for (auto& g : a.opt->param_groups())
      for (auto& p : g.params()) params.push_back(p);
    a.norms.push_back(train::clip_grad_norm(params, max_norm));
    a.opt->step();
    a.mw->masters_to_model();

    // The trainer's form: clipping from the norm tensor (on CUDA inside the update, no host read before it).
    const kernels::NormClip clip{b.mw->grad_norm_tensor(*b.opt), 1.0, max_norm};
    b.mw->step_fused(*fb, 1.0, &clip);
    b.norms.push_back(clip.norm.item<double>());
    for (auto& p : b.m->parameters())
      if (p.scalar_type() == torch::kBFloat16) EXPECT_FALSE(p.grad().defined()) << "released";
  }
  for (size_t i = 0; i < a.norms.size(); ++i) {
    EXPECT_GT(a.norms[i], max_norm);
    EXPECT_NEAR(b.norms[i], a.norms[i], 1e-5 * a.norms[i]) << "step " << i;
  }
  auto wa = weights(a.m), wb = weights(b.m);
  for (auto& [name, w] : wa) {
    if (w.scalar_type() == torch::kBFloat16) {
      // one bf16 rounding of masters that agree to fp32 rounding: equal, or one bf16 step apart at a tie
      auto d = (wb.at(name).to(torch::kFloat64) - w.to(torch::kFloat64)).abs();
      EXPECT_LE(d.max().item<double>(), (w.to(torch::kFloat64).abs() * 0.0079 + 1e-30).max().item<double>()) << name;
    } else {
      EXPECT_LT(test::rel_err(wb.at(name), w, 1e-3), 1e-5) << name << " (fp32, updated in place)";
    }
  }
  train::MasterWeights::Fp32Scope sa(a.mw.get());
  train::MasterWeights::Fp32Scope sb(b.mw.get());
  auto ma = weights(a.m), mb = weights(b.m);
  for (auto& [name, w] : ma) EXPECT_LT(test::rel_err(mb.at(name), w, 1e-3), 1e-5) << name << " (masters)";
}

}  // namespace

TEST(MasterWeights, FusedStepEqualsTheStepInPasses) { check_fused_step(torch::kCPU); }

TEST(MasterWeights, CudaFusedStepEqualsTheStepInPasses) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  check_fused_step(torch::kCUDA);
}
