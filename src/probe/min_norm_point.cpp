// Corral bookkeeping for Wolfe's algorithm: Cholesky append and column deletion by Givens
// rotations, both O(|S|²), so a minor cycle never refactorises from scratch.
#include "min_norm_point.h"

#include <cmath>

namespace codessm::probe::detail {

void Corral::grow() {
  const int ncap = cap_ == 0 ? 16 : 2 * cap_;
  std::vector<double> nr(static_cast<size_t>(ncap) * ncap, 0.0);
  for (int j = 0; j < size(); ++j)
    for (int i = 0; i <= j; ++i) nr[static_cast<size_t>(j) * ncap + i] = R(i, j);
  r_.swap(nr);
  cap_ = ncap;
}

bool Corral::contains(int64_t key) const {
  for (int64_t k : keys_)
    if (k == key) return true;
  return false;
}

bool Corral::add(int64_t key, const double* y) {
  const int m = size();
  if (m + 1 > cap_) grow();
  // Column of B for the new point, then forward substitution Rᵀ r = b.
  std::vector<double> r(m);
  double bnn = m2_;
  for (int k = 0; k < d_; ++k) bnn += y[k] * y[k];
  for (int i = 0; i < m; ++i) {
    long double bi = m2_;
    const double* yi = this->y(i);
    for (int k = 0; k < d_; ++k) bi += static_cast<long double>(yi[k]) * y[k];
    for (int p = 0; p < i; ++p) bi -= static_cast<long double>(R(p, i)) * r[p];
    r[i] = static_cast<double>(bi / R(i, i));
  }
  long double rest = bnn;
  for (int i = 0; i < m; ++i) rest -= static_cast<long double>(r[i]) * r[i];
  // The new augmented vector (M, y) is (nearly) in the span of the corral's: y ∈ aff(S) up to
  // rounding, so adding it cannot reduce the norm any further.
  if (rest <= 1e-13L * bnn) return false;
  for (int i = 0; i < m; ++i) R(i, m) = r[i];
  R(m, m) = std::sqrt(static_cast<double>(rest));
  keys_.push_back(key);
  ys_.insert(ys_.end(), y, y + d_);
  return true;
}

std::vector<double> Corral::affine_minimiser() const {
  const int m = size();
  // Rᵀ u = 1, then R v = u, so v = B⁻¹1.
  std::vector<double> u(m), v(m);
  for (int i = 0; i < m; ++i) {
    long double s = 1.0L;
    for (int p = 0; p < i; ++p) s -= static_cast<long double>(R(p, i)) * u[p];
    u[i] = static_cast<double>(s / R(i, i));
  }
  for (int i = m - 1; i >= 0; --i) {
    long double s = u[i];
    for (int p = i + 1; p < m; ++p) s -= static_cast<long double>(R(i, p)) * v[p];
    v[i] = static_cast<double>(s / R(i, i));
  }
  long double sum = 0.0L;
  for (double x : v) sum += x;
  for (double& x : v) x = static_cast<double>(x / sum);
  return v;
}

void Corral::remove(int k) {
  const int m = size();
  // Drop column k: columns k+1.. shift left and R becomes upper Hessenberg from column k on.
  for (int j = k; j + 1 < m; ++j)
    for (int i = 0; i <= j + 1; ++i) R(i, j) = R(i, j + 1);
  // Givens rotations on rows (j, j+1) zero the subdiagonal again.
  for (int j = k; j + 1 < m; ++j) {
    const double a = R(j, j), b = R(j + 1, j);
    const double h = std::hypot(a, b);
    const double c = a / h, s = b / h;
    for (int p = j; p + 1 < m; ++p) {
      const double x1 = R(j, p), x2 = R(j + 1, p);
      R(j, p) = c * x1 + s * x2;
      R(j + 1, p) = -s * x1 + c * x2;
    }
    R(j + 1, j) = 0.0;
  }
  for (int i = 0; i < m; ++i) R(i, m - 1) = 0.0;
  keys_.erase(keys_.begin() + k);
  ys_.erase(ys_.begin() + static_cast<long>(k) * d_, ys_.begin() + static_cast<long>(k + 1) * d_);
}

}  // namespace codessm::probe::detail
