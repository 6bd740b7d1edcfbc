// The probe's report: JSON as the source of truth (schema "codessm.probe.directprobe", versioned)
// and a Markdown rendering of it. Figures come from the report module (TODO(issue 5)).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "codessm/probe/directprobe.h"
#include "codessm/probe/invariants.h"
#include "codessm/probe/predict.h"

namespace codessm::probe {

inline constexpr const char* kReportSchema = "codessm.probe.directprobe";
inline constexpr int kReportSchemaVersion = 1;

/// Everything a report shows; pointers may be null when that part did not run.
struct ReportInputs {
  const LabelSet* labels = nullptr;
  const std::vector<Cluster>* clusters = nullptr;
  const DirectProbeResult* probe = nullptr;   ///< null when clusters were loaded from clusters.txt
  const Accuracy* accuracy = nullptr;         ///< null without a test set
  const InvariantReport* invariants = nullptr;
  bool distance_labels = false;               ///< add accuracy per distance value (numeric order)
  nlohmann::json inputs;                      ///< paths and sizes
  nlohmann::json options;                     ///< resolved options
  nlohmann::json timings;                     ///< seconds per phase
};

/// Builds the report JSON.
nlohmann::json make_report(const ReportInputs& in);

/// Renders the report JSON as Markdown tables (never edited by hand). Throws DataError for a
/// different schema or a newer schema_version.
std::string render_markdown(const nlohmann::json& report);

}  // namespace codessm::probe
