// run_config.json of format 1 (flat; one fixture per kind of run in tests/fixtures/run_config/, as codessm
// wrote them before format 2) loads through the migration with the same meaning, and the migrated config is a
// fixed point of format 2 (to_json → from_json → to_json).
#include <gtest/gtest.h>

#include "codessm/config/train_config.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "test_utils.h"

namespace codessm::config {
namespace {

std::string fixture(const std::string& name) {
  return (test::source_dir() / "tests" / "fixtures" / "run_config" / name).string();
}

void expect_fixed_point(const TrainConfig& c) {
  const auto j = c.to_json();
  EXPECT_EQ(j["format_version"], kTrainConfigFormatVersion);
  EXPECT_EQ(TrainConfig::from_json(j, "round trip").to_json(), j);
}

TEST(RunConfigMigration, V1PretrainRunLoads) {
  const auto c = TrainConfig::load(fixture("v1_pretrain.json"));
  EXPECT_EQ(c.objective, ObjectiveKind::kMlm);
  EXPECT_TRUE(c.model.is_preset());
  EXPECT_EQ(c.model.name, "codessm-tiny");
  EXPECT_TRUE(c.model.overrides.empty());
  EXPECT_EQ(c.tokenizer, "runs/demo/train/tokenizer");
  EXPECT_EQ(c.mlm.train_shards, "runs/demo/train/shards/train");
  EXPECT_EQ(c.mlm.eval_shards, "runs/demo/train/shards/eval");
  EXPECT_EQ(c.mlm.context_length, 128);
  EXPECT_EQ(c.mlm.eval_batches, 4);
  EXPECT_EQ(c.optim.batch_size, 8);
  EXPECT_EQ(c.optim.max_steps, 600);
  EXPECT_DOUBLE_EQ(c.optim.lr, 5e-3);
  EXPECT_EQ(c.optim.schedule, Schedule::kCosine);
  EXPECT_EQ(c.run.eval_every, 100);
  EXPECT_EQ(c.run.save_every, 200);
  EXPECT_EQ(c.run.keep_last, 2);
  EXPECT_EQ(c.run.dtype, TrainDtype::kFp32);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(c.task));  // the fine-tuning fields were dropped
  expect_fixed_point(c);
}

TEST(RunConfigMigration, V1FinetuneRunKeepsItsObjectiveFieldsAndModelOverrides) {
  const auto c = TrainConfig::load(fixture("v1_finetune_classification.json"));
  EXPECT_EQ(c.objective, ObjectiveKind::kClassification);
  const auto& t = c.task_as<ClassificationTaskConfig>();
  EXPECT_EQ(t.dataset, "devign");
  EXPECT_EQ(t.train_data, "train.jsonl");
  EXPECT_EQ(t.eval_data, "valid.jsonl");
  EXPECT_EQ(t.test_data, "test.jsonl");
  EXPECT_EQ(t.max_length, 400);
  EXPECT_EQ(t.text_field, "func");
  EXPECT_EQ(c.model.overrides, (nlohmann::json{{"num_hidden_layers", 2}, {"hidden_dropout_prob", 0.2}}));
  EXPECT_EQ(c.optim.schedule, Schedule::kLinear);
  EXPECT_EQ(c.run.metric, "f1");
  EXPECT_EQ(c.run.keep_last, 1);
  // The retrieval and MLM fields format 1 wrote for every objective are gone.
  const auto j = c.to_json();
  EXPECT_FALSE(j.contains("mlm"));
  EXPECT_FALSE(j["task"].contains("query_length"));
  expect_fixed_point(c);
}

TEST(RunConfigMigration, V1StagedRunFromACheckpointKeepsItsMeaning) {
  const auto c = TrainConfig::load(fixture("v1_staged_from_checkpoint.json"));
  EXPECT_FALSE(c.model.is_preset());
  EXPECT_EQ(c.model.name, "runs/pt0/ckpt-001000");
  // Format 1 ignored model_overrides for a checkpoint (its config.json won); the migration keeps that.
  EXPECT_TRUE(c.model.overrides.empty());
  EXPECT_EQ(c.mlm.stages, (std::vector<MlmStage>{{"shards/text", 300}, {"shards/code", 700}}));
  EXPECT_EQ(c.optim.grad_accum, 4);
  EXPECT_EQ(c.optim.on_nonfinite, NonFinitePolicy::kSkip);
  EXPECT_EQ(c.run.device, "cuda");
  EXPECT_EQ(c.run.dtype, TrainDtype::kBf16);
  expect_fixed_point(c);
}

TEST(RunConfigMigration, HandWrittenV1ConfigWithoutVersionLoads) {
  const auto c = TrainConfig::load(fixture("v1_handwritten.json"));
  EXPECT_EQ(c.model.name, "codessm-small");
  EXPECT_EQ(c.mlm.context_length, 256);
  EXPECT_EQ(c.optim.batch_size, 64);
  EXPECT_DOUBLE_EQ(c.optim.lr, 5e-4);
  EXPECT_EQ(c.run.dtype, TrainDtype::kBf16);
  expect_fixed_point(c);
}

TEST(RunConfigMigration, ShippedConfigsAreFormat2AndLoad) {
  for (const char* name : {"pretrain_tiny_cpu.json", "pretrain_small_gpu.json", "pretrain_codessm_paper.json"}) {
    const auto path = test::source_dir() / "configs" / name;
    const auto j = nlohmann::json::parse(core::read_file(path));
    EXPECT_EQ(j.value("format_version", 0), 2) << name;
    EXPECT_NO_THROW((void)TrainConfig::load(path.string())) << name;
  }
}

TEST(RunConfigMigration, UnknownVersionsAndKeysAreNamed) {
  nlohmann::json j{{"format_version", 3}, {"tokenizer", "t"}};
  EXPECT_THROW_WITH(TrainConfig::from_json(j, "r.json"), UsageError, "r.json: format_version 3 is not supported");
  j = {{"format_version", 1}, {"tokenizer", "t"}, {"train_shards", "s"}, {"warmup", 3}};
  EXPECT_THROW_WITH(TrainConfig::from_json(j, "r.json"), UsageError, "unknown field 'warmup'");
  j = {{"format_version", 2}, {"tokenizer", "t"}, {"optim", {{"warmup", 3}}}};
  EXPECT_THROW_WITH(TrainConfig::from_json(j, "r.json"), UsageError, "unknown field 'warmup' in 'optim'");
  j = {{"format_version", 2}, {"objective", "retrieval"}, {"tokenizer", "t"}, {"mlm", nlohmann::json::object()}};
  EXPECT_THROW_WITH(TrainConfig::from_json(j, "r.json"), UsageError, "field 'mlm' does not apply to objective retrieval");
}

TEST(RunConfigMigration, FormatOneWriterRoundTripsAFormatOneRun) {
  // A full format-1 file (every field), migrated and written back in format 1, is the same object.
  const auto flat = nlohmann::json::parse(core::read_file(fixture("v1_pretrain.json")));
  EXPECT_EQ(train_config_v1_json(TrainConfig::load(fixture("v1_pretrain.json"))), flat);
}

}  // namespace
}  // namespace codessm::config
