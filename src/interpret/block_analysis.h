// Private: analysis of one SSM block (its K kernels) or one HF conv (its G groups) into FilterReports.
#pragma once

#include <vector>

#include "codessm/interpret/kernel_analysis.h"

namespace codessm::interpret::detail {

/// What every block analysis needs, fixed for a run.
struct AnalysisContext {
  int64_t length = 0;
  bool include_skip = false;
  ClassThresholds thresholds;
  BinSets bins, fir_bins;
  int64_t fir_length = 0;
  int64_t keep_curves = -1;  ///< remaining filters whose curves are kept (-1 = all); decremented as used
};

/// Metrics and classes of one filter from its magnitude r(M) (and phase, frequencies for the kept curves).
void fill_spectrum(FilterReport& r, const double* magnitude, const double* phase, int64_t length,
                   const BinSets& bins, const ClassThresholds& t, bool keep_curves);

/// A report for filter `index` of `block` (identity fields only).
FilterReport new_report(const BlockRef& block, int64_t index, int64_t block_size);

/// Whether the next filter keeps its curves (consumes one unit of ctx.keep_curves).
bool take_curve_slot(AnalysisContext& ctx);

std::vector<FilterReport> analyze_ssm_block(const SsmParams& p, const BlockRef& block, AnalysisContext& ctx);
std::vector<FilterReport> analyze_conv_block(const ConvParams& p, const BlockRef& block, AnalysisContext& ctx);

}  // namespace codessm::interpret::detail
