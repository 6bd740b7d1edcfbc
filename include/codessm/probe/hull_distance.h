// Exact Euclidean distances to convex hulls of point subsets (spec §5.4): point→hull for
// prediction, hull→hull for dis.txt. Wolfe's minimum-norm-point algorithm; each result carries
// its own certificate (a convex combination that attains the upper bound, and a hyperplane that
// proves the lower bound), so callers and tests can check it without trusting the solver.
#pragma once

#include <vector>

#include "codessm/probe/embeddings.h"

namespace codessm::probe {

/// Distance with its certificate. `support_*` are row indices into the Embeddings, `weights_*`
/// convex weights (sum 1) of the nearest point(s) found.
struct HullDistance {
  double distance = 0.0;     ///< ‖nearest point found − query‖: attained, so an upper bound
  double lower_bound = 0.0;  ///< proven lower bound (separating hyperplane); equal to distance up to ~1e-6 relative
  std::vector<int> support_a;
  std::vector<double> weights_a;
  std::vector<int> support_b;  ///< hull→hull only
  std::vector<double> weights_b;
  int iterations = 0;
  bool converged = true;
};

/// Default stopping tolerance: ‖z‖² − min_y y·z ≤ eps·max‖y‖² (spec §5.4).
inline constexpr double kHullDistanceEps = 1e-12;

/// Distance from point `p` (x.d values) to conv{x_i : i ∈ members}. 0 when p lies in the hull.
/// `members` must not be empty.
HullDistance point_hull_distance(const Embeddings& x, const std::vector<int>& members, const double* p,
                                 double eps = kHullDistanceEps);

/// Distance between conv{x_i : i ∈ a} and conv{x_j : j ∈ b}; 0 when they intersect. Stops after
/// `max_iterations` major cycles (converged = false), keeping valid bounds.
HullDistance hull_hull_distance(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b,
                                double eps = kHullDistanceEps, int max_iterations = 100000);

}  // namespace codessm::probe
