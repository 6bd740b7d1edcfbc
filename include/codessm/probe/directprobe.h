// DirectProbe (Zhou & Srikumar, NAACL 2021) in its exact greedy form (spec §1.4, §5.2):
// same-label clusters merge in increasing centroid distance, ties broken by (distance, i, j); a
// merge is accepted iff the merged cluster's convex hull meets no active cluster of another label
// (lp_separation.h, behind an exact ball prefilter and certificate caches). The pop order and the
// result equal the original's "merge to the end, binary-search the first overlap, resume" driver.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codessm/probe/embeddings.h"
#include "codessm/probe/lp_separation.h"

namespace codessm::probe {

/// What to do with identical training vectors that carry different labels. Their hulls overlap
/// from the start; the original DirectProbe then returns an invalid state (< 1000 points) or loops
/// forever (spec §1.4).
enum class DuplicatePolicy {
  kKeep,  ///< greedy rule: those points can never merge and stay singletons; reported (default)
  kFail,  ///< throw DataError listing them
};

/// Parses "keep" / "fail"; throws UsageError otherwise.
DuplicatePolicy parse_duplicate_policy(const std::string& s);

struct DirectProbeOptions {
  int threads = 0;  ///< worker threads (0: all cores)
  DuplicatePolicy duplicates = DuplicatePolicy::kKeep;
  SeparationOptions lp;     ///< LP tolerances and constraint generation
  bool use_caches = true;   ///< overlap witnesses (DP's blacklist) and separating planes (DP's whitelist)
  bool progress = true;     ///< show a core::ProgressBar on stderr
  bool record_merges = true;  ///< keep the merge log (merges.tsv)
};

/// One popped pair of the merge queue.
struct MergeRecord {
  int64_t step = 0;     ///< pop number among pops with both clusters active
  int i = 0, j = 0;     ///< internal cluster ids (i < j); ids 0..n−1 are the training points
  double distance = 0;  ///< centroid distance
  bool accepted = false;
  int new_id = -1;      ///< id of the merged cluster when accepted
  int conflict = -1;    ///< when rejected: id of an overlapping cluster of another label
  std::string reason;   ///< "clean", "no-candidates", "lp", "cache", "uncertified"
};

/// Identical training vectors with more than one label.
struct DuplicateGroup {
  std::vector<int> rows;  ///< training rows (ascending)
};

struct ProbeStats {
  int64_t pops = 0;            ///< pairs popped with both clusters active
  int64_t accepted = 0;
  int64_t rejected = 0;
  int64_t ball_candidates = 0; ///< other-label clusters that passed the ball prefilter
  int64_t overlap_tests = 0;   ///< separate_hulls calls
  int64_t precheck_separations = 0;  ///< tests settled by the nearest-points precheck (no LP)
  int64_t lp_solves = 0;       ///< CLP solves (constraint-generation rounds and fallbacks)
  int64_t lp_fallbacks = 0;
  int64_t uncertified = 0;     ///< decisions taken by the near-touching rule
  int64_t blacklist_hits = 0;  ///< overlaps proven by a cached witness
  int64_t whitelist_hits = 0;  ///< separations proven by a cached plane
  double seconds_queue = 0;    ///< initial pairwise distances
  double seconds_merge = 0;    ///< the greedy loop
};

/// A final cluster.
struct Cluster {
  int id = 0;                ///< internal id (see MergeRecord)
  int label = 0;
  std::vector<int> members;  ///< training rows, ascending
};

struct DirectProbeResult {
  /// Final clusters; the index is the cluster number of clusters.txt (increasing internal id, as
  /// the original numbers active clusters).
  std::vector<Cluster> clusters;
  std::vector<int> assignment;  ///< per training row: its cluster number
  std::vector<MergeRecord> merges;
  std::vector<DuplicateGroup> conflicting_duplicates;
  ProbeStats stats;
};

/// Runs DirectProbe on `train` (labels in [0, num_labels)). Throws DataError on bad input or,
/// with DuplicatePolicy::kFail, on conflicting duplicates.
DirectProbeResult run_directprobe(const LabeledPoints& train, int num_labels, const DirectProbeOptions& opt = {});

/// Groups of identical rows whose labels differ (exact double equality).
std::vector<DuplicateGroup> find_conflicting_duplicates(const LabeledPoints& points);

}  // namespace codessm::probe
