// resolve_model, the one place a ModelSpec meets a tokenizer: a preset is sized to the tokenizer and gets the
// objective's head; a checkpoint keeps its architecture and its pretraining context (fine-tuning at another
// length no longer rewrites it), takes spec overrides, and refuses another tokenizer.
#include <gtest/gtest.h>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/data/tokenizer_check.h"
#include "codessm/model/checkpoint.h"
#include "codessm/pipelines/resolve_model.h"
#include "test_utils.h"

namespace codessm::pipelines {
namespace {

/// One id per byte after five specials; `shift` changes which byte an id stands for.
class Bytes : public data::Tokenizer {
 public:
  explicit Bytes(int shift = 0) {
    for (auto n : {"<pad>", "<s>", "</s>", "<unk>", "<mask>"}) pieces_.push_back(n);
    for (int b = 0; b < 256; ++b) pieces_.push_back(std::string(1, static_cast<char>((b + shift) % 256)));
    set_specials({0, 1, 2, 3, 4}, {});
  }
  std::string kind() const override { return "bytes"; }
  void encode(std::string_view, std::vector<data::Token>&) const override {}
  const std::string& token_bytes(int32_t id) const override { return pieces_.at(static_cast<size_t>(id)); }
  int32_t vocab_size() const override { return 261; }
  void save(const std::filesystem::path&) const override {}

 private:
  std::vector<std::string> pieces_;
};

TEST(ResolveModel, APresetIsSizedToTheTokenizerAndGetsTheHead) {
  Bytes tok;
  config::ModelSpec spec;  // preset codessm-tiny
  spec.overrides = {{"num_hidden_layers", 1}};
  const auto mc = resolve_model(spec, tok, {{config::HeadKind::kSequenceClassification, {"a", "b", "c"}}, 0, "bytes"});
  EXPECT_EQ(mc.vocab_size, 261);
  EXPECT_EQ(mc.num_hidden_layers, 1);
  EXPECT_EQ(mc.head, config::HeadKind::kSequenceClassification);
  EXPECT_EQ(mc.num_labels, 3);
  EXPECT_EQ(mc.tokenizer_fingerprint, data::fingerprint_hex(tok));
  EXPECT_EQ(mc.pretraining_context, config::make_preset("codessm-tiny").pretraining_context);
  EXPECT_THROW_WITH((void)resolve_model(config::ModelSpec{config::ModelSpec::Source::kPreset, "codessm-tiny",
                                                          {{"num_hiden_layers", 1}}},
                                        tok, {}),
                    UsageError, "'num_hiden_layers' is not a config.json key of preset codessm-tiny");
}

TEST(ResolveModel, FineTuningACheckpointKeepsItsPretrainingContextAndTokenizer) {
  Bytes tok, other(1);
  const auto dir = test::temp_dir("resolve_model") / "pt";
  // A pretrained checkpoint: MLM at context 128 with `tok`.
  const auto pt = resolve_model(config::ModelSpec{}, tok, {{config::HeadKind::kMaskedLM, {}}, 128, "bytes"});
  EXPECT_EQ(pt.pretraining_context, 128);
  model::CodeModel m(pt);
  model::save_pretrained(m, dir);
  const config::ModelSpec spec{config::ModelSpec::Source::kCheckpoint, dir.string(), {{"hidden_dropout_prob", 0.2}}};
  const auto ft = resolve_model(spec, tok, {{config::HeadKind::kRetrieval, {}}, 0, "bytes"});
  EXPECT_EQ(ft.pretraining_context, 128) << "fine-tuning must not rewrite what the model was pretrained at";
  EXPECT_EQ(ft.head, config::HeadKind::kRetrieval);
  EXPECT_DOUBLE_EQ(ft.hidden_dropout_prob, 0.2);
  auto model = build_model(spec, ft);
  EXPECT_TRUE(torch::equal(model->named_parameters()["bigs.embeddings.word_embeddings.weight"],
                           m->named_parameters()["bigs.embeddings.word_embeddings.weight"]));
  EXPECT_THROW_WITH((void)resolve_model(spec, other, {{config::HeadKind::kRetrieval, {}}, 0, "other"}), UsageError,
                    "tokenizer mismatch: " + dir.string());
}

}  // namespace
}  // namespace codessm::pipelines
