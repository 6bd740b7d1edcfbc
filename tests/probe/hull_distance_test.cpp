// Hull distances (Wolfe's algorithm) against the float64 brute-force reference (brute_force.h),
// plus the self-certificate: lower_bound ≤ true distance ≤ distance.
#include <gtest/gtest.h>

#include <random>

#include "brute_force.h"
#include "codessm/probe/hull_distance.h"

namespace codessm::probe {
namespace {

Embeddings make(const std::vector<std::vector<double>>& pts) {
  Embeddings x;
  x.n = static_cast<int64_t>(pts.size());
  x.d = static_cast<int>(pts[0].size());
  for (const auto& p : pts) x.values.insert(x.values.end(), p.begin(), p.end());
  return x;
}

std::vector<int> iota(int n, int from = 0) {
  std::vector<int> v(n);
  for (int i = 0; i < n; ++i) v[i] = from + i;
  return v;
}

TEST(HullDistance, HandMade) {
  const Embeddings x = make({{0, 0}, {2, 0}, {0, 2}});
  const double inside[2] = {0.5, 0.5}, edge[2] = {1, 1}, beyond[2] = {2, 2}, corner[2] = {-1, -1};
  EXPECT_NEAR(point_hull_distance(x, iota(3), inside).distance, 0.0, 1e-15);
  EXPECT_NEAR(point_hull_distance(x, iota(3), edge).distance, 0.0, 1e-15);
  EXPECT_NEAR(point_hull_distance(x, iota(3), beyond).distance, std::sqrt(2.0), 1e-14);
  EXPECT_NEAR(point_hull_distance(x, iota(3), corner).distance, std::sqrt(2.0), 1e-14);
  // Single-point hull, and duplicate points in the hull.
  const Embeddings y = make({{1, 1}, {1, 1}, {1, 1}});
  EXPECT_NEAR(point_hull_distance(y, iota(3), corner).distance, std::sqrt(8.0), 1e-14);
}

class HullDistanceVsBrute : public ::testing::TestWithParam<int> {};

TEST_P(HullDistanceVsBrute, RandomPointSets) {
  const int dim = GetParam();
  std::mt19937 rng(11 + dim);
  std::normal_distribution<double> g(0.0, 1.0);
  std::uniform_int_distribution<int> size(1, std::min(10, dim + 6));
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<std::vector<double>> pts(size(rng), std::vector<double>(dim));
    for (auto& p : pts)
      for (auto& v : p) v = trial % 4 == 0 ? std::round(2 * g(rng)) : g(rng);  // integer grids: degenerate faces
    std::vector<double> p(dim);
    for (auto& v : p) v = (trial % 3 == 0 ? 0.3 : 2.0) * g(rng);
    const Embeddings x = make(pts);
    const HullDistance hd = point_hull_distance(x, iota(x.n), p.data());
    const double ref = test::brute_point_hull_distance(pts, p);
    EXPECT_NEAR(hd.distance, ref, 1e-9 * (1 + ref)) << "dim " << dim << " trial " << trial;
    EXPECT_LE(hd.lower_bound, ref + 1e-12);
    EXPECT_TRUE(hd.converged);
    double wsum = 0;
    for (double w : hd.weights_a) wsum += w;
    EXPECT_NEAR(wsum, 1.0, 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(Dims, HullDistanceVsBrute, ::testing::Values(1, 2, 3, 8));

TEST(HullDistance, HullToHull) {
  // Two unit squares 3 apart along x: distance 3 (= minimum over vertex pairs here); overlapping
  // squares: 0.
  const Embeddings x = make({{0, 0}, {1, 0}, {0, 1}, {1, 1}, {4, 0}, {5, 0}, {4, 1}, {5, 1}, {0.5, 0.5}, {3, 3}});
  EXPECT_NEAR(hull_hull_distance(x, iota(4), iota(4, 4)).distance, 3.0, 1e-14);
  EXPECT_NEAR(hull_hull_distance(x, iota(4), {8, 9}).distance, 0.0, 1e-14);
}

TEST(HullDistance, HighDimensionalCertificate) {
  // 500 points in 64-D: the attained distance and the proven lower bound must agree.
  std::mt19937 rng(5);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<std::vector<double>> pts(500, std::vector<double>(64));
  for (auto& p : pts)
    for (auto& v : p) v = g(rng);
  const Embeddings x = make(pts);
  for (double far : {0.0, 0.5, 5.0}) {
    std::vector<double> p(64);
    for (auto& v : p) v = g(rng) * 0.1;
    p[0] += far * 10;
    const HullDistance hd = point_hull_distance(x, iota(500), p.data());
    EXPECT_TRUE(hd.converged);
    EXPECT_LE(hd.distance - hd.lower_bound, 1e-6 * (1.0 + hd.distance)) << far;
  }
}

}  // namespace
}  // namespace codessm::probe
