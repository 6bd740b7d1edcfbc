// RoFormer/BERT attention through SDPA equals the explicit softmax formula in float64, with padding masks.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <ctime>

#include "codessm/config/presets.h"
#include "codessm/kernels/rotary.h"
#include "codessm/model/code_model.h"
#include "codessm/model/transformer.h"
#include "codessm/tensor/torch_compat.h"

using namespace codessm;

namespace {

/// The post-LN block written out explicitly (model-spec §5.2), float64.
torch::Tensor explicit_layer(model::TransformerLayerImpl& l, const config::ModelConfig& c, torch::Tensor h,
                             const torch::Tensor& mask) {
  namespace F = torch::nn::functional;
  const int64_t B = h.size(0), L = h.size(1), NH = c.num_attention_heads, HD = c.head_dim();
  auto sa = l.attention->self;
  auto heads = [&](torch::Tensor t) { return t.view({B, L, NH, HD}).transpose(1, 2); };
  auto q = heads(sa->query->forward(h)), k = heads(sa->key->forward(h)), v = heads(sa->value->forward(h));
  if (c.arch == config::Arch::kRoFormer) {
    q = kernels::apply_rotary_reference(q);
    k = kernels::apply_rotary_reference(k);
  }
  auto s = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(HD));
  s = s.masked_fill(mask.view({B, 1, 1, L}) == 0, -1e300);
  auto ctx = torch::matmul(torch::softmax(s, -1), v).transpose(1, 2).reshape({B, L, NH * HD});
  auto a = l.attention->output->LayerNorm->forward(h + l.attention->output->dense->forward(ctx));
  return l.output->LayerNorm->forward(a + l.output->dense->forward(F::gelu(l.intermediate->dense->forward(a))));
}

}  // namespace

TEST(Transformer, LayerMatchesExplicitFormula) {
  for (auto preset : {"rocoder-tiny", "bertcoder-tiny"}) {
    torch::manual_seed(8);
    auto cfg = config::make_preset(preset);
    model::TransformerLayer layer(cfg);
    layer->eval();
    layer->to(torch::kFloat64);
    auto h = torch::randn({2, 13, cfg.hidden_size}, torch::kFloat64);
    auto mask = torch::ones({2, 13}, torch::kInt64);
    mask[1].slice(0, 9).zero_();
    auto key_mask = (1.0 - mask.to(torch::kFloat64)).mul(-1e300).view({2, 1, 1, 13});
    auto fast = layer->forward(h, key_mask);
    auto ref = explicit_layer(*layer, cfg, h, mask);
    // Rows of real tokens must agree; fp64 throughout (the fast path's angles are fp32: 1e-6).
    EXPECT_LT((fast - ref).abs().max().item<double>(), 1e-5) << preset;
  }
}

TEST(Transformer, PaddedKeysDoNotChangeRealTokens) {
  for (auto preset : {"rocoder-tiny", "bertcoder-tiny"}) {
    torch::manual_seed(9);
    auto cfg = config::make_preset(preset);
    model::CodeModel m(cfg);
    m->eval();
    auto ids = torch::randint(1, cfg.vocab_size, {1, 8});
    torch::NoGradGuard g;
    auto a = m->forward({ids, torch::ones_like(ids), {}}).last_hidden;
    auto pid = torch::cat({ids, torch::zeros({1, 4}, ids.options())}, 1);
    auto pm = torch::cat({torch::ones_like(ids), torch::zeros({1, 4}, ids.options())}, 1);
    auto b = m->forward({pid, pm, {}}).last_hidden.narrow(1, 0, 8);
    EXPECT_LT((a - b).abs().max().item<double>(), 1e-5) << preset;
  }
}

TEST(Transformer, ZeroPaddedHeadDimWithExplicitScaleIsExact) {
  // What the CUDA path does for RoCoder's head dim 86: pad q, k, v with zero columns to 88, keep 1/√86.
  torch::manual_seed(static_cast<uint64_t>(std::time(nullptr)));
  auto q = torch::randn({2, 3, 17, 86}, torch::kFloat64), k = torch::randn_like(q), v = torch::randn_like(q);
  auto ref = tensor::sdpa(q, k, v, {}, 0.0, false);
  auto pad = [](const torch::Tensor& t) { return torch::constant_pad_nd(t, {0, 2}); };
  auto out = tensor::sdpa(pad(q), pad(k), pad(v), {}, 0.0, false, 1.0 / std::sqrt(86.0));
  EXPECT_LT((out.narrow(-1, 0, 86) - ref).abs().max().item<double>(), 1e-12);
  EXPECT_EQ(out.narrow(-1, 86, 2).abs().max().item<double>(), 0.0);
}

TEST(Transformer, CudaLayerMatchesExplicitFormula) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  for (auto preset : {"rocoder-tiny", "bertcoder-tiny"}) {
    torch::manual_seed(static_cast<uint64_t>(std::time(nullptr)));
    auto cfg = config::make_preset(preset);
    cfg.num_attention_heads = 2;
    cfg.hidden_size = 172;  // head dim 86, as RoCoder-base: the padded flash/memory-efficient path
    cfg.intermediate_size = 344;
    model::TransformerLayer layer(cfg);
    layer->eval();
    auto h = torch::randn({2, 64, cfg.hidden_size});
    auto mask = torch::ones({2, 64}, torch::kInt64);
    torch::NoGradGuard g;
    layer->to(torch::kCUDA);
    auto fast = layer->forward(h.cuda(), {}).cpu().to(torch::kFloat64);
    layer->to(torch::kCPU, torch::kFloat64);
    auto ref = explicit_layer(*layer, cfg, h.to(torch::kFloat64), mask);
    EXPECT_LT((fast - ref).abs().max().item<double>(), 1e-3) << preset;  // TF32-free fp32 attention kernels
  }
}
