// Nearest-hull prediction and accuracy (predict.h).
#include "codessm/probe/predict.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "codessm/core/error.h"
#include "codessm/core/progress.h"
#include "codessm/probe/hull_distance.h"
#include "thread_pool.h"

namespace codessm::probe {

std::vector<Prediction> predict(const Embeddings& train_x, const std::vector<Cluster>& clusters,
                                const LabeledPoints& test, int threads, bool progress) {
  CODESSM_REQUIRE(test.x.d == train_x.d, DataError,
                  "test embeddings have dimension {} but training embeddings {}; use the same layer for both",
                  test.x.d, train_x.d);
  CODESSM_REQUIRE(!clusters.empty(), DataError, "no clusters to predict with");
  std::vector<Prediction> out(test.x.n);
  detail::ThreadPool pool(threads);
  std::unique_ptr<core::ProgressBar> bar;
  if (progress) bar = std::make_unique<core::ProgressBar>("predict", static_cast<uint64_t>(test.x.n), "pt");
  std::mutex bar_mu;
  pool.parallel_for(test.x.n, [&](int64_t t, int) {
    Prediction& p = out[t];
    p.gold = test.labels[t];
    for (size_t c = 0; c < clusters.size(); ++c)
      p.ranking.push_back({static_cast<int>(c), point_hull_distance(train_x, clusters[c].members, test.x.row(t)).distance});
    // Ties (e.g. two hulls containing the point) go to the lower cluster number, deterministically.
    std::sort(p.ranking.begin(), p.ranking.end(), [](const ClusterDistance& a, const ClusterDistance& b) {
      return a.distance != b.distance ? a.distance < b.distance : a.cluster < b.cluster;
    });
    p.predicted = clusters[p.ranking[0].cluster].label;
    if (bar) {
      std::lock_guard<std::mutex> lock(bar_mu);
      bar->update(1);
    }
  });
  if (bar) bar->finish();
  return out;
}

Accuracy score(const std::vector<Prediction>& preds, const std::vector<Cluster>& clusters, const LabelSet& labels) {
  Accuracy acc;
  acc.per_label.resize(labels.size());
  for (int l = 0; l < labels.size(); ++l) {
    LabelScore& s = acc.per_label[l];
    s.label = l;
    s.name = labels.names[l];
    char* end = nullptr;
    s.value = std::strtod(s.name.c_str(), &end);
    s.numeric = !s.name.empty() && end == s.name.c_str() + s.name.size();
  }
  for (const Cluster& c : clusters) ++acc.per_label[c.label].clusters;
  for (const Prediction& p : preds) {
    LabelScore& s = acc.per_label[p.gold];
    ++s.total;
    ++acc.total;
    if (p.predicted == p.gold) {
      ++s.correct;
      ++acc.correct;
    }
  }
  acc.overall = acc.total > 0 ? static_cast<double>(acc.correct) / acc.total : 0.0;
  double sum = 0.0;
  int n = 0;
  for (LabelScore& s : acc.per_label) {
    if (s.total == 0) continue;
    s.accuracy = static_cast<double>(s.correct) / s.total;
    sum += s.accuracy;
    ++n;
  }
  acc.mean_over_labels = n > 0 ? sum / n : 0.0;
  return acc;
}

}  // namespace codessm::probe
