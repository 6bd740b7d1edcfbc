// Point→hull and hull→hull distances via Wolfe's algorithm (min_norm_point.h). For a point p the
// polytope is {x_i − p}; for two hulls it is the Minkowski difference {a − b}, whose linear
// minimisation oracle splits into argmin_a a·z and argmax_b b·z, so the n_a·n_b difference
// points are never formed.
#include "codessm/probe/hull_distance.h"

#include <cmath>
#include <limits>

#include "codessm/core/error.h"
#include "codessm/probe/geometry.h"
#include "min_norm_point.h"

namespace codessm::probe {

namespace {

/// Index in `members` of the row with the smallest x·z (first one on ties).
int argmin_dot(const Embeddings& x, const std::vector<int>& members, const double* z) {
  int best = 0;
  double best_v = std::numeric_limits<double>::infinity();
  for (size_t m = 0; m < members.size(); ++m) {
    const double* r = x.row(members[m]);
    double v = 0.0;
    for (int k = 0; k < x.d; ++k) v += r[k] * z[k];
    if (v < best_v) {
      best_v = v;
      best = static_cast<int>(m);
    }
  }
  return best;
}

}  // namespace

HullDistance point_hull_distance(const Embeddings& x, const std::vector<int>& members, const double* p, double eps) {
  CODESSM_CHECK(!members.empty(), "point_hull_distance needs a non-empty hull");
  const int d = x.d;
  // Start at the nearest member: usually close to the answer, so few Wolfe iterations remain.
  int start = 0;
  double best = std::numeric_limits<double>::infinity();
  for (size_t m = 0; m < members.size(); ++m) {
    const double s = squared_distance(x.row(members[m]), p, d);
    if (s < best) {
      best = s;
      start = static_cast<int>(m);
    }
  }
  std::vector<double> y0(d);
  for (int k = 0; k < d; ++k) y0[k] = x.row(members[start])[k] - p[k];
  auto oracle = [&](const double* z, double* y) -> int64_t {
    const int m = argmin_dot(x, members, z);  // min (x − p)·z = min x·z − p·z
    const double* r = x.row(members[m]);
    for (int k = 0; k < d; ++k) y[k] = r[k] - p[k];
    return m;
  };
  const detail::MinNormPoint mn = detail::min_norm_point(d, oracle, y0, start, eps);
  HullDistance out;
  // Recompute the attained distance from the weights in long double: the certificate, not the
  // solver's running z, defines the reported value.
  std::vector<long double> z(d, 0.0L);
  for (size_t c = 0; c < mn.keys.size(); ++c) {
    const int row = members[mn.keys[c]];
    out.support_a.push_back(row);
    out.weights_a.push_back(mn.weights[c]);
    for (int k = 0; k < d; ++k) z[k] += static_cast<long double>(mn.weights[c]) * x.row(row)[k];
  }
  long double s = 0.0L;
  for (int k = 0; k < d; ++k) s += (z[k] - p[k]) * (z[k] - p[k]);
  out.distance = static_cast<double>(std::sqrt(s));
  out.lower_bound = std::min(mn.lower_bound, out.distance);
  out.iterations = mn.iterations;
  out.converged = mn.converged;
  return out;
}

HullDistance hull_hull_distance(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b, double eps,
                                int max_iterations) {
  CODESSM_CHECK(!a.empty() && !b.empty(), "hull_hull_distance needs two non-empty hulls");
  const int d = x.d;
  const int64_t nb = static_cast<int64_t>(b.size());
  std::vector<double> neg(d);
  auto oracle = [&](const double* z, double* y) -> int64_t {
    const int ia = argmin_dot(x, a, z);
    for (int k = 0; k < d; ++k) neg[k] = -z[k];
    const int ib = argmin_dot(x, b, neg.data());  // argmax b·z
    for (int k = 0; k < d; ++k) y[k] = x.row(a[ia])[k] - x.row(b[ib])[k];
    return ia * nb + ib;
  };
  // Start from the pair picked along the centroid direction c_a − c_b.
  std::vector<double> dir(d, 0.0), y0(d);
  for (int i : a)
    for (int k = 0; k < d; ++k) dir[k] += x.row(i)[k] / static_cast<double>(a.size());
  for (int j : b)
    for (int k = 0; k < d; ++k) dir[k] -= x.row(j)[k] / static_cast<double>(b.size());
  const int64_t key0 = oracle(dir.data(), y0.data());
  const detail::MinNormPoint mn = detail::min_norm_point(d, oracle, y0, key0, eps, max_iterations);
  HullDistance out;
  std::vector<long double> z(d, 0.0L);
  for (size_t c = 0; c < mn.keys.size(); ++c) {
    const int ia = static_cast<int>(mn.keys[c] / nb), ib = static_cast<int>(mn.keys[c] % nb);
    const double w = mn.weights[c];
    for (int k = 0; k < d; ++k) z[k] += static_cast<long double>(w) * (x.row(a[ia])[k] - static_cast<long double>(x.row(b[ib])[k]));
    // Aggregate pair weights into per-point weights of each hull.
    auto accumulate = [w](std::vector<int>& rows, std::vector<double>& ws, int row) {
      for (size_t q = 0; q < rows.size(); ++q)
        if (rows[q] == row) {
          ws[q] += w;
          return;
        }
      rows.push_back(row);
      ws.push_back(w);
    };
    accumulate(out.support_a, out.weights_a, a[ia]);
    accumulate(out.support_b, out.weights_b, b[ib]);
  }
  long double s = 0.0L;
  for (int k = 0; k < d; ++k) s += z[k] * z[k];
  out.distance = static_cast<double>(std::sqrt(s));
  out.lower_bound = std::min(mn.lower_bound, out.distance);
  out.iterations = mn.iterations;
  out.converged = mn.converged;
  return out;
}

}  // namespace codessm::probe
