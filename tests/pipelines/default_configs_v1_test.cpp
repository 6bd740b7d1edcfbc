// The built-in pretrain and finetune configs written in format 1 (config::train_config_v1_json) are exactly
// what the format-1 codessm printed with --print-default-config (the fixtures were written by it, before
// format 2): the study's job configs are built on them, and a job's identity is the hash of those fields, so a
// device bundle exported before format 2 still imports.
#include <gtest/gtest.h>

#include "codessm/config/train_config.h"
#include "codessm/core/io.h"
#include "codessm/pipelines/finetune_ops.h"
#include "codessm/pipelines/train_ops.h"
#include "test_utils.h"

namespace codessm::pipelines {
namespace {

nlohmann::json fixture(const std::string& name) {
  return nlohmann::json::parse(core::read_file(test::source_dir() / "tests" / "fixtures" / "run_config" / name));
}

TEST(DefaultConfigsV1, AreWhatTheFormatOneWriterPrinted) {
  EXPECT_EQ(config::train_config_v1_json(default_pretrain_config()), fixture("v1_default_pretrain.json"));
  EXPECT_EQ(config::train_config_v1_json(default_finetune_config()), fixture("v1_default_finetune.json"));
}

TEST(DefaultConfigsV1, ReadBackThroughTheMigration) {
  const auto pt = default_pretrain_config(), ft = default_finetune_config();
  EXPECT_EQ(config::TrainConfig::parse(config::train_config_v1_json(pt), "v1").to_json(), pt.to_json());
  EXPECT_EQ(config::TrainConfig::parse(config::train_config_v1_json(ft), "v1").to_json(), ft.to_json());
}

}  // namespace
}  // namespace codessm::pipelines
