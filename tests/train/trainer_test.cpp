// The training loop on real code (Python stdlib, byte tokens): the loss falls on a fixed batch; a run stopped
// at step k and resumed from disk by a fresh trainer ends bit-identical to an uninterrupted run; a NaN stops
// the run without touching the last checkpoint (or is skipped and counted, by flag).
#include <gtest/gtest.h>

#include <cmath>

#include "codessm/core/error.h"
#include "codessm/data/mlm_batcher.h"
#include "codessm/model/checkpoint.h"
#include "codessm/tensor/torch_compat.h"
#include "codessm/train/mlm_objective.h"
#include "codessm/train/optimizer_groups.h"
#include "codessm/train/run_checkpoints.h"
#include "codessm/train/trainer.h"
#include "train_fixtures.h"

namespace codessm::train {
namespace {

namespace fs = std::filesystem;

struct TrainerTest : ::testing::Test {
  static void SetUpTestSuite() {
    tok = std::make_shared<test::ByteTokenizer>();
    shards = test::write_python_shards(test::temp_dir("train_shards"), *tok, 12);
  }
  static std::shared_ptr<test::ByteTokenizer> tok;
  static fs::path shards;
};
std::shared_ptr<test::ByteTokenizer> TrainerTest::tok;
fs::path TrainerTest::shards;

TrainResult run(const config::TrainConfig& cfg, const fs::path& dir, uint64_t model_seed, bool resume = false,
                int64_t stop_after = 0, TrainerHooks hooks = {}) {
  TrainOptions o;
  o.run_dir = dir;
  o.resume = resume;
  o.stop_after_step = stop_after;
  o.progress = false;
  Trainer t(cfg, test::tiny_model(model_seed), make_mlm_objective(cfg, TrainerTest::tok), o, std::move(hooks));
  return t.run();
}

TEST_F(TrainerTest, LossFallsOnAFixedRealBatch) {
  data::MlmBatcherOptions bo;
  bo.batch_size = 4;
  bo.packing.context_length = 64;
  data::MlmBatcher batcher(shards, *tok, bo);
  const auto batch = *batcher.next();  // real Python code, 15% masked
  auto model = test::tiny_model(1);
  config::OptimConfig cfg;
  cfg.lr = 3e-3;
  auto opt = make_adamw(model, cfg);
  const torch::Device cpu(torch::kCPU);
  const double first = evaluate_mlm(model, {batch}, cpu).loss;
  for (int i = 0; i < 40; ++i) {
    opt->zero_grad();
    mlm_forward(model, batch, cpu).loss.backward();
    opt->step();
  }
  const auto after = evaluate_mlm(model, {batch}, cpu);
  EXPECT_LT(after.loss, 0.5 * first) << "loss " << first << " -> " << after.loss;
  EXPECT_GT(after.accuracy, 0.3);
}

TEST_F(TrainerTest, RunWritesConfigMetricsAndKeepsTheLastCheckpoints) {
  auto cfg = test::tiny_train_config(shards);
  const auto dir = test::temp_dir("train_run");
  auto r = run(cfg, dir, 0);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.steps, 6);
  EXPECT_TRUE(fs::exists(dir / "run_config.json"));
  EXPECT_TRUE(fs::exists(dir / "metrics.jsonl"));
  auto ckpts = list_checkpoints(dir);
  ASSERT_EQ(ckpts.size(), 2u);  // keep_last 2 of steps 2, 4, 6
  EXPECT_EQ(ckpts.back().filename(), "ckpt-000006");
  EXPECT_EQ(read_train_state(ckpts.back()).step, 6);
  EXPECT_GT(r.last_eval.metrics.at("masked_tokens").get<int64_t>(), 0);
  EXPECT_THROW_WITH(run(cfg, dir, 0), UsageError, "already holds checkpoints");
}

TEST_F(TrainerTest, KilledAndResumedRunIsBitIdenticalToAnUninterruptedOne) {
  auto cfg = test::tiny_train_config(shards);
  cfg.optim.grad_accum = 2;  // accumulation and the data position across micro-batches
  cfg.run.save_every = 0;
  const auto full_dir = test::temp_dir("train_full"), resumed_dir = test::temp_dir("train_resumed");
  auto full = run(cfg, full_dir, 0);
  auto part = run(cfg, resumed_dir, 0, /*resume=*/false, /*stop_after=*/3);
  EXPECT_FALSE(part.finished);
  EXPECT_EQ(part.steps, 3);
  // A fresh process would start from other weights and RNG states: seed 99 proves the resume overwrites them.
  auto rest = run(cfg, resumed_dir, 99, /*resume=*/true);
  EXPECT_TRUE(rest.finished);
  EXPECT_EQ(rest.steps, 6);
  EXPECT_EQ(full.last_loss, rest.last_loss);
  auto a = test::checkpoint_weights(full.last_checkpoint), b = test::checkpoint_weights(rest.last_checkpoint);
  ASSERT_EQ(a.size(), b.size());
  for (auto& [name, t] : a) EXPECT_TRUE(torch::equal(t, b.at(name))) << name << " differs";
  EXPECT_EQ(read_train_state(full.last_checkpoint).to_json(), read_train_state(rest.last_checkpoint).to_json());
}

TEST_F(TrainerTest, NanLossStopsAndLeavesTheLastCheckpointIntact) {
  auto cfg = test::tiny_train_config(shards);
  const auto dir = test::temp_dir("train_nan");
  std::string before;
  TrainerHooks hooks;
  hooks.before_step = [&](model::CodeModel& m, int64_t step) {
    if (step != 3) return;
    before = core::read_file(dir / "ckpt-000002" / "model.safetensors");
    torch::NoGradGuard g;
    m->named_parameters()["bigs.embeddings.word_embeddings.weight"].fill_(NAN);
  };
  EXPECT_THROW_WITH(run(cfg, dir, 0, false, 0, hooks), NumericalError, "step 3: loss is nan");
  auto ckpts = list_checkpoints(dir);
  ASSERT_EQ(ckpts.size(), 1u);
  EXPECT_EQ(ckpts[0].filename(), "ckpt-000002");
  EXPECT_EQ(core::read_file(ckpts[0] / "model.safetensors"), before);
  EXPECT_EQ(read_train_state(ckpts[0]).step, 2);
}

TEST_F(TrainerTest, NanLossIsSkippedAndCountedByFlag) {
  auto cfg = test::tiny_train_config(shards);
  cfg.optim.on_nonfinite = config::NonFinitePolicy::kSkip;
  torch::Tensor saved;
  TrainerHooks hooks;
  hooks.before_step = [&](model::CodeModel& m, int64_t step) {
    torch::NoGradGuard g;
    auto w = m->named_parameters()["bigs.embeddings.word_embeddings.weight"];
    if (step == 3) {
      saved = w.clone();
      w.fill_(NAN);
    } else if (step == 4) {
      w.copy_(saved);  // the skipped step left the weights as they were
    }
  };
  auto r = run(cfg, test::temp_dir("train_skip"), 0, false, 0, hooks);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.skipped_steps, 1);
  EXPECT_TRUE(std::isfinite(r.last_loss));
  EXPECT_EQ(read_train_state(r.last_checkpoint).skipped_steps, 1);
}

/// 20 steps on CUDA at `dtype`: the run finishes, the loss falls and stays finite, the evaluation scores tokens.
void expect_cuda_run_trains(const fs::path& shards, config::TrainDtype dtype, const std::string& dir) {
  auto cfg = test::tiny_train_config(shards);
  cfg.run.device = "cuda";
  cfg.run.dtype = dtype;
  cfg.optim.max_steps = 20;
  auto r = run(cfg, test::temp_dir(dir), 0);
  EXPECT_TRUE(r.finished);
  EXPECT_TRUE(std::isfinite(r.last_loss));
  EXPECT_LT(r.last_loss, r.first_loss);
  EXPECT_GT(r.last_eval.metrics.at("masked_tokens").get<int64_t>(), 0);
}

TEST_F(TrainerTest, CudaBf16AutocastRunTrains) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (CPU LibTorch or no GPU)";
  expect_cuda_run_trains(shards, config::TrainDtype::kBf16, "train_cuda");
}

TEST_F(TrainerTest, Bf16MasterRunResumesBitIdenticallyAndCheckpointsFp32Weights) {
  // bf16 weights and activations with fp32 masters: a stop and resume must restore the masters exactly (they
  // are what a checkpoint holds), the moments onto the masters, and the bf16 copies from them.
  auto cfg = test::tiny_train_config(shards);
  cfg.run.dtype = config::TrainDtype::kBf16Master;
  cfg.optim.grad_accum = 2;
  cfg.run.save_every = 0;
  const auto full_dir = test::temp_dir("train_master_full"), resumed_dir = test::temp_dir("train_master_resumed");
  auto full = run(cfg, full_dir, 0);
  EXPECT_TRUE(std::isfinite(full.last_loss));
  (void)run(cfg, resumed_dir, 0, /*resume=*/false, /*stop_after=*/3);
  auto rest = run(cfg, resumed_dir, 99, /*resume=*/true);
  EXPECT_TRUE(rest.finished);
  EXPECT_EQ(full.last_loss, rest.last_loss);
  auto a = test::checkpoint_weights(full.last_checkpoint), b = test::checkpoint_weights(rest.last_checkpoint);
  ASSERT_EQ(a.size(), b.size());
  for (auto& [name, t] : a) {
    EXPECT_EQ(t.scalar_type(), torch::kFloat32) << name << ": checkpoints hold the fp32 masters";
    EXPECT_TRUE(torch::equal(t, b.at(name))) << name << " differs";
  }
  // The masters moved off their bf16 grid: the checkpoint is not the bf16 model rounded back.
  size_t off_grid = 0;
  for (auto& [name, t] : a) off_grid += !torch::equal(t, t.to(torch::kBFloat16).to(torch::kFloat32));
  EXPECT_GT(off_grid, a.size() / 2);
}

TEST_F(TrainerTest, CudaBf16MasterRunTrains) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (CPU LibTorch or no GPU)";
  expect_cuda_run_trains(shards, config::TrainDtype::kBf16Master, "train_cuda_master");
}

}  // namespace
}  // namespace codessm::train
