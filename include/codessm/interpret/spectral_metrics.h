// Spectral metrics of one real filter from its rfft magnitudes (sample rate 1, so bin k of a length-L signal
// sits at f_k = k/L cycles/sample, k = 0..M-1 with M = ⌊L/2⌋+1, and f runs over [0, 0.5]):
//   dominant frequency  f_dom = f_argmax|X|            (ties: the lowest bin)
//   spectral centroid   SC    = Σ_k f_k·|X_k| / Σ_k |X_k|   (all M bins, DC included)
//   LHFR                      = Σ_{k∈low} |X_k| / Σ_{k∈high} |X_k|
// with the exact bin sets low = [0, n_low), high = [M − n_high, M), n_low = max(1, ⌈low_fraction·M⌉),
// n_high = max(1, ⌈high_fraction·M⌉) (defaults 10 % and 40 % of the bins, SSM-Interpret A.2).
// Torch-free, so tests can feed magnitudes computed any way they like.
#pragma once

#include <cstdint>

namespace codessm::interpret {

/// Which fractions of the rfft bins form the LHFR's low and high bands.
struct BandOptions {
  double low_fraction = 0.1;
  double high_fraction = 0.4;
  /// Throws UsageError unless 0 < low_fraction, 0 < high_fraction and low_fraction + high_fraction ≤ 1.
  void validate() const;
};

/// The exact LHFR bin sets for M bins: low = [0, low_count), high = [high_begin, bins).
struct BinSets {
  int64_t bins = 0;
  int64_t low_count = 0;
  int64_t high_begin = 0;
  int64_t high_count() const { return bins - high_begin; }
};

/// M = ⌊L/2⌋+1 rfft bins of a length-L signal.
inline int64_t rfft_bins(int64_t L) { return L / 2 + 1; }

/// The bin sets for `bins` rfft bins. Throws UsageError when the two bands would overlap (too few bins:
/// a kernel length below 2, or fractions summing to more than 1).
BinSets lhfr_bins(int64_t bins, const BandOptions& bands);

/// Metrics of one spectrum. Fields are NaN where undefined (an all-zero or non-finite spectrum);
/// lhfr is +inf when the high band holds no magnitude but the low band does.
struct SpectralMetrics {
  int64_t dominant_bin = -1;
  double dominant_frequency = 0;  ///< cycles/sample
  double dominant_magnitude = 0;
  double centroid = 0;            ///< SC, cycles/sample
  double lhfr = 0;
  double low_sum = 0, high_sum = 0, total = 0;  ///< Σ|X| over the low band, the high band, all bins
};

/// Metrics of `magnitude[0..bins)`, the rfft magnitudes of a length-`length` real signal
/// (bins == rfft_bins(length)).
SpectralMetrics spectral_metrics(const double* magnitude, int64_t bins, int64_t length, const BinSets& sets);

}  // namespace codessm::interpret
