// The analysis of S4D blocks and HF convs from named tensors: agreement with the closed-form DFT of the modes,
// k-kernel layouts, the skip term, non-finite parameters, unknown layouts, nothing-to-analyse models.
#include "codessm/interpret/kernel_analysis.h"

#include <cmath>

#include "codessm/core/error.h"
#include "codessm/kernels/s4d_kernel.h"
#include "test_utils.h"

namespace codessm::interpret {
namespace {

using Tensors = std::map<std::string, torch::Tensor>;

/// One BiGS SSM block (K = 1 shapes) or a K-kernel block under `prefix` (e.g. "bigs.encoder.layer.0.fs4").
void add_block(Tensors& t, const std::string& prefix, int64_t K, int64_t N, uint64_t seed) {
  torch::manual_seed(seed);
  const bool bigs = K == 1;
  auto shape = [&](std::vector<int64_t> s) { return bigs ? s : (s.insert(s.begin(), K), s); };
  t[prefix + ".kernel.log_step"] = torch::empty({K}).uniform_(std::log(0.01), std::log(1.0));
  t[prefix + ".kernel.A_re"] = torch::full(shape({N}), -0.5) + 0.1 * torch::randn(shape({N}));
  t[prefix + ".kernel.A_im"] = M_PI * torch::arange(N, torch::kFloat32).expand(shape({N})).contiguous();
  t[prefix + ".kernel.C"] = torch::randn(shape({N, 2})) * std::sqrt(0.5);
  t[prefix + ".D"] = torch::randn({bigs ? 1 : K});
}

Tensors tiny_model(int64_t layers, int64_t K, int64_t N, const std::string& prefix = "bigs.") {
  Tensors t;
  for (int64_t i = 0; i < layers; ++i) {
    add_block(t, prefix + "encoder.layer." + std::to_string(i) + ".fs4", K, N, 10 + 2 * i);
    add_block(t, prefix + "encoder.layer." + std::to_string(i) + ".bs4", K, N, 11 + 2 * i);
    t[prefix + "encoder.layer." + std::to_string(i) + ".dv.weight"] = torch::randn({8, 8});  // ignored
  }
  return t;
}

AnalysisOptions opts_with_length(int64_t L) {
  AnalysisOptions o;
  o.length = L;
  return o;
}

TEST(KernelAnalysis, AgreesWithClosedFormDftOfTheModes) {
  const int64_t L = 300;  // not a power of two, on purpose
  for (int64_t K : {1, 3}) {
    auto t = tiny_model(2, K, 16);
    MapTensorSource src(t);
    auto res = analyze_tensors(src, nullptr, opts_with_length(L));
    ASSERT_EQ(res.filters.size(), size_t(4 * K));
    for (auto& f : res.filters) {
      ASSERT_TRUE(f.ok()) << f.label();
      auto p = load_ssm_params(src, BlockRef{f.layer, f.direction, FilterKind::kSsm, f.tensor_prefix});
      auto X = kernels::s4d_kernel_dft_closed_form(p.log_step, p.A_re, p.A_im, p.C, L);  // c(K L)
      auto mag = torch::abs(X[f.index]).slice(0, 0, L / 2 + 1);                           // r(M)
      auto ph = torch::angle(X[f.index]).slice(0, 0, L / 2 + 1);
      const double scale = mag.max().item<double>();
      for (int64_t k = 0; k <= L / 2; ++k) {
        ASSERT_NEAR(f.magnitude[k], mag[k].item<double>(), 1e-9 * scale) << f.label() << " bin " << k;
        if (mag[k].item<double>() > 1e-6 * scale) {
          EXPECT_NEAR(std::remainder(f.phase[k] - ph[k].item<double>(), 2 * M_PI), 0.0, 1e-7) << k;
        }
      }
      // The metrics from the closed form agree too.
      std::vector<double> m(mag.data_ptr<double>(), mag.data_ptr<double>() + L / 2 + 1);
      auto ref = spectral_metrics(m.data(), L / 2 + 1, L, res.bins);
      EXPECT_NEAR(f.metrics.centroid, ref.centroid, 1e-10);
      EXPECT_NEAR(f.metrics.lhfr, ref.lhfr, 1e-9 * ref.lhfr);
      EXPECT_EQ(f.metrics.dominant_bin, ref.dominant_bin);
    }
  }
}

TEST(KernelAnalysis, LengthComesFromTheConfigAndIsStated) {
  auto t = tiny_model(2, 1, 8);
  config::ModelConfig cfg;
  cfg.num_hidden_layers = 2;
  cfg.pretraining_context = 128;
  auto res = analyze_named_tensors(t, cfg, AnalysisOptions{});
  EXPECT_EQ(res.length, 128);
  EXPECT_EQ(res.length_source, "pretraining_context");
  cfg.pretraining_context = 0;
  cfg.max_position_embeddings = 64;
  res = analyze_named_tensors(t, cfg, AnalysisOptions{});
  EXPECT_EQ(res.length, 64);
  EXPECT_EQ(res.length_source, "max_position_embeddings");
  MapTensorSource src(t);
  res = analyze_tensors(src, nullptr, AnalysisOptions{});
  EXPECT_EQ(res.length, 2048);
  EXPECT_EQ(res.length_source, "default");
  res = analyze_tensors(src, nullptr, opts_with_length(77));
  EXPECT_EQ(res.length_source, "--length");
}

TEST(KernelAnalysis, BareBackboneAndPairs) {
  auto t = tiny_model(3, 1, 8, /*prefix=*/"");
  MapTensorSource src(t);
  auto res = analyze_tensors(src, nullptr, opts_with_length(64));
  EXPECT_EQ(res.model.backbone_prefix, "");
  EXPECT_EQ(res.model.layers, 3);
  ASSERT_EQ(res.pairs.size(), 3u);
  for (auto& p : res.pairs) {
    auto fwd = std::find_if(res.filters.begin(), res.filters.end(), [&](auto& f) {
      return f.layer == p.layer && f.direction == Direction::kForward;
    });
    EXPECT_EQ(p.forward, fwd->combined);
    EXPECT_EQ(p.complementary(), p.forward != p.backward);
  }
}

TEST(KernelAnalysis, SkipTermAddsDAtLagZero) {
  auto t = tiny_model(1, 1, 8);
  t["bigs.encoder.layer.0.fs4.D"] = torch::tensor({2.5});
  MapTensorSource src(t);
  auto plain = analyze_tensors(src, nullptr, opts_with_length(32));
  auto o = opts_with_length(32);
  o.include_skip = true;
  auto skip = analyze_tensors(src, nullptr, o);
  EXPECT_TRUE(skip.include_skip);
  EXPECT_NEAR(skip.filters[0].time_y[0] - plain.filters[0].time_y[0], 2.5, 1e-12);
  EXPECT_DOUBLE_EQ(skip.filters[0].time_y[5], plain.filters[0].time_y[5]);
  EXPECT_DOUBLE_EQ(skip.filters[0].skip_D, 2.5);
}

TEST(KernelAnalysis, NonFiniteParametersAreReportedPerKernel) {
  auto t = tiny_model(2, 3, 8);
  t["bigs.encoder.layer.1.bs4.kernel.A_re"][1][2] = NAN;
  t["bigs.encoder.layer.1.bs4.kernel.C"][1][0][0] = INFINITY;
  t["bigs.encoder.layer.0.fs4.kernel.log_step"][0] = -INFINITY;
  MapTensorSource src(t);
  auto res = analyze_tensors(src, nullptr, opts_with_length(64));
  ASSERT_EQ(res.filters.size(), 12u);
  int bad = 0;
  for (auto& f : res.filters) {
    if (f.layer == 1 && f.direction == Direction::kBackward && f.index == 1) {
      EXPECT_EQ(f.status, "non_finite_parameters");
      ASSERT_EQ(f.problems.size(), 2u);
      EXPECT_NE(f.problems[0].find("bigs.encoder.layer.1.bs4.kernel.A_re[1]: 1 NaN, 0 Inf"), std::string::npos);
      EXPECT_NE(f.problems[1].find("kernel.C[1]: 0 NaN, 1 Inf"), std::string::npos);
      EXPECT_EQ(f.combined, FilterClass::kUndefined);
      ++bad;
    } else if (f.layer == 0 && f.direction == Direction::kForward && f.index == 0) {
      EXPECT_EQ(f.status, "non_finite_parameters");
      EXPECT_NE(f.problems.at(0).find("fs4.kernel.log_step[0]: 0 NaN, 1 Inf"), std::string::npos);
      EXPECT_EQ(f.combined, FilterClass::kUndefined);
      ++bad;
    } else {
      EXPECT_TRUE(f.ok()) << f.label() << ": " << f.status;  // neighbours of a bad kernel are unaffected
      EXPECT_NE(f.combined, FilterClass::kUndefined);
    }
  }
  EXPECT_EQ(bad, 2);
  EXPECT_EQ(res.problems().size(), 2u);
}

TEST(KernelAnalysis, UnknownLayoutsNameTheTensor) {
  auto t = tiny_model(1, 1, 8);
  t["bigs.encoder.layer.0.bs4.kernel.C"] = torch::randn({8, 3});
  MapTensorSource src(t);
  EXPECT_THROW_WITH(analyze_tensors(src, nullptr, opts_with_length(16)), DataError,
                    "unknown S4D tensor layout at 'bigs.encoder.layer.0.bs4.kernel.C'");
  t = tiny_model(1, 1, 8);
  t["bigs.encoder.layer.0.fs4.kernel.A_re"] = torch::randn({2, 2, 2});
  EXPECT_THROW_WITH(analyze_tensors(MapTensorSource(t), nullptr, opts_with_length(16)), DataError,
                    "'bigs.encoder.layer.0.fs4.kernel.A_re'");
  t = tiny_model(1, 1, 8);
  t["bigs.encoder.layer.0.fs4.D"] = torch::randn({5});
  EXPECT_THROW_WITH(analyze_tensors(MapTensorSource(t), nullptr, opts_with_length(16)), DataError,
                    "unknown layout of 'bigs.encoder.layer.0.fs4.D'");
  t = tiny_model(1, 1, 8);
  t.erase("bigs.encoder.layer.0.fs4.kernel.A_im");
  EXPECT_THROW_WITH(analyze_tensors(MapTensorSource(t), nullptr, opts_with_length(16)), DataError,
                    "'bigs.encoder.layer.0.fs4.kernel.A_im' is missing");
  t = tiny_model(1, 1, 8);
  t["bigs.encoder.layer.0.fconv.weight"] = torch::randn({8, 3, 3});  // 8 % 3 != 0
  EXPECT_THROW_WITH(analyze_tensors(MapTensorSource(t), nullptr, opts_with_length(16)), DataError,
                    "unknown layout of 'bigs.encoder.layer.0.fconv.weight'");
}

TEST(KernelAnalysis, TransformerHasNothingToAnalyse) {
  Tensors t;
  t["roformer.encoder.layer.0.attention.self.query.weight"] = torch::randn({4, 4});
  EXPECT_THROW_WITH(analyze_tensors(MapTensorSource(t), nullptr, AnalysisOptions{}), UsageError,
                    "nothing to analyse");
  config::ModelConfig cfg;
  cfg.arch = config::Arch::kRoFormer;
  EXPECT_THROW_WITH(analyze_named_tensors(t, cfg, AnalysisOptions{}), UsageError, "Transformer");
}

TEST(KernelAnalysis, BadOptionsAreRejected) {
  auto t = tiny_model(1, 1, 8);
  AnalysisOptions o;
  o.thresholds.lhfr_high = 12;
  EXPECT_THROW_WITH(analyze_tensors(MapTensorSource(t), nullptr, o), UsageError, "overlap");
  EXPECT_THROW_WITH(analyze_tensors(MapTensorSource(t), nullptr, opts_with_length(1)), UsageError, "--length 1");
}

TEST(KernelAnalysis, HfConvGroupsAsFirFilters) {
  auto t = tiny_model(1, 1, 8);
  // 2 groups of 4 channels. Group 0: every pair is the smoother [1, 2, 1] (low-pass, |H| = 2 + 2cos θ);
  // group 1: every pair is the differencer [−1, 2, −1] (high-pass, |H| = 2 − 2cos θ).
  auto w = torch::zeros({8, 4, 3});
  w.slice(0, 0, 4).copy_(torch::tensor({1.0, 2.0, 1.0}).expand({4, 4, 3}));
  w.slice(0, 4, 8).copy_(torch::tensor({-1.0, 2.0, -1.0}).expand({4, 4, 3}));
  t["bigs.encoder.layer.0.fconv.weight"] = w;
  t["bigs.encoder.layer.0.fconv.bias"] = torch::ones({8});
  t["bigs.encoder.layer.0.bconv.weight"] = -w;
  MapTensorSource src(t);
  auto res = analyze_tensors(src, nullptr, opts_with_length(64));
  EXPECT_TRUE(res.model.hf_conv);
  EXPECT_EQ(res.model.hf_conv_groups, 2);
  std::vector<const FilterReport*> conv;
  for (auto& f : res.filters)
    if (f.kind == FilterKind::kConv) conv.push_back(&f);
  ASSERT_EQ(conv.size(), 4u);
  EXPECT_EQ(res.fir_bins.bins, 129);
  for (auto* f : conv) {
    const double sign = f->index == 0 ? 1.0 : -1.0;
    for (size_t k = 0; k < f->frequency.size(); ++k)
      ASSERT_NEAR(f->magnitude[k], 2 + sign * 2 * std::cos(2 * M_PI * f->frequency[k]), 1e-12);
    EXPECT_EQ(f->combined, f->index == 0 ? FilterClass::kLow : FilterClass::kHigh) << f->label();
  }
  EXPECT_DOUBLE_EQ(conv[0]->bias_mean, 1.0);
  EXPECT_EQ(conv[0]->time_y, (std::vector<double>{1, 2, 1}));
}

}  // namespace
}  // namespace codessm::interpret
