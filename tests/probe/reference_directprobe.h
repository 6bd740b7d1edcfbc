// A slow, obviously correct DirectProbe for the tests, written from the rule alone (spec §1.4):
//   repeat: among all pairs of active same-label clusters not popped before, take the smallest
//   (centroid distance, i, j); mark it popped; merge it iff the merged hull meets no active hull of
//   another label. Stop when no pair is left.
// Overlap is DirectProbe's own LP (w, b free; rows ≥ +1 / ≤ −1; zero objective) solved by CLP
// without constraint generation, caches or certificates; a hull lies inside the ball around its
// centroid, so pairs whose balls are clearly apart are skipped. Nearest-hull distances come from
// CLP's QP solver. Nothing here uses the probe module except the data types.
#pragma once

#include <ClpSimplex.hpp>
#include <CoinPackedMatrix.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "codessm/probe/embeddings.h"

namespace codessm::probe::test {

inline double ref_distance(const double* a, const double* b, int d) {
  double s = 0.0;
  for (int k = 0; k < d; ++k) s += (a[k] - b[k]) * (a[k] - b[k]);
  return std::sqrt(s);
}

/// DirectProbe's LP: true iff no strictly separating (w, b) exists.
inline bool ref_lp_overlap(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b) {
  const int d = x.d, ncols = d + 1, nrows = static_cast<int>(a.size() + b.size());
  std::vector<double> elems;
  std::vector<int> rows;
  std::vector<CoinBigIndex> starts{0};
  for (int k = 0; k <= d; ++k) {  // column-major: column k = coordinate k of every point (bias: 1)
    int r = 0;
    for (const auto* set : {&a, &b})
      for (int i : *set) {
        elems.push_back(k < d ? x.row(i)[k] : 1.0);
        rows.push_back(r++);
      }
    starts.push_back(static_cast<CoinBigIndex>(elems.size()));
  }
  std::vector<double> collb(ncols, -COIN_DBL_MAX), colub(ncols, COIN_DBL_MAX), obj(ncols, 0.0);
  std::vector<double> rowlb, rowub;
  for (size_t i = 0; i < a.size(); ++i) rowlb.push_back(1.0), rowub.push_back(COIN_DBL_MAX);
  for (size_t j = 0; j < b.size(); ++j) rowlb.push_back(-COIN_DBL_MAX), rowub.push_back(-1.0);
  ClpSimplex m;
  m.setLogLevel(0);
  m.loadProblem(ncols, nrows, starts.data(), rows.data(), elems.data(), collb.data(), colub.data(), obj.data(),
                rowlb.data(), rowub.data());
  m.primal();
  return m.status() != 0;
}

/// Distance from p to conv{x_i : i ∈ members} by CLP's QP: min ½‖z‖², z − Xᵀλ = −p, Σλ = 1, λ ≥ 0.
inline double ref_point_hull_distance(const Embeddings& x, const std::vector<int>& members, const double* p) {
  const int d = x.d, n = static_cast<int>(members.size());
  const int ncols = d + n, nrows = d + 1;  // columns: z_0..z_{d-1}, λ_0..λ_{n-1}
  std::vector<double> elems;
  std::vector<int> rows;
  std::vector<CoinBigIndex> starts{0};
  for (int k = 0; k < d; ++k) {
    elems.push_back(1.0);
    rows.push_back(k);
    starts.push_back(static_cast<CoinBigIndex>(elems.size()));
  }
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < d; ++k) {
      elems.push_back(-x.row(members[i])[k]);
      rows.push_back(k);
    }
    elems.push_back(1.0);
    rows.push_back(d);
    starts.push_back(static_cast<CoinBigIndex>(elems.size()));
  }
  std::vector<double> collb(ncols, 0.0), colub(ncols, COIN_DBL_MAX), obj(ncols, 0.0), rowlb(nrows), rowub(nrows);
  for (int k = 0; k < d; ++k) {
    collb[k] = -COIN_DBL_MAX;
    rowlb[k] = rowub[k] = -p[k];
  }
  rowlb[d] = rowub[d] = 1.0;
  ClpSimplex m;
  m.setLogLevel(0);
  m.loadProblem(ncols, nrows, starts.data(), rows.data(), elems.data(), collb.data(), colub.data(), obj.data(),
                rowlb.data(), rowub.data());
  std::vector<CoinBigIndex> qs{0};
  std::vector<int> qc;
  std::vector<double> qe;
  for (int c = 0; c < ncols; ++c) {
    if (c < d) {
      qc.push_back(c);
      qe.push_back(1.0);
    }
    qs.push_back(static_cast<CoinBigIndex>(qc.size()));
  }
  m.loadQuadraticObjective(ncols, qs.data(), qc.data(), qe.data());
  m.setPrimalTolerance(1e-10);
  m.setDualTolerance(1e-10);
  // Unscaled: with scaling CLP's QP sometimes stops "optimal when scaled" but short of the optimum.
  m.scaling(0);
  m.primal();
  const double* sol = m.primalColumnSolution();
  // Report the distance of the convex combination itself (clamped, renormalised weights).
  std::vector<double> lam(sol + d, sol + d + n);
  double s = 0.0;
  for (double& l : lam) s += (l = std::max(l, 0.0));
  long double s2 = 0.0L;
  for (int k = 0; k < d; ++k) {
    long double z = -p[k];
    for (int i = 0; i < n; ++i) z += lam[i] / s * x.row(members[i])[k];
    s2 += z * z;
  }
  return static_cast<double>(std::sqrt(s2));
}

/// Final clusters (member lists), ordered by internal id as in clusters.txt.
inline std::vector<std::vector<int>> reference_directprobe(const LabeledPoints& t) {
  const int n = static_cast<int>(t.x.n), d = t.x.d;
  struct C {
    int label;
    std::vector<int> members;
    std::vector<double> sum, centre;
    double radius;
    bool active;
  };
  std::vector<C> cs;
  for (int i = 0; i < n; ++i) {
    std::vector<double> v(t.x.row(i), t.x.row(i) + d);
    cs.push_back({t.labels[i], {i}, v, v, 0.0, true});
  }
  std::vector<std::vector<char>> popped(2 * n, std::vector<char>(2 * n, 0));
  std::vector<std::vector<double>> dist(2 * n, std::vector<double>(2 * n, -1.0));
  auto dij = [&](int i, int j) {
    if (dist[i][j] < 0) dist[i][j] = ref_distance(cs[i].centre.data(), cs[j].centre.data(), d);
    return dist[i][j];
  };
  for (;;) {
    int bi = -1, bj = -1;
    double bd = 0;
    for (int i = 0; i < static_cast<int>(cs.size()); ++i) {
      if (!cs[i].active) continue;
      for (int j = i + 1; j < static_cast<int>(cs.size()); ++j) {
        if (!cs[j].active || cs[j].label != cs[i].label || popped[i][j]) continue;
        const double v = dij(i, j);
        if (bi < 0 || v < bd) bi = i, bj = j, bd = v;  // scan order (i, j) ascending breaks ties
      }
    }
    if (bi < 0) break;
    popped[bi][bj] = 1;
    C m;
    m.label = cs[bi].label;
    m.members = cs[bi].members;
    m.members.insert(m.members.end(), cs[bj].members.begin(), cs[bj].members.end());
    std::sort(m.members.begin(), m.members.end());
    m.sum.resize(d);
    m.centre.resize(d);
    for (int k = 0; k < d; ++k) {
      m.sum[k] = cs[bi].sum[k] + cs[bj].sum[k];
      m.centre[k] = m.sum[k] / static_cast<double>(m.members.size());
    }
    m.radius = 0;
    for (int p : m.members) m.radius = std::max(m.radius, ref_distance(t.x.row(p), m.centre.data(), d));
    m.active = true;
    bool overlap = false;
    for (const C& o : cs) {
      if (!o.active || o.label == m.label) continue;
      if (ref_distance(o.centre.data(), m.centre.data(), d) > (o.radius + m.radius) * (1 + 1e-9) + 1e-12) continue;
      if (ref_lp_overlap(t.x, m.members, o.members)) {
        overlap = true;
        break;
      }
    }
    if (overlap) continue;
    cs[bi].active = cs[bj].active = false;
    cs.push_back(std::move(m));
  }
  std::vector<std::vector<int>> out;
  for (const C& c : cs)
    if (c.active) out.push_back(c.members);
  return out;
}

}  // namespace codessm::probe::test
