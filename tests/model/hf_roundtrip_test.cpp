// Hugging Face round trip of the Transformer baselines (tests/fixtures/hf, made by tools/hf_roundtrip.py with
// transformers on the GPU machine's CPU, fp32):
// - theirs → ours: tiny RoFormerForMaskedLM / BertForMaskedLM with every parameter perturbed, saved by
//   transformers' save_pretrained, load here and give transformers' logits within 1e-5 relative;
// - ours → theirs: roundtrip.json records what transformers measured on checkpoints written by
//   `codessm model init` (rocoder-tiny, bertcoder-tiny) against `codessm model forward`; checked here too.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "codessm/core/io.h"
#include "codessm/model/checkpoint.h"
#include "codessm/tensor/safetensors.h"
#include "test_utils.h"

using namespace codessm;

namespace {

std::filesystem::path fixture_dir() { return test::source_dir() / "tests/fixtures/hf"; }

double rel(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max() / b.to(torch::kFloat64).abs().max()).item<double>();
}

}  // namespace

class HfRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(HfRoundTrip, TransformersCheckpointLoadsWithTransformersLogits) {
  const auto dir = fixture_dir() / GetParam();
  model::LoadReport rep;
  auto m = model::load_pretrained(dir, {}, &rep);
  m->eval();
  const auto& cfg = m->config();
  EXPECT_EQ(cfg.arch, GetParam() == "roformer" ? config::Arch::kRoFormer : config::Arch::kBert);
  EXPECT_EQ(cfg.head, config::HeadKind::kMaskedLM);
  EXPECT_TRUE(rep.skipped_unexpected.empty());
  // Only what transformers leaves out on purpose may be missing: BertForMaskedLM has no pooler.
  for (auto& n : rep.missing_initialised) EXPECT_EQ(n.rfind("bert.pooler.", 0), 0u) << n;

  tensor::SafetensorsStore in(fixture_dir() / "inputs.safetensors"), exp(dir / "logits.safetensors");
  model::ModelInput mi{in.load("input_ids"), in.load("attention_mask"), in.load("token_type_ids")};
  ASSERT_EQ(mi.attention_mask.sum().item<int64_t>(), mi.attention_mask.numel() - 5);  // row 1 is right-padded
  ASSERT_GT(mi.token_type_ids.sum().item<int64_t>(), 0);                             // and row 0 has 2 segments
  torch::NoGradGuard g;
  auto out = m->forward(mi, /*output_hidden_states=*/true);
  const auto logits = exp.load("logits");
  ASSERT_EQ(out.logits.sizes(), logits.sizes());
  const double e = rel(out.logits, logits);
  std::printf("%s: logits of the transformers-saved model, relative error %.3g\n", GetParam().c_str(), e);
  EXPECT_LT(e, 1e-5);
  EXPECT_LT(rel(out.last_hidden, exp.load("last_hidden_state")), 1e-5);
  // The fixture is not degenerate: the logits vary across the vocabulary and positions.
  EXPECT_GT(logits.std().item<double>(), 0.1);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, HfRoundTrip, ::testing::Values("roformer", "bert"));

TEST(HfRoundTripRecord, TransformersLoadsOurCheckpointsWithOurLogits) {
  const auto j = nlohmann::json::parse(core::read_file(fixture_dir() / "roundtrip.json"));
  SCOPED_TRACE(j.dump(1));
  EXPECT_EQ(j["dtype"], "float32");
  for (const char* name : {"roformer", "bert"}) {
    const auto& r = j.at("ours_to_theirs").at(name);
    EXPECT_LE(r.at("rel_err").get<double>(), 1e-5) << name;
    EXPECT_GT(r.at("logits_absmax").get<double>(), 0) << name;
    // transformers found every tensor it needs in our file (RoFormer's sinusoid table is computed, not stored).
    for (auto& k : r.at("missing_keys")) EXPECT_NE(k.get<std::string>().find("embed_positions"), std::string::npos) << k;
    const auto& f = j.at("theirs_to_ours_fixture").at(name);
    EXPECT_TRUE(f.at("decoder_tied").get<bool>()) << name;
    EXPECT_LE(f.at("reload_rel_err").get<double>(), 1e-6) << name;
  }
}
