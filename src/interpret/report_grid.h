// Private: the layer × filter grid shared by the Markdown class table and the class-grid figure.
// Columns are (kind, direction, index) in the order ssm-forward, ssm-backward, conv-forward, conv-backward.
// When a block has more than kMaxIndexColumns kernels or groups, its column is the whole block instead, and
// the cell holds the class counts (a 1024-kernel model would otherwise need 2048 columns).
#pragma once

#include <string>
#include <vector>

#include "codessm/interpret/kernel_analysis.h"

namespace codessm::interpret::detail {

inline constexpr int64_t kMaxIndexColumns = 8;

struct GridColumn {
  FilterKind kind;
  Direction direction;
  int64_t index;  ///< −1: the whole block
  std::string label;
};

struct GridCell {
  FilterClass cls = FilterClass::kUndefined;  ///< the filter's combined class, or the block's majority class
  std::string text;                           ///< "low (SC 0.123)" or "L 3 / B 4 / H 1"
  std::string short_text;                     ///< "low" or "3/4/1"
};

struct ClassGrid {
  std::vector<GridColumn> columns;
  std::vector<int64_t> layers;
  std::vector<std::vector<GridCell>> cells;  ///< [layer row][column]
};

ClassGrid build_class_grid(const InterpretResult& r);

/// Filename-safe stem of a filter: "L03_fwd", "L03_fwd_k2", "L03_fwd_conv_g1".
std::string filter_stem(const FilterReport& f);

}  // namespace codessm::interpret::detail
