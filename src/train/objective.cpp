// select_metric (objective.h): the run's `metric` override applied to any evaluator's result.
#include "codessm/train/objective.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "codessm/core/error.h"

namespace codessm::train {

void select_metric(EvalResult& r, const std::string& metric) {
  if (metric.empty() || metric == r.primary) return;
  std::vector<std::string> numeric;
  for (auto& [k, v] : r.metrics.items())
    if (v.is_number()) numeric.push_back(k);
  CODESSM_REQUIRE(r.metrics.contains(metric) && r.metrics[metric].is_number(), UsageError,
                  "metric '{}' is not among this evaluation's metrics ({}); set run.metric to one of them, or \"\" for "
                  "the objective's own ({})",
                  metric, fmt::join(numeric, ", "), r.primary);
  r.primary = metric;
  r.value = r.metrics[metric].get<double>();
  // A loss is minimised; every other metric (accuracy, F1, MRR, recall) is maximised.
  r.higher_is_better = metric.find("loss") == std::string::npos;
}

}  // namespace codessm::train
