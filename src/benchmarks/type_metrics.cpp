// Type-inference scores in the ManyTypes4TypeScript style: only labelled tokens count, UNK is never right
// (neither as a prediction nor as gold), and top-k restricts the tokens by their gold type.
#include <fmt/format.h>

#include <unordered_set>

#include "codessm/core/error.h"
#include "codessm/benchmarks/datasets.h"
#include "codessm/benchmarks/metrics.h"

namespace codessm::benchmarks {

TypeScores type_scores(const std::vector<std::string>& gold, const std::vector<std::string>& pred,
                       const std::vector<std::string>& restrict_to) {
  CODESSM_REQUIRE(gold.size() == pred.size(), UsageError, "type_scores: {} gold labels but {} predictions", gold.size(),
                  pred.size());
  const std::unordered_set<std::string> keep(restrict_to.begin(), restrict_to.end());
  const std::string unk = TypeVocab::kUnk;
  TypeScores s;
  for (size_t i = 0; i < gold.size(); ++i) {
    if (gold[i].empty()) continue;  // not a labelled token
    if (!keep.empty() && keep.count(gold[i]) == 0) continue;
    ++s.labelled;
    // An empty prediction on a labelled token is "no answer", the same as UNK.
    const bool answered = !pred[i].empty() && pred[i] != unk;
    if (answered) ++s.predicted;
    if (answered && pred[i] == gold[i]) ++s.correct;
  }
  auto ratio = [](int64_t a, int64_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b); };
  s.precision = ratio(s.correct, s.predicted);
  s.recall = ratio(s.correct, s.labelled);
  s.accuracy = s.recall;  // both are correct / labelled by the definition in metrics.h
  s.f1 = s.precision + s.recall == 0 ? 0.0 : 2 * s.precision * s.recall / (s.precision + s.recall);
  return s;
}

nlohmann::json TypeScores::to_json() const {
  return {{"precision", precision}, {"recall", recall},      {"f1", f1}, {"accuracy", accuracy}, {"labelled", labelled},
          {"correct", correct},     {"predicted", predicted}};
}

}  // namespace codessm::benchmarks
