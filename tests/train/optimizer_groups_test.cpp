// AdamW parameter groups (weight decay 0 for SSM parameters, biases and norms [CS App. D]) and the lr
// schedules at known steps (HF get_*_schedule_with_warmup values).
#include <gtest/gtest.h>

#include "codessm/model/model_summary.h"
#include "codessm/model/param_hints.h"
#include "codessm/train/lr_schedule.h"
#include "codessm/train/optimizer_groups.h"
#include "train_fixtures.h"

namespace codessm::train {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(OptimizerGroups, WeightDecayFollowsTheRecipe) {
  auto model = test::tiny_model(0);
  config::OptimConfig cfg;
  ParamGroupNames names;
  auto opt = make_adamw(model, cfg, &names);
  ASSERT_EQ(opt->param_groups().size(), 2u);
  auto wd = [&](size_t g) {
    return static_cast<torch::optim::AdamWOptions&>(opt->param_groups()[g].options()).weight_decay();
  };
  EXPECT_DOUBLE_EQ(wd(0), 0.01);
  EXPECT_DOUBLE_EQ(wd(1), 0.0);
  EXPECT_EQ(opt->param_groups()[0].params().size(), names.decay.size());
  EXPECT_EQ(opt->param_groups()[1].params().size(), names.no_decay.size());

  // Every SSM parameter, bias and LayerNorm is in the no-decay group; weights are in the decay group.
  for (const auto& n : names.no_decay) {
    const bool ok = n.find(".fs4.") != std::string::npos || n.find(".bs4.") != std::string::npos ||
                    n.find("LayerNorm") != std::string::npos || n.size() >= 5 && n.substr(n.size() - 5) == ".bias";
    EXPECT_TRUE(ok) << n << " should decay";
  }
  EXPECT_TRUE(has(names.no_decay, "bigs.encoder.layer.0.fs4.kernel.A_re"));
  EXPECT_TRUE(has(names.no_decay, "bigs.encoder.layer.1.bs4.D"));
  EXPECT_TRUE(has(names.no_decay, "bigs.embeddings.LayerNorm.weight"));
  EXPECT_TRUE(has(names.decay, "bigs.embeddings.word_embeddings.weight"));
  for (const auto& n : names.decay) {
    EXPECT_EQ(n.find(".fs4."), std::string::npos) << n;
    EXPECT_EQ(n.find("LayerNorm"), std::string::npos) << n;
  }
  // Every trainable tensor exactly once.
  size_t total = 0;
  for (auto& p : model->parameters()) total += p.requires_grad();
  EXPECT_EQ(names.decay.size() + names.no_decay.size(), total);
}

TEST(OptimizerGroups, HintsComeFromRegistrationForEveryVariant) {
  // CodeSSM-HF: the conv weights decay like every other weight (model-spec §6.1), their biases do not; every
  // S4D parameter and D is decay-free, in every layer and direction.
  tensor::set_seed(0);
  model::CodeModel hf(config::make_preset("codessm-tiny-hf"));
  const auto g = split_param_groups(hf);
  EXPECT_TRUE(has(g.decay, "bigs.encoder.layer.0.fconv.weight"));
  EXPECT_TRUE(has(g.decay, "bigs.encoder.layer.1.bconv.weight"));
  EXPECT_TRUE(has(g.no_decay, "bigs.encoder.layer.0.fconv.bias"));
  EXPECT_TRUE(has(g.no_decay, "bigs.encoder.layer.1.bs4.kernel.log_step"));
  EXPECT_TRUE(has(g.no_decay, "bigs.encoder.layer.1.fs4.kernel.C"));
  EXPECT_TRUE(has(g.no_decay, "cls.predictions.bias"));
  EXPECT_TRUE(has(g.no_decay, "cls.predictions.transform.LayerNorm.weight"));
  EXPECT_EQ(g.lr_scales, (std::vector<double>{1.0, 1.0}));
  // The summary counts the same parameters as decay-free.
  int64_t no_decay = 0;
  auto named = hf->named_parameters();
  for (const auto& n : g.no_decay) no_decay += named[n].numel();
  EXPECT_EQ(model::count_parameters(hf).no_weight_decay, no_decay);
}

/// A module that declares an lr scale at registration, as s4 does for its SSM parameters.
struct ScaledImpl : torch::nn::Module, model::ParamHintSource {
  ScaledImpl() {
    w = register_parameter("w", torch::ones({3}));
    a = register_parameter("a", torch::ones({2}));
    lin = register_module("lin", torch::nn::Linear(2, 2));
  }
  std::map<std::string, model::ParamHint> param_hints() const override { return {{"a", {true, 0.1}}}; }
  torch::Tensor w, a;
  torch::nn::Linear lin{nullptr};
};

TEST(OptimizerGroups, AnLrScaleGetsItsOwnGroupAndTheScheduleScalesIt) {
  auto m = std::make_shared<ScaledImpl>();
  config::OptimConfig cfg;
  ParamGroupNames names;
  auto opt = make_adamw(*m, cfg, &names);
  // {decay: w, lin.weight}, {no decay: lin.bias}, {no decay, lr × 0.1: a}
  ASSERT_EQ(opt->param_groups().size(), 3u);
  EXPECT_EQ(names.lr_scales, (std::vector<double>{1.0, 1.0, 0.1}));
  EXPECT_EQ(names.decay, (std::vector<std::string>{"w", "lin.weight"}));
  EXPECT_EQ(names.no_decay, (std::vector<std::string>{"lin.bias", "a"}));
  set_group_lrs(*opt, 2e-3, names.lr_scales);
  EXPECT_DOUBLE_EQ(opt->param_groups()[0].options().get_lr(), 2e-3);
  EXPECT_DOUBLE_EQ(opt->param_groups()[2].options().get_lr(), 2e-4);
}

TEST(LrSchedule, CosineWithWarmupAtKnownSteps) {
  LrSchedule s{/*peak=*/5e-5, /*warmup_steps=*/300, /*total_steps=*/1000, config::Schedule::kCosine};
  EXPECT_DOUBLE_EQ(lr_at(s, 0), 0.0);
  EXPECT_DOUBLE_EQ(lr_at(s, 150), 2.5e-5);
  EXPECT_DOUBLE_EQ(lr_at(s, 300), 5e-5);
  EXPECT_NEAR(lr_at(s, 650), 2.5e-5, 1e-18);                               // half way: cos(π/2) = 0
  EXPECT_NEAR(lr_at(s, 475), 5e-5 * 0.5 * (1 + std::cos(M_PI * 0.25)), 1e-18);
  EXPECT_NEAR(lr_at(s, 1000), 0.0, 1e-20);
  EXPECT_GE(lr_at(s, 1200), 0.0);
}

TEST(LrSchedule, LinearAndConstant) {
  LrSchedule s{/*peak=*/1e-4, /*warmup_steps=*/10, /*total_steps=*/110, config::Schedule::kLinear};
  EXPECT_DOUBLE_EQ(lr_at(s, 5), 5e-5);
  EXPECT_DOUBLE_EQ(lr_at(s, 10), 1e-4);
  EXPECT_DOUBLE_EQ(lr_at(s, 60), 5e-5);
  EXPECT_DOUBLE_EQ(lr_at(s, 110), 0.0);
  EXPECT_DOUBLE_EQ(lr_at(s, 500), 0.0);
  s.kind = config::Schedule::kConstant;
  EXPECT_DOUBLE_EQ(lr_at(s, 60), 1e-4);
  s.warmup_steps = 0;
  EXPECT_DOUBLE_EQ(lr_at(s, 0), 1e-4);
}

}  // namespace
}  // namespace codessm::train
