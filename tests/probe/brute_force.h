// Brute-force geometry for the probe tests: slow, but obviously correct.
//  - exact_hulls_intersect: conv(A) ∩ conv(B) ≠ ∅ for integer points, in exact rational arithmetic.
//    The system Σλa − Σμb = 0, Σλ = 1, Σμ = 1, λ, μ ≥ 0 has d+2 equations; if it is feasible it
//    has a basic feasible solution, i.e. one supported on ≤ d+2 linearly independent columns. So
//    trying every such column subset, solving it exactly and checking the signs decides it.
//  - brute_point_hull_distance: min over point subsets S (|S| ≤ d+1) of the affine minimiser of S
//    when all its weights are ≥ 0. The true nearest point lies in the relative interior of a face
//    spanned by affinely independent points, so the minimum is exact (float64/long double).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <vector>

namespace codessm::probe::test {

/// A small exact rational (values in these tests stay far below __int128's range).
struct Rat {
  __int128 n = 0, d = 1;
  static __int128 gcd(__int128 a, __int128 b) {
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b != 0) {
      const __int128 t = a % b;
      a = b;
      b = t;
    }
    return a == 0 ? 1 : a;
  }
  Rat(__int128 num = 0, __int128 den = 1) : n(num), d(den) {
    if (d < 0) {
      n = -n;
      d = -d;
    }
    const __int128 g = gcd(n, d);
    n /= g;
    d /= g;
  }
  Rat operator-(const Rat& o) const { return Rat(n * o.d - o.n * d, d * o.d); }
  Rat operator*(const Rat& o) const { return Rat(n * o.n, d * o.d); }
  Rat operator/(const Rat& o) const { return Rat(n * o.d, d * o.n); }
  bool zero() const { return n == 0; }
  bool negative() const { return n < 0; }
};

using IntPoint = std::vector<int64_t>;

/// Solves M_S x = r exactly for the columns S; true if S is independent, consistent and x ≥ 0.
inline bool subset_feasible(const std::vector<std::vector<int64_t>>& cols, const std::vector<int>& s,
                            const std::vector<int64_t>& rhs) {
  const int rows = static_cast<int>(rhs.size()), k = static_cast<int>(s.size());
  std::vector<std::vector<Rat>> m(rows, std::vector<Rat>(k + 1));
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < k; ++c) m[r][c] = Rat(cols[s[c]][r]);
    m[r][k] = Rat(rhs[r]);
  }
  int row = 0;
  std::vector<int> pivot_row(k, -1);
  for (int c = 0; c < k; ++c) {
    int p = -1;
    for (int r = row; r < rows; ++r)
      if (!m[r][c].zero()) {
        p = r;
        break;
      }
    if (p < 0) return false;  // dependent columns: some other subset covers this solution
    std::swap(m[p], m[row]);
    for (int r = 0; r < rows; ++r) {
      if (r == row || m[r][c].zero()) continue;
      const Rat f = m[r][c] / m[row][c];
      for (int q = c; q <= k; ++q) m[r][q] = m[r][q] - f * m[row][q];
    }
    pivot_row[c] = row++;
  }
  for (int r = row; r < rows; ++r)
    if (!m[r][k].zero()) return false;  // inconsistent
  for (int c = 0; c < k; ++c) {
    const Rat x = m[pivot_row[c]][k] / m[pivot_row[c]][c];
    if (x.negative()) return false;
  }
  return true;
}

/// Exact: do the convex hulls of the integer point sets a and b (dimension dim) intersect?
inline bool exact_hulls_intersect(const std::vector<IntPoint>& a, const std::vector<IntPoint>& b, int dim) {
  std::vector<std::vector<int64_t>> cols;
  std::vector<char> is_a;
  for (const auto& p : a) {
    std::vector<int64_t> c(p.begin(), p.end());
    c.push_back(1);
    c.push_back(0);
    cols.push_back(c);
    is_a.push_back(1);
  }
  for (const auto& p : b) {
    std::vector<int64_t> c;
    for (int64_t v : p) c.push_back(-v);
    c.push_back(0);
    c.push_back(1);
    cols.push_back(c);
    is_a.push_back(0);
  }
  std::vector<int64_t> rhs(dim, 0);
  rhs.push_back(1);
  rhs.push_back(1);
  const int n = static_cast<int>(cols.size());
  const int kmax = std::min(n, dim + 2);
  // Enumerate subsets by bitmask (n ≤ 20 in these tests).
  for (uint32_t mask = 1; mask < (1u << n); ++mask) {
    const int k = __builtin_popcount(mask);
    if (k > kmax) continue;
    std::vector<int> s;
    bool has_a = false, has_b = false;
    for (int i = 0; i < n; ++i)
      if (mask & (1u << i)) {
        s.push_back(i);
        (is_a[i] ? has_a : has_b) = true;
      }
    if (has_a && has_b && subset_feasible(cols, s, rhs)) return true;
  }
  return false;
}

/// Affine minimiser of points y_s (rows of ys): min ‖Σα y‖ s.t. Σα = 1, via the bordered Gram
/// system in long double. Returns false if singular.
inline bool affine_minimiser(const std::vector<std::vector<double>>& ys, std::vector<long double>& alpha) {
  const int k = static_cast<int>(ys.size());
  std::vector<std::vector<long double>> m(k + 1, std::vector<long double>(k + 2, 0.0L));
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < k; ++j) {
      long double s = 0.0L;
      for (size_t q = 0; q < ys[i].size(); ++q) s += static_cast<long double>(ys[i][q]) * ys[j][q];
      m[i][j] = s;
    }
    m[i][k] = 1.0L;
    m[k][i] = 1.0L;
  }
  m[k][k + 1] = 1.0L;  // rhs (0, …, 0, 1)
  const int n = k + 1;
  for (int c = 0; c < n; ++c) {
    int p = c;
    for (int r = c + 1; r < n; ++r)
      if (std::fabs(static_cast<double>(m[r][c])) > std::fabs(static_cast<double>(m[p][c]))) p = r;
    if (std::fabs(static_cast<double>(m[p][c])) < 1e-14) return false;
    std::swap(m[p], m[c]);
    for (int r = 0; r < n; ++r) {
      if (r == c) continue;
      const long double f = m[r][c] / m[c][c];
      for (int q = c; q <= n; ++q) m[r][q] -= f * m[c][q];
    }
  }
  alpha.resize(k);
  for (int i = 0; i < k; ++i) alpha[i] = m[i][n] / m[i][i];
  return true;
}

/// Float64 reference distance from p to conv(points).
inline double brute_point_hull_distance(const std::vector<std::vector<double>>& pts, const std::vector<double>& p) {
  const int n = static_cast<int>(pts.size()), dim = static_cast<int>(p.size());
  double best = std::numeric_limits<double>::infinity();
  for (uint32_t mask = 1; mask < (1u << n); ++mask) {
    if (__builtin_popcount(mask) > dim + 1) continue;
    std::vector<std::vector<double>> ys;
    for (int i = 0; i < n; ++i)
      if (mask & (1u << i)) {
        std::vector<double> y(dim);
        for (int q = 0; q < dim; ++q) y[q] = pts[i][q] - p[q];
        ys.push_back(y);
      }
    std::vector<long double> alpha;
    if (!affine_minimiser(ys, alpha)) continue;
    bool ok = true;
    for (long double a : alpha) ok = ok && a >= -1e-12L;
    if (!ok) continue;
    long double s2 = 0.0L;
    for (int q = 0; q < dim; ++q) {
      long double z = 0.0L;
      for (size_t i = 0; i < ys.size(); ++i) z += alpha[i] * ys[i][q];
      s2 += z * z;
    }
    best = std::min(best, static_cast<double>(std::sqrt(s2)));
  }
  return best;
}

}  // namespace codessm::probe::test
