// "Does the merged cluster C = A ∪ B overlap an active cluster of another label?" (spec §1.5,
// §5.3), private to the probe module. Order of work per check:
//   1. witness cache (DP's blacklist, strengthened): a stored pair of small point sets P, Q with
//      intersecting hulls, P ⊆ C and Q ⊆ some active D  →  overlap, no LP;
//   2. ball prefilter: only clusters D with r_C + r_D ≥ ‖c_C − c_D‖ can overlap;
//   3. plane cache (DP's whitelist, strengthened): a stored certified plane that separates A (or
//      B) from D and also has the other part of C on its side  →  separable, no LP;
//   4. separate_hulls (CLP), candidates in rounds of `threads`, nearest centroid first, stopping
//      after the first round that finds an overlap.
// The caches store certified facts only, so the answer never depends on them (docs/directprobe.md).
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "cluster_store.h"
#include "codessm/probe/directprobe.h"
#include "thread_pool.h"

namespace codessm::probe::detail {

/// How a check was decided.
enum class VerdictSource { kNoCandidates, kSeparated, kLp, kWitnessCache, kUncertified };

struct Verdict {
  bool overlap = false;
  int conflict = -1;  ///< an overlapping cluster id (overlap only)
  VerdictSource source = VerdictSource::kNoCandidates;
};

class OverlapOracle {
 public:
  OverlapOracle(const Embeddings& x, const DirectProbeOptions& opt, ThreadPool& pool, ProbeStats& stats);

  /// Checks candidate `c` = merge of active clusters a and b.
  Verdict check(const ClusterStore& store, int a, int b, const ClusterRec& c);

  /// Call after the candidate of the last check() was accepted as cluster `id`: moves the planes
  /// found during that check to the new cluster and forgets a's and b's.
  void on_accept(int a, int b, int id);

 private:
  struct Witness {
    std::vector<int> p, q;  // rows; conv(P) ∩ conv(Q) ≠ ∅ (certified)
  };
  struct Plane {
    Hyperplane h;    // f ≥ h.a_min on cluster `pos`, f ≤ h.b_max on cluster `neg`
    int pos = -1, neg = -1;
  };
  static uint64_t key(int u, int v) {
    const uint64_t lo = static_cast<uint64_t>(u < v ? u : v), hi = static_cast<uint64_t>(u < v ? v : u);
    return (hi << 32) | lo;
  }
  int witness_conflict(const ClusterStore& store, int a, int b, const ClusterRec& c) const;
  bool plane_extends(const ClusterStore& store, int part, int other_part, int d, Plane* out) const;
  void add_witness(std::vector<int> p, std::vector<int> q);

  const Embeddings& x_;
  const DirectProbeOptions& opt_;
  ThreadPool& pool_;
  ProbeStats& stats_;
  double data_scale_ = 0.0;  // max |x_k − mean_k|: the reference length of cached-plane gaps
  std::vector<Witness> witnesses_;
  std::vector<std::vector<int>> witness_by_row_;  // row → witnesses whose P or Q starts with it
  std::unordered_map<uint64_t, Plane> planes_;
  std::vector<std::vector<int>> plane_partners_;  // cluster id → ids it has a plane with
  std::vector<Plane> pending_;                    // planes found in the last check (pos = −1 for C)
};

}  // namespace codessm::probe::detail
