// DirectProbe against the slow reference (reference_directprobe.h) on random mixtures, the
// invariants on every run, hand-made cases (XOR, separable blobs, a point inside another label's
// hull, duplicates), tie-breaking and the merge-log replay.
#include <gtest/gtest.h>

#include <numeric>

#include "codessm/core/error.h"
#include "codessm/core/timer.h"
#include "codessm/probe/directprobe.h"
#include "codessm/probe/invariants.h"
#include "codessm/probe/predict.h"
#include "reference_directprobe.h"
#include "test_utils.h"
#include "synthetic.h"

namespace codessm::probe {
namespace {

DirectProbeOptions quiet() {
  DirectProbeOptions o;
  o.progress = false;
  return o;
}

std::vector<std::vector<int>> members_of(const DirectProbeResult& r) {
  std::vector<std::vector<int>> out;
  for (const auto& c : r.clusters) out.push_back(c.members);
  return out;
}

LabeledPoints points(const std::vector<std::vector<double>>& xs, const std::vector<int>& labels) {
  LabeledPoints p;
  p.x.n = static_cast<int64_t>(xs.size());
  p.x.d = static_cast<int>(xs[0].size());
  for (const auto& v : xs) p.x.values.insert(p.x.values.end(), v.begin(), v.end());
  p.labels = labels;
  return p;
}

/// Replays the accepted merges with a union-find and compares with the final partition.
void expect_replay(const LabeledPoints& t, const DirectProbeResult& r) {
  std::vector<std::vector<int>> sets(t.x.n);
  for (int i = 0; i < t.x.n; ++i) sets[i] = {i};
  for (const auto& m : r.merges) {
    if (!m.accepted) continue;
    ASSERT_EQ(m.new_id, static_cast<int>(sets.size()));
    std::vector<int> u = sets[m.i];
    u.insert(u.end(), sets[m.j].begin(), sets[m.j].end());
    std::sort(u.begin(), u.end());
    sets.push_back(u);
  }
  for (const auto& c : r.clusters) EXPECT_EQ(sets[c.id], c.members);
}

struct Case {
  int n, d, labels;
  uint64_t seed;
  double label_noise;  // high dimensions need more noise before hulls start to overlap
};

class AgainstReference : public ::testing::TestWithParam<Case> {};

TEST_P(AgainstReference, SameClustersSamePredictions) {
  const Case c = GetParam();
  test::MixtureSpec spec;
  spec.n = c.n;
  spec.d = c.d;
  spec.labels = c.labels;
  spec.seed = c.seed;
  spec.label_noise = c.label_noise;
  const LabeledPoints train = test::make_mixture(spec);
  core::Timer timer;
  const DirectProbeResult r = run_directprobe(train, c.labels, quiet());
  const double fast_s = timer.seconds();
  timer.reset();
  const auto ref = test::reference_directprobe(train);
  std::printf("K=%zu pops=%lld LP=%lld  fast %.2fs, reference %.2fs\n", r.clusters.size(),
              static_cast<long long>(r.stats.pops), static_cast<long long>(r.stats.overlap_tests), fast_s,
              timer.seconds());
  EXPECT_EQ(members_of(r), ref);
  EXPECT_GT(r.stats.rejected, 0);  // the case exercises rejections
  expect_replay(train, r);
  const InvariantReport inv = check_invariants(train, r);
  EXPECT_TRUE(inv.ok()) << (inv.problems.empty() ? "" : inv.problems[0]);

  // Predictions on fresh points from the same mixture: same distances as CLP's QP, same labels
  // unless the two nearest hulls are tied within the QP's accuracy.
  spec.n = 60;
  spec.seed = c.seed + 1000;
  const LabeledPoints test = test::make_mixture(spec);
  const auto preds = predict(train.x, r.clusters, test, 0, false);
  for (int64_t t = 0; t < test.x.n; ++t) {
    std::vector<double> ref_d(r.clusters.size());
    for (size_t k = 0; k < r.clusters.size(); ++k)
      ref_d[k] = test::ref_point_hull_distance(train.x, r.clusters[k].members, test.x.row(t));
    for (const auto& cd : preds[t].ranking)
      EXPECT_NEAR(cd.distance, ref_d[cd.cluster], 1e-6 * (1 + ref_d[cd.cluster])) << "point " << t;
    const size_t best = std::min_element(ref_d.begin(), ref_d.end()) - ref_d.begin();
    const double second = preds[t].ranking.size() > 1 ? preds[t].ranking[1].distance : 1e300;
    if (second - preds[t].ranking[0].distance > 1e-6)
      EXPECT_EQ(preds[t].predicted, r.clusters[best].label) << "point " << t;
  }
}

INSTANTIATE_TEST_SUITE_P(Mixtures, AgainstReference,
                         ::testing::Values(Case{1000, 8, 2, 1, 0.1}, Case{1000, 16, 3, 2, 0.1},
                                           Case{1000, 32, 4, 3, 0.3}, Case{1000, 64, 5, 4, 0.9}),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return "n" + std::to_string(i.param.n) + "_d" + std::to_string(i.param.d) + "_labels" +
                                  std::to_string(i.param.labels);
                         });

TEST(DirectProbe, XorGivesThreeClusters) {
  // Corners of a square, label = XOR: the diagonals cross, so whichever label merges its two
  // corners first (label 0 here: its pair pops first on equal distance) blocks the other.
  const LabeledPoints t = points({{0, 0}, {1, 1}, {0, 1}, {1, 0}, {0.1, 0}, {1, 0.9}, {0, 0.9}, {0.9, 0}},
                                 {0, 0, 1, 1, 0, 0, 1, 1});
  const DirectProbeResult r = run_directprobe(t, 2, quiet());
  ASSERT_EQ(r.clusters.size(), 3u);
  EXPECT_EQ(r.clusters.back().label, 0);
  EXPECT_EQ(r.clusters.back().members.size(), 4u);
  EXPECT_TRUE(check_invariants(t, r).ok());
}

TEST(DirectProbe, SeparableBlobsGiveOneClusterPerLabel) {
  const LabeledPoints t = points({{0, 0}, {1, 0}, {0, 1}, {10, 10}, {11, 10}, {10, 11}}, {0, 0, 0, 1, 1, 1});
  const DirectProbeResult r = run_directprobe(t, 2, quiet());
  ASSERT_EQ(r.clusters.size(), 2u);
  EXPECT_EQ(r.clusters[0].members, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(r.clusters[1].members, (std::vector<int>{3, 4, 5}));
  EXPECT_EQ(r.assignment, (std::vector<int>{0, 0, 0, 1, 1, 1}));
}

TEST(DirectProbe, PointInsideAnotherLabelsHull) {
  // Row 4 (label 1) sits inside the triangle of label 0: the triangle cannot form in one piece.
  const LabeledPoints t = points({{0, 0}, {4, 0}, {0, 4}, {9, 9}, {1, 1}}, {0, 0, 0, 1, 1});
  const DirectProbeResult r = run_directprobe(t, 2, quiet());
  EXPECT_TRUE(check_invariants(t, r).ok());
  for (const auto& c : r.clusters)
    if (c.label == 0) EXPECT_LT(c.members.size(), 3u);
}

TEST(DirectProbe, ConflictingDuplicatesStaySingletonsOrFail) {
  const LabeledPoints t = points({{0, 0}, {1, 0}, {1, 0}, {2, 0}, {5, 5}, {6, 5}}, {0, 0, 1, 0, 1, 1});
  const DirectProbeResult r = run_directprobe(t, 2, quiet());
  ASSERT_EQ(r.conflicting_duplicates.size(), 1u);
  EXPECT_EQ(r.conflicting_duplicates[0].rows, (std::vector<int>{1, 2}));
  // Rows 1 and 2 can never merge with anything.
  for (const auto& c : r.clusters)
    if (std::count(c.members.begin(), c.members.end(), 1) || std::count(c.members.begin(), c.members.end(), 2))
      EXPECT_EQ(c.members.size(), 1u);
  const InvariantReport inv = check_invariants(t, r);
  EXPECT_TRUE(inv.ok());
  EXPECT_EQ(inv.overlapping_explained, 1);
  DirectProbeOptions fail = quiet();
  fail.duplicates = DuplicatePolicy::kFail;
  EXPECT_THROW_WITH(run_directprobe(t, 2, fail), DataError, "rows 1, 2");
}

TEST(DirectProbe, TiesBreakByIds) {
  // Equidistant same-label points: the queue must pop (dist, i, j) in lexicographic order, so
  // the first merge is (0, 1), not (1, 2) or (2, 3).
  const LabeledPoints t = points({{0, 0}, {1, 0}, {2, 0}, {3, 0}}, {0, 0, 0, 0});
  const DirectProbeResult r = run_directprobe(t, 1, quiet());
  ASSERT_FALSE(r.merges.empty());
  EXPECT_EQ(r.merges[0].i, 0);
  EXPECT_EQ(r.merges[0].j, 1);
  EXPECT_EQ(r.clusters.size(), 1u);
}

TEST(DirectProbe, CachesDoNotChangeTheResult) {
  test::MixtureSpec spec;
  spec.n = 600;
  spec.d = 12;
  spec.labels = 3;
  spec.seed = 9;
  const LabeledPoints t = test::make_mixture(spec);
  DirectProbeOptions a = quiet(), b = quiet();
  b.use_caches = false;
  b.threads = 1;
  const DirectProbeResult ra = run_directprobe(t, 3, a), rb = run_directprobe(t, 3, b);
  EXPECT_EQ(members_of(ra), members_of(rb));
  EXPECT_GT(ra.stats.blacklist_hits + ra.stats.whitelist_hits, 0);
  EXPECT_LT(ra.stats.overlap_tests, rb.stats.overlap_tests);
}

TEST(DirectProbe, RejectsBadInput) {
  LabeledPoints t = points({{0, 0}, {1, 1}}, {0, 3});
  EXPECT_THROW_WITH(run_directprobe(t, 2, quiet()), DataError, "row 1 has label index 3");
  t = points({{0, 0}, {1, std::nan("")}}, {0, 1});
  EXPECT_THROW_WITH(run_directprobe(t, 2, quiet()), DataError, "must be finite");
}

TEST(Accuracy, PerLabelAndMean) {
  std::vector<Cluster> cl{{0, 0, {0}}, {1, 1, {1}}, {2, 1, {2}}};
  LabelSet ls{{"2.0", "3.0"}};
  std::vector<Prediction> p(4);
  p[0].gold = 0, p[0].predicted = 0;
  p[1].gold = 0, p[1].predicted = 1;
  p[2].gold = 1, p[2].predicted = 1;
  p[3].gold = 0, p[3].predicted = 0;
  const Accuracy a = score(p, cl, ls);
  EXPECT_DOUBLE_EQ(a.overall, 0.75);
  EXPECT_DOUBLE_EQ(a.per_label[0].accuracy, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(a.per_label[1].accuracy, 1.0);
  EXPECT_DOUBLE_EQ(a.mean_over_labels, (2.0 / 3.0 + 1.0) / 2);
  EXPECT_EQ(a.per_label[1].clusters, 2);
  EXPECT_TRUE(a.per_label[0].numeric);
  EXPECT_DOUBLE_EQ(a.per_label[1].value, 3.0);
}

}  // namespace
}  // namespace codessm::probe
