// The spectral shift between two analyses of the same architecture (e.g. pretrained vs fine-tuned): per
// filter the change in SC, LHFR and class, per layer the mean SC change, and which layers moved toward high
// frequency (SSM-Interpret §5: fine-tuning shifts kernels, which explains CodeSSM's weakness on type inference).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "codessm/interpret/kernel_analysis.h"

namespace codessm::interpret {

inline constexpr const char* kCompareSchema = "interpret.compare";
inline constexpr int kCompareSchemaVersion = 1;

/// Knobs of the comparison.
struct CompareOptions {
  /// A layer "moves toward high (low) frequency" when the mean SC change of its filters exceeds +eps (is below
  /// −eps), cycles/sample. Class moves are reported separately (they need a threshold to be crossed).
  double sc_epsilon = 1e-3;
};

/// One filter present in both analyses.
struct FilterChange {
  int64_t layer = 0;
  Direction direction = Direction::kForward;
  FilterKind kind = FilterKind::kSsm;
  int64_t index = 0;
  std::string label;
  double sc_a = 0, sc_b = 0, lhfr_a = 0, lhfr_b = 0;
  FilterClass class_a = FilterClass::kUndefined, class_b = FilterClass::kUndefined;  ///< combined classes
  double d_sc() const { return sc_b - sc_a; }
  /// log10(LHFR_b / LHFR_a): LHFR is a ratio, so its change is multiplicative.
  double d_log10_lhfr() const;
  /// +1 per class step toward high (low → band → high), −1 per step toward low; 0 if either is undefined.
  int class_shift() const;
};

/// Per layer: the mean SC change over its filters and the class moves.
struct LayerShift {
  int64_t layer = 0;
  int filters = 0;
  double mean_d_sc = 0;
  int classes_up = 0, classes_down = 0;  ///< filters whose combined class moved toward high / low
  std::string toward;                    ///< "high", "low" or "none" (by mean_d_sc vs ±sc_epsilon)
};

struct CompareResult {
  std::string source_a, source_b;
  int64_t length_a = 0, length_b = 0;
  CompareOptions options;
  std::vector<FilterChange> changes;   ///< filters found in both, in A's order
  std::vector<std::string> unmatched;  ///< labels present in only one of the two ("A only: …", "B only: …")
  std::vector<LayerShift> layers;
  std::vector<std::string> warnings;   ///< e.g. different kernel lengths
  std::vector<int64_t> layers_toward_high() const;
  std::vector<int64_t> layers_toward_low() const;
};

/// Matches filters by (layer, kind, direction, index) and computes the changes.
CompareResult compare_results(const InterpretResult& a, const InterpretResult& b, const CompareOptions& opts = {});

/// The "results" object of compare.json.
nlohmann::json to_json(const CompareResult& c);

}  // namespace codessm::interpret
