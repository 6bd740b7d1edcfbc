// Low/band/high-pass classes of a filter from its spectral metrics (SSM-Interpret §4.1, A.2; model-spec
// §2.5 and §8.11), with explicit thresholds and one documented rule combining the SC and LHFR votes.
// Torch-free.
#pragma once

#include <string>

namespace codessm::interpret {

/// The class of a filter. kUndefined: no spectrum (non-finite parameters or kernel, all-zero kernel).
enum class FilterClass { kLow = 0, kBand = 1, kHigh = 2, kUndefined = 3 };

/// "low", "band", "high", "undefined".
std::string to_string(FilterClass c);
/// Inverse of to_string; throws UsageError for anything else.
FilterClass parse_filter_class(const std::string& s);

/// Class thresholds. Frequencies are in cycles/sample (Nyquist 0.5).
struct ClassThresholds {
  double sc_low = 0.5 / 3;      ///< SC < sc_low → low-pass   (paper: 0.5/3 ≈ 0.167)
  double sc_high = 2 * 0.5 / 3; ///< SC > sc_high → high-pass (paper: 2·0.5/3 ≈ 0.333); else band
  double lhfr_low = 10;         ///< LHFR > lhfr_low → low-pass (the paper's "LHFR ≫ 10")
  double lhfr_high = 1;         ///< LHFR < lhfr_high → high-pass (the paper's "LHFR ≪ 1"); else band

  /// Throws UsageError naming the field when the classes would overlap or be empty:
  /// needs 0 < sc_low < sc_high < 0.5 and 0 < lhfr_high < lhfr_low (all finite).
  void validate() const;
  /// Parses "sc_low=0.1,lhfr_low=20" (any subset, comma separated) over the defaults, then validates.
  static ClassThresholds parse(const std::string& spec);
};

/// By spectral centroid (cycles/sample).
FilterClass classify_sc(double sc, const ClassThresholds& t);
/// By low/high frequency ratio (dimensionless; +inf when the high band is empty of magnitude).
FilterClass classify_lhfr(double lhfr, const ClassThresholds& t);
/// By dominant frequency, on the same frequency thirds as SC (the paper argues this one misleads).
FilterClass classify_dominant(double f_dom, const ClassThresholds& t);

/// The combined class. Rule (documented in docs/interpret.md):
///  1. SC and LHFR agree → that class.
///  2. They contradict each other outright (one says low, the other high) → band: the magnitude sits at both
///     ends of the spectrum, which is no low- or high-pass shape.
///  3. Otherwise (exactly one of them says band) → SC's class. SC uses every bin, while LHFR looks at half of
///     them and, because its high band has 4× the bins of its low band, is < 1 already for a flat spectrum
///     (LHFR = 0.25) and for any band-pass at mid frequencies: its "high" and "band" votes are weak evidence.
/// Either class undefined → undefined.
FilterClass combine_classes(FilterClass by_sc, FilterClass by_lhfr);

/// One-line statement of combine_classes' rule, written into every report.
const char* combine_rule_text();

}  // namespace codessm::interpret
