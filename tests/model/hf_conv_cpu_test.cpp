// CodeSSM-HF's grouped Conv1d on the CPU: with an explicit thread count, LibTorch 1.13's oneDNN backward returned
// Inf gradients (bigs.encoder.layer.1.du_*.bias) on every step of a fresh codessm-tiny-hf; tensor::
// avoid_broken_cpu_conv() (called when an HF layer is built) routes the convolution to ATen's native kernels.
// Checked here: finite gradients, equal to a float64 copy of the same model within 1e-3 of the largest gradient (fp32 FFTs vs fp64; the bug gave 1e38).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "codessm/config/presets.h"
#include "codessm/model/code_model.h"
#include "codessm/tensor/device.h"

namespace codessm::model {
namespace {

TEST(HfConvCpu, GradientsAreFiniteAndMatchFloat64WithAnyThreadCount) {
  const int saved = torch::get_num_threads();
  for (int threads : {1, 2}) {
    torch::set_num_threads(threads);
    tensor::set_seed(0);
    auto cfg = config::make_preset("codessm-tiny-hf");
    cfg.vocab_size = 400;
    CodeModel m(cfg), m64(cfg);
    {
      torch::NoGradGuard ng;
      auto src = m->named_parameters();
      for (auto& p : m64->named_parameters()) p.value().copy_(src[p.key()]);
    }
    m64->to(torch::kFloat64);
    m->eval();  // no dropout: both copies must see the same function (gradients still flow)
    m64->eval();
    for (int rep = 0; rep < 2; ++rep) {
      torch::manual_seed(rep);
      ModelInput in;
      in.input_ids = torch::randint(5, 400, {4, 64}, torch::kLong);  // i64(B L)
      in.attention_mask = torch::ones({4, 64}, torch::kLong);
      m->zero_grad();
      m64->zero_grad();
      m->forward(in).logits.logsumexp(-1).mean().backward();
      m64->forward(in).logits.logsumexp(-1).mean().backward();
      auto ref = m64->named_parameters();
      for (auto& p : m->named_parameters()) {
        const auto g = p.value().grad();
        const auto r = ref[p.key()].grad();
        ASSERT_EQ(g.defined(), r.defined()) << p.key();
        if (!g.defined()) continue;  // not on the MLM path (the pooler)
        ASSERT_TRUE(torch::isfinite(g).all().item<bool>()) << p.key() << " threads " << threads << " rep " << rep;
        const double scale = r.abs().max().item<double>() + 1e-12;
        EXPECT_LT((g.to(torch::kFloat64) - r).abs().max().item<double>() / scale, 1e-3) << p.key();
      }
    }
  }
  torch::set_num_threads(saved);
}

}  // namespace
}  // namespace codessm::model
