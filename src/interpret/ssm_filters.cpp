// S4D kernels of one block → FilterReports: materialise K (float64, kernels::s4d_kernel_reference), add D·δ₀ if asked,
// rfft, metrics. Non-finite parameters are reported per kernel and that kernel is left unclassified.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "block_analysis.h"
#include "codessm/interpret/kernel_spectrum.h"
#include "codessm/kernels/s4d_kernel.h"

namespace codessm::interpret::detail {

FilterReport new_report(const BlockRef& block, int64_t index, int64_t block_size) {
  FilterReport r;
  r.layer = block.layer;
  r.direction = block.direction;
  r.kind = block.kind;
  r.index = index;
  r.block_size = block_size;
  r.tensor_prefix = block.prefix;
  return r;
}

bool take_curve_slot(AnalysisContext& ctx) {
  if (ctx.keep_curves < 0) return true;
  if (ctx.keep_curves == 0) return false;
  --ctx.keep_curves;
  return true;
}

void fill_spectrum(FilterReport& r, const double* magnitude, const double* phase, int64_t length, const BinSets& bins,
                   const ClassThresholds& t, bool keep_curves) {
  r.metrics = spectral_metrics(magnitude, bins.bins, length, bins);
  if (r.ok() && !(r.metrics.total > 0)) {
    r.status = "zero_kernel";
    r.problems.push_back(r.tensor_prefix + ": the filter is zero everywhere, so it has no spectrum to classify");
  }
  if (r.ok()) {
    r.by_sc = classify_sc(r.metrics.centroid, t);
    r.by_lhfr = classify_lhfr(r.metrics.lhfr, t);
    r.combined = combine_classes(r.by_sc, r.by_lhfr);
    r.by_dominant = classify_dominant(r.metrics.dominant_frequency, t);
  }
  if (keep_curves) {
    r.magnitude.assign(magnitude, magnitude + bins.bins);
    r.phase.assign(phase, phase + bins.bins);
    r.frequency.resize(bins.bins);
    for (int64_t k = 0; k < bins.bins; ++k) r.frequency[k] = static_cast<double>(k) / static_cast<double>(length);
  }
}

namespace {

/// "name[h]: a NaN, b Inf" for every parameter slice of kernel h that is not finite.
std::vector<std::string> non_finite_parameters(const SsmParams& p, int64_t h) {
  std::vector<std::string> out;
  const std::pair<const char*, const torch::Tensor*> fields[] = {
      {"log_step", &p.log_step}, {"A_re", &p.A_re}, {"A_im", &p.A_im}, {"C", &p.C}, {"D", &p.D}};
  for (auto& [field, t] : fields) {
    auto s = t->select(0, h);
    const auto nan = torch::isnan(s).sum().item<int64_t>();
    const auto inf = torch::isinf(s).sum().item<int64_t>();
    if (nan + inf > 0) out.push_back(fmt::format("{}[{}]: {} NaN, {} Inf", p.names.at(field), h, nan, inf));
  }
  return out;
}

}  // namespace

std::vector<FilterReport> analyze_ssm_block(const SsmParams& p, const BlockRef& block, AnalysisContext& ctx) {
  const int64_t K = p.log_step.size(0), L = ctx.length;
  // Rows with non-finite parameters are zeroed before materialising so that nothing NaN-valued flows into
  // shared arithmetic; the report says why that kernel has no class.
  std::vector<std::vector<std::string>> bad(K);
  auto ls = p.log_step.clone(), are = p.A_re.clone(), aim = p.A_im.clone(), c = p.C.clone(), d = p.D.clone();
  for (int64_t h = 0; h < K; ++h) {
    bad[h] = non_finite_parameters(p, h);
    if (bad[h].empty()) continue;
    ls[h].zero_();
    are[h].fill_(-0.5);
    aim[h].zero_();
    c[h].zero_();
    d[h].zero_();
  }
  // The float64 recurrence (x_l = Ā x_{l-1} + B̄ δ_l) rather than the Vandermonde fast path: it needs N·L complex
  // multiply-adds per kernel instead of N·L complex exponentials (codessm-base: 0.05 s instead of 0.7 s), and its
  // rounding error stays ~l·eps (2e-13 at L = 2048), far below what the metrics resolve.
  auto kernel = kernels::s4d_kernel_reference(ls, are, aim, c, L);  // r(K L) float64
  if (ctx.include_skip) kernel.select(1, 0).add_(d);      // K[h,0] += D_h
  auto spectra = kernel_spectra(kernel);                  // r(K M) each
  auto kern = kernel.contiguous();
  const double* kd = kern.data_ptr<double>();
  const double* mag = spectra.magnitude.data_ptr<double>();
  const double* ph = spectra.phase.data_ptr<double>();
  const int64_t M = ctx.bins.bins;

  std::vector<FilterReport> out;
  for (int64_t h = 0; h < K; ++h) {
    FilterReport r = new_report(block, h, K);
    r.skip_D = p.D[h].item<double>();
    if (!bad[h].empty()) {
      r.status = "non_finite_parameters";
      r.problems = bad[h];
    } else {
      int64_t nonfinite = 0;
      for (int64_t l = 0; l < L; ++l) nonfinite += !std::isfinite(kd[h * L + l]);
      if (nonfinite > 0) {
        r.status = "non_finite_kernel";
        r.problems.push_back(fmt::format("{}: kernel {} has {} non-finite values of {} (parameters overflow, e.g. a "
                                         "huge log_step)", block.prefix, h, nonfinite, L));
      }
    }
    const bool keep = take_curve_slot(ctx);
    fill_spectrum(r, mag + h * M, ph + h * M, L, ctx.bins, ctx.thresholds, keep);
    if (keep) {
      r.time_x.resize(L);
      for (int64_t l = 0; l < L; ++l) r.time_x[l] = static_cast<double>(l);
      r.time_y.assign(kd + h * L, kd + (h + 1) * L);
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace codessm::interpret::detail
