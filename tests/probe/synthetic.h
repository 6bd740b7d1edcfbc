// Synthetic probing data for the tests and the benchmark: a Gaussian mixture (a few centres per
// label) with label noise, so that DirectProbe both accepts and rejects many merges.
#pragma once

#include <cstdint>
#include <random>

#include "codessm/probe/embeddings.h"

namespace codessm::probe::test {

struct MixtureSpec {
  int n = 1000;
  int d = 16;
  int labels = 3;
  int centres_per_label = 3;
  double spread = 1.0;       ///< std-dev of the noise around a centre (centres are N(0, 4²))
  double label_noise = 0.1;  ///< fraction of points with a uniformly random label
  uint64_t seed = 1;
};

inline LabeledPoints make_mixture(const MixtureSpec& s) {
  std::mt19937_64 rng(s.seed);
  std::normal_distribution<double> g(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::uniform_int_distribution<int> pick_label(0, s.labels - 1), pick_centre(0, s.centres_per_label - 1);
  std::vector<std::vector<double>> centres(s.labels * s.centres_per_label, std::vector<double>(s.d));
  for (auto& c : centres)
    for (auto& v : c) v = 4.0 * g(rng);
  LabeledPoints p;
  p.x.n = s.n;
  p.x.d = s.d;
  p.x.values.resize(static_cast<size_t>(s.n) * s.d);
  for (int i = 0; i < s.n; ++i) {
    const int label = pick_label(rng);
    const auto& c = centres[label * s.centres_per_label + pick_centre(rng)];
    for (int k = 0; k < s.d; ++k) p.x.row(i)[k] = c[k] + s.spread * g(rng);
    p.labels.push_back(u(rng) < s.label_noise ? pick_label(rng) : label);
  }
  return p;
}

}  // namespace codessm::probe::test
