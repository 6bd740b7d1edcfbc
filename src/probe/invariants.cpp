// Invariant checks of DirectProbe results (invariants.h).
#include "codessm/probe/invariants.h"

#include <algorithm>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "codessm/probe/geometry.h"
#include "thread_pool.h"

namespace codessm::probe {

namespace {

struct Ball {
  std::vector<double> centre;
  double radius = 0.0;
};

Ball ball_of(const Embeddings& x, const std::vector<int>& members) {
  Ball b;
  b.centre.assign(x.d, 0.0);
  for (int p : members)
    for (int k = 0; k < x.d; ++k) b.centre[k] += x.row(p)[k];
  for (double& v : b.centre) v /= static_cast<double>(members.size());
  for (int p : members) b.radius = std::max(b.radius, distance(x.row(p), b.centre.data(), x.d));
  return b;
}

bool overlaps(const Embeddings& x, const std::vector<int>& a, const Ball& ba, const std::vector<int>& b,
              const Ball& bb) {
  if (!balls_may_meet(ba.centre.data(), ba.radius, bb.centre.data(), bb.radius, x.d)) return false;
  return separate_hulls(x, a, b).relation == HullRelation::kOverlap;
}

}  // namespace

InvariantReport check_invariants(const LabeledPoints& train, const DirectProbeResult& r, int threads,
                                 bool check_maximality) {
  InvariantReport rep;
  std::mutex mu;
  auto problem = [&](std::string s) {
    std::lock_guard<std::mutex> lock(mu);
    if (rep.problems.size() < 20) rep.problems.push_back(std::move(s));
  };
  const auto& cl = r.clusters;
  // Partition and purity.
  std::vector<int> seen(train.x.n, 0);
  for (size_t c = 0; c < cl.size(); ++c)
    for (int p : cl[c].members) {
      ++seen[p];
      if (train.labels[p] != cl[c].label) {
        rep.partition_ok = false;
        problem(fmt::format("cluster {} (label {}) holds row {} of label {}", c, cl[c].label, p, train.labels[p]));
      }
    }
  for (int64_t p = 0; p < train.x.n; ++p)
    if (seen[p] != 1) {
      rep.partition_ok = false;
      problem(fmt::format("row {} is in {} clusters", p, seen[p]));
    }
  // An overlap is explained when both clusters hold rows of one conflicting-duplicate group.
  std::vector<int> group_of(train.x.n, -1);
  for (size_t g = 0; g < r.conflicting_duplicates.size(); ++g)
    for (int p : r.conflicting_duplicates[g].rows) group_of[p] = static_cast<int>(g);
  auto groups = [&](const Cluster& c) {
    std::set<int> s;
    for (int p : c.members)
      if (group_of[p] >= 0) s.insert(group_of[p]);
    return s;
  };
  auto share_group = [&](const Cluster& a, const Cluster& b) {
    const std::set<int> ga = groups(a);
    for (int g : groups(b))
      if (ga.count(g)) return true;
    return false;
  };

  std::vector<Ball> balls(cl.size());
  for (size_t c = 0; c < cl.size(); ++c) balls[c] = ball_of(train.x, cl[c].members);
  std::vector<std::pair<int, int>> pairs;
  for (size_t i = 0; i < cl.size(); ++i)
    for (size_t j = i + 1; j < cl.size(); ++j)
      if (cl[i].label != cl[j].label || check_maximality) pairs.emplace_back(static_cast<int>(i), static_cast<int>(j));
  detail::ThreadPool pool(threads);
  pool.parallel_for(static_cast<int64_t>(pairs.size()), [&](int64_t q, int) {
    const auto [i, j] = pairs[q];
    if (cl[i].label != cl[j].label) {
      if (!overlaps(train.x, cl[i].members, balls[i], cl[j].members, balls[j])) return;
      const bool explained = share_group(cl[i], cl[j]);
      std::lock_guard<std::mutex> lock(mu);
      ++rep.overlapping_pairs;
      rep.overlapping_explained += explained;
      if (!explained && rep.problems.size() < 20)
        rep.problems.push_back(fmt::format("clusters {} and {} of different labels overlap", i, j));
      return;
    }
    // Maximality: the union of a same-label pair must meet some cluster of another label.
    std::vector<int> u = cl[i].members;
    u.insert(u.end(), cl[j].members.begin(), cl[j].members.end());
    std::sort(u.begin(), u.end());
    const Ball bu = ball_of(train.x, u);
    for (size_t o = 0; o < cl.size(); ++o)
      if (cl[o].label != cl[i].label && overlaps(train.x, u, bu, cl[o].members, balls[o])) return;
    std::lock_guard<std::mutex> lock(mu);
    ++rep.mergeable_pairs;
    if (rep.problems.size() < 20)
      rep.problems.push_back(fmt::format("clusters {} and {} (label {}) could still merge", i, j, cl[i].label));
  });
  rep.checked_pairs = static_cast<int64_t>(pairs.size());
  return rep;
}

}  // namespace codessm::probe
