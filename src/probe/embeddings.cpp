// Label lookup and input validation for the probe.
#include "codessm/probe/embeddings.h"

#include <cmath>

#include "codessm/core/error.h"

namespace codessm::probe {

int LabelSet::find(const std::string& name) const {
  for (int i = 0; i < size(); ++i)
    if (names[i] == name) return i;
  return -1;
}

void validate_points(const LabeledPoints& p, int num_labels, const std::string& what) {
  CODESSM_REQUIRE(p.x.n >= 0 && p.x.d >= 1, DataError, "{}: embeddings have dimension {}; need at least 1 column",
                  what, p.x.d);
  CODESSM_REQUIRE(static_cast<int64_t>(p.x.values.size()) == p.x.n * p.x.d, DataError,
                  "{}: embeddings hold {} values, expected n*d = {}*{}", what, p.x.values.size(), p.x.n, p.x.d);
  CODESSM_REQUIRE(static_cast<int64_t>(p.labels.size()) == p.x.n, DataError,
                  "{}: {} labels for {} embedding rows; every row needs exactly one label", what,
                  p.labels.size(), p.x.n);
  for (int64_t i = 0; i < p.x.n; ++i) {
    CODESSM_REQUIRE(p.labels[i] >= 0 && p.labels[i] < num_labels, DataError,
                    "{}: row {} has label index {} outside the label set of size {}", what, i, p.labels[i],
                    num_labels);
    const double* r = p.x.row(i);
    for (int k = 0; k < p.x.d; ++k)
      CODESSM_REQUIRE(std::isfinite(r[k]), DataError, "{}: row {}, column {} is {}; embeddings must be finite",
                      what, i, k, r[k]);
  }
}

}  // namespace codessm::probe
