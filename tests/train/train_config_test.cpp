// TrainConfig: defaults are the paper's recipe, JSON round trip, overrides, and errors that name the field.
#include <gtest/gtest.h>

#include "codessm/config/train_config.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "test_utils.h"

namespace codessm::config {
namespace {

nlohmann::json minimal() { return {{"tokenizer", "tok"}, {"train_shards", "shards"}}; }

TEST(TrainConfig, DefaultsFollowTheCodeSsmRecipe) {
  auto c = TrainConfig::from_json(minimal(), "t.json");
  EXPECT_DOUBLE_EQ(c.optim.lr, 5e-5);
  EXPECT_EQ(c.optim.warmup_steps, 300);
  EXPECT_EQ(c.optim.schedule, Schedule::kCosine);
  EXPECT_DOUBLE_EQ(c.optim.weight_decay, 0.01);
  EXPECT_DOUBLE_EQ(c.mlm.mlm_probability, 0.15);
}

TEST(TrainConfig, JsonRoundTripAndOverrides) {
  auto c = TrainConfig::from_json(minimal(), "t.json");
  c.apply_overrides({"lr=1e-4", "schedule=linear", "device=cuda:0", "model_overrides=num_hidden_layers=4", "pack=false"});
  EXPECT_DOUBLE_EQ(c.optim.lr, 1e-4);
  EXPECT_EQ(c.optim.schedule, Schedule::kLinear);
  EXPECT_EQ(c.run.device, "cuda:0");
  ASSERT_EQ(c.model.overrides.size(), 1u);
  EXPECT_EQ(c.model.overrides["num_hidden_layers"], 4);
  EXPECT_FALSE(c.mlm.pack);
  auto back = TrainConfig::from_json(c.to_json(), "round trip");
  EXPECT_EQ(back.to_json(), c.to_json());
}

TEST(TrainConfig, MalformedFieldsAreNamed) {
  auto j = minimal();
  j["batch_size"] = "thirty-two";
  EXPECT_THROW_WITH(TrainConfig::from_json(j, "run.json"), UsageError, "run.json: field 'batch_size' must be an integer");
  j = minimal();
  j["max_steps"] = -5;
  EXPECT_THROW_WITH(TrainConfig::from_json(j, "run.json"), UsageError, "field 'max_steps' must be > 0");
  j = minimal();
  j["lr_peak"] = 1e-3;
  EXPECT_THROW_WITH(TrainConfig::from_json(j, "run.json"), UsageError, "unknown field 'lr_peak'");
  j = minimal();
  j["schedule"] = "cosine_restarts";
  EXPECT_THROW_WITH(TrainConfig::from_json(j, "run.json"), UsageError, "field 'schedule'");
  EXPECT_THROW_WITH(TrainConfig::from_json(nlohmann::json{{"tokenizer", "t"}}, "run.json"), UsageError,
                    "field 'train_shards' is required");
  auto c = TrainConfig::from_json(minimal(), "t.json");
  EXPECT_THROW_WITH(c.apply_overrides({"warmup=10"}), UsageError, "'warmup' is not a train config field");
  EXPECT_THROW_WITH(c.apply_overrides({"on_nonfinite=ignore"}), UsageError, "field 'on_nonfinite'");
}

TEST(TrainConfig, FileErrorsNameTheFile) {
  auto dir = test::temp_dir("train_config");
  core::write_file_atomic(dir / "bad.json", "{\"lr\": 1e-4,, }");
  EXPECT_THROW_WITH(TrainConfig::load((dir / "bad.json").string()), UsageError, "bad.json: not valid JSON");
  core::write_file_atomic(dir / "neg.json", R"({"tokenizer": "t", "train_shards": "s", "eval_batches": 0})");
  EXPECT_THROW_WITH(TrainConfig::load((dir / "neg.json").string()), UsageError, "neg.json: field 'eval_batches'");
}

}  // namespace
}  // namespace codessm::config
