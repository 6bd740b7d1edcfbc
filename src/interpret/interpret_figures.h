// Private: the figures of an analysis and of a comparison, as report::Figure scripts (not yet rendered).
#pragma once

#include <filesystem>
#include <vector>

#include "codessm/interpret/interpret_report.h"

namespace codessm::interpret::detail {

/// class_grid, one kernel_<stem> per filter with curves (up to opts.max_kernel_figures), one layer_<i> per layer.
std::vector<report::FigureFiles> write_interpret_figures(const InterpretResult& r, const std::filesystem::path& dir,
                                                         const ReportOptions& opts);

/// sc_compare (SC per layer of both), class_grid_a, class_grid_b.
std::vector<report::FigureFiles> write_compare_figures(const CompareResult& c, const InterpretResult& a,
                                                       const InterpretResult& b, const std::filesystem::path& dir);

}  // namespace codessm::interpret::detail
