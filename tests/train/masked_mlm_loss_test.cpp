// The MLM head at the masked positions only (training's path) against the full-vocabulary twin
// mlm_loss_sum(forward(...).logits): same logits at the selected rows (float64, 1e-12), same loss and same
// gradients of every parameter (float64 model; the cross-entropy runs in fp32 in both, so 1e-5 relative), on fresh
// random inputs and masks, with and without padding.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ctime>

#include "codessm/config/presets.h"
#include "codessm/data/mlm_masking.h"
#include "codessm/model/code_model.h"
#include "codessm/train/mlm_objective.h"

using namespace codessm;

namespace {

struct Case {
  model::ModelInput in;
  torch::Tensor labels;  // i64(B L), −100 off the selected positions
};

Case random_case(int64_t B, int64_t L, int64_t V, bool padded) {
  Case c;
  c.in.input_ids = torch::randint(5, V, {B, L}, torch::kLong);
  c.in.attention_mask = torch::ones({B, L}, torch::kLong);
  if (padded) c.in.attention_mask.index_put_({0, torch::indexing::Slice(L / 2)}, 0);
  auto pick = torch::rand({B, L}).lt(0.2).logical_and(c.in.attention_mask.eq(1));
  pick.index_put_({1, 3}, true);  // at least one selected position
  c.labels = torch::where(pick, torch::randint(5, V, {B, L}, torch::kLong),
                          torch::full({B, L}, data::kIgnoreLabel, torch::kLong));
  return c;
}

}  // namespace

TEST(MaskedMlmLoss, MatchesFullVocabularyTwinForwardAndGradients) {
  torch::manual_seed(static_cast<uint64_t>(std::time(nullptr)));
  for (bool padded : {false, true}) {
    auto cfg = config::make_preset("codessm-tiny");
    cfg.hidden_dropout_prob = 0;
    cfg.layer_dropout = 0;
    model::CodeModel fast(cfg), twin(cfg);
    fast->to(torch::kFloat64);
    twin->to(torch::kFloat64);
    {
      torch::NoGradGuard g;
      auto src = fast->named_parameters();
      for (auto& p : twin->named_parameters()) p.value().copy_(src[p.key()]);
    }
    fast->eval();  // no dropout: both paths see the same function
    twin->eval();
    auto c = random_case(3, 40, cfg.vocab_size, padded);
    const torch::Device cpu(torch::kCPU);

    auto fast_loss = train::masked_mlm_loss_sum(fast, c.in, c.labels, cpu);
    auto twin_loss = train::mlm_loss_sum(twin->forward(c.in).logits, c.labels);
    const double a = fast_loss.item<double>(), b = twin_loss.item<double>();
    EXPECT_NEAR(a, b, 1e-5 * std::abs(b)) << "padded=" << padded;
    fast_loss.backward();
    twin_loss.backward();
    auto tp = twin->named_parameters();
    for (auto& p : fast->named_parameters()) {
      const auto& g1 = p.value().grad();
      const auto& g2 = tp[p.key()].grad();
      ASSERT_EQ(g1.defined(), g2.defined()) << p.key();
      if (!g1.defined()) continue;
      const double scale = g2.abs().max().item<double>() + 1e-12;
      EXPECT_LT((g1 - g2).abs().max().item<double>() / scale, 1e-5) << p.key() << " padded=" << padded;
    }

    // The logits themselves at the selected rows: float64, no fp32 step in between.
    torch::NoGradGuard g;
    auto flat = c.labels.reshape({-1});
    auto pos = flat.ne(data::kIgnoreLabel).nonzero().reshape({-1});
    auto full = twin->forward(c.in).logits.reshape({-1, cfg.vocab_size}).index_select(0, pos);  // r(M V)
    auto at = fast->mlm_logits_at(fast->encode(c.in, false).last_hidden, pos);                 // r(M V)
    EXPECT_LT((at - full).abs().max().item<double>(), 1e-12);
  }
}
