// The greedy DirectProbe loop (directprobe.h, spec §5.2):
//   queue  = all same-label pairs (dist, i, j), i < j, min-heap in lexicographic order
//   loop   : pop; skip if i or j is inactive; C = i ∪ j; if C overlaps another label's active
//            cluster the pair is dropped for good, else C replaces i and j and its pairs are pushed
//   stop   : the queue is empty.
// Monotonicity of hull overlap (spec §1.4) makes this equal to the original's driver.
#include "codessm/probe/directprobe.h"

#include <fmt/ranges.h>
#include <algorithm>
#include <map>
#include <queue>

#include "cluster_store.h"
#include "codessm/core/error.h"
#include "codessm/core/logging.h"
#include "codessm/core/progress.h"
#include "codessm/core/timer.h"
#include "codessm/probe/geometry.h"
#include "overlap_oracle.h"
#include "thread_pool.h"

namespace codessm::probe {

namespace {

struct QueuedPair {
  double dist;
  int i, j;
};
// std::priority_queue is a max-heap: "greater" puts the smallest (dist, i, j) on top.
struct PairGreater {
  bool operator()(const QueuedPair& x, const QueuedPair& y) const {
    if (x.dist != y.dist) return x.dist > y.dist;
    if (x.i != y.i) return x.i > y.i;
    return x.j > y.j;
  }
};

/// All same-label pairs of the singletons, computed in parallel.
std::vector<QueuedPair> initial_pairs(const LabeledPoints& t, int num_labels, detail::ThreadPool& pool) {
  std::vector<std::vector<int>> by_label(num_labels);
  for (int64_t i = 0; i < t.x.n; ++i) by_label[t.labels[i]].push_back(static_cast<int>(i));
  std::vector<std::vector<QueuedPair>> rows(t.x.n);
  for (const auto& rows_l : by_label) {
    pool.parallel_for(static_cast<int64_t>(rows_l.size()), [&](int64_t q, int) {
      const int i = rows_l[q];
      auto& out = rows[i];
      out.reserve(rows_l.size() - q - 1);
      for (size_t r = q + 1; r < rows_l.size(); ++r) {
        const int j = rows_l[r];
        out.push_back({distance(t.x.row(i), t.x.row(j), t.x.d), i, j});
      }
    });
  }
  size_t total = 0;
  for (const auto& r : rows) total += r.size();
  std::vector<QueuedPair> all;
  all.reserve(total);
  for (auto& r : rows) {
    all.insert(all.end(), r.begin(), r.end());
    std::vector<QueuedPair>().swap(r);
  }
  return all;
}

const char* reason_name(detail::VerdictSource s) {
  switch (s) {
    case detail::VerdictSource::kNoCandidates: return "no-candidates";
    case detail::VerdictSource::kSeparated: return "clean";
    case detail::VerdictSource::kLp: return "lp";
    case detail::VerdictSource::kWitnessCache: return "cache";
    case detail::VerdictSource::kUncertified: return "uncertified";
  }
  return "?";
}

}  // namespace

DuplicatePolicy parse_duplicate_policy(const std::string& s) {
  if (s == "keep") return DuplicatePolicy::kKeep;
  if (s == "fail") return DuplicatePolicy::kFail;
  throw UsageError(fmt::format("--duplicates '{}' is not known; use keep (default) or fail", s));
}

std::vector<DuplicateGroup> find_conflicting_duplicates(const LabeledPoints& p) {
  const int d = p.x.d;
  std::vector<int> order(p.x.n);
  for (int64_t i = 0; i < p.x.n; ++i) order[i] = static_cast<int>(i);
  auto less = [&](int a, int b) {
    const double *ra = p.x.row(a), *rb = p.x.row(b);
    for (int k = 0; k < d; ++k)
      if (ra[k] != rb[k]) return ra[k] < rb[k];
    return a < b;
  };
  auto same = [&](int a, int b) { return std::equal(p.x.row(a), p.x.row(a) + d, p.x.row(b)); };
  std::sort(order.begin(), order.end(), less);
  std::vector<DuplicateGroup> out;
  for (size_t s = 0; s < order.size();) {
    size_t e = s + 1;
    bool mixed = false;
    while (e < order.size() && same(order[s], order[e])) {
      mixed = mixed || p.labels[order[e]] != p.labels[order[s]];
      ++e;
    }
    if (mixed) {
      DuplicateGroup g{std::vector<int>(order.begin() + s, order.begin() + e)};
      std::sort(g.rows.begin(), g.rows.end());
      out.push_back(std::move(g));
    }
    s = e;
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.rows[0] < b.rows[0]; });
  return out;
}

DirectProbeResult run_directprobe(const LabeledPoints& train, int num_labels, const DirectProbeOptions& opt) {
  validate_points(train, num_labels, "training set");
  CODESSM_REQUIRE(train.x.n >= 1, DataError, "training set is empty; DirectProbe needs at least one point");
  CODESSM_REQUIRE(train.x.n < (int64_t{1} << 30), DataError, "training set has {} rows; at most 2^30 are supported",
                  train.x.n);
  DirectProbeResult res;
  res.conflicting_duplicates = find_conflicting_duplicates(train);
  if (!res.conflicting_duplicates.empty()) {
    const auto& g = res.conflicting_duplicates[0].rows;
    const std::string first = fmt::format("{}", fmt::join(g, ", "));
    if (opt.duplicates == DuplicatePolicy::kFail)
      throw DataError(fmt::format(
          "training set: {} groups of identical vectors carry different labels (first: rows {}); the original "
          "DirectProbe cannot finish on such input. Remove them, or use --duplicates keep to leave them as "
          "singleton clusters",
          res.conflicting_duplicates.size(), first));
    spdlog::warn("training set: {} groups of identical vectors carry different labels (first: rows {}); they "
                 "stay singleton clusters that overlap each other (--duplicates keep)",
                 res.conflicting_duplicates.size(), first);
  }

  detail::ThreadPool pool(opt.threads);
  core::Timer timer;
  std::vector<QueuedPair> pairs = initial_pairs(train, num_labels, pool);
  std::priority_queue<QueuedPair, std::vector<QueuedPair>, PairGreater> queue(PairGreater{}, std::move(pairs));
  res.stats.seconds_queue = timer.seconds();
  timer.reset();

  detail::ClusterStore store(train.x, train.labels);
  detail::OverlapOracle oracle(train.x, opt, pool, res.stats);
  const int64_t max_merges = train.x.n - num_labels;
  std::unique_ptr<core::ProgressBar> bar;
  if (opt.progress) bar = std::make_unique<core::ProgressBar>("directprobe", std::max<int64_t>(max_merges, 0), "merge");
  ProbeStats& st = res.stats;
  while (!queue.empty()) {
    const QueuedPair top = queue.top();
    queue.pop();
    if (!store.at(top.i).active || !store.at(top.j).active) continue;
    MergeRecord rec;
    rec.step = st.pops++;
    rec.i = top.i;
    rec.j = top.j;
    rec.distance = top.dist;
    detail::ClusterRec cand = detail::merge_candidate(train.x, store.at(top.i), store.at(top.j));
    const detail::Verdict v = oracle.check(store, top.i, top.j, cand);
    rec.reason = reason_name(v.source);
    if (v.overlap) {
      ++st.rejected;
      rec.conflict = v.conflict;
    } else {
      ++st.accepted;
      const int id = store.accept(top.i, top.j, std::move(cand));
      oracle.on_accept(top.i, top.j, id);
      rec.accepted = true;
      rec.new_id = id;
      // New pairs: the merged cluster against every active cluster of its label.
      const detail::ClusterRec& c = store.at(id);
      const std::vector<int>& act = store.active();
      std::vector<double> dist(act.size(), -1.0);
      pool.parallel_for(
          static_cast<int64_t>(act.size()),
          [&](int64_t q, int) {
            const int v2 = act[q];
            if (v2 != id && store.at(v2).label == c.label)
              dist[q] = distance(store.at(v2).centre.data(), c.centre.data(), train.x.d);
          },
          /*min_parallel=*/4096);
      for (size_t q = 0; q < act.size(); ++q)
        if (dist[q] >= 0.0) queue.push({dist[q], act[q], id});
      if (bar) bar->update(1, fmt::format("K={} LP={}", store.active().size(), st.overlap_tests));
    }
    if (opt.record_merges) res.merges.push_back(std::move(rec));
  }
  if (bar) bar->finish(fmt::format("K={} LP={}", store.active().size(), st.overlap_tests));
  st.seconds_merge = timer.seconds();

  // Number the final clusters by increasing internal id, as the original's write_clusters does.
  std::vector<int> ids = store.active();
  std::sort(ids.begin(), ids.end());
  res.assignment.assign(train.x.n, -1);
  for (size_t k = 0; k < ids.size(); ++k) {
    const detail::ClusterRec& r = store.at(ids[k]);
    res.clusters.push_back({ids[k], r.label, r.members});
    for (int p : r.members) res.assignment[p] = static_cast<int>(k);
  }
  return res;
}

}  // namespace codessm::probe
