// Classification metrics with scikit-learn's conventions (precision_recall_fscore_support, zero_division=0):
// a class never predicted has precision 0, a class without gold support has recall 0, and the macro mean
// runs over the classes present in gold or prediction (sklearn's unique_labels), not over all n_classes.
#include <fmt/format.h>

#include "codessm/core/error.h"
#include "codessm/benchmarks/metrics.h"

namespace codessm::benchmarks {

namespace {

double ratio(int64_t num, int64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

// F1 = 2PR / (P + R) = 2tp / (2tp + fp + fn); 0 when tp = 0 (sklearn's zero_division=0).
double f1_of(double p, double r) {
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

void require_same_size(const std::vector<int64_t>& gold, const std::vector<int64_t>& pred, const char* what) {
  CODESSM_REQUIRE(gold.size() == pred.size(), UsageError, "{}: {} gold labels but {} predictions", what, gold.size(),
                  pred.size());
  CODESSM_REQUIRE(!gold.empty(), UsageError, "{}: no examples (empty evaluation set)", what);
}

}  // namespace

ClassificationScores classification_scores(const std::vector<int64_t>& gold, const std::vector<int64_t>& pred,
                                           int64_t n_classes) {
  require_same_size(gold, pred, "classification_scores");
  CODESSM_REQUIRE(n_classes > 0, UsageError, "classification_scores: n_classes must be > 0, got {}", n_classes);
  const auto n = static_cast<size_t>(n_classes);
  ClassificationScores s;
  s.confusion.assign(n, std::vector<int64_t>(n, 0));
  for (size_t i = 0; i < gold.size(); ++i) {
    for (const int64_t v : {gold[i], pred[i]}) {
      CODESSM_REQUIRE(v >= 0 && v < n_classes, UsageError,
                      "classification_scores: label {} at example {} is outside [0, {})", v, i, n_classes);
    }
    ++s.confusion[gold[i]][pred[i]];
  }
  s.precision.assign(n, 0);
  s.recall.assign(n, 0);
  s.f1.assign(n, 0);
  s.support.assign(n, 0);
  int64_t correct = 0, present = 0;
  for (size_t c = 0; c < n; ++c) {
    int64_t predicted = 0;
    for (size_t g = 0; g < n; ++g) {
      s.support[c] += s.confusion[c][g];
      predicted += s.confusion[g][c];
    }
    const int64_t tp = s.confusion[c][c];
    correct += tp;
    s.precision[c] = ratio(tp, predicted);
    s.recall[c] = ratio(tp, s.support[c]);
    s.f1[c] = f1_of(s.precision[c], s.recall[c]);
    if (s.support[c] == 0 && predicted == 0) continue;  // absent from both: not part of the macro mean
    ++present;
    s.macro_precision += s.precision[c];
    s.macro_recall += s.recall[c];
    s.macro_f1 += s.f1[c];
    s.weighted_f1 += s.f1[c] * static_cast<double>(s.support[c]);
  }
  const auto total = static_cast<int64_t>(gold.size());
  s.accuracy = ratio(correct, total);
  s.macro_precision /= static_cast<double>(present);
  s.macro_recall /= static_cast<double>(present);
  s.macro_f1 /= static_cast<double>(present);
  s.weighted_f1 /= static_cast<double>(total);
  return s;
}

nlohmann::json ClassificationScores::to_json(const std::vector<std::string>& label_names) const {
  CODESSM_REQUIRE(label_names.empty() || label_names.size() == f1.size(), UsageError,
                  "ClassificationScores::to_json: {} label names for {} classes", label_names.size(), f1.size());
  nlohmann::json per_class = nlohmann::json::object();
  for (size_t c = 0; c < f1.size(); ++c) {
    const std::string name = label_names.empty() ? std::to_string(c) : label_names[c];
    per_class[name] = {{"precision", precision[c]}, {"recall", recall[c]}, {"f1", f1[c]}, {"support", support[c]}};
  }
  return {{"accuracy", accuracy},         {"macro_f1", macro_f1},       {"macro_precision", macro_precision},
          {"macro_recall", macro_recall}, {"weighted_f1", weighted_f1}, {"per_class", per_class},
          {"confusion", confusion}};
}

BinaryScores binary_scores(const std::vector<int64_t>& gold, const std::vector<int64_t>& pred, int64_t positive) {
  require_same_size(gold, pred, "binary_scores");
  BinaryScores s;
  for (size_t i = 0; i < gold.size(); ++i) {
    const bool g = gold[i] == positive, p = pred[i] == positive;
    (g ? (p ? s.tp : s.fn) : (p ? s.fp : s.tn)) += 1;
  }
  s.precision = ratio(s.tp, s.tp + s.fp);
  s.recall = ratio(s.tp, s.tp + s.fn);
  s.f1 = f1_of(s.precision, s.recall);
  return s;
}

nlohmann::json BinaryScores::to_json() const {
  return {{"precision", precision}, {"recall", recall}, {"f1", f1}, {"tp", tp}, {"fp", fp}, {"fn", fn}, {"tn", tn}};
}

}  // namespace codessm::benchmarks
