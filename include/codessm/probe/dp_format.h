// File formats of the original DirectProbe (utahnlp/DirectProbe, spec §1.1, §1.7), so that its
// inputs run unchanged and its outputs compare line by line. Everything is parsed exactly:
// floats with std::from_chars (correctly rounded, like Python's float()).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "codessm/probe/directprobe.h"
#include "codessm/probe/embeddings.h"
#include "codessm/probe/predict.h"

namespace codessm::probe {

namespace fs = std::filesystem;

/// tags.txt: one label per line, whitespace-stripped, de-duplicated and sorted byte-wise (the
/// original's sorted(set)). Blank lines are skipped.
LabelSet read_label_set(const fs::path& path);

/// Labels of a labels file, one per line, whitespace-stripped. A line with tabs is an entities line
/// ("entity\tlabel"): the label is the text after the last tab. `require_entity_format` insists on
/// exactly two tab-separated fields, as the original's loader does.
std::vector<std::string> read_labels(const fs::path& path, bool require_entity_format = false);

/// Embeddings: either text (one vector per line, whitespace-separated floats, e.g. np.savetxt) or
/// .npy (2-D, float32 or float64, C order), chosen by the file extension.
Embeddings read_embeddings(const fs::path& path);

/// Maps label strings to indices of `labels`; throws DataError naming `path` for unknown ones.
std::vector<int> label_indices(const std::vector<std::string>& names, const LabelSet& labels, const fs::path& path);

/// clusters.txt: line i = cluster number of training row i.
void write_clusters_txt(const fs::path& path, const std::vector<int>& assignment);
/// Reads clusters.txt back into clusters (cluster c = rows with number c, ascending) with the label
/// of their rows; throws DataError if a cluster mixes labels or the row count differs.
std::vector<Cluster> read_clusters_txt(const fs::path& path, const std::vector<int>& train_labels);

/// prediction.txt: "gold\tcid-label,dist\t…" with distances as {:.4f}, clusters by (distance, id).
void write_prediction_txt(const fs::path& path, const std::vector<Prediction>& preds,
                          const std::vector<Cluster>& clusters, const LabelSet& labels);

/// One line of dis.txt: hull distance between clusters i < j of different labels.
struct ClusterPairDistance {
  int i = 0, j = 0;
  double distance = 0.0;
};
/// Exact hull-to-hull distances of all different-label cluster pairs (0 when they overlap).
std::vector<ClusterPairDistance> cluster_distances(const Embeddings& train_x, const std::vector<Cluster>& clusters,
                                                   int threads = 0);
/// dis.txt: "({i}-{Li}, {j}-{Lj}): {d:.4f}".
void write_dis_txt(const fs::path& path, const std::vector<ClusterPairDistance>& dis,
                   const std::vector<Cluster>& clusters, const LabelSet& labels);

/// The five input paths of an original config.ini ([data] section, ${common} interpolation).
struct DpConfigPaths {
  fs::path label_set, entities, embeddings, test_entities, test_embeddings, output;
};
/// Reads the original's config.ini (configparser ExtendedInterpolation: ${key} and ${section:key}).
/// Relative paths are taken relative to `base_dir` (the original resolves them against its cwd).
DpConfigPaths read_dp_config(const fs::path& ini, const fs::path& base_dir);

/// The data layout of the original's pre-packaged datasets (and of Anand et al.'s):
/// DIR/labels/tags.txt, DIR/entities/{train,test}.txt, DIR/embeddings/layers/{train,test}/LAYER.txt.
DpConfigPaths dp_layout(const fs::path& dir, const std::string& layer);

}  // namespace codessm::probe
