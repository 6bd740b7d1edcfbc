// Overlap test on CLP with constraint generation and certificate checks (lp_separation.h).
//
// LP (scaled coordinates x' = (x − m)/scale, so every |x'_k| ≤ 1):
//   maximise t  s.t.  a'·w + b − t ≥ 0  (a ∈ A),   q'·w + b + t ≤ 0  (q ∈ B),
//                     −1 ≤ w_k ≤ 1,  b free,  0 ≤ t ≤ 1.
// It is always feasible (w = 0, b = 0, t = 0) and bounded, so CLP always ends "optimal" and both
// answers come with data: t* > 0 gives a separating (w, b); t* = 0 gives row duals, which are
// (up to scale) convex weights λ, μ with Aᵀλ = Bᵀμ (its dual is min ‖Aᵀλ − Bᵀμ‖₁ over the
// simplices). DirectProbe's own LP (w free, rows ≥ 1 / ≤ −1, zero objective) has the same yes/no
// answer but no usable data when infeasible.
//
// Constraint generation: the LP starts on the few points of each side that lie furthest towards
// the other side; an overlap found on subsets is an overlap of the full sets (monotonicity), and
// a hyperplane is accepted only after it separates every point; otherwise the most violated points
// join and CLP re-solves from the previous basis.
#include "codessm/probe/lp_separation.h"

#include <ClpSimplex.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "codessm/core/error.h"
#include "codessm/probe/hull_distance.h"

namespace codessm::probe {

long double Hyperplane::eval(const double* x) const {
  long double s = b;
  for (size_t k = 0; k < w.size(); ++k) s += static_cast<long double>(w[k]) * x[k];
  return s;
}

namespace {

/// min_A f, max_B f and ‖w‖ of a plane, in long double.
struct PlaneExtremes {
  long double a_min = INFINITY, b_max = -INFINITY, wnorm = 0.0L;
  bool separates(long double min_gap) const {
    return wnorm > 0.0L && a_min > b_max && (a_min - b_max) / wnorm >= min_gap;
  }
};

PlaneExtremes plane_extremes(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b,
                             const Hyperplane& h) {
  PlaneExtremes e;
  for (int i : a) e.a_min = std::min(e.a_min, h.eval(x.row(i)));
  for (int j : b) e.b_max = std::max(e.b_max, h.eval(x.row(j)));
  for (double v : h.w) e.wnorm += static_cast<long double>(v) * v;
  e.wnorm = std::sqrt(e.wnorm);
  return e;
}

}  // namespace

bool verify_separation(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b,
                       const Hyperplane& h, double min_gap) {
  return plane_extremes(x, a, b, h).separates(min_gap);
}

namespace {

/// Translation and scale of the LP's coordinates for one pair of point sets.
struct Frame {
  std::vector<double> m;  // midpoint of the two centroids
  double scale = 0.0;     // max |x_k − m_k| over both sets
};

Frame make_frame(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b) {
  const int d = x.d;
  Frame f;
  std::vector<long double> ca(d, 0.0L), cb(d, 0.0L);
  for (int i : a)
    for (int k = 0; k < d; ++k) ca[k] += x.row(i)[k];
  for (int j : b)
    for (int k = 0; k < d; ++k) cb[k] += x.row(j)[k];
  f.m.resize(d);
  for (int k = 0; k < d; ++k) f.m[k] = static_cast<double>((ca[k] / a.size() + cb[k] / b.size()) / 2);
  for (const auto* set : {&a, &b})
    for (int i : *set)
      for (int k = 0; k < d; ++k) f.scale = std::max(f.scale, std::abs(x.row(i)[k] - f.m[k]));
  return f;
}

/// One CLP model of the LP above; rows are added incrementally.
class SeparationLp {
 public:
  SeparationLp(const Embeddings& x, const Frame& f, double tol) : x_(x), f_(f), d_(x.d) {
    model_.setLogLevel(0);
    const int ncols = d_ + 2;
    std::vector<CoinBigIndex> starts(ncols + 1, 0);
    std::vector<double> lb(ncols, -1.0), ub(ncols, 1.0), obj(ncols, 0.0);
    lb[d_] = -COIN_DBL_MAX;  // b
    ub[d_] = COIN_DBL_MAX;
    lb[d_ + 1] = 0.0;  // t
    ub[d_ + 1] = 1.0;
    obj[d_ + 1] = -1.0;  // CLP minimises: maximise t
    int dummy_index = 0;
    double dummy_value = 0.0;
    model_.loadProblem(ncols, 0, starts.data(), &dummy_index, &dummy_value, lb.data(), ub.data(), obj.data(),
                       nullptr, nullptr);
    model_.setPrimalTolerance(tol);
    model_.setDualTolerance(tol);
  }

  /// Adds one row per point; side +1 for A (≥ 0), −1 for B (≤ 0).
  void add_rows(const std::vector<int>& rows, int side) {
    if (rows.empty()) return;
    const double inv = 1.0 / f_.scale;
    std::vector<CoinBigIndex> starts{0};
    std::vector<int> cols;
    std::vector<double> vals, lo, hi;
    for (int r : rows) {
      const double* p = x_.row(r);
      for (int k = 0; k < d_; ++k) {
        const double v = (p[k] - f_.m[k]) * inv;
        if (v != 0.0) {
          cols.push_back(k);
          vals.push_back(v);
        }
      }
      cols.push_back(d_);
      vals.push_back(1.0);
      cols.push_back(d_ + 1);
      vals.push_back(side > 0 ? -1.0 : 1.0);
      starts.push_back(static_cast<CoinBigIndex>(cols.size()));
      lo.push_back(side > 0 ? 0.0 : -COIN_DBL_MAX);
      hi.push_back(side > 0 ? COIN_DBL_MAX : 0.0);
      row_point_.push_back(r);
      row_side_.push_back(side);
    }
    model_.addRows(static_cast<int>(rows.size()), lo.data(), hi.data(), starts.data(), cols.data(), vals.data());
  }

  /// Solves (dual simplex warm-starts from the last basis; primal for the fallback).
  bool solve(bool use_primal) {
    if (use_primal)
      model_.primal();
    else
      model_.dual();
    return model_.status() == 0;
  }

  double t() const { return model_.primalColumnSolution()[d_ + 1]; }

  /// f(x) = w·x' + b in the scaled frame (equal to the original-frame value of the plane).
  Hyperplane plane() const {
    const double* sol = model_.primalColumnSolution();
    Hyperplane h;
    h.w.resize(d_);
    long double b = sol[d_];
    for (int k = 0; k < d_; ++k) {
      h.w[k] = sol[k] / f_.scale;
      b -= static_cast<long double>(h.w[k]) * f_.m[k];
    }
    h.b = b;
    return h;
  }

  /// Row duals as convex weights on each side (|dual|, normalised).
  void dual_weights(std::vector<int>& wa, std::vector<double>& la, std::vector<int>& wb,
                    std::vector<double>& lb) const {
    const double* y = model_.dualRowSolution();
    for (size_t r = 0; r < row_point_.size(); ++r) {
      const double v = std::abs(y[r]);
      if (v <= 0.0) continue;
      (row_side_[r] > 0 ? wa : wb).push_back(row_point_[r]);
      (row_side_[r] > 0 ? la : lb).push_back(v);
    }
    for (auto* w : {&la, &lb}) {
      const double s = std::accumulate(w->begin(), w->end(), 0.0);
      for (double& v : *w) v /= s;
    }
  }

  int rows() const { return static_cast<int>(row_point_.size()); }

 private:
  const Embeddings& x_;
  const Frame& f_;
  int d_;
  ClpSimplex model_;
  std::vector<int> row_point_, row_side_;
};

/// ‖Σλa − Σμb‖₂ in long double.
double combination_residual(const Embeddings& x, const std::vector<int>& wa, const std::vector<double>& la,
                            const std::vector<int>& wb, const std::vector<double>& lb) {
  long double s2 = 0.0L;
  for (int k = 0; k < x.d; ++k) {
    long double s = 0.0L;
    for (size_t i = 0; i < wa.size(); ++i) s += static_cast<long double>(la[i]) * x.row(wa[i])[k];
    for (size_t j = 0; j < wb.size(); ++j) s -= static_cast<long double>(lb[j]) * x.row(wb[j])[k];
    s2 += s * s;
  }
  return static_cast<double>(std::sqrt(s2));
}

/// Finishes `out` as a separable answer if `h` separates all points with the required gap.
bool accept_plane(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b, Hyperplane h,
                  double min_gap, SeparationResult& out) {
  const PlaneExtremes e = plane_extremes(x, a, b, h);
  if (!e.separates(min_gap)) return false;
  h.a_min = e.a_min;
  h.b_max = e.b_max;
  out.relation = HullRelation::kSeparable;
  out.gap = static_cast<double>((e.a_min - e.b_max) / e.wnorm);
  out.plane = std::move(h);
  return true;
}

/// Finishes `out` as an overlap if the weights (possibly polished by Wolfe's algorithm on their
/// supports) meet within the tolerance.
bool accept_overlap(const Embeddings& x, std::vector<int> wa, std::vector<double> la, std::vector<int> wb,
                    std::vector<double> lb, double max_residual, SeparationResult& out) {
  if (wa.empty() || wb.empty()) return false;
  double res = combination_residual(x, wa, la, wb, lb);
  if (res > max_residual) {
    // LP duals carry the solver's ~1e-9 tolerance; the exact nearest points of the two small
    // supports settle whether they truly meet.
    const HullDistance hd = hull_hull_distance(x, wa, wb);
    res = combination_residual(x, hd.support_a, hd.weights_a, hd.support_b, hd.weights_b);
    if (res > max_residual) return false;
    wa = hd.support_a;
    la = hd.weights_a;
    wb = hd.support_b;
    lb = hd.weights_b;
  }
  out.relation = HullRelation::kOverlap;
  out.residual = res;
  out.witness_a = std::move(wa);
  out.lambda = std::move(la);
  out.witness_b = std::move(wb);
  out.mu = std::move(lb);
  return true;
}

/// The plane through the nearest points found by Wolfe's algorithm: f(x) = z·x with
/// z = nearest(A) − nearest(B); accepted only if it separates every point with the minimum gap.
bool accept_nearest_points_plane(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b,
                                 const HullDistance& hd, double min_gap, SeparationResult& out) {
  if (hd.lower_bound <= 0.0) return false;
  Hyperplane h;
  h.w.assign(x.d, 0.0);
  for (size_t i = 0; i < hd.support_a.size(); ++i)
    for (int k = 0; k < x.d; ++k) h.w[k] += hd.weights_a[i] * x.row(hd.support_a[i])[k];
  for (size_t j = 0; j < hd.support_b.size(); ++j)
    for (int k = 0; k < x.d; ++k) h.w[k] -= hd.weights_b[j] * x.row(hd.support_b[j])[k];
  return accept_plane(x, a, b, std::move(h), min_gap, out);
}

/// The k points of `set` furthest along `dir` (towards the other side).
std::vector<int> furthest_along(const Embeddings& x, const std::vector<int>& set, const std::vector<double>& dir,
                                size_t k) {
  std::vector<std::pair<double, int>> s;
  s.reserve(set.size());
  for (int i : set) {
    double v = 0.0;
    for (int q = 0; q < x.d; ++q) v += x.row(i)[q] * dir[q];
    s.emplace_back(-v, i);
  }
  k = std::min(k, s.size());
  std::partial_sort(s.begin(), s.begin() + k, s.end());
  std::vector<int> out;
  for (size_t q = 0; q < k; ++q) out.push_back(s[q].second);
  return out;
}

}  // namespace

SeparationResult separate_hulls(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b,
                                const SeparationOptions& opt) {
  CODESSM_CHECK(!a.empty() && !b.empty(), "separate_hulls needs two non-empty point sets");
  SeparationResult out;
  const Frame frame = make_frame(x, a, b);
  if (frame.scale == 0.0) {  // every point is the same vector: the hulls are one shared point
    out.relation = HullRelation::kOverlap;
    out.witness_a = {a[0]};
    out.lambda = {1.0};
    out.witness_b = {b[0]};
    out.mu = {1.0};
    return out;
  }
  const double min_gap = opt.sep_tol * frame.scale;
  const double max_residual = opt.overlap_tol * frame.scale;
  // Below this t the working-set LP is taken to say "overlap" and its duals are checked.
  constexpr double kTinyT = 1e-9;

  // --- Certified shortcut: clearly separated hulls need no LP -----------------------------
  if (opt.precheck_iterations > 0) {
    const HullDistance hd = hull_hull_distance(x, a, b, kHullDistanceEps, opt.precheck_iterations);
    if (accept_nearest_points_plane(x, a, b, hd, min_gap, out)) {
      out.by_precheck = true;
      return out;
    }
  }

  // --- Constraint generation -------------------------------------------------------------
  const bool full = opt.working_set <= 0 || a.size() + b.size() <= static_cast<size_t>(2 * opt.working_set);
  SeparationLp lp(x, frame, 1e-9);
  std::vector<char> in_a(a.size(), full), in_b(b.size(), full);
  if (full) {
    lp.add_rows(a, +1);
    lp.add_rows(b, -1);
  } else {
    // m is the midpoint of the centroids, so m − c_A points from A's side towards B's.
    std::vector<long double> ca(x.d, 0.0L);
    for (int i : a)
      for (int k = 0; k < x.d; ++k) ca[k] += x.row(i)[k];
    std::vector<double> dir(x.d);
    for (int k = 0; k < x.d; ++k) dir[k] = frame.m[k] - static_cast<double>(ca[k] / a.size());
    std::vector<int> wa = furthest_along(x, a, dir, opt.working_set);
    for (double& v : dir) v = -v;
    std::vector<int> wb = furthest_along(x, b, dir, opt.working_set);
    // Mark by position: the sets are small, a linear scan is fine.
    for (int r : wa) in_a[std::find(a.begin(), a.end(), r) - a.begin()] = 1;
    for (int r : wb) in_b[std::find(b.begin(), b.end(), r) - b.begin()] = 1;
    lp.add_rows(wa, +1);
    lp.add_rows(wb, -1);
  }
  bool need_fallback = false;
  for (;;) {
    ++out.lp_solves;
    if (!lp.solve(false)) {
      need_fallback = true;
      break;
    }
    out.rows = lp.rows();
    if (lp.t() <= kTinyT) {
      std::vector<int> wa, wb;
      std::vector<double> la, lb;
      lp.dual_weights(wa, la, wb, lb);
      if (accept_overlap(x, wa, la, wb, lb, max_residual, out)) return out;
      need_fallback = true;
      break;
    }
    const Hyperplane h = lp.plane();
    if (accept_plane(x, a, b, h, min_gap, out)) return out;
    // Add the most violated points that are not yet rows (values below t on A, above −t on B).
    const double t = lp.t();
    std::vector<std::pair<long double, int>> va, vb;
    for (size_t i = 0; i < a.size(); ++i)
      if (!in_a[i]) {
        const long double v = h.eval(x.row(a[i]));
        if (v < t) va.emplace_back(v, static_cast<int>(i));
      }
    for (size_t j = 0; j < b.size(); ++j)
      if (!in_b[j]) {
        const long double v = h.eval(x.row(b[j]));
        if (v > -t) vb.emplace_back(-v, static_cast<int>(j));
      }
    if (va.empty() && vb.empty()) {  // every row is in and still no certificate: numerics
      need_fallback = true;
      break;
    }
    const size_t ka = std::min(va.size(), static_cast<size_t>(std::max(1, opt.add_per_round)));
    const size_t kb = std::min(vb.size(), static_cast<size_t>(std::max(1, opt.add_per_round)));
    std::partial_sort(va.begin(), va.begin() + ka, va.end());
    std::partial_sort(vb.begin(), vb.begin() + kb, vb.end());
    std::vector<int> ra, rb;
    for (size_t q = 0; q < ka; ++q) {
      in_a[va[q].second] = 1;
      ra.push_back(a[va[q].second]);
    }
    for (size_t q = 0; q < kb; ++q) {
      in_b[vb[q].second] = 1;
      rb.push_back(b[vb[q].second]);
    }
    lp.add_rows(ra, +1);
    lp.add_rows(rb, -1);
  }

  // --- Fallback 1: the full LP with tight tolerances, primal simplex -----------------------
  if (need_fallback) {
    out.used_fallback = true;
    SeparationLp full_lp(x, frame, 1e-11);
    full_lp.add_rows(a, +1);
    full_lp.add_rows(b, -1);
    ++out.lp_solves;
    out.rows = full_lp.rows();
    if (full_lp.solve(true)) {
      if (full_lp.t() > kTinyT && accept_plane(x, a, b, full_lp.plane(), min_gap, out)) return out;
      std::vector<int> wa, wb;
      std::vector<double> la, lb;
      full_lp.dual_weights(wa, la, wb, lb);
      if (accept_overlap(x, wa, la, wb, lb, max_residual, out)) return out;
    }
  }
  // --- Fallback 2: exact nearest points of the two hulls (Wolfe) ---------------------------
  const HullDistance hd = hull_hull_distance(x, a, b);
  if (accept_overlap(x, hd.support_a, hd.weights_a, hd.support_b, hd.weights_b, max_residual, out)) return out;
  if (accept_nearest_points_plane(x, a, b, hd, min_gap, out)) return out;
  // Neither certificate holds: the hulls are within ~1e-9·scale of each other. Count them as
  // overlapping (touching hulls overlap in DirectProbe too) and say so.
  out.relation = HullRelation::kOverlap;
  out.certified = false;
  return out;
}

}  // namespace codessm::probe
