// The bf16 model at long sequences, where the convolution runs in blocks with its state path between them,
// against the fp32 model on the FFT reference path: the encoder's last hidden states with one dense Toeplitz
// block per sequence (one product, and 2×2 tiles with the zero tile skipped), with blocks and an fp32 state path,
// and with blocks and a 16-bit state path (fp32 chunk mixing). Each is held to the whole-model bf16 tolerance, and the two blocked forms to the dense form's error
// plus a stated margin: what each extra rounding of the state path costs at the model's output.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>

#include "codessm/config/presets.h"
#include "codessm/model/code_model.h"
#include "codessm/model/s4d_layer.h"
#include "codessm/tensor/torch_compat.h"
#include "tensor_test_utils.h"

using namespace codessm;

namespace long_precision_test {

struct Errors {
  double dense, tiled, fp32_state, state16;
};

/// Relative Frobenius errors of the bf16 encoder's last hidden states against fp32 (FFT path), L tokens.
Errors bf16_errors(torch::Device dev, int64_t L, int64_t chunk) {
  auto cfg = config::make_preset("codessm-tiny");
  cfg.hidden_size = 128;
  cfg.intermediate_size = 384;
  cfg.num_hidden_layers = 2;
  cfg.num_ssm = 64;
  cfg.hidden_dropout_prob = 0;
  cfg.max_position_embeddings = L;
  model::CodeModel m(cfg);
  m->eval();
  torch::NoGradGuard g;
  // Unit-gain weights (N(0, 1/fan_in)), as in the autocast test: at HF's init the residual branches would be
  // too small for their errors to show.
  for (auto& p : m->parameters())
    if (p.dim() == 2) p.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(p.size(1))));
  m->to(dev);
  tensor::set_matmul_tf32(false);
  auto ids = torch::randint(1, cfg.vocab_size, {1, L}, torch::TensorOptions(torch::kInt64).device(dev));
  model::set_ssm_conv(*m, {model::SsmConvImpl::kFFT, 0, true});
  auto ref = m->encode({ids, {}, {}}, false).last_hidden.to(torch::kFloat64);
  m->cast_weights(torch::kBFloat16);
  auto err = [&](int64_t c, bool fp32_state, int64_t tiles) {
    model::set_ssm_conv(*m, {model::SsmConvImpl::kToeplitz, c, fp32_state, tiles});
    auto y = m->encode({ids, {}, {}}, false).last_hidden.to(torch::kFloat64);
    return ((y - ref).norm() / ref.norm()).item<double>();
  };
  // The dense block as one product, and as 2×2 tiles with the zero tile skipped (the second tile row's output
  // is rounded to bf16 after its first product and once more after the second is added).
  Errors e{err(L, true, 1), err(L, true, 2), err(chunk, true, 0), err(chunk, false, 0)};
  std::printf("L %lld, blocks of %lld: bf16 error dense %.3e, dense in 2x2 tiles %.3e, fp32 state %.3e, "
              "16-bit state %.3e\n", static_cast<long long>(L), static_cast<long long>(chunk), e.dense, e.tiled,
              e.fp32_state, e.state16);
  return e;
}

void check(const Errors& e) {
  for (double x : {e.dense, e.tiled, e.fp32_state, e.state16}) {
    EXPECT_LT(x, 3e-2);  // the whole-model bf16 tolerance (CodeModel.Bf16AutocastWithinStatedToleranceOfFp32)
    EXPECT_GT(x, 1e-4);  // it really ran in bf16
  }
  EXPECT_LE(e.tiled, 1.25 * e.dense + 1e-3);
  EXPECT_LE(e.fp32_state, 1.25 * e.dense + 1e-3);
  EXPECT_LE(e.state16, 1.25 * e.dense + 1e-3);
}

}  // namespace long_precision_test

TEST(CodeModel, Bf16BlockedConvolutionWithinStatedToleranceOfDense) {
  SCOPED_TRACE(::testing::Message() << "seed " << test::fresh_seed(41));
  long_precision_test::check(long_precision_test::bf16_errors(torch::kCPU, 1024, 128));  // 8 blocks
}

TEST(CodeModelCuda, Bf16LongSequenceWithinStatedToleranceOfDense) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  SCOPED_TRACE(::testing::Message() << "seed " << test::fresh_seed(42));
  long_precision_test::check(long_precision_test::bf16_errors(torch::kCUDA, 8192, 1024));  // the forward benchmark's longest length and block
}
