// The MLM head's inference path (row blocks written into the logits in place) against the one-product path
// and a float64 twin, on fresh random weights and hidden states, on the CPU (fp32) and CUDA (bf16, padded
// vocabulary).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "codessm/config/presets.h"
#include "codessm/model/heads.h"
#include "tensor_test_utils.h"

using namespace codessm;

namespace {

void check(torch::Device dev, torch::ScalarType dt, double slack) {
  const uint64_t seed = test::fresh_seed(3);
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  auto cfg = config::make_preset("codessm-tiny");
  cfg.vocab_size = 1000;  // no multiple of 64: the padded product on CUDA
  model::LMPredictionHead head(cfg);
  {
    torch::NoGradGuard g;
    for (auto& p : head->parameters()) p.normal_(0, 0.2);
  }
  auto tied = torch::randn({cfg.vocab_size, cfg.hidden_size}) * 0.2;           // r(V D)
  // More rows than one block, and not a multiple of it.
  const int64_t L = model::LMPredictionHeadImpl::kInferenceRowBlock / 2 + 37;
  auto h = torch::randn({3, L, cfg.hidden_size});                               // r(B L D)

  model::LMPredictionHead h64(cfg);
  h64->to(torch::kFloat64);
  {
    torch::NoGradGuard g;
    for (size_t i = 0; i < head->parameters().size(); ++i) h64->parameters()[i].copy_(head->parameters()[i]);
  }
  torch::Tensor ref;
  {
    torch::AutoGradMode on(true);  // the twin: one float64 product
    ref = h64->forward(h.to(torch::kFloat64), tied.to(torch::kFloat64)).detach();  // f64(B L V)
  }
  head->to(dev, dt);
  auto hd = h.to(dev, dt), td = tied.to(dev, dt);
  torch::Tensor one, blocks;
  {
    torch::AutoGradMode on(true);  // autograd on: the one-product path
    one = head->forward(hd, td).detach();
  }
  {
    torch::NoGradGuard g;  // inference: row blocks
    blocks = head->forward(hd, td);
  }
  ASSERT_EQ(blocks.sizes(), one.sizes());
  EXPECT_EQ(blocks.size(-1), cfg.vocab_size);
  const double e_one = test::rel_err(one, ref), e_blocks = test::rel_err(blocks, ref);
  EXPECT_LE(e_blocks, 2 * e_one + slack) << "one product " << e_one;
}

}  // namespace

TEST(MlmHead, InferenceRowBlocksMatchOneProductAndFloat64) { check(torch::kCPU, torch::kFloat32, 1e-7); }

TEST(MlmHead, CudaInferenceRowBlocksMatchOneProductAndFloat64) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  check(torch::kCUDA, torch::kBFloat16, 1e-3);
}
