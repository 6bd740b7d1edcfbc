// Parameter counts of the presets equal model-spec §3.8, §4.1, §4.2 and §5.3; HiPPO init facts (§7.17).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "codessm/config/presets.h"
#include "codessm/model/code_model.h"
#include "codessm/model/model_summary.h"
#include "codessm/model/s4d_layer.h"

using namespace codessm;

namespace {
model::ParamCounts counts(const std::string& preset) {
  model::CodeModel m(config::make_preset(preset));
  return model::count_parameters(m);
}
}  // namespace

TEST(Presets, CodeSSMBaseMatchesSpec) {
  auto c = counts("codessm-base");
  EXPECT_EQ(c.per_layer, 13645316);
  EXPECT_EQ(c.ssm_per_block, 258);
  EXPECT_EQ(c.encoder, 163743792);
  EXPECT_EQ(c.backbone(), 196618288);
  EXPECT_EQ(c.backbone() + c.head, 197702036);  // + MLM head (tied decoder)
  EXPECT_EQ(c.total(), 198751636);              // + pooler
}

TEST(Presets, VariantsMatchSpec) {
  EXPECT_EQ(counts("codessm-hf").backbone(), 191646252);                         // §4.1: 2 convs × 11 layers
  EXPECT_EQ(counts("codessm-8kernel").ssm_per_block, 258 + 7 * (4 * 64 + 1) + 7);  // §4.2: (k−1)(4N+1) + (k−1) for D
  EXPECT_EQ(counts("rocoder-base").backbone(), 186655776);                       // §5.3
  EXPECT_EQ(counts("bertcoder-base").backbone(), 186126336);
  EXPECT_EQ(counts("codessm-pos").backbone(), 196618288 + 2048 * 1024);
  EXPECT_EQ(counts("codef").encoder, 163743792 - 12 * 2 * 258);                  // no SSM parameters
}

TEST(S4DInit, HippoImaginaryParts) {
  auto im = model::s4d_init_A_im(config::SsmInit::kHippo, 64);
  EXPECT_NEAR(im.max().item<double>(), 1303.2738, 1e-3);
  EXPECT_NEAR(im.abs().min().item<double>(), 0.2639, 1e-4);
  EXPECT_TRUE(torch::allclose(im, -im.flip(0), 1e-9, 1e-9));  // ± symmetric, ascending
  EXPECT_TRUE((im.slice(0, 1) >= im.slice(0, 0, -1)).all().item<bool>());
  auto inv = model::s4d_init_A_im(config::SsmInit::kInv, 4);
  EXPECT_NEAR(inv[1].item<double>(), (4 / M_PI) * (4.0 / 3 - 1), 1e-12);
}

TEST(Presets, UnknownNameListsKnownOnes) {
  try {
    config::make_preset("codessm-huge");
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("codessm-base"), std::string::npos);
  }
}
