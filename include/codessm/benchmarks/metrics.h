// The benchmarks' metrics, on plain vectors (torch-free), each as the benchmark's own evaluator defines it.
// Definitions and their sources: docs/finetune.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace codessm::benchmarks {

/// Rank (1-based) of the gold item in each row of a score matrix scores[q][c] (higher = better). Ties with
/// the gold item are counted against it (rank = 1 + #{c ≠ gold: s[c] ≥ s[gold]}), so a constant scorer
/// cannot look good. `scores` is row-major q × n_pool.
std::vector<int64_t> gold_ranks(const std::vector<float>& scores, int64_t n_pool, const std::vector<int64_t>& gold);
/// Mean of 1/rank. Empty input is a UsageError.
double mean_reciprocal_rank(const std::vector<int64_t>& ranks);
/// Fraction of ranks ≤ k.
double recall_at(const std::vector<int64_t>& ranks, int64_t k);

/// Per-class and averaged scores of a single-label classification (labels 0..n_classes-1).
struct ClassificationScores {
  double accuracy = 0;
  double macro_f1 = 0, macro_precision = 0, macro_recall = 0;  ///< unweighted mean over classes present in gold or pred
  double weighted_f1 = 0;                                      ///< weighted by gold support
  std::vector<double> precision, recall, f1;                   ///< per class (0 where undefined, as sklearn)
  std::vector<int64_t> support;
  std::vector<std::vector<int64_t>> confusion;  ///< [gold][pred]
  nlohmann::json to_json(const std::vector<std::string>& label_names = {}) const;
};
ClassificationScores classification_scores(const std::vector<int64_t>& gold, const std::vector<int64_t>& pred,
                                           int64_t n_classes);

/// Binary precision / recall / F1 of the positive class `positive` (BigCloneBench, DiverseVul's "F1 of vuln").
struct BinaryScores {
  double precision = 0, recall = 0, f1 = 0;
  int64_t tp = 0, fp = 0, fn = 0, tn = 0;
  nlohmann::json to_json() const;
};
BinaryScores binary_scores(const std::vector<int64_t>& gold, const std::vector<int64_t>& pred, int64_t positive = 1);

/// Type inference (ManyTypes4TypeScript): over labelled tokens only. A prediction is correct when it equals
/// the gold type and is not UNK (an UNK gold is always wrong). precision = correct / #predictions that are not
/// UNK, recall = correct / #labelled tokens, F1 their harmonic mean; accuracy = correct / #labelled.
/// top-k: the same restricted to tokens whose gold type is among `top_types`.
struct TypeScores {
  double precision = 0, recall = 0, f1 = 0, accuracy = 0;
  int64_t labelled = 0, correct = 0, predicted = 0;
  nlohmann::json to_json() const;
};
TypeScores type_scores(const std::vector<std::string>& gold, const std::vector<std::string>& pred,
                       const std::vector<std::string>& restrict_to = {});

}  // namespace codessm::benchmarks
