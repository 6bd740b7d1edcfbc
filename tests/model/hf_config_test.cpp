// config.json as transformers writes it for RoFormer and BERT: what codessm reads, and the RoFormerConfig
// options it does not implement rejected with a message that names the field (not a shape error later).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "codessm/config/model_config.h"
#include "codessm/core/error.h"
#include "test_utils.h"

using namespace codessm;
using nlohmann::json;

namespace {

json roformer_config() {  // the keys RoFormerConfig.to_dict() writes (transformers 5), tiny sizes
  return {{"architectures", {"RoFormerForMaskedLM"}}, {"model_type", "roformer"}, {"vocab_size", 512},
          {"embedding_size", 32}, {"hidden_size", 32}, {"num_hidden_layers", 2}, {"num_attention_heads", 4},
          {"intermediate_size", 64}, {"hidden_act", "gelu"}, {"hidden_dropout_prob", 0.1},
          {"attention_probs_dropout_prob", 0.1}, {"max_position_embeddings", 64}, {"type_vocab_size", 2},
          {"initializer_range", 0.02}, {"layer_norm_eps", 1e-12}, {"pad_token_id", 0}, {"rotary_value", false},
          {"use_cache", true}, {"is_decoder", false}, {"tie_word_embeddings", true}, {"dtype", "float32"},
          {"transformers_version", "5.0.0"}};
}

}  // namespace

TEST(HfConfig, ReadsRoFormerAndBertConfigsOfTransformers) {
  auto r = config::ModelConfig::from_json(roformer_config(), "roformer/config.json");
  EXPECT_EQ(r.arch, config::Arch::kRoFormer);
  EXPECT_EQ(r.head, config::HeadKind::kMaskedLM);
  EXPECT_EQ(r.position_embedding_type, "none");
  EXPECT_EQ(r.head_dim(), 8);
  EXPECT_TRUE(r.tie_word_embeddings);
  json b = roformer_config();
  b.erase("embedding_size");
  b.erase("rotary_value");
  b["model_type"] = "bert";
  b["architectures"] = {"BertForMaskedLM"};
  b["position_embedding_type"] = "absolute";
  auto c = config::ModelConfig::from_json(b, "bert/config.json");
  EXPECT_EQ(c.arch, config::Arch::kBert);
  EXPECT_EQ(c.position_embedding_type, "absolute");
  EXPECT_EQ(c.max_position_embeddings, 64);
}

TEST(HfConfig, RejectsRoFormerOptionsCodessmDoesNotImplement) {
  auto j = roformer_config();
  j["embedding_size"] = 16;
  EXPECT_THROW_WITH(config::ModelConfig::from_json(j, "x/config.json"), UsageError,
                    "x/config.json: field 'embedding_size' is 16 but hidden_size is 32");
  j = roformer_config();
  j["rotary_value"] = true;
  EXPECT_THROW_WITH(config::ModelConfig::from_json(j, "x/config.json"), UsageError, "field 'rotary_value' is true");
}
