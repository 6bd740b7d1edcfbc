// Wolfe's minimum-norm-point algorithm (P. Wolfe, "Finding the nearest point in a polytope",
// Math. Programming 11, 1976) over a polytope given only through a linear minimisation oracle.
// Used for the distance from a point to a convex hull (prediction, spec §5.4), from hull to hull
// (dis.txt) and to polish overlap certificates. Private to the probe module.
//
// The corral S (affinely independent points) is kept with the Cholesky factor R of
// B = M²·11ᵀ + Y_Sᵀ Y_S; on the affine constraint 1ᵀα = 1 the extra term is constant, so the
// affine minimiser is α = B⁻¹1 / 1ᵀB⁻¹1. B is positive definite iff S is affinely independent,
// which also works when the origin lies in aff(S) (where YᵀY alone is singular).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace codessm::probe::detail {

/// Result of one minimum-norm-point solve.
struct MinNormPoint {
  std::vector<int64_t> keys;     ///< oracle keys of the final corral
  std::vector<double> weights;   ///< convex weights of the corral points (sum 1)
  std::vector<double> z;         ///< the minimum-norm point Σ weights·y (d)
  double norm = 0.0;             ///< ‖z‖
  double lower_bound = 0.0;      ///< max(0, min_y y·z)/‖z‖ from the last oracle call
  int iterations = 0;
  bool converged = true;
};

/// Solves min ‖z‖ over conv(Y). `oracle(z, y_out)` must write into y_out (d values) the point
/// y ∈ Y minimising y·z and return a stable key for it; `y0`/`key0` is a starting point of Y.
/// Stops when ‖z‖² − min_y y·z ≤ eps·max‖y‖² (spec §5.4), when the oracle returns a corral point,
/// or when a new point is affinely dependent on the corral within rounding.
template <class Oracle>
MinNormPoint min_norm_point(int d, Oracle&& oracle, const std::vector<double>& y0, int64_t key0,
                            double eps = 1e-12, int max_iterations = 100000);

/// Incremental corral state; exposed for the template below.
class Corral {
 public:
  explicit Corral(int d) : d_(d) {}
  int size() const { return static_cast<int>(keys_.size()); }
  int d() const { return d_; }
  /// Adds y with weight 0. Returns false (and adds nothing) when y is affinely dependent on the
  /// corral within rounding.
  bool add(int64_t key, const double* y);
  /// Affine minimiser of the corral (size() coefficients, summing to 1).
  std::vector<double> affine_minimiser() const;
  /// Removes corral point k.
  void remove(int k);
  bool contains(int64_t key) const;
  void set_scale(double m2) { m2_ = m2; }
  const double* y(int k) const { return ys_.data() + static_cast<size_t>(k) * d_; }
  int64_t key(int k) const { return keys_[k]; }

 private:
  int d_;
  double m2_ = 1.0;              // M² in B = M²11ᵀ + YᵀY
  std::vector<int64_t> keys_;
  std::vector<double> ys_;       // size()*d, row k = corral point k
  std::vector<double> r_;        // upper-triangular Cholesky factor, column-major cap×cap
  int cap_ = 0;
  double& R(int i, int j) { return r_[static_cast<size_t>(j) * cap_ + i]; }
  double R(int i, int j) const { return r_[static_cast<size_t>(j) * cap_ + i]; }
  void grow();
};

}  // namespace codessm::probe::detail

#include "min_norm_point_impl.h"
