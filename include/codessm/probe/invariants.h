// Post-hoc checks of a DirectProbe result (spec §5.5.2), each decided by a certified overlap test:
// clusters are pure and partition the points; clusters of different labels are separable; no two
// clusters of one label could still merge (their union meets another label's cluster).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codessm/probe/directprobe.h"

namespace codessm::probe {

struct InvariantReport {
  bool partition_ok = true;            ///< every training row in exactly one cluster, labels pure
  int64_t overlapping_pairs = 0;       ///< different-label cluster pairs whose hulls meet
  int64_t overlapping_explained = 0;   ///< ... of which involve conflicting duplicate rows
  int64_t mergeable_pairs = 0;         ///< same-label pairs whose union meets no other label
  int64_t checked_pairs = 0;
  std::vector<std::string> problems;   ///< human-readable descriptions (first 20)

  /// True when the result satisfies all invariants (overlaps caused by conflicting duplicates are
  /// expected and allowed).
  bool ok() const { return partition_ok && overlapping_pairs == overlapping_explained && mergeable_pairs == 0; }
};

/// Runs the checks. `check_maximality` costs O(K_l² · K) overlap tests; switch it off for large K.
InvariantReport check_invariants(const LabeledPoints& train, const DirectProbeResult& r, int threads = 0,
                                 bool check_maximality = true);

}  // namespace codessm::probe
