// Overlap checks of merge candidates with the ball prefilter and certificate caches
// (overlap_oracle.h).
//
// Why these caches and not DirectProbe's literal ones: DP stores whole index sets and tests
// subset (whitelist) and superset (blacklist) relations. In the greedy form every cluster pair is
// tested at most once per state, and the partition only coarsens, so a literal whitelist entry
// (C' ⊇ C, D' ⊇ D) can only match the very same pair again. Storing the certificates instead keeps
// DP's two implications and makes them match far more often:
//   - an overlap witness (P, Q) is a subset of the pair that produced it, so "P ⊆ C and Q ⊆ D"
//     implies every superset pair overlaps, as DP's blacklist does, for many more pairs;
//   - a separating plane of (A, D) also separates (A ∪ B, D) whenever B's points lie on A's side,
//     which covers DP's subset implication and the common "cluster absorbs a nearby point" case.
#include "overlap_oracle.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "codessm/probe/geometry.h"

namespace codessm::probe::detail {

OverlapOracle::OverlapOracle(const Embeddings& x, const DirectProbeOptions& opt, ThreadPool& pool, ProbeStats& stats)
    : x_(x), opt_(opt), pool_(pool), stats_(stats), witness_by_row_(x.n) {
  std::vector<long double> mean(x.d, 0.0L);
  for (int64_t i = 0; i < x.n; ++i)
    for (int k = 0; k < x.d; ++k) mean[k] += x.row(i)[k];
  for (int k = 0; k < x.d; ++k) mean[k] /= std::max<int64_t>(1, x.n);
  for (int64_t i = 0; i < x.n; ++i)
    for (int k = 0; k < x.d; ++k)
      data_scale_ = std::max(data_scale_, static_cast<double>(std::abs(x.row(i)[k] - mean[k])));
}

int OverlapOracle::witness_conflict(const ClusterStore& store, int a, int b, const ClusterRec& c) const {
  // A witness side S lies in C iff every row of S is owned by a or b; it lies in D iff all its
  // rows share one owner D. Witnesses are indexed by their first row, so only those starting inside
  // C are looked at.
  auto in_c = [&](const std::vector<int>& s) {
    for (int p : s)
      if (store.owner(p) != a && store.owner(p) != b) return false;
    return true;
  };
  auto single_owner = [&](const std::vector<int>& s) {
    const int o = store.owner(s[0]);
    for (int p : s)
      if (store.owner(p) != o) return -1;
    return o;
  };
  for (int p : c.members) {
    for (int w : witness_by_row_[p]) {
      const Witness& wt = witnesses_[w];
      const std::vector<int>* mine = wt.p[0] == p ? &wt.p : &wt.q;
      const std::vector<int>* other = wt.p[0] == p ? &wt.q : &wt.p;
      if (!in_c(*mine)) continue;
      const int o = single_owner(*other);
      if (o >= 0 && o != a && o != b && store.at(o).label != c.label) return o;
    }
  }
  return -1;
}

bool OverlapOracle::plane_extends(const ClusterStore& store, int part, int other_part, int d, Plane* out) const {
  // A cached plane between `part` and D certifies (part ∪ other_part, D) if other_part's points lie
  // on part's side with at least the LP's minimum gap. The copy in *out gets the widened extreme
  // of the merged side, so later checks against it stay exact.
  const auto it = planes_.find(key(part, d));
  if (it == planes_.end()) return false;
  const Plane& pl = it->second;
  const Hyperplane& h = pl.h;
  long double wn = 0.0L;
  for (double v : h.w) wn += static_cast<long double>(v) * v;
  wn = std::sqrt(wn);
  const long double min_gap = opt_.lp.sep_tol * data_scale_ * wn;
  const bool part_positive = pl.pos == part;
  long double lo = h.a_min, hi = h.b_max;
  for (int p : store.at(other_part).members) {
    const long double f = h.eval(x_.row(p));
    if (part_positive ? !(f - h.b_max >= min_gap) : !(h.a_min - f >= min_gap)) return false;
    lo = std::min(lo, f);
    hi = std::max(hi, f);
  }
  *out = pl;
  if (part_positive) {
    out->h.a_min = lo;
    out->pos = -1;  // the merged cluster, numbered on acceptance
  } else {
    out->h.b_max = hi;
    out->neg = -1;
  }
  return true;
}

void OverlapOracle::add_witness(std::vector<int> p, std::vector<int> q) {
  const int id = static_cast<int>(witnesses_.size());
  witness_by_row_[p[0]].push_back(id);
  if (q[0] != p[0]) witness_by_row_[q[0]].push_back(id);
  witnesses_.push_back({std::move(p), std::move(q)});
}

Verdict OverlapOracle::check(const ClusterStore& store, int a, int b, const ClusterRec& c) {
  pending_.clear();
  Verdict v;
  if (opt_.use_caches) {
    const int o = witness_conflict(store, a, b, c);
    if (o >= 0) {
      ++stats_.blacklist_hits;
      return {true, o, VerdictSource::kWitnessCache};
    }
  }
  // Ball prefilter over the active clusters of other labels.
  const std::vector<int>& act = store.active();
  std::vector<char> hit(act.size(), 0);
  const int d = x_.d;
  pool_.parallel_for(
      static_cast<int64_t>(act.size()),
      [&](int64_t q, int) {
        const ClusterRec& r = store.at(act[q]);
        if (r.label != c.label && balls_may_meet(c.centre.data(), c.radius, r.centre.data(), r.radius, d)) hit[q] = 1;
      },
      /*min_parallel=*/4096);
  std::vector<std::pair<double, int>> cands;
  for (size_t q = 0; q < act.size(); ++q)
    if (hit[q]) cands.emplace_back(distance(c.centre.data(), store.at(act[q]).centre.data(), d), act[q]);
  std::sort(cands.begin(), cands.end());  // nearest first: the likeliest overlaps; ids break ties
  stats_.ball_candidates += static_cast<int64_t>(cands.size());
  if (cands.empty()) return v;

  // Plane cache, then LPs for the rest.
  std::vector<int> todo;
  for (const auto& [dist, id] : cands) {
    Plane extended;
    if (opt_.use_caches && (plane_extends(store, a, b, id, &extended) || plane_extends(store, b, a, id, &extended))) {
      ++stats_.whitelist_hits;
      pending_.push_back(std::move(extended));
      continue;
    }
    todo.push_back(id);
  }
  const int width = pool_.size();
  std::vector<SeparationResult> res(todo.size());
  for (size_t start = 0; start < todo.size(); start += width) {
    const size_t end = std::min(todo.size(), start + width);
    pool_.parallel_for(
        static_cast<int64_t>(end - start),
        [&](int64_t q, int) { res[start + q] = separate_hulls(x_, c.members, store.at(todo[start + q]).members, opt_.lp); },
        /*min_parallel=*/2);
    // Bookkeeping in candidate order keeps caches and stats independent of thread timing.
    int conflict = -1;
    bool uncertified = false;
    for (size_t q = start; q < end; ++q) {
      SeparationResult& r = res[q];
      ++stats_.overlap_tests;
      stats_.lp_solves += r.lp_solves;
      stats_.lp_fallbacks += r.used_fallback ? 1 : 0;
      stats_.precheck_separations += r.by_precheck ? 1 : 0;
      if (r.relation == HullRelation::kSeparable) {
        if (opt_.use_caches) pending_.push_back({std::move(r.plane), -1, todo[q]});  // C is the positive side
        continue;
      }
      if (!r.certified) {
        ++stats_.uncertified;
        if (conflict < 0) uncertified = true;
        if (opt_.use_caches) add_witness(c.members, store.at(todo[q]).members);
      } else if (opt_.use_caches) {
        add_witness(r.witness_a, r.witness_b);
      }
      if (conflict < 0) conflict = todo[q];
    }
    if (conflict >= 0) return {true, conflict, uncertified ? VerdictSource::kUncertified : VerdictSource::kLp};
  }
  v.source = VerdictSource::kSeparated;
  return v;
}

void OverlapOracle::on_accept(int a, int b, int id) {
  if (!opt_.use_caches) return;
  if (static_cast<int>(plane_partners_.size()) <= id) plane_partners_.resize(id + 1);
  for (int gone : {a, b}) {
    if (gone < static_cast<int>(plane_partners_.size())) {
      for (int p : plane_partners_[gone]) planes_.erase(key(gone, p));
      std::vector<int>().swap(plane_partners_[gone]);
    }
  }
  for (Plane& pl : pending_) {
    if (pl.pos == -1) pl.pos = id;
    if (pl.neg == -1) pl.neg = id;
    const int other = pl.pos == id ? pl.neg : pl.pos;
    if (static_cast<int>(plane_partners_.size()) <= other) plane_partners_.resize(other + 1);
    planes_[key(id, other)] = std::move(pl);
    plane_partners_[id].push_back(other);
    plane_partners_[other].push_back(id);
  }
  pending_.clear();
}

}  // namespace codessm::probe::detail
