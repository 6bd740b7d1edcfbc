// Deterministic vector kernels (see geometry.h). Loops are written so that GCC keeps the summation
// order: without -ffast-math it never reassociates floating-point reductions.
#include "codessm/probe/geometry.h"

#include <cmath>

namespace codessm::probe {

double squared_distance(const double* a, const double* b, int d) {
  double s = 0.0;
  for (int k = 0; k < d; ++k) {
    const double t = a[k] - b[k];
    s += t * t;
  }
  return s;
}

double distance(const double* a, const double* b, int d) { return std::sqrt(squared_distance(a, b, d)); }

long double dot_ld(const double* a, const double* b, int d) {
  long double s = 0.0L;
  for (int k = 0; k < d; ++k) s += static_cast<long double>(a[k]) * b[k];
  return s;
}

bool balls_may_meet(const double* c1, double r1, const double* c2, double r2, int d) {
  // Slack: radii and distances carry ~1e-16 relative rounding; 1e-12 keeps every truly
  // intersecting pair while excluding practically the same set as an exact test.
  const double reach = (r1 + r2) * (1.0 + 1e-12) + 1e-300;
  const double reach2 = reach * reach * (1.0 + 1e-12);
  // Partial sums only grow, so once one exceeds reach² the balls are apart: exit early, which
  // skips most of the work for far-away clusters in high dimension.
  double s = 0.0;
  int k = 0;
  constexpr int kBlock = 32;
  for (; k + kBlock <= d; k += kBlock) {
    for (int q = k; q < k + kBlock; ++q) {
      const double t = c1[q] - c2[q];
      s += t * t;
    }
    if (s > reach2) return false;
  }
  for (; k < d; ++k) {
    const double t = c1[k] - c2[k];
    s += t * t;
  }
  return s <= reach2;
}

}  // namespace codessm::probe
