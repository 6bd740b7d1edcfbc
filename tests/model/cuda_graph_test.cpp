// tensor::CudaGraph with the model's forward: a captured forward replayed on new inputs gives the eager forward's
// output (the replay really reads the buffers it captured, and writes every output element).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ctime>
#include <limits>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/model/code_model.h"
#include "codessm/tensor/cuda_graph.h"

using namespace codessm;

TEST(CudaGraph, RefusedOffCuda) {
  tensor::CudaGraph g;
  int calls = 0;
  EXPECT_THROW(g.capture(torch::kCPU, [&] { ++calls; }), UsageError);
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(g.captured());
  EXPECT_THROW(g.replay(), UsageError);
}

TEST(CudaGraph, ReplayedForwardEqualsEagerCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(static_cast<uint64_t>(std::time(nullptr)));
  const torch::Device dev(torch::kCUDA);
  for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
    auto cfg = config::make_preset("codessm-tiny");
    cfg.padding_mode = config::PaddingMode::kMasked;
    model::CodeModel m(cfg);
    m->to(dev);
    if (dt != torch::kFloat32) m->cast_weights(dt);
    m->eval();
    torch::NoGradGuard ng;
    const int64_t B = 3, L = 300;
    auto opts = torch::TensorOptions().dtype(torch::kInt64).device(dev);
    auto ids = torch::randint(1, cfg.vocab_size, {B, L}, opts);                 // the captured input buffers
    auto mask = torch::ones({B, L}, opts);
    auto out = torch::empty({B, L, cfg.hidden_size}, torch::TensorOptions().dtype(dt).device(dev));
    tensor::CudaGraph g;
    g.capture(dev, [&] { out.copy_(m->encode({ids, mask, {}}, false).last_hidden); });
    ASSERT_TRUE(g.captured());
    for (int round = 0; round < 3; ++round) {
      ids.copy_(torch::randint(1, cfg.vocab_size, {B, L}, opts));             // fresh inputs, some rows padded
      mask.fill_(1);
      if (round > 0) mask.narrow(1, L - 37 * round, 37 * round)[round % B].zero_();
      out.fill_(std::numeric_limits<double>::quiet_NaN());                     // poison: every element rewritten
      g.replay();
      auto eager = m->encode({ids, mask, {}}, false).last_hidden;
      torch::cuda::synchronize();
      ASSERT_FALSE(torch::isnan(out).any().item<bool>()) << dt << " round " << round;
      const double rel = (out.to(torch::kFloat64) - eager.to(torch::kFloat64)).norm().item<double>() /
                         eager.to(torch::kFloat64).norm().item<double>();
      EXPECT_LE(rel, 1e-6) << dt << " round " << round;  // the same kernels on the same data: equal up to reordering
    }
  }
}
