// Impossible config.json values (docs/reliability.md): sizes no tensor could hold, layer counts no machine
// could run, negative context lengths. Each is refused naming the file and the field instead of failing later inside
// LibTorch (an allocation error without a file name) or running with a meaningless value.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <limits>

#include "codessm/config/model_config.h"
#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "test_utils.h"

using namespace codessm;

TEST(ModelConfigReliability, ImpossibleValuesAreRefusedNamingTheField) {
  const auto base = config::make_preset("codessm-tiny").to_json();
  const std::vector<std::tuple<std::string, nlohmann::json, std::string>> cases = {
      {"vocab_size", int64_t{1} << 40, "field 'vocab_size' × hidden_size"},
      {"intermediate_size", int64_t{1} << 40, "field 'intermediate_size'"},
      {"max_position_embeddings", int64_t{1} << 40, "field 'max_position_embeddings'"},
      {"num_hidden_layers", 1000000, "field 'num_hidden_layers' must be <= 4096"},
      {"num_ssm", int64_t{1} << 40, "field 'num_ssm'"},
      {"codessm_pretraining_context", -5, "field 'codessm_pretraining_context' must be >= 0"},
  };
  for (const auto& [field, value, message] : cases) {
    auto j = base;
    ASSERT_TRUE(j.contains(field)) << field;
    j[field] = value;
    EXPECT_THROW_WITH(config::ModelConfig::from_json(j, "ckpt/config.json"), UsageError, message);
    EXPECT_THROW_WITH(config::ModelConfig::from_json(j, "ckpt/config.json"), UsageError, "ckpt/config.json");
  }
}

TEST(ModelConfigReliability, NonIntegralOrOutOfRangeNumbersForIntegerFieldsAreRefused) {
  // fuzz/model_config found 2.8e92 as an integer field: nlohmann's get<int64_t>() of it is undefined behaviour.
  const auto base = config::make_preset("codessm-tiny").to_json();
  for (const nlohmann::json& value : {nlohmann::json(2.77778e92), nlohmann::json(2.5), nlohmann::json(-1e300),
                                      nlohmann::json(std::numeric_limits<double>::infinity())}) {
    auto j = base;
    j["num_hidden_layers"] = value;
    EXPECT_THROW_WITH(config::ModelConfig::from_json(j, "ckpt/config.json"), UsageError,
                      "field 'num_hidden_layers' must be an integer");
  }
  auto j = base;
  j["num_hidden_layers"] = 3.0;  // an integral float is read as the integer
  EXPECT_EQ(config::ModelConfig::from_json(j, "ckpt/config.json").num_hidden_layers, 3);
}

TEST(ModelConfigReliability, NonStringArchitectureIsRefusedNamingTheField) {
  // fuzz/model_config (CI smoke run) found "architectures": [999999999999999999]: the head was read with
  // get<std::string>(), whose type_error escaped without the file name.
  auto j = config::make_preset("codessm-tiny").to_json();
  j.erase("codessm_task");
  for (const nlohmann::json& value : {nlohmann::json(999999999999999999LL), nlohmann::json(nullptr),
                                      nlohmann::json::array({"BiGS"}), nlohmann::json::object()}) {
    j["architectures"] = nlohmann::json::array({value});
    EXPECT_THROW_WITH(config::ModelConfig::from_json(j, "ckpt/config.json"), UsageError,
                      "ckpt/config.json: architectures[0] must be a string");
  }
  j["architectures"] = nlohmann::json::array({"BiGSForSequenceClassification"});
  EXPECT_EQ(config::ModelConfig::from_json(j, "ckpt/config.json").head, config::HeadKind::kSequenceClassification);
}
