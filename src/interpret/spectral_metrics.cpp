#include "codessm/interpret/spectral_metrics.h"

#include <cmath>
#include <limits>

#include "codessm/core/error.h"

namespace codessm::interpret {

void BandOptions::validate() const {
  CODESSM_REQUIRE(std::isfinite(low_fraction) && std::isfinite(high_fraction) && low_fraction > 0 &&
                      high_fraction > 0 && low_fraction + high_fraction <= 1,
                  UsageError,
                  "LHFR bands overlap or are empty: low fraction {} and high fraction {} of the bins must both be > 0 "
                  "and sum to at most 1",
                  low_fraction, high_fraction);
}

BinSets lhfr_bins(int64_t bins, const BandOptions& bands) {
  bands.validate();
  // ⌈x⌉ with a small tolerance so that e.g. 0.1·1030 = 103.00000000000001 counts 103 bins, not 104.
  auto count = [&](double fraction) {
    return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(fraction * static_cast<double>(bins) - 1e-9)));
  };
  BinSets s;
  s.bins = bins;
  s.low_count = count(bands.low_fraction);
  s.high_begin = bins - count(bands.high_fraction);
  CODESSM_REQUIRE(bins >= 2 && s.low_count <= s.high_begin, UsageError,
                  "{} frequency bins are too few for disjoint LHFR bands ({} low, {} high): use a kernel length of at "
                  "least 2 (more for fractions near 1)",
                  bins, s.low_count, bins - s.high_begin);
  return s;
}

SpectralMetrics spectral_metrics(const double* magnitude, int64_t bins, int64_t length, const BinSets& sets) {
  CODESSM_CHECK(bins == sets.bins && bins == length / 2 + 1, "bins {} / sets {} / length {}", bins, sets.bins, length);
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  SpectralMetrics m;
  double weighted = 0, best = -1;
  bool finite = true;
  for (int64_t k = 0; k < bins; ++k) {
    const double x = magnitude[k];
    if (!std::isfinite(x)) finite = false;
    const double f = static_cast<double>(k) / static_cast<double>(length);
    m.total += x;
    weighted += f * x;
    if (k < sets.low_count) m.low_sum += x;
    if (k >= sets.high_begin) m.high_sum += x;
    if (x > best) {  // strict: ties keep the lowest bin
      best = x;
      m.dominant_bin = k;
    }
  }
  if (!finite || !(m.total > 0)) {
    m.dominant_bin = -1;
    m.dominant_frequency = m.dominant_magnitude = m.centroid = m.lhfr = kNaN;
    return m;
  }
  m.dominant_magnitude = best;
  m.dominant_frequency = static_cast<double>(m.dominant_bin) / static_cast<double>(length);
  m.centroid = weighted / m.total;
  m.lhfr = m.high_sum > 0 ? m.low_sum / m.high_sum : std::numeric_limits<double>::infinity();
  return m;
}

}  // namespace codessm::interpret
