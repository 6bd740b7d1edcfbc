// The one key=value override helper: dotted paths, bare names resolved against the document, list appends,
// open objects, the errors; and TrainConfig's parse → patch → validate (a required field may come from --set,
// an objective switch keeps the shared task fields, the format-1 spellings still work).
#include <gtest/gtest.h>

#include "codessm/config/overrides.h"
#include "codessm/config/train_config.h"
#include "codessm/core/error.h"
#include "test_utils.h"

namespace codessm::config {
namespace {

using nlohmann::json;

TEST(Overrides, PathsBareNamesValuesAndLists) {
  json doc{{"optim", {{"lr", 1.0}, {"steps", 3}}}, {"run", {{"device", "cpu"}, {"tags", json::array()}}},
           {"model", {{"preset", "x"}, {"overrides", json::object()}}}};
  const OverrideRules rules{"test config", "", {"model.overrides"}};
  apply_overrides(doc, {"optim.lr=2e-3", "device=cuda:0", "steps=7", "tags=a", "tags=[\"b\"]",
                        "model.overrides.num_hidden_layers=4", "run.device=\"quoted\""},
                  rules);
  EXPECT_DOUBLE_EQ(doc["optim"]["lr"].get<double>(), 2e-3);
  EXPECT_EQ(doc["optim"]["steps"], 7);
  EXPECT_EQ(doc["run"]["device"], "quoted");
  EXPECT_EQ(doc["run"]["tags"], json::array({"b"}));  // a list value replaces, a single value appends
  EXPECT_EQ(doc["model"]["overrides"]["num_hidden_layers"], 4);
  // Bare names never resolve inside open objects.
  EXPECT_THROW_WITH(apply_overrides(doc, {"num_hidden_layers=2"}, rules), UsageError,
                    "'num_hidden_layers' is not a test config field");
  EXPECT_THROW_WITH(apply_overrides(doc, {"optim.warmup=2"}, rules), UsageError, "'optim.warmup' is not a test config");
  EXPECT_THROW_WITH(apply_overrides(doc, {"lr"}, rules), UsageError, "must look like key=value");
  json twice{{"a", {{"x", 1}}}, {"b", {{"x", 2}}}};
  EXPECT_THROW_WITH(apply_overrides(twice, {"x=3"}, rules), UsageError, "names several test config fields (a.x, b.x)");
}

TEST(TrainConfigResolve, RequiredFieldsMayComeFromOverridesAndValidationRunsOnce) {
  // The default has no tokenizer or shards: parse → patch → validate needs no pre-pass.
  const auto c = TrainConfig::resolve(TrainConfig{}.to_json(), {"tokenizer=tok", "train_shards=shards"}, "default");
  EXPECT_EQ(c.tokenizer, "tok");
  EXPECT_EQ(c.mlm.train_shards, "shards");
  EXPECT_THROW_WITH(TrainConfig::resolve(TrainConfig{}.to_json(), {"tokenizer=tok"}, "the default"), UsageError,
                    "the default with --set overrides: field 'train_shards' is required");
}

TEST(TrainConfigResolve, ObjectiveSwitchKeepsSharedTaskFieldsAndOldSpellingsWork) {
  auto base = TrainConfig::for_objective(ObjectiveKind::kRetrieval).to_json();
  const auto c = TrainConfig::resolve(base,
                                      {"tokenizer=t", "train_data=tr.jsonl", "max_length=64", "task=classification",
                                       "text_field=code", "model=codessm-small", "model_overrides=num_hidden_layers=3"},
                                      "base");
  EXPECT_EQ(c.objective, ObjectiveKind::kClassification);
  const auto& t = c.task_as<ClassificationTaskConfig>();
  EXPECT_EQ(t.train_data, "tr.jsonl");  // carried over from the retrieval task config
  EXPECT_EQ(t.max_length, 64);
  EXPECT_EQ(t.text_field, "code");
  EXPECT_EQ(c.model.name, "codessm-small");
  EXPECT_EQ(c.model.overrides["num_hidden_layers"], 3);
  EXPECT_THROW_WITH(TrainConfig::resolve(base, {"tokenizer=t", "train_data=x", "query_length=9", "objective=types",
                                                "query_length=9"},
                                         "base"),
                    UsageError, "'query_length' is not a train config field");
}

TEST(TrainConfigResolve, EnumsAreParsedAtTheBoundary) {
  auto base = TrainConfig::for_objective(ObjectiveKind::kRetrieval).to_json();
  const auto c = TrainConfig::resolve(base, {"tokenizer=t", "train_data=x", "similarity=cos", "pooling=pooler",
                                             "dtype=bf16", "on_nonfinite=skip"},
                                      "base");
  EXPECT_EQ(c.task_as<RetrievalTaskConfig>().similarity, Similarity::kCos);
  EXPECT_EQ(c.task_as<RetrievalTaskConfig>().pooling, Pooling::kPooler);
  EXPECT_EQ(c.run.dtype, TrainDtype::kBf16);
  EXPECT_EQ(c.optim.on_nonfinite, NonFinitePolicy::kSkip);
  EXPECT_THROW_WITH(TrainConfig::resolve(base, {"tokenizer=t", "train_data=x", "pooling=max"}, "base"), UsageError,
                    "field 'pooling' must be mean or pooler, got 'max' (task.pooling)");
}

}  // namespace
}  // namespace codessm::config
