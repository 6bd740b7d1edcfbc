// Writing an analysis (or a comparison) to a folder: JSON (the source of truth, in the common report
// envelope), Markdown (the layer × direction class table of SSM-Interpret Fig. 5/8 plus details), CSV (one row
// per filter), and gnuplot figures under figures/. Layout of the folder: docs/interpret.md.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "codessm/interpret/compare.h"
#include "codessm/interpret/kernel_analysis.h"
#include "codessm/report/figure.h"

namespace codessm::interpret {

namespace fs = std::filesystem;

/// Per-call knobs of the report.
struct ReportOptions {
  bool figures = true;             ///< write figure scripts and render them
  int64_t max_kernel_figures = 64; ///< per-filter figures at most (the first filters in order); layer figures always
  int64_t max_series = 8;          ///< kernels overlaid per panel in the per-layer magnitude/phase figures
  int64_t max_json_curves = 256;   ///< filters whose curves go into interpret.json (-1 = all; `codessm report`)
  std::string command;             ///< recorded in the JSON envelope
};

/// What was written.
struct ReportFiles {
  fs::path json, markdown, csv;
  std::vector<report::FigureFiles> figures;
  report::RenderResult render;
};

/// Writes interpret.json, interpret.md, interpret.csv and figures/ into `out`.
ReportFiles write_interpret_report(const InterpretResult& r, const fs::path& out, const ReportOptions& opts);

/// Writes compare.json, compare.md, compare.csv and figures/ (SC per layer of both) into `out`.
ReportFiles write_compare_report(const CompareResult& c, const InterpretResult& a, const InterpretResult& b,
                                 const fs::path& out, const ReportOptions& opts);

/// The Markdown layer × direction class table (SSM-Interpret Fig. 5/8): one row per layer, one column per
/// forward/backward filter, cells "class (SC x.xxx)".
std::string class_table_markdown(const InterpretResult& r);

}  // namespace codessm::interpret
