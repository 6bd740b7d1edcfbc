// The CodeSSM-HF path's grouped Conv1d(d, d, 3, padding 1) as short FIR filters. PyTorch's conv is a
// cross-correlation, y_o[t] = Σ_i w[o,i,0]·x_i[t−1] + w[o,i,1]·x_i[t] + w[o,i,2]·x_i[t+1], so the (o, i) pair
// has impulse response h[1] = w0, h[0] = w1, h[−1] = w2 and frequency response (θ = 2πf)
//   H(θ) = w1 + w0·e^{−iθ} + w2·e^{iθ} = (w1 + (w0+w2)·cos θ) + i·(w2−w0)·sin θ.
// Per group g we analyse the mean of |H_oi| over all of the group's (output, input) channel pairs: the typical
// pair's magnitude response, which (unlike the response of the mean taps) cannot cancel out between pairs of
// opposite sign. The phase shown is that of the group's mean taps. Evaluated on the rfft bins of fir_length.
#include <fmt/format.h>

#include <cmath>

#include "block_analysis.h"

namespace codessm::interpret::detail {

std::vector<FilterReport> analyze_conv_block(const ConvParams& p, const BlockRef& block, AnalysisContext& ctx) {
  const int64_t O = p.weight.size(0), G = p.groups, per_group = O / G;
  const int64_t L = ctx.fir_length, M = ctx.fir_bins.bins;
  auto theta = 2 * M_PI * torch::arange(M, torch::kFloat64) / static_cast<double>(L);  // r(M)
  auto cos_t = torch::cos(theta), sin_t = torch::sin(theta);

  std::vector<FilterReport> out;
  for (int64_t g = 0; g < G; ++g) {
    FilterReport r = new_report(block, g, G);
    r.skip_D = std::nan("");
    auto w = p.weight.slice(0, g * per_group, (g + 1) * per_group).reshape({-1, 3});  // r(P 3), P = pairs
    auto b = p.bias.slice(0, g * per_group, (g + 1) * per_group);                     // r(O/G)
    r.bias_mean = b.mean().item<double>();
    const auto nan = torch::isnan(w).sum().item<int64_t>(), inf = torch::isinf(w).sum().item<int64_t>();
    if (nan + inf > 0) {
      r.status = "non_finite_parameters";
      r.problems.push_back(fmt::format("{}[{}:{}]: {} NaN, {} Inf", p.weight_name, g * per_group, (g + 1) * per_group,
                                       nan, inf));
      w = torch::zeros_like(w);
    }
    auto w0 = w.select(1, 0).unsqueeze(1), w1 = w.select(1, 1).unsqueeze(1), w2 = w.select(1, 2).unsqueeze(1);
    auto re = w1 + (w0 + w2) * cos_t;                                    // r(P M)
    auto im = (w2 - w0) * sin_t;                                         // r(P M)
    auto magnitude = torch::sqrt(re * re + im * im).mean(0).contiguous();  // r(M)
    auto taps = w.mean(0);                                               // r(3): mean w0, w1, w2
    auto mre = taps[1] + (taps[0] + taps[2]) * cos_t, mim = (taps[2] - taps[0]) * sin_t;
    auto phase = torch::atan2(mim, mre).contiguous();                    // r(M)
    const bool keep = take_curve_slot(ctx);
    fill_spectrum(r, magnitude.data_ptr<double>(), phase.data_ptr<double>(), L, ctx.fir_bins, ctx.thresholds, keep);
    if (keep) {
      r.time_x = {-1, 0, 1};
      r.time_y = {taps[2].item<double>(), taps[1].item<double>(), taps[0].item<double>()};  // h[−1], h[0], h[1]
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace codessm::interpret::detail
