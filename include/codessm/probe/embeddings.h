// Input data of the probe: an n×d matrix of float64 vectors plus one integer label per row.
// Torch-free on purpose: DirectProbe is pure geometry and runs on machines without LibTorch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace codessm::probe {

/// Row-major n×d matrix of doubles. Rows are the points (one embedding vector each).
struct Embeddings {
  int64_t n = 0;               ///< number of points (rows)
  int d = 0;                   ///< dimension (columns)
  std::vector<double> values;  ///< n*d values, row-major

  const double* row(int64_t i) const { return values.data() + i * static_cast<int64_t>(d); }
  double* row(int64_t i) { return values.data() + i * static_cast<int64_t>(d); }
};

/// The label vocabulary. Integer label k is `names[k]`; DirectProbe sorts the names byte-wise
/// (Python's string sort), so "10.0" < "2.0".
struct LabelSet {
  std::vector<std::string> names;

  int size() const { return static_cast<int>(names.size()); }
  /// Index of `name`, or -1 when absent.
  int find(const std::string& name) const;
};

/// Points with their labels (indices into a LabelSet).
struct LabeledPoints {
  Embeddings x;
  std::vector<int> labels;  ///< size x.n, each in [0, label_set.size())
};

/// Throws DataError naming `what` when the shapes disagree or a value is not finite.
void validate_points(const LabeledPoints& p, int num_labels, const std::string& what);

}  // namespace codessm::probe
