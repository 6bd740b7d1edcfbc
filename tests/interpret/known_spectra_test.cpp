// Kernels with known spectra: the library's rfft + metrics against float64 references computed here,
// independently (a direct O(L²) DFT, and SC/LHFR summed straight from their definitions).
#include <cmath>
#include <complex>
#include <functional>
#include <vector>

#include "codessm/interpret/filter_class.h"
#include "codessm/interpret/kernel_spectrum.h"
#include "codessm/interpret/spectral_metrics.h"
#include "test_utils.h"

namespace codessm::interpret {
namespace {

/// Direct DFT of a real signal at bins 0..⌊L/2⌋ (float64, no FFT).
std::vector<std::complex<double>> direct_rfft(const std::vector<double>& x) {
  const size_t L = x.size(), M = L / 2 + 1;
  std::vector<std::complex<double>> X(M);
  for (size_t k = 0; k < M; ++k) {
    std::complex<double> s = 0;
    for (size_t l = 0; l < L; ++l) s += x[l] * std::polar(1.0, -2 * M_PI * double((k * l) % L) / double(L));
    X[k] = s;
  }
  return X;
}

struct Reference {
  std::vector<double> magnitude;
  double sc, lhfr, f_dom;
};

/// SC and LHFR from their definitions: bins with f < ... are chosen by counting, as docs/interpret.md states.
Reference reference(const std::vector<double>& x) {
  Reference r;
  const auto X = direct_rfft(x);
  const size_t L = x.size(), M = X.size();
  const size_t n_low = std::max<size_t>(1, size_t(std::ceil(0.1 * M - 1e-9)));
  const size_t n_high = std::max<size_t>(1, size_t(std::ceil(0.4 * M - 1e-9)));
  double num = 0, den = 0, low = 0, high = 0, best = -1;
  for (size_t k = 0; k < M; ++k) {
    const double a = std::abs(X[k]), f = double(k) / double(L);
    r.magnitude.push_back(a);
    num += f * a;
    den += a;
    if (k < n_low) low += a;
    if (k >= M - n_high) high += a;
    if (a > best) {
      best = a;
      r.f_dom = f;
    }
  }
  r.sc = num / den;
  r.lhfr = low / high;
  return r;
}

struct Analysed {
  SpectralMetrics m;
  FilterClass sc, lhfr, combined, dominant;
  std::vector<double> magnitude, phase;
};

/// The library path: kernel_spectra (torch rfft) → spectral_metrics → classes.
Analysed analyse(const std::vector<double>& x) {
  const int64_t L = static_cast<int64_t>(x.size());
  auto t = torch::tensor(x, torch::kFloat64).unsqueeze(0);  // r(1 L)
  auto s = kernel_spectra(t);
  Analysed a;
  const auto bins = lhfr_bins(rfft_bins(L), BandOptions{});
  a.m = spectral_metrics(s.magnitude.data_ptr<double>(), bins.bins, L, bins);
  a.magnitude.assign(s.magnitude.data_ptr<double>(), s.magnitude.data_ptr<double>() + bins.bins);
  a.phase.assign(s.phase.data_ptr<double>(), s.phase.data_ptr<double>() + bins.bins);
  ClassThresholds th;
  a.sc = classify_sc(a.m.centroid, th);
  a.lhfr = classify_lhfr(a.m.lhfr, th);
  a.combined = combine_classes(a.sc, a.lhfr);
  a.dominant = classify_dominant(a.m.dominant_frequency, th);
  return a;
}

std::vector<double> make(int64_t L, const std::function<double(int64_t)>& f) {
  std::vector<double> x(L);
  for (int64_t l = 0; l < L; ++l) x[l] = f(l);
  return x;
}

void expect_matches_reference(const std::vector<double>& x, const Analysed& a) {
  const auto r = reference(x);
  ASSERT_EQ(a.magnitude.size(), r.magnitude.size());
  double scale = 0;
  for (double v : r.magnitude) scale = std::max(scale, v);
  for (size_t k = 0; k < r.magnitude.size(); ++k) EXPECT_NEAR(a.magnitude[k], r.magnitude[k], 1e-10 * scale) << k;
  EXPECT_NEAR(a.m.centroid, r.sc, 1e-10);
  EXPECT_NEAR(a.m.lhfr, r.lhfr, 1e-9 * r.lhfr);
  EXPECT_DOUBLE_EQ(a.m.dominant_frequency, r.f_dom);
}

TEST(KnownSpectra, DecayIsLowPass) {
  for (double a : {0.9, 0.99}) {
    auto x = make(256, [&](int64_t l) { return std::pow(a, l); });
    auto r = analyse(x);
    expect_matches_reference(x, r);
    // |X(f)| = |1 − a^L e^{−2πifL}| / |1 − a e^{−2πif}| peaks at f = 0: the dominant bin is DC.
    EXPECT_EQ(r.m.dominant_bin, 0);
    EXPECT_EQ(r.sc, FilterClass::kLow) << "a=" << a << " SC=" << r.m.centroid;
    EXPECT_EQ(r.combined, FilterClass::kLow);
    EXPECT_EQ(r.dominant, FilterClass::kLow);
  }
}

TEST(KnownSpectra, AlternatingDecayIsHighPass) {
  for (double a : {0.8, 0.9}) {  // (a = 0.5 is a mild high-pass: SC 0.304 is still "band")
    auto x = make(256, [&](int64_t l) { return std::pow(-a, l); });
    auto r = analyse(x);
    expect_matches_reference(x, r);
    EXPECT_EQ(r.m.dominant_bin, 128);  // Nyquist
    EXPECT_EQ(r.sc, FilterClass::kHigh) << "SC=" << r.m.centroid;
    EXPECT_EQ(r.lhfr, FilterClass::kHigh) << "LHFR=" << r.m.lhfr;
    EXPECT_EQ(r.combined, FilterClass::kHigh);
    EXPECT_EQ(r.dominant, FilterClass::kHigh);
  }
}

TEST(KnownSpectra, CosineModulatedDecayIsBandPassAtF0) {
  const int64_t L = 512;
  for (int64_t bin : {100, 128, 150}) {  // f0 = 0.195, 0.25, 0.293: all in the middle third
    const double f0 = double(bin) / L;
    auto x = make(L, [&](int64_t l) { return std::pow(0.97, l) * std::cos(2 * M_PI * f0 * l); });
    auto r = analyse(x);
    expect_matches_reference(x, r);
    EXPECT_LE(std::abs(r.m.dominant_bin - bin), 1) << "f0=" << f0;
    EXPECT_NEAR(r.m.dominant_frequency, f0, 1.0 / L + 1e-12);
    EXPECT_EQ(r.sc, FilterClass::kBand) << "SC=" << r.m.centroid;
    EXPECT_EQ(r.combined, FilterClass::kBand);
    EXPECT_EQ(r.dominant, FilterClass::kBand);
  }
}

TEST(KnownSpectra, DeltaHasAFlatSpectrum) {
  const int64_t L = 200;
  auto x = make(L, [](int64_t l) { return l == 0 ? 1.0 : 0.0; });
  auto r = analyse(x);
  expect_matches_reference(x, r);
  for (size_t k = 0; k < r.magnitude.size(); ++k) {
    EXPECT_NEAR(r.magnitude[k], 1.0, 1e-14);
    EXPECT_NEAR(r.phase[k], 0.0, 1e-14);
  }
  // Flat: SC is the mean bin frequency, LHFR the ratio of the band sizes (11 / 41 bins of 101).
  double mean_f = 0;
  for (int64_t k = 0; k <= L / 2; ++k) mean_f += double(k) / L;
  mean_f /= (L / 2 + 1);
  EXPECT_NEAR(r.m.centroid, mean_f, 1e-12);
  EXPECT_NEAR(r.m.lhfr, 11.0 / 41.0, 1e-12);
  EXPECT_EQ(r.sc, FilterClass::kBand);
  EXPECT_EQ(r.lhfr, FilterClass::kHigh);     // LHFR < 1 for any flat spectrum: a weak "high" vote
  EXPECT_EQ(r.combined, FilterClass::kBand); // rule 3: SC decides
  EXPECT_EQ(r.m.dominant_bin, 0);            // ties → lowest bin
}

TEST(KnownSpectra, SharpHighPeakOverLowEnergyFoolsTheDominantFrequency) {
  // A smooth Gaussian bump (all its magnitude below f ≈ 0.05) plus a faint sinusoid at f = 0.4: the sinusoid's
  // single bin (0.05·L/2 = 25.6) out-tops the bump's DC (8·√(2π) ≈ 20.1), but it is one bin of 513.
  const int64_t L = 1024, bin = 410;
  auto x = make(L, [&](int64_t l) {
    return std::exp(-0.5 * std::pow((l - L / 2) / 8.0, 2)) + 0.05 * std::cos(2 * M_PI * double(bin) / L * l);
  });
  auto r = analyse(x);
  expect_matches_reference(x, r);
  EXPECT_EQ(r.m.dominant_bin, bin);
  EXPECT_EQ(r.dominant, FilterClass::kHigh);
  EXPECT_EQ(r.sc, FilterClass::kLow) << "SC=" << r.m.centroid;
  EXPECT_EQ(r.lhfr, FilterClass::kLow) << "LHFR=" << r.m.lhfr;
  EXPECT_EQ(r.combined, FilterClass::kLow);
}

TEST(KnownSpectra, ZeroKernelHasNoMetrics) {
  auto r = analyse(std::vector<double>(64, 0.0));
  EXPECT_TRUE(std::isnan(r.m.centroid));
  EXPECT_EQ(r.m.dominant_bin, -1);
  EXPECT_EQ(r.combined, FilterClass::kUndefined);
}

}  // namespace
}  // namespace codessm::interpret
