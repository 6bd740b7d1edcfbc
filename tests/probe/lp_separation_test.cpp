// The LP overlap test against brute-force geometry in 1–3 dimensions: interval overlap in 1-D,
// exact rational enumeration (brute_force.h) in 1–3-D, including touching, nested and duplicate
// points; and the certificates that every answer carries.
#include <gtest/gtest.h>

#include <random>

#include "brute_force.h"
#include "codessm/probe/lp_separation.h"

namespace codessm::probe {
namespace {

using test::IntPoint;

/// Packs a and b into one Embeddings; returns the row index lists.
void pack(const std::vector<IntPoint>& a, const std::vector<IntPoint>& b, int dim, Embeddings& x,
          std::vector<int>& ia, std::vector<int>& ib, double scale = 1.0, double shift = 0.0) {
  x.d = dim;
  x.n = 0;
  x.values.clear();
  ia.clear();
  ib.clear();
  for (const auto* set : {&a, &b})
    for (const auto& p : *set) {
      for (int k = 0; k < dim; ++k) x.values.push_back(p[k] * scale + shift);
      (set == &a ? ia : ib).push_back(static_cast<int>(x.n++));
    }
}

/// Checks the certificate of a result independently of the solver.
void expect_certificate(const Embeddings& x, const std::vector<int>& a, const std::vector<int>& b,
                        const SeparationResult& r) {
  ASSERT_TRUE(r.certified);
  if (r.relation == HullRelation::kSeparable) {
    EXPECT_TRUE(verify_separation(x, a, b, r.plane, 0.0));
    return;
  }
  ASSERT_FALSE(r.witness_a.empty());
  ASSERT_FALSE(r.witness_b.empty());
  double sa = 0, sb = 0;
  for (double v : r.lambda) {
    EXPECT_GE(v, 0.0);
    sa += v;
  }
  for (double v : r.mu) {
    EXPECT_GE(v, 0.0);
    sb += v;
  }
  EXPECT_NEAR(sa, 1.0, 1e-9);
  EXPECT_NEAR(sb, 1.0, 1e-9);
  for (int w : r.witness_a) EXPECT_NE(std::find(a.begin(), a.end(), w), a.end());
  for (int w : r.witness_b) EXPECT_NE(std::find(b.begin(), b.end(), w), b.end());
  for (int k = 0; k < x.d; ++k) {
    long double s = 0;
    for (size_t i = 0; i < r.witness_a.size(); ++i) s += r.lambda[i] * x.row(r.witness_a[i])[k];
    for (size_t j = 0; j < r.witness_b.size(); ++j) s -= r.mu[j] * x.row(r.witness_b[j])[k];
    EXPECT_LE(std::fabs(static_cast<double>(s)), 1e-8);
  }
}

bool lp_overlaps(const std::vector<IntPoint>& a, const std::vector<IntPoint>& b, int dim,
                 const SeparationOptions& opt = {}) {
  Embeddings x;
  std::vector<int> ia, ib;
  pack(a, b, dim, x, ia, ib);
  const SeparationResult r = separate_hulls(x, ia, ib, opt);
  expect_certificate(x, ia, ib, r);
  return r.relation == HullRelation::kOverlap;
}

TEST(LpSeparation, HandMadeCases2D) {
  // Touching at a vertex, touching along an edge, nested, disjoint, shared duplicate point.
  EXPECT_TRUE(lp_overlaps({{0, 0}, {2, 0}, {0, 2}}, {{2, 0}, {4, 0}, {4, 2}}, 2));
  EXPECT_TRUE(lp_overlaps({{0, 0}, {2, 0}, {2, 2}, {0, 2}}, {{2, 1}, {4, 0}, {4, 2}}, 2));
  EXPECT_TRUE(lp_overlaps({{0, 0}, {6, 0}, {0, 6}}, {{1, 1}, {2, 1}, {1, 2}}, 2));
  EXPECT_FALSE(lp_overlaps({{0, 0}, {2, 0}, {0, 2}}, {{2, 1}, {4, 0}, {4, 2}}, 2));
  EXPECT_TRUE(lp_overlaps({{3, 3}}, {{3, 3}}, 2));
  EXPECT_FALSE(lp_overlaps({{3, 3}}, {{3, 4}}, 2));
  // Crossing segments (XOR diagonals) overlap; parallel segments do not.
  EXPECT_TRUE(lp_overlaps({{0, 0}, {2, 2}}, {{0, 2}, {2, 0}}, 2));
  EXPECT_FALSE(lp_overlaps({{0, 0}, {2, 0}}, {{0, 1}, {2, 1}}, 2));
}

TEST(LpSeparation, IntervalsMatchBruteForce1D) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> coord(-4, 4), size(1, 4);
  for (int trial = 0; trial < 400; ++trial) {
    std::vector<IntPoint> a, b;
    for (int i = size(rng); i > 0; --i) a.push_back({coord(rng)});
    for (int i = size(rng); i > 0; --i) b.push_back({coord(rng)});
    int64_t amin = 99, amax = -99, bmin = 99, bmax = -99;
    for (auto& p : a) amin = std::min(amin, p[0]), amax = std::max(amax, p[0]);
    for (auto& p : b) bmin = std::min(bmin, p[0]), bmax = std::max(bmax, p[0]);
    const bool interval = std::max(amin, bmin) <= std::min(amax, bmax);
    ASSERT_EQ(test::exact_hulls_intersect(a, b, 1), interval) << "trial " << trial;
    ASSERT_EQ(lp_overlaps(a, b, 1), interval) << "trial " << trial;
  }
}

class LpVsBruteForce : public ::testing::TestWithParam<int> {};

TEST_P(LpVsBruteForce, RandomIntegerConfigurations) {
  // Small integer grids make touching, collinear, nested and duplicate configurations common.
  const int dim = GetParam();
  std::mt19937 rng(100 + dim);
  std::uniform_int_distribution<int> coord(-2, 2), size(1, dim + 3);
  int overlaps = 0;
  const int trials = 600;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<IntPoint> a, b;
    for (int i = size(rng); i > 0; --i) {
      IntPoint p(dim);
      for (auto& v : p) v = coord(rng);
      a.push_back(p);
    }
    for (int i = size(rng); i > 0; --i) {
      IntPoint p(dim);
      for (auto& v : p) v = coord(rng) + (trial % 3 == 0 ? 2 : 0);  // shift some to get separable ones
      b.push_back(p);
    }
    const bool truth = test::exact_hulls_intersect(a, b, dim);
    overlaps += truth;
    ASSERT_EQ(lp_overlaps(a, b, dim), truth) << "dim " << dim << " trial " << trial;
    // The same answer from the constraint-generation path (tiny working sets).
    SeparationOptions cg;
    cg.working_set = 1;
    cg.add_per_round = 1;
    ASSERT_EQ(lp_overlaps(a, b, dim, cg), truth) << "constraint generation, dim " << dim << " trial " << trial;
  }
  // Both outcomes must be well represented for the comparison to mean something.
  EXPECT_GT(overlaps, trials / 5);
  EXPECT_LT(overlaps, trials * 4 / 5);
}

INSTANTIATE_TEST_SUITE_P(Dims, LpVsBruteForce, ::testing::Values(1, 2, 3));

TEST(LpSeparation, ScaleAndTranslationInvariant) {
  // Touching squares far from the origin and at a tiny scale: still "overlap"; a gap of 1e-6 of
  // the scale: still "separable".
  const std::vector<IntPoint> a{{0, 0}, {1000000, 0}, {0, 1000000}, {1000000, 1000000}};
  const std::vector<IntPoint> touch{{1000000, 500000}, {2000000, 0}, {2000000, 1000000}};
  const std::vector<IntPoint> apart{{1000001, 500000}, {2000000, 0}, {2000000, 1000000}};
  for (double scale : {1.0, 1e-9, 1e3}) {
    Embeddings x;
    std::vector<int> ia, ib;
    pack(a, touch, 2, x, ia, ib, scale * 1e-6, 1e4);
    SeparationResult r = separate_hulls(x, ia, ib);
    EXPECT_EQ(r.relation, HullRelation::kOverlap) << scale;
    EXPECT_TRUE(r.certified);
    pack(a, apart, 2, x, ia, ib, scale * 1e-6, 1e4 * scale);
    r = separate_hulls(x, ia, ib);
    EXPECT_EQ(r.relation, HullRelation::kSeparable) << scale;
    EXPECT_TRUE(r.certified);
  }
}

TEST(LpSeparation, HighDimensionalConstraintGeneration) {
  // Two Gaussian clouds in 64-D, 300 points each: separable when shifted apart, overlapping when
  // one cloud's mean is a convex combination of the other's points. Constraint generation and the
  // full LP must agree, and the certificates must hold.
  std::mt19937 rng(3);
  std::normal_distribution<double> g(0.0, 1.0);
  const int d = 64, n = 300;
  for (double shift : {0.0, 2.0, 30.0}) {
    Embeddings x;
    x.d = d;
    x.n = 2 * n;
    x.values.resize(2 * n * d);
    std::vector<int> ia, ib;
    for (int i = 0; i < 2 * n; ++i) {
      for (int k = 0; k < d; ++k) x.values[i * d + k] = g(rng) + (i >= n && k == 0 ? shift : 0.0);
      (i < n ? ia : ib).push_back(i);
    }
    SeparationOptions full;
    full.working_set = 0;
    const SeparationResult r1 = separate_hulls(x, ia, ib);
    const SeparationResult r2 = separate_hulls(x, ia, ib, full);
    EXPECT_EQ(r1.relation, r2.relation) << shift;
    expect_certificate(x, ia, ib, r1);
    expect_certificate(x, ia, ib, r2);
    if (shift == 0.0) EXPECT_EQ(r1.relation, HullRelation::kOverlap);
    if (shift == 30.0) EXPECT_EQ(r1.relation, HullRelation::kSeparable);
  }
}

}  // namespace
}  // namespace codessm::probe
