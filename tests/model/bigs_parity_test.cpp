// Parity with the BiGS PyTorch reference (tests/data/parity/README.md): a checkpoint written by
// modeling_bigs.py loads here and gives the reference's logits and hidden states within 1e-5 relative
// (fp32, reference padding mode: right padding leaks into the backward SSM exactly as in BiGS).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "codessm/model/checkpoint.h"
#include "codessm/tensor/safetensors.h"
#include "test_utils.h"

using namespace codessm;

class BiGSParity : public ::testing::TestWithParam<std::string> {};

TEST_P(BiGSParity, LogitsAndHiddenStatesMatchReference) {
  auto dir = test::source_dir() / "tests/data/parity" / GetParam();
  model::LoadOptions lo;
  lo.padding_mode = config::PaddingMode::kReference;
  model::LoadReport rep;
  auto m = model::load_pretrained(dir, lo, &rep);
  EXPECT_TRUE(rep.skipped_unexpected.empty());
  m->eval();
  tensor::SafetensorsStore in(dir / "inputs.safetensors"), exp(dir / "expected.safetensors");
  model::ModelInput mi{in.load("input_ids"), in.load("attention_mask"), {}};
  torch::NoGradGuard g;
  auto out = m->forward(mi, /*output_hidden_states=*/true);
  auto rel = [](const torch::Tensor& a, const torch::Tensor& b) {
    return ((a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max() / b.abs().max()).item<double>();
  };
  EXPECT_LT(rel(out.logits, exp.load("logits")), 1e-5);
  ASSERT_EQ(out.hidden_states.size(), 3u);
  for (size_t i = 0; i < out.hidden_states.size(); ++i)
    EXPECT_LT(rel(out.hidden_states[i], exp.load("hidden_states." + std::to_string(i))), 1e-5) << i;
  // The masked mode changes real-token outputs of padded rows only (row 0 has no padding).
  auto mm = model::load_pretrained(dir);
  ASSERT_EQ(mm->config().padding_mode, config::PaddingMode::kReference);  // BiGS files default to reference
  model::LoadOptions lm;
  lm.padding_mode = config::PaddingMode::kMasked;
  auto masked = model::load_pretrained(dir, lm);
  masked->eval();
  auto mo = masked->forward(mi);
  const auto mask = mi.attention_mask.to(torch::kBool);  // (B, L)
  const int64_t B = mask.size(0), L = mask.size(1);
  int64_t padded_rows = 0;
  for (int64_t b = 0; b < B; ++b) {
    const auto real = mask[b];
    const bool padded = real.sum().item<int64_t>() < L;
    auto ref_real = out.logits[b].index({real}), masked_real = mo.logits[b].index({real});  // (real tokens, V)
    if (!padded) {
      EXPECT_LT(rel(masked_real, ref_real), 1e-5) << "row " << b << " has no padding: the mode must not matter";
    } else {
      ++padded_rows;
      EXPECT_GT(rel(masked_real, ref_real), 1e-4) << "row " << b << ": masked mode left the real tokens unchanged";
    }
  }
  EXPECT_EQ(mask[0].sum().item<int64_t>(), L);
  EXPECT_GT(padded_rows, 0) << "the fixture needs a padded row to show the difference";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BiGSParity, ::testing::Values("bigs_tiny_pos_none", "bigs_tiny_pos_absolute"));
