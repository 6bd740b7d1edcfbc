// The overlap test of DirectProbe (spec §1.5, §5.3): do conv(A) and conv(B) intersect? Decided by
// an LP on COIN-OR CLP, and every answer is checked against a certificate before it is returned:
//   separable → a hyperplane w·x + b whose values on A all exceed those on B (checked on every
//               point, in long double, with a minimum geometric gap);
//   overlap   → convex weights λ on A and μ on B with ‖Σλa − Σμb‖ ≤ tol (checked directly).
// docs/directprobe.md gives the LP, the constraint generation and the tolerances.
#pragma once

#include <vector>

#include "codessm/probe/embeddings.h"

namespace codessm::probe {

/// f(x) = w·x + b with f ≥ a_min on A and f ≤ b_max on B, a_min > b_max (original coordinates).
struct Hyperplane {
  std::vector<double> w;
  long double b = 0.0L;
  long double a_min = 0.0L;
  long double b_max = 0.0L;

  long double eval(const double* x) const;
};

enum class HullRelation { kSeparable, kOverlap };

/// Tolerances and work limits of the overlap test. Defaults are what DirectProbe runs use.
struct SeparationOptions {
  /// Points per side in the first LP of the constraint generation (0: always the full LP).
  int working_set = 24;
  /// Most violated points added per side and round.
  int add_per_round = 24;
  /// Separable only if the slab between the sides is wider than sep_tol·scale, where scale is
  /// the largest |x_k − m_k| over both point sets (m: midpoint of the centroids).
  double sep_tol = 1e-10;
  /// Overlap only if ‖Σλa − Σμb‖₂ ≤ overlap_tol·scale.
  double overlap_tol = 1e-9;
  /// Before the LP, run this many cycles of Wolfe's nearest-points algorithm on the two hulls; if
  /// they end clearly apart, the plane through the nearest points is verified on every point and
  /// the LP is skipped (a certified shortcut: it never decides "overlap"). 0 disables it.
  int precheck_iterations = 32;
};

/// Answer of the overlap test with its certificate.
struct SeparationResult {
  HullRelation relation = HullRelation::kOverlap;
  /// False when neither certificate could be verified even after the fallback solve; the pair is
  /// then reported as overlapping (near-touching hulls count as touching; docs/directprobe.md).
  bool certified = true;
  Hyperplane plane;            ///< separable only
  double gap = 0.0;            ///< separable: geometric width of the slab (original units)
  std::vector<int> witness_a;  ///< overlap only: rows of A with weight > 0 ...
  std::vector<double> lambda;  ///< ... and their convex weights
  std::vector<int> witness_b;
  std::vector<double> mu;
  double residual = 0.0;       ///< overlap: ‖Σλa − Σμb‖₂ / scale
  int lp_solves = 0;           ///< CLP solves, fallback included
  int rows = 0;                ///< constraint rows in the last LP
  bool used_fallback = false;  ///< the full LP with tight tolerances was needed
  bool by_precheck = false;    ///< separable, certified by the nearest-points precheck (no LP)
};

/// Decides whether conv{x_i : i ∈ a} and conv{x_j : j ∈ b} intersect (touching counts as
/// intersecting, as in DirectProbe). `a` and `b` are row indices into `x`, both non-empty.
/// Thread-safe: each call builds its own CLP model.
SeparationResult separate_hulls(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b,
                                const SeparationOptions& opt = {});

/// Checks a separating hyperplane on every point of a and b (long double). True iff
/// min_A f > max_B f with a geometric gap of at least `min_gap`.
bool verify_separation(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b,
                       const Hyperplane& h, double min_gap);

}  // namespace codessm::probe
