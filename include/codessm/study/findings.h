// The papers' findings F1–F6 beside ours: each verdict ("reproduces", "fails", "inconclusive") is computed from
// the study's evidence with the rules stated in docs/study.md §Verdicts and written into every finding, so a
// reader can redo it. Nothing here is tuned to a result; the paper's numbers are quoted with their source.
// Torch-free.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codessm/study/study_config.h"

namespace codessm::study {

/// What the report gathered (absent parts are null; the finding then says what is missing).
struct Evidence {
  /// name → {"probe": merged `probe layers` summary rows of that checkpoint} is kept flat instead:
  nlohmann::json probe_rows = nlohmann::json::array();  ///< summary rows, "model" = "<name> (pretrained|types)"
  nlohmann::json probe_test_pairs = nlohmann::json::object();  ///< task → test pairs
  nlohmann::json interpret = nlohmann::json::object();  ///< "<model>/<stage>" → interpret.json results
  nlohmann::json compare = nlohmann::json::object();    ///< model → compare.json results (without the analyses)
  nlohmann::json types = nlohmann::json::object();      ///< model → finetune results (test metrics)
  nlohmann::json retrieval = nlohmann::json::object();  ///< model → {"results": finetune results, "ranks": [...]}
  nlohmann::json extrapolation = nlohmann::json::object();  ///< model → extrapolation results
  nlohmann::json memory = nlohmann::json::array();      ///< [{"model", "file", "points": [[L, GiB], ...]}]
  nlohmann::json params = nlohmann::json::object();     ///< model → parameter count
  std::string reference = "codessm";                    ///< the CodeSSM model of the study
  std::string baseline = "rocoder";                     ///< the Transformer of F1 / F5 / F6
  std::vector<std::string> variants{"codessm-hf", "codessm-8kernel"};
};

/// Evaluates F1–F6: [{"id", "claim", "paper", "ours", "verdict", "why", "rule", "evidence": [files], "details"}].
nlohmann::json evaluate_findings(const Evidence& ev, const VerdictSection& rules);

/// The memory growth exponent s of peak memory m(L) ≈ a + b·L^s from its three largest lengths (the constant a —
/// weights, workspace — cancels): s solves (m3 − m2)/(m2 − m1) = (L3^s − L2^s)/(L2^s − L1^s), by bisection on
/// [0.25, 4]. NaN when there are fewer than 3 points or the increments are not both positive.
double memory_exponent(const std::vector<std::pair<double, double>>& points);

/// Spearman's rank correlation of x and y (average ranks for ties) and its one-sided exact permutation p-value
/// P(ρ_perm ≥ ρ) over all n! orders (n ≤ 9; NaN otherwise or when a side is constant).
std::pair<double, double> spearman_exact(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace codessm::study
