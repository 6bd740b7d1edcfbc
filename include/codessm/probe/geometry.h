// Small deterministic vector kernels shared by the probe. Every sum runs left to right in a fixed
// order (no -ffast-math reassociation), so two runs, and the test reference, get bitwise equal values.
#pragma once

#include <cstdint>
#include <vector>

namespace codessm::probe {

/// Σ_k (a_k − b_k)², summed in index order.
double squared_distance(const double* a, const double* b, int d);

/// √squared_distance: the Euclidean distance that orders DirectProbe's merge queue.
double distance(const double* a, const double* b, int d);

/// Σ_k a_k b_k in long double (used by certificate checks, where rounding must stay far below
/// the decision tolerances).
long double dot_ld(const double* a, const double* b, int d);

/// True when the closed balls B(c1, r1) and B(c2, r2) may intersect: r1 + r2 ≥ ‖c1 − c2‖ with a
/// relative slack of 1e-12, so rounding in r or the distance never drops an overlapping pair.
/// A convex hull lies inside the ball around its centroid with radius max‖x − c‖, so a pair that
/// fails this test cannot overlap. DirectProbe uses a strict float32 `>` here, which can drop
/// exactly touching hulls; this test is exact-safe instead.
bool balls_may_meet(const double* c1, double r1, const double* c2, double r2, int d);

}  // namespace codessm::probe
