// `codessm interpret` as one call (the CLI only parses flags): analyse a checkpoint and write its report, or
// compare two checkpoints (or two interpret.json results) and write the shift report.
#pragma once

#include <filesystem>
#include <string>

#include "codessm/interpret/interpret_report.h"
#include "codessm/interpret/kernel_analysis.h"

namespace codessm::interpret {

struct InterpretRunOptions {
  std::filesystem::path checkpoint;             ///< analyse this one, or
  std::filesystem::path compare_a, compare_b;   ///< compare these (checkpoints or interpret.json files)
  std::filesystem::path out;                    ///< report folder
  AnalysisOptions analysis;
  CompareOptions compare;
  ReportOptions report;
};

/// Runs the analysis or the comparison and writes the report; returns what was written.
ReportFiles run_interpret(const InterpretRunOptions& opts);

/// A checkpoint is analysed; a file whose envelope schema is interpret.kernels is read back instead.
InterpretResult load_or_analyze(const std::filesystem::path& path, const AnalysisOptions& opts);

}  // namespace codessm::interpret
