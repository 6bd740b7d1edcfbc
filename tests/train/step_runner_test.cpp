// The step's gradient is that of the mean loss over every item of the step: two micro-batches of 4 sequences
// (grad_accum 2) give the same update as one micro-batch of 8 (up to summation order), and a StepRunner without
// data parallelism reports the step's scalars itself (on CUDA with fp32 masters also through the one-pass update).
// The Checkpointer's run lock refuses a second writer.
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "codessm/kernels/adamw.h"
#include "codessm/model/checkpoint.h"
#include "codessm/train/checkpointer.h"
#include "codessm/train/fused_adamw.h"
#include "codessm/train/master_weights.h"
#include "codessm/train/mlm_objective.h"
#include "codessm/train/optimizer_groups.h"
#include "codessm/train/step_runner.h"
#include "codessm/train/trainer.h"
#include "train_fixtures.h"

namespace codessm::train {
namespace {

namespace fs = std::filesystem;

model::CodeModel no_dropout_model() {
  auto cfg = config::make_preset("codessm-tiny");
  cfg.hidden_dropout_prob = 0.0;  // the two splits would draw different dropout masks
  tensor::set_seed(3);
  return model::CodeModel(cfg);
}

/// Poisons the embeddings so that the next step's loss is NaN: the step reports it and is skipped, the head's bias
/// (updated by every applied step) untouched.
void expect_nan_loss_skips(model::CodeModel& model, StepRunner& runner) {
  {
    torch::NoGradGuard g;
    model->named_parameters()["bigs.embeddings.word_embeddings.weight"].fill_(NAN);
  }
  const auto before = model->named_parameters()["cls.predictions.bias"].clone();
  const auto bad = runner.step(1, {});
  EXPECT_FALSE(bad.applied);
  EXPECT_EQ(bad.nonfinite_reason(), "loss is nan");
  EXPECT_TRUE(torch::equal(before, model->named_parameters()["cls.predictions.bias"]));
}

TEST(StepRunner, AccumulationEqualsOneLargerMicroBatch) {
  auto tok = std::make_shared<test::ByteTokenizer>();
  const auto shards = test::write_python_shards(test::temp_dir("step_shards"), *tok, 6);
  auto cfg = test::tiny_train_config(shards);
  cfg.mlm.eval_shards = shards.string();  // no hold-out, so both splits read the same sequences
  cfg.optim.max_steps = 2;
  cfg.run.save_every = 0;
  auto run = [&](int64_t batch, int64_t accum, const fs::path& dir) {
    auto c = cfg;
    c.optim.batch_size = batch;
    c.optim.grad_accum = accum;
    TrainOptions o;
    o.run_dir = dir;
    o.progress = false;
    return Trainer(c, no_dropout_model(), make_mlm_objective(c, tok), o).run();
  };
  const auto one = run(8, 1, test::temp_dir("step_one")), two = run(4, 2, test::temp_dir("step_two"));
  EXPECT_NEAR(one.first_loss, two.first_loss, 1e-5);
  EXPECT_NEAR(one.last_loss, two.last_loss, 1e-5);
  auto a = test::checkpoint_weights(one.last_checkpoint), b = test::checkpoint_weights(two.last_checkpoint);
  for (auto& [name, t] : a) EXPECT_TRUE(torch::allclose(t, b.at(name), 1e-4, 1e-6)) << name;
}

TEST(StepRunner, ReportsTheStepsScalarsAndSkipsANonFiniteUpdate) {
  auto tok = std::make_shared<test::ByteTokenizer>();
  const auto shards = test::write_python_shards(test::temp_dir("step_runner_shards"), *tok, 4);
  auto cfg = test::tiny_train_config(shards);
  auto objective = make_mlm_objective(cfg, tok);
  auto model = no_dropout_model();
  auto opt = make_adamw(model, cfg.optim);
  StepRunner runner(model, *opt, *objective.stream, torch::Device(torch::kCPU), StepOptions{2, 1.0, false}, nullptr);
  const auto out = runner.step(0, {/*signal=*/true, false});
  EXPECT_TRUE(out.applied);
  EXPECT_TRUE(out.stop);
  EXPECT_FALSE(out.out_of_time);
  EXPECT_GT(out.tokens, 0u);
  EXPECT_TRUE(std::isfinite(out.loss) && std::isfinite(out.grad_norm));
  EXPECT_EQ(objective.stream->position().batch, 2u + 2u);  // 2 held-out + 2 micro-batches
  expect_nan_loss_skips(model, runner);
}

/// bf16 with fp32 masters on CUDA, one micro-batch: the one-pass update with clipping from the norm on the
/// device. The step reports its norm; a NaN loss skips the update on the device (the model's weights untouched)
/// and the step counts the update advanced are taken back.
TEST(StepRunnerCuda, FusedStepReportsTheNormAndSkipsANonFiniteUpdateOnTheDevice) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  if (!kernels::adamw_step_is_fused(torch::zeros({1}, torch::kCUDA))) GTEST_SKIP() << "CUDA kernels not built";
  auto tok = std::make_shared<test::ByteTokenizer>();
  const auto shards = test::write_python_shards(test::temp_dir("step_runner_cuda_shards"), *tok, 4);
  auto cfg = test::tiny_train_config(shards);
  auto objective = make_mlm_objective(cfg, tok);
  auto model = no_dropout_model();
  model->to(torch::kCUDA);
  auto opt = make_adamw(model, cfg.optim);
  MasterWeights mw(model, *opt, torch::kBFloat16);
  ASSERT_TRUE(mw.can_step_fused(*opt));
  StepRunner runner(model, *opt, *objective.stream, torch::Device(torch::kCUDA), StepOptions{1, 1.0, false}, nullptr,
                    &mw);
  auto steps = [&]() {
    std::vector<int64_t> n;
    for (auto& [key, st] : opt->state()) n.push_back(static_cast<torch::optim::AdamWParamState&>(*st).step());
    return n;
  };
  const auto out = runner.step(0, {});
  EXPECT_TRUE(dynamic_cast<FusedAdamW&>(*opt).last_step_fused());
  EXPECT_TRUE(out.applied);
  EXPECT_TRUE(std::isfinite(out.loss));
  EXPECT_GT(out.grad_norm, 0.0);
  EXPECT_TRUE(std::isfinite(out.grad_norm));
  const auto after_one = steps();
  ASSERT_FALSE(after_one.empty());
  for (auto n : after_one) EXPECT_EQ(n, 1);
  expect_nan_loss_skips(model, runner);
  EXPECT_EQ(steps(), after_one) << "a skipped update leaves the step counts";
}

TEST(Checkpointer, ASecondWriterOnTheRunFolderIsRefused) {
  const auto dir = test::temp_dir("ckpt_lock");
  auto model = no_dropout_model();
  Checkpointer first(CheckpointerOptions{dir, 2, false, true, nullptr});
  (void)first.start(model, /*resume=*/false);
  Checkpointer second(CheckpointerOptions{dir, 2, false, true, nullptr});
  EXPECT_THROW_WITH((void)second.start(model, false), UsageError, "is in use by another codessm process");
  Checkpointer reader(CheckpointerOptions{dir, 2, false, /*writer=*/false, nullptr});  // ranks > 0 take no lock
  EXPECT_NO_THROW((void)reader.start(model, false));
}

}  // namespace
}  // namespace codessm::train
