// The time budget (TrainOptions::max_seconds): a run stops at the first step boundary after the budget, with an
// evaluation record and a checkpoint at that step, says why it stopped, and can be resumed to max_steps.
#include <gtest/gtest.h>

#include <fstream>

#include "codessm/train/mlm_objective.h"
#include "codessm/train/run_checkpoints.h"
#include "codessm/train/trainer.h"
#include "train_fixtures.h"

namespace codessm::train {
namespace {

namespace fs = std::filesystem;

std::vector<nlohmann::json> records(const fs::path& metrics, const std::string& kind) {
  std::vector<nlohmann::json> out;
  std::ifstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    if (j.at("kind") == kind) out.push_back(j);
  }
  return out;
}

TEST(TimeBudget, StopsWithAnEvaluationAndACheckpointAndResumes) {
  auto tok = std::make_shared<test::ByteTokenizer>();
  const auto shards = test::write_python_shards(test::temp_dir("budget_shards"), *tok, 8);
  auto cfg = test::tiny_train_config(shards);
  cfg.optim.max_steps = 6;
  cfg.run.eval_every = 0;  // no cadence: the only evaluations are the budget stop's and the last step's
  cfg.run.save_every = 0;
  const auto dir = test::temp_dir("budget_run");
  TrainOptions o;
  o.run_dir = dir;
  o.progress = false;
  o.max_seconds = 1e-9;  // spent after the first step
  auto r = Trainer(cfg, test::tiny_model(0), make_mlm_objective(cfg, tok), o).run();
  EXPECT_FALSE(r.finished);
  EXPECT_EQ(r.stopped_by, "max_seconds");
  EXPECT_EQ(r.steps, 1);
  EXPECT_GT(r.tokens_seen, 0u);
  EXPECT_EQ(r.to_json().at("stopped_by"), "max_seconds");
  const auto evals = records(dir / "metrics.jsonl", "eval");
  ASSERT_EQ(evals.size(), 1u);
  EXPECT_EQ(evals[0].at("step"), 1);
  ASSERT_EQ(list_checkpoints(dir).size(), 1u);
  EXPECT_EQ(list_checkpoints(dir).back().filename(), "ckpt-000001");

  // Resumed without a budget, it runs to max_steps.
  o.resume = true;
  o.max_seconds = 0;
  auto r2 = Trainer(cfg, test::tiny_model(5), make_mlm_objective(cfg, tok), o).run();
  EXPECT_TRUE(r2.finished);
  EXPECT_EQ(r2.stopped_by, "max_steps");
  EXPECT_EQ(r2.steps, 6);
  EXPECT_GT(r2.tokens_seen, r.tokens_seen);
}

}  // namespace
}  // namespace codessm::train
