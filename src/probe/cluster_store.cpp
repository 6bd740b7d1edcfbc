// Cluster bookkeeping of the greedy loop (cluster_store.h).
#include "cluster_store.h"

#include <algorithm>
#include <cmath>

#include "codessm/probe/geometry.h"

namespace codessm::probe::detail {

ClusterRec merge_candidate(const Embeddings& x, const ClusterRec& a, const ClusterRec& b) {
  const int d = x.d;
  ClusterRec c;
  c.label = a.label;
  c.members.resize(a.members.size() + b.members.size());
  std::merge(a.members.begin(), a.members.end(), b.members.begin(), b.members.end(), c.members.begin());
  c.sum.resize(d);
  c.centre.resize(d);
  const double n = static_cast<double>(c.members.size());
  for (int k = 0; k < d; ++k) {
    c.sum[k] = a.sum[k] + b.sum[k];
    c.centre[k] = c.sum[k] / n;
  }
  double r2 = 0.0;
  for (int p : c.members) r2 = std::max(r2, squared_distance(x.row(p), c.centre.data(), d));
  c.radius = std::sqrt(r2);
  return c;
}

ClusterStore::ClusterStore(const Embeddings& x, const std::vector<int>& labels) {
  const int n = static_cast<int>(x.n);
  recs_.resize(n);
  for (int i = 0; i < n; ++i) {
    ClusterRec& r = recs_[i];
    r.label = labels[i];
    r.members = {i};
    r.sum.assign(x.row(i), x.row(i) + x.d);
    r.centre = r.sum;
    r.radius = 0.0;
    r.active = true;
    active_.push_back(i);
    active_pos_.push_back(i);
    owner_.push_back(i);
  }
}

void ClusterStore::deactivate(int id) {
  ClusterRec& r = recs_[id];
  r.active = false;
  // Inactive clusters are never read again except for their members: free the d-vectors, which
  // would otherwise hold (2n)·d doubles by the end.
  std::vector<double>().swap(r.sum);
  std::vector<double>().swap(r.centre);
  const int pos = active_pos_[id];
  const int last = active_.back();
  active_[pos] = last;
  active_pos_[last] = pos;
  active_.pop_back();
  active_pos_[id] = -1;
}

int ClusterStore::accept(int a, int b, ClusterRec c) {
  deactivate(a);
  deactivate(b);
  const int id = size();
  c.active = true;
  for (int p : c.members) owner_[p] = id;
  recs_.push_back(std::move(c));
  active_pos_.push_back(static_cast<int>(active_.size()));
  active_.push_back(id);
  return id;
}

}  // namespace codessm::probe::detail
