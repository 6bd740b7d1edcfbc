// Prediction with DirectProbe clusters (spec §1.6, §5.4): a test point gets the label of the
// cluster whose convex hull is nearest (exact Euclidean distance, hull_distance.h); clusters are
// ranked by (distance, cluster number). Accuracy overall, per label, the unweighted mean over
// labels (the SSM-Interpret paper's figure) and per numeric label value (the distance task).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codessm/probe/directprobe.h"
#include "codessm/probe/embeddings.h"

namespace codessm::probe {

struct ClusterDistance {
  int cluster = 0;       ///< cluster number (index into DirectProbeResult::clusters)
  double distance = 0.0; ///< exact distance from the test point to the cluster's hull
};

struct Prediction {
  int gold = 0;       ///< gold label index
  int predicted = 0;  ///< label of ranking[0]
  std::vector<ClusterDistance> ranking;  ///< all clusters, by (distance, cluster number)
};

/// Ranks every cluster for every test point. Clusters refer to rows of `train_x`.
std::vector<Prediction> predict(const Embeddings& train_x, const std::vector<Cluster>& clusters,
                                const LabeledPoints& test, int threads = 0, bool progress = true);

struct LabelScore {
  int label = 0;
  std::string name;
  int64_t total = 0;    ///< test points with this gold label
  int64_t correct = 0;
  double accuracy = 0;  ///< correct / total (0 when total is 0)
  int clusters = 0;     ///< final clusters with this label
  bool numeric = false; ///< the name parses as a number (distance task: "2.0" … "6.0")
  double value = 0;     ///< that number
};

struct Accuracy {
  int64_t total = 0, correct = 0;
  double overall = 0;           ///< correct / total: DirectProbe's "Acc"
  double mean_over_labels = 0;  ///< unweighted mean of per-label accuracy over labels with test points
  std::vector<LabelScore> per_label;  ///< in label-index order
};

/// Scores predictions. `clusters` gives the clusters-per-label counts.
Accuracy score(const std::vector<Prediction>& preds, const std::vector<Cluster>& clusters, const LabelSet& labels);

}  // namespace codessm::probe
