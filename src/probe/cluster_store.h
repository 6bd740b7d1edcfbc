// Cluster records of a DirectProbe run (private). Ids are never reused: 0..n−1 are the training
// points, merged clusters get n, n+1, ... in creation order, as in the original.
#pragma once

#include <cstdint>
#include <vector>

#include "codessm/probe/embeddings.h"

namespace codessm::probe::detail {

struct ClusterRec {
  int label = 0;
  std::vector<int> members;    // ascending training rows
  std::vector<double> sum;     // Σ members (d); a merge adds the two sums, so it is deterministic
  std::vector<double> centre;  // sum / |members|
  double radius = 0.0;         // max ‖x − centre‖ over members
  bool active = false;
};

/// Builds the merged candidate of clusters a and b (not yet stored).
ClusterRec merge_candidate(const Embeddings& x, const ClusterRec& a, const ClusterRec& b);

/// All clusters plus the active set and the point → active cluster map.
class ClusterStore {
 public:
  /// One singleton per training row.
  ClusterStore(const Embeddings& x, const std::vector<int>& labels);

  const ClusterRec& at(int id) const { return recs_[id]; }
  int size() const { return static_cast<int>(recs_.size()); }
  /// Active cluster ids (unordered; swap-removal).
  const std::vector<int>& active() const { return active_; }
  /// The active cluster that holds training row p.
  int owner(int p) const { return owner_[p]; }

  /// Stores `c` as a new active cluster replacing a and b; returns its id. Frees a's and b's vectors
  /// except members, which the merge log and the caches do not need either but tests may inspect.
  int accept(int a, int b, ClusterRec c);

 private:
  void deactivate(int id);

  std::vector<ClusterRec> recs_;
  std::vector<int> active_;
  std::vector<int> active_pos_;  // id → position in active_ (−1 when inactive)
  std::vector<int> owner_;
};

}  // namespace codessm::probe::detail
